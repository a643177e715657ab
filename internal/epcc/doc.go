// Package epcc is a thin client for the Elastic Path Commerce Cloud promotion
// jobs API (Promotions Standard and Rule Promotions).
//
// It knows nothing about Terraform. It handles the client_credentials token,
// retries, rate limiting and error decoding, and it offers the few operations a
// provider needs to run promotion jobs safely:
//
//   - StartJob creates a job without ever creating a duplicate: an ambiguous
//     failure is resolved by looking for the job before sending again, and a
//     promotion busy with another job is waited on.
//   - GetJob reads one job by listing the promotion's jobs (the API has no
//     single-job endpoint); concurrent reads of one promotion share a listing.
//   - WaitJob polls until the job ends; LockPromotion serializes jobs on one
//     promotion inside the process.
//
// Logging goes through tflog with the caller's context. The client secret,
// bearer tokens and the Authorization header are never logged.
package epcc

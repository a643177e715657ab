package provider

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/types/basetypes"

	"github.com/epcc-community/terraform-provider-elasticpath/internal/epcc"
)

var objectAsOptions = basetypes.ObjectAsOptions{}

// clientFromProviderData takes the client the provider's Configure made. It is nil before Configure has run
// and while the provider configuration holds values unknown until apply.
func clientFromProviderData(data any, diags *diag.Diagnostics) *epcc.Client {
	if pd := fromProviderData(data, diags); pd != nil {
		return pd.client
	}
	return nil
}

func fromProviderData(data any, diags *diag.Diagnostics) *providerData {
	if data == nil {
		return nil
	}
	pd, ok := data.(*providerData)
	if !ok {
		diags.AddError("Unexpected provider data", fmt.Sprintf("expected *providerData, got %T", data))
	}
	return pd
}

func requireClient(client *epcc.Client, diags *diag.Diagnostics) bool {
	if client == nil {
		diags.AddError("Provider not configured",
			"The elasticpath provider has no API client yet: its configuration depends on values known only after "+
				"apply. Apply what it depends on first (terraform apply -target=...), or set its attributes to known values.")
	}
	return client != nil
}

// jobOf returns the job a wait error carries, if any.
func jobOf(err error) *epcc.Job {
	var failed *epcc.JobFailedError
	var cancelled *epcc.JobCancelledError
	switch {
	case errors.As(err, &failed):
		return &failed.Job
	case errors.As(err, &cancelled):
		return &cancelled.Job
	}
	return nil
}

func startFailureDetail(ref epcc.PromotionRef, deadline jobDeadline, err error) string {
	var unknown *epcc.OutcomeUnknownError
	switch {
	case errors.As(err, &unknown):
		return fmt.Sprintf("The request to create the job on %s failed after it was sent, and no job it created "+
			"could be found: %s. Check the promotion's jobs (the elasticpath_promotion_jobs data source) before "+
			"running it again.", ref, err)
	case errors.Is(err, epcc.ErrThrottled):
		return fmt.Sprintf("Elastic Path kept asking to slow down (429) until %s, so the job could not start on "+
			"%s: other pipelines probably share the store's rate limit. No job was created. Raise %s, or run "+
			"fewer pipelines against the store at once: %s", deadline.stopped(err), ref, deadline.attr, err)
	case errors.Is(err, context.DeadlineExceeded):
		return fmt.Sprintf("The job could not start on %s before %s; another job was probably still running "+
			"there: %s", ref, deadline.stopped(err), err)
	case errors.Is(err, context.Canceled):
		return fmt.Sprintf("The run was interrupted before the job could start on %s: %s. No job was created.", ref, err)
	}
	if refusedJob(err) {
		return fmt.Sprintf("Elastic Path refused the job on %s: %s. No job was created.", ref, err)
	}
	return fmt.Sprintf("The job on %s could not be started: %s. No job was created: no request that could "+
		"create one went unanswered.", ref, err)
}

// refusedJob tells whether the API answered the job-creating POST itself with a refusal (a 4xx other than
// 429, which asks to slow down). Anything else, such as a listing or token request failing before the POST
// was sent, is no refusal.
func refusedJob(err error) bool {
	var apiErr *epcc.APIError
	return errors.As(err, &apiErr) && apiErr.Method == http.MethodPost && strings.HasSuffix(apiErr.Path, "/jobs") &&
		apiErr.StatusCode >= 400 && apiErr.StatusCode < 500 && apiErr.StatusCode != http.StatusTooManyRequests
}

func waitFailureSummary(err error) string {
	var failed *epcc.JobFailedError
	var cancelled *epcc.JobCancelledError
	switch {
	case errors.As(err, &failed):
		return "Promotion job failed"
	case errors.As(err, &cancelled):
		return "Promotion job was cancelled"
	case errors.Is(err, context.DeadlineExceeded):
		return "Timed out waiting for promotion job"
	case errors.Is(err, context.Canceled):
		return "Interrupted while waiting for promotion job"
	}
	return "Could not follow promotion job"
}

func waitFailureDetail(job epcc.Job, ref epcc.PromotionRef, timeout time.Duration, err error) string {
	var failed *epcc.JobFailedError
	var cancelled *epcc.JobCancelledError
	tainted := "The job is kept in the state as tainted: the next apply replaces it."
	switch {
	case errors.As(err, &failed), errors.As(err, &cancelled):
		return jobEndDetail(job, ref) + " " + tainted
	case errors.Is(err, context.DeadlineExceeded), errors.Is(err, context.Canceled):
		return fmt.Sprintf("Job %s on %s was still %s when waiting stopped (create timeout %s); it may still be "+
			"running. It is kept in the state as tainted. To look at it, use the elasticpath_promotion_jobs data "+
			"source or list the promotion's jobs (GET /v2/%s/%s/jobs). %s", job.ID, ref, job.Status, timeout,
			ref.API, ref.ID, nextApplyAdvice(job))
	}
	return fmt.Sprintf("Job %s on %s was started, but following it failed: %s. It is kept in the state as "+
		"tainted. %s", job.ID, ref, err, nextApplyAdvice(job))
}

// jobEndDetail says how a job that ended without completing ended, quoting the job's own message.
func jobEndDetail(job epcc.Job, ref epcc.PromotionRef) string {
	if job.Status == epcc.StatusFailed {
		return fmt.Sprintf("Job %s on %s ended with status failed: %q.", job.ID, ref, job.Error)
	}
	msg := fmt.Sprintf("Job %s on %s was cancelled before it completed", job.ID, ref)
	if job.Error != "" {
		msg += fmt.Sprintf(": %q", job.Error)
	}
	return msg + "."
}

// nextApplyAdvice says what the next apply does with a tainted job whose wait stopped early. A named
// code_generate job is adopted by its replacement; an unnamed one cannot be told from another batch, so the
// next plan stops and asks. Terraform shows the resource's address with each diagnostic; the provider is not
// told it.
func nextApplyAdvice(job epcc.Job) string {
	switch {
	case job.Type != epcc.JobTypeGenerate:
		return fmt.Sprintf("The next apply cancels it if it still runs, and starts a new export. To keep job %s "+
			"instead, run \"terraform untaint ADDRESS\" once it has completed, with ADDRESS the address this "+
			"message is shown with.", job.ID)
	case job.Name != "":
		return fmt.Sprintf("The next apply adopts job %s (waiting for it if it still runs) instead of generating "+
			"a second batch, unless it failed or was cancelled.", job.ID)
	}
	return fmt.Sprintf("The job has no name, so the next plan cannot tell it from another batch: unless it failed "+
		"or was cancelled, the plan stops with an error rather than generate a second one. To keep job %s, run "+
		"\"terraform untaint ADDRESS\", with ADDRESS the address this message is shown with.", job.ID)
}

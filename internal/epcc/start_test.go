package epcc

import (
	"bytes"
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-log/tflogtest"
)

var genReq = CreateJobRequest{
	Type: JobTypeGenerate, Name: "summer-2026",
	Parameters: &JobParameters{NumberOfCodes: i64(50), MaxUsesPerCode: i64(1), ConsumeUnit: "per_checkout", CodePrefix: "S-", CodeLength: i64(10)},
}

func TestStartJobPlain(t *testing.T) {
	store := newJobStore()
	store.add("promo-1", JobTypeGenerate, "summer-2026", nil, StatusCompleted) // an old, finished one
	srv := newTestServer(t, store)
	c := newTestClient(t, srv.URL)
	job, err := c.StartJob(testCtx(t), testRef, genReq)
	if err != nil {
		t.Fatal(err)
	}
	if job.ID != "job-0002" || store.posts.Load() != 1 || store.count("promo-1") != 2 {
		t.Errorf("job %+v posts %d", job, store.posts.Load())
	}
}

func TestStartJobCommitThen502Adopts(t *testing.T) {
	store := newJobStore()
	// A foreign finished job with the same name, and a foreign job with other
	// parameters, must not be adopted.
	store.add("promo-1", JobTypeGenerate, "summer-2026", map[string]any{"number_of_codes": 50}, StatusCompleted)
	store.onCreate = func(w http.ResponseWriter, r *http.Request, n int, promo string, data map[string]any) bool {
		store.mu.Lock()
		store.createFromData(promo, data) // the job is made...
		store.mu.Unlock()
		writeJSON(w, 502, `<html>bad gateway</html>`) // ...but the answer is lost
		return true
	}
	srv := newTestServer(t, store)
	c := newTestClient(t, srv.URL)
	var logs bytes.Buffer
	ctx := tflogtest.RootLogger(testCtx(t), &logs)
	job, err := c.StartJob(ctx, testRef, genReq)
	if err != nil {
		t.Fatal(err)
	}
	if job.ID != "job-0002" {
		t.Errorf("adopted %+v", job)
	}
	if store.posts.Load() != 1 || store.count("promo-1") != 2 {
		t.Errorf("posts %d jobs %d: a duplicate was sent", store.posts.Load(), store.count("promo-1"))
	}
	if !strings.Contains(logs.String(), "adopted job job-0002 created by an ambiguous request") {
		t.Errorf("no adoption warning in logs:\n%s", logs.String())
	}
}

// The caller's deadline ends while the create is in flight, after the job was made: the job must still be
// found and returned, or it would be orphaned.
func TestStartJobDeadlineDuringCreateStillFindsTheJob(t *testing.T) {
	store := newJobStore()
	store.onCreate = func(w http.ResponseWriter, r *http.Request, n int, promo string, data map[string]any) bool {
		store.mu.Lock()
		store.createFromData(promo, data)
		store.mu.Unlock()
		<-r.Context().Done() // the answer never comes before the client gives up
		return true
	}
	srv := newTestServer(t, store)
	c := newTestClient(t, srv.URL)
	ctx, cancel := context.WithTimeout(testCtx(t), 300*time.Millisecond)
	defer cancel()
	job, err := c.StartJob(ctx, testRef, genReq)
	if err != nil {
		t.Fatalf("the job that was made was not found: %v", err)
	}
	if job.ID != "job-0001" || store.posts.Load() != 1 {
		t.Errorf("got %+v after %d posts", job, store.posts.Load())
	}
}

// Cut short with nothing made: an error, and no second request on a dead context.
func TestStartJobDeadlineDuringCreateNothingMade(t *testing.T) {
	store := newJobStore()
	store.onCreate = func(w http.ResponseWriter, r *http.Request, n int, promo string, data map[string]any) bool {
		<-r.Context().Done()
		return true
	}
	srv := newTestServer(t, store)
	c := newTestClient(t, srv.URL)
	ctx, cancel := context.WithTimeout(testCtx(t), 300*time.Millisecond)
	defer cancel()
	_, err := c.StartJob(ctx, testRef, genReq)
	var unknown *OutcomeUnknownError
	if !errors.As(err, &unknown) || !strings.Contains(err.Error(), "no job was found") {
		t.Fatalf("want an outcome-unknown error saying no job was found, got %v", err)
	}
	if store.posts.Load() != 1 {
		t.Errorf("%d posts, want 1", store.posts.Load())
	}
}

func TestStartJobAmbiguousNothingCreatedResends(t *testing.T) {
	store := newJobStore()
	store.onCreate = func(w http.ResponseWriter, r *http.Request, n int, promo string, data map[string]any) bool {
		if n == 1 {
			writeJSON(w, 500, `{"errors":[{"status":500,"title":"Internal Server Error"}]}`)
			return true
		}
		return false
	}
	srv := newTestServer(t, store)
	c := newTestClient(t, srv.URL)
	job, err := c.StartJob(testCtx(t), testRef, genReq)
	if err != nil {
		t.Fatal(err)
	}
	if store.posts.Load() != 2 || store.count("promo-1") != 1 || job.ID != "job-0001" {
		t.Errorf("posts %d jobs %d job %+v", store.posts.Load(), store.count("promo-1"), job)
	}
}

func TestStartJobAmbiguousResendsBounded(t *testing.T) {
	store := newJobStore()
	store.onCreate = func(w http.ResponseWriter, r *http.Request, n int, promo string, data map[string]any) bool {
		writeJSON(w, 503, `{"errors":[{"status":503,"title":"Service Unavailable"}]}`)
		return true
	}
	srv := newTestServer(t, store)
	c := newTestClient(t, srv.URL)
	_, err := c.StartJob(testCtx(t), testRef, genReq)
	var unknown *OutcomeUnknownError
	if !errors.As(err, &unknown) {
		t.Fatalf("err = %v", err)
	}
	if got := store.posts.Load(); got != maxAmbiguousResends+1 {
		t.Errorf("posts = %d, want %d", got, maxAmbiguousResends+1)
	}
}

func TestStartJobWaitsForForeignJob(t *testing.T) {
	store := newJobStore()
	foreign := store.add("promo-1", JobTypeExport, "someone else", nil, StatusProcessing)
	store.onList = func(promo string, n int) {
		if n >= 4 { // a few polls later the foreign job ends
			foreign.Status = StatusCompleted
		}
	}
	srv := newTestServer(t, store)
	c := newTestClient(t, srv.URL)
	var logs bytes.Buffer
	var busy []string
	ctx := WithStartTrace(tflogtest.RootLogger(testCtx(t), &logs), &StartTrace{Busy: func(j Job) { busy = append(busy, j.ID+" "+j.Status) }})
	job, err := c.StartJob(ctx, testRef, genReq)
	if err != nil {
		t.Fatal(err)
	}
	if job.ID != "job-0002" || store.posts.Load() != 2 || store.count("promo-1") != 2 {
		t.Errorf("job %+v posts %d jobs %d", job, store.posts.Load(), store.count("promo-1"))
	}
	if !strings.Contains(logs.String(), "promotion rule-promotions/promo-1 is busy with job job-0001 (processing), waiting") {
		t.Errorf("no busy message in logs")
	}
	// The trace hears of the busy job once, not on every poll.
	if len(busy) != 1 || busy[0] != "job-0001 processing" {
		t.Errorf("the start trace saw %q, want the one busy job once", busy)
	}
}

func TestStartJobTooManyDoesNotAdoptForeignMatch(t *testing.T) {
	// Without an ambiguous attempt, a new matching job is someone else's:
	// wait for it, then create our own.
	store := newJobStore()
	store.onCreate = func(w http.ResponseWriter, r *http.Request, n int, promo string, data map[string]any) bool {
		if n == 1 {
			store.mu.Lock()
			j := store.createFromData(promo, data) // a twin started elsewhere
			j.Status = StatusProcessing
			store.mu.Unlock()
			go func() { time.Sleep(30 * time.Millisecond); store.setStatus(promo, j.ID, StatusCompleted) }()
			writeJSON(w, 400, `{"errors":[{"status":"400","title":"Too many jobs","detail":"Only 1 pending or processing job is allowed per promotion."}]}`)
			return true
		}
		return false
	}
	srv := newTestServer(t, store)
	c := newTestClient(t, srv.URL)
	job, err := c.StartJob(testCtx(t), testRef, genReq)
	if err != nil {
		t.Fatal(err)
	}
	if job.ID != "job-0002" || store.posts.Load() != 2 {
		t.Errorf("job %+v posts %d", job, store.posts.Load())
	}
}

func TestStartJobTooManyAfterAmbiguousAdopts(t *testing.T) {
	store := newJobStore()
	store.onCreate = func(w http.ResponseWriter, r *http.Request, n int, promo string, data map[string]any) bool {
		switch n {
		case 1: // lost on the way back, not yet processed
			writeJSON(w, 504, `{"errors":[{"status":504,"title":"Gateway Timeout"}]}`)
			return true
		case 2: // the first request got processed late: its job now blocks ours
			store.mu.Lock()
			store.createFromData(promo, data)
			store.mu.Unlock()
			writeJSON(w, 400, `{"errors":[{"status":400,"title":"Too many jobs","detail":"Only 1 pending or processing job is allowed per promotion."}]}`)
			return true
		}
		return false
	}
	srv := newTestServer(t, store)
	c := newTestClient(t, srv.URL)
	job, err := c.StartJob(testCtx(t), testRef, genReq)
	if err != nil {
		t.Fatal(err)
	}
	if job.ID != "job-0001" || store.posts.Load() != 2 || store.count("promo-1") != 1 {
		t.Errorf("job %+v posts %d jobs %d", job, store.posts.Load(), store.count("promo-1"))
	}
}

func TestStartJobBusyHonoursContext(t *testing.T) {
	store := newJobStore()
	store.add("promo-1", JobTypeExport, "", nil, StatusProcessing) // never ends
	srv := newTestServer(t, store)
	c := newTestClient(t, srv.URL)
	ctx, cancel := context.WithTimeout(context.Background(), 150*time.Millisecond)
	defer cancel()
	start := time.Now()
	_, err := c.StartJob(ctx, testRef, genReq)
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("err = %v", err)
	}
	if time.Since(start) > time.Second {
		t.Error("did not stop at the deadline")
	}
	if !strings.Contains(err.Error(), "job-0001") {
		t.Errorf("error does not name the busy job: %v", err)
	}
	if store.count("promo-1") != 1 {
		t.Error("a job was created")
	}
}

func TestStartJobCleanRejection(t *testing.T) {
	store := newJobStore()
	store.onCreate = func(w http.ResponseWriter, r *http.Request, n int, promo string, data map[string]any) bool {
		writeJSON(w, 422, `{"errors":[{"status":"422","title":"No codes allowed","detail":"Cannot add codes to an automatic promotion"}]}`)
		return true
	}
	srv := newTestServer(t, store)
	c := newTestClient(t, srv.URL)
	_, err := c.StartJob(testCtx(t), testRef, genReq)
	var apiErr *APIError
	if !errors.As(err, &apiErr) || !apiErr.HasTitle("No codes allowed") || store.posts.Load() != 1 {
		t.Errorf("err = %v, posts %d", err, store.posts.Load())
	}
}

func TestMatchesRequest(t *testing.T) {
	job := Job{Type: JobTypeGenerate, Name: "summer-2026", Parameters: &JobParameters{
		NumberOfCodes: i64(50), MaxUsesPerCode: i64(1), ConsumeUnit: "per_checkout", CodePrefix: "S-", CodeLength: i64(10),
	}}
	if !matchesRequest(job, genReq) {
		t.Error("identical job does not match")
	}
	for i, req := range genReqVariants(
		func(r *CreateJobRequest) { r.Type = JobTypeExport },
		func(r *CreateJobRequest) { r.Name = "other" },
		func(r *CreateJobRequest) { r.Parameters.NumberOfCodes = i64(51) },
		func(r *CreateJobRequest) { r.Parameters.MaxUsesPerCode = i64(2) },
		func(r *CreateJobRequest) { r.Parameters.CodeLength = i64(12) },
		func(r *CreateJobRequest) { r.Parameters.ConsumeUnit = "per_application" },
		func(r *CreateJobRequest) { r.Parameters.CodePrefix = "W-" },
	) {
		if matchesRequest(job, req) {
			t.Errorf("variant %d matches", i)
		}
	}
	// Parameters we did not send do not matter (the API fills defaults).
	if !matchesRequest(job, CreateJobRequest{Type: JobTypeGenerate, Parameters: &JobParameters{NumberOfCodes: i64(50)}}) {
		t.Error("server defaults prevented a match")
	}
	if matchesRequest(Job{Type: JobTypeGenerate}, CreateJobRequest{Type: JobTypeGenerate, Parameters: &JobParameters{NumberOfCodes: i64(50)}}) {
		t.Error("a job without parameters matched sent parameters")
	}
}

// A start right after a wait saw the promotion's last job end takes the jobs before from that listing; a
// start after a pause lists again. The client's clock is stepped by hand.
func TestStartJobReusesARecentListing(t *testing.T) {
	store := newJobStore()
	store.add("promo-1", JobTypeGenerate, "old", nil, StatusCompleted)
	srv := newTestServer(t, store)
	c := newTestClient(t, srv.URL)
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	c.now = func() time.Time { return now }
	ctx := testCtx(t)
	if _, err := c.WaitJob(ctx, testRef, "job-0001", nil); err != nil {
		t.Fatal(err)
	}
	lists := store.lists.Load()
	now = now.Add(startListingAge / 2)
	if _, err := c.StartJob(ctx, testRef, genReq); err != nil {
		t.Fatal(err)
	}
	if n := store.lists.Load() - lists; n != 0 {
		t.Errorf("a start right after the wait listed %d times, want none", n)
	}

	store.setStatus("promo-1", "job-0002", StatusCompleted)
	if _, err := c.WaitJob(ctx, testRef, "job-0002", nil); err != nil {
		t.Fatal(err)
	}
	lists = store.lists.Load()
	now = now.Add(startListingAge)
	if _, err := c.StartJob(ctx, testRef, genReq); err != nil {
		t.Fatal(err)
	}
	if n := store.lists.Load() - lists; n != 1 {
		t.Errorf("a start a while after the wait listed %d times, want 1", n)
	}
}

// genParams are genReq's parameters as the API lists them.
var genParams = map[string]any{"number_of_codes": 50, "max_uses_per_code": 1, "consume_unit": "per_checkout", "code_prefix": "S-", "code_length": 10}

// A job of the same type, name and parameters is adopted while it runs or once it completed, never when it
// failed or was cancelled (its batch was never made whole), and never when any parameter differs.
func TestStartOrAdoptJobAdoptsOnlyTheSameLiveJob(t *testing.T) {
	otherParams := map[string]any{"number_of_codes": 51, "max_uses_per_code": 1, "consume_unit": "per_checkout", "code_prefix": "S-", "code_length": 10}
	cases := []struct {
		name, status, jobName string
		params                map[string]any
		adopt                 bool
	}{
		{"pending", StatusPending, genReq.Name, genParams, true},
		{"processing", StatusProcessing, genReq.Name, genParams, true},
		{"completed", StatusCompleted, genReq.Name, genParams, true},
		{"failed", StatusFailed, genReq.Name, genParams, false},
		{"cancelled", StatusCancelled, genReq.Name, genParams, false},
		{"cancelling", StatusCancelling, genReq.Name, genParams, false},
		{"same name, other parameters", StatusCompleted, genReq.Name, otherParams, false},
		{"other name", StatusCompleted, "winter-2026", genParams, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			store := newJobStore()
			existing := store.add("promo-1", JobTypeGenerate, tc.jobName, tc.params, tc.status)
			// Let a new job start at once: the existing one stands for a job left by a run that died.
			if IsActive(tc.status) && !tc.adopt {
				t.Fatal("an active job that is not adopted would hold the promotion: not a case of this test")
			}
			srv := newTestServer(t, store)
			c := newTestClient(t, srv.URL)
			job, adopted, err := c.StartOrAdoptJob(testCtx(t), testRef, genReq)
			if err != nil {
				t.Fatal(err)
			}
			if tc.adopt != adopted || tc.adopt != (job.ID == existing.ID) {
				t.Errorf("adopted = %v, job %s; want adopted %v of job %s", adopted, job.ID, tc.adopt, existing.ID)
			}
			if wantPosts := map[bool]int32{true: 0, false: 1}[tc.adopt]; store.posts.Load() != wantPosts {
				t.Errorf("%d job POSTs, want %d", store.posts.Load(), wantPosts)
			}
		})
	}
}

// Actions make a new job by design: StartJob never adopts by identity.
func TestStartJobNeverAdoptsBySameIdentity(t *testing.T) {
	store := newJobStore()
	store.add("promo-1", JobTypeGenerate, genReq.Name, genParams, StatusCompleted)
	srv := newTestServer(t, store)
	c := newTestClient(t, srv.URL)
	if _, err := c.StartJob(testCtx(t), testRef, genReq); err != nil {
		t.Fatal(err)
	}
	if store.posts.Load() != 1 || store.count("promo-1") != 2 {
		t.Errorf("posts %d, jobs %d: want a new job", store.posts.Load(), store.count("promo-1"))
	}
}

// Two pipelines apply the same job at once: the second finds the promotion busy with the first's job, and
// adopts it, still running, instead of waiting to send its own.
func TestStartOrAdoptJobAdoptsTheSameJobStartedWhileBusy(t *testing.T) {
	store := newJobStore()
	store.onCreate = func(w http.ResponseWriter, r *http.Request, n int, promo string, data map[string]any) bool {
		store.mu.Lock()
		defer store.mu.Unlock()
		store.addLocked(promo, JobTypeGenerate, genReq.Name, genParams, StatusProcessing) // the other pipeline won the race
		writeJSON(w, 400, `{"errors":[{"status":"400","title":"Too many jobs","detail":"Only 1 pending or processing job is allowed per promotion."}]}`)
		return true
	}
	srv := newTestServer(t, store)
	c := newTestClient(t, srv.URL)
	job, adopted, err := c.StartOrAdoptJob(testCtx(t), testRef, genReq)
	if err != nil {
		t.Fatal(err)
	}
	if !adopted || job.ID != "job-0001" || store.posts.Load() != 1 || store.count("promo-1") != 1 {
		t.Errorf("job %s adopted %v, posts %d, jobs %d: want the other pipeline's job adopted", job.ID, adopted,
			store.posts.Load(), store.count("promo-1"))
	}
}

func TestIsSameJob(t *testing.T) {
	job := Job{Type: JobTypeGenerate, Name: "summer-2026", Parameters: &JobParameters{
		NumberOfCodes: i64(50), MaxUsesPerCode: i64(1), ConsumeUnit: "per_checkout", CodePrefix: "S-", CodeLength: i64(10),
	}}
	if !IsSameJob(job, genReq) {
		t.Error("identical job is not the same")
	}
	// Unlike matchesRequest, a parameter not sent must be unset on the job too.
	for i, req := range genReqVariants(
		func(r *CreateJobRequest) { r.Type = JobTypeExport },
		func(r *CreateJobRequest) { r.Name = "other" },
		func(r *CreateJobRequest) { r.Name = "" },
		func(r *CreateJobRequest) { r.Parameters.NumberOfCodes = i64(51) },
		func(r *CreateJobRequest) { r.Parameters.MaxUsesPerCode = nil },
		func(r *CreateJobRequest) { r.Parameters.CodeLength = i64(12) },
		func(r *CreateJobRequest) { r.Parameters.ConsumeUnit = "" },
		func(r *CreateJobRequest) { r.Parameters.CodePrefix = "W-" },
	) {
		if IsSameJob(job, req) {
			t.Errorf("variant %d is the same job", i)
		}
	}
	// The documented default code_length is the same as sending it.
	bare := CreateJobRequest{Type: JobTypeGenerate, Parameters: &JobParameters{NumberOfCodes: i64(5)}}
	if !IsSameJob(Job{Type: JobTypeGenerate, Parameters: &JobParameters{NumberOfCodes: i64(5), CodeLength: i64(DefaultCodeLength)}}, bare) {
		t.Error("the default code_length made a difference")
	}
}

// genReqVariants returns genReq changed by each of changes, one copy each.
func genReqVariants(changes ...func(*CreateJobRequest)) []CreateJobRequest {
	out := make([]CreateJobRequest, len(changes))
	for i, change := range changes {
		req := genReq
		p := *genReq.Parameters
		req.Parameters = &p
		change(&req)
		out[i] = req
	}
	return out
}

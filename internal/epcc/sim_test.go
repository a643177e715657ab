package epcc_test

// Integration tests of the API client against the in-memory simulator, over
// a real HTTP listener. The client only sees the exported API; the simulator
// shares no types with it, so a misreading of the API on either side shows.

import (
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"regexp"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/epcc-community/terraform-provider-elasticpath/internal/epcc"
	"github.com/epcc-community/terraform-provider-elasticpath/internal/epccsim"
)

// simStart is the ManualClock's start: any fixed instant will do.
var simStart = time.Date(2025, 6, 1, 12, 0, 0, 0, time.UTC)

// Durations of the simulated service in the ManualClock tests. simStep is
// how far a test moves the clock per observed progress: at least as long as
// every phase, and it always changes a generate job's count.
const (
	simQueueDelay  = 40 * time.Millisecond
	simExportTime  = 40 * time.Millisecond
	simCancelTime  = 40 * time.Millisecond
	simCodesPerSec = 3000
	simStep        = 40 * time.Millisecond
)

type simEnv struct {
	sim    *epccsim.Server
	srv    *httptest.Server
	clock  *epccsim.ManualClock // nil when opts.Clock was given
	client *epcc.Client
}

// newSimEnv starts a simulator (on a ManualClock unless opts.Clock is set)
// and a client with short retry and poll waits. tweak may adjust the client
// configuration.
func newSimEnv(t *testing.T, opts epccsim.Options, tweak func(*epcc.Config)) *simEnv {
	t.Helper()
	e := &simEnv{}
	if opts.Clock == nil {
		e.clock = epccsim.NewManualClock(simStart)
		opts.Clock = e.clock
	}
	e.sim = epccsim.New(opts)
	e.srv = httptest.NewServer(e.sim)
	t.Cleanup(e.srv.Close)
	e.client = e.newClient(t, tweak)
	return e
}

func (e *simEnv) newClient(t *testing.T, tweak func(*epcc.Config)) *epcc.Client {
	t.Helper()
	cfg := epcc.Config{
		BaseURL:         e.srv.URL,
		ClientID:        e.sim.ClientID(),
		ClientSecret:    e.sim.ClientSecret(),
		MaxRetries:      4,
		RetryWaitMin:    5 * time.Millisecond,
		RetryWaitMax:    20 * time.Millisecond,
		RateLimit:       -1,
		PollInterval:    5 * time.Millisecond,
		PollMaxInterval: 20 * time.Millisecond,
	}
	if tweak != nil {
		tweak(&cfg)
	}
	c, err := epcc.New(cfg)
	if err != nil {
		t.Fatalf("epcc.New: %v", err)
	}
	return c
}

func manualOpts() epccsim.Options {
	return epccsim.Options{
		QueueDelay:     simQueueDelay,
		ExportDuration: simExportTime,
		CancelDuration: simCancelTime,
		CodesPerSecond: simCodesPerSec,
	}
}

func simCtx(t *testing.T) context.Context {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 8*time.Second)
	t.Cleanup(cancel)
	return ctx
}

// driver returns a WaitJob progress callback that records each observation
// and moves the simulator's clock one step, so that the job advances exactly
// once per observed change.
func (e *simEnv) driver(seen *[]epcc.Job) func(epcc.Job) {
	return func(j epcc.Job) {
		*seen = append(*seen, j)
		e.clock.Advance(simStep)
	}
}

func (e *simEnv) promotion(t *testing.T, ctx context.Context, api epcc.API, automatic bool) epcc.PromotionRef {
	t.Helper()
	ref, err := e.client.CreatePromotion(ctx, api, epcc.NewPromotion{Name: "sim " + t.Name(), Automatic: automatic})
	if err != nil {
		t.Fatalf("CreatePromotion(%s): %v", api, err)
	}
	if ref.API != api || ref.ID == "" {
		t.Fatalf("CreatePromotion(%s) = %+v", api, ref)
	}
	return ref
}

func jobsPattern(api epcc.API) string { return "/v2/" + string(api) + "/*/jobs" }

var simAPIs = []struct {
	api         epcc.API
	consumeUnit string
}{
	{epcc.RulePromotions, "per_application"},
	{epcc.PromotionsStandard, "per_item"},
}

func i64(v int64) *int64 { return &v }

func generateReq(name string, n int64) epcc.CreateJobRequest {
	return epcc.CreateJobRequest{Type: epcc.JobTypeGenerate, Name: name, Parameters: &epcc.JobParameters{NumberOfCodes: i64(n)}}
}

func exportReq(name string) epcc.CreateJobRequest {
	return epcc.CreateJobRequest{Type: epcc.JobTypeExport, Name: name}
}

func gen(j *epcc.Job) string {
	if j == nil || j.Generated == nil {
		return "nil"
	}
	return fmt.Sprint(*j.Generated)
}

func ids(jobs []epcc.Job) []string {
	out := make([]string, len(jobs))
	for i, j := range jobs {
		out[i] = j.ID
	}
	sort.Strings(out)
	return out
}

func sortedCopy(s []string) []string {
	out := append([]string(nil), s...)
	sort.Strings(out)
	return out
}

func asAPIError(t *testing.T, err error, status int) *epcc.APIError {
	t.Helper()
	var apiErr *epcc.APIError
	if !errors.As(err, &apiErr) {
		t.Fatalf("err = %v (%T), want *epcc.APIError %d", err, err, status)
	}
	if apiErr.StatusCode != status {
		t.Fatalf("status = %d, want %d: %v", apiErr.StatusCode, status, apiErr)
	}
	return apiErr
}

// ---- 1. lifecycle --------------------------------------------------------

func TestSimLifecycle(t *testing.T) {
	for _, tc := range simAPIs {
		t.Run(string(tc.api), func(t *testing.T) {
			t.Parallel()
			e := newSimEnv(t, manualOpts(), nil)
			ctx := simCtx(t)
			ref := e.promotion(t, ctx, tc.api, false)

			// Generate 300 codes.
			req := epcc.CreateJobRequest{
				Type: epcc.JobTypeGenerate,
				Name: "generate 300",
				Parameters: &epcc.JobParameters{
					NumberOfCodes:  i64(300),
					MaxUsesPerCode: i64(2),
					ConsumeUnit:    tc.consumeUnit,
					CodePrefix:     "SIM",
					CodeLength:     i64(12),
				},
			}
			genJob, err := e.client.StartJob(ctx, ref, req)
			if err != nil {
				t.Fatalf("StartJob(generate): %v", err)
			}
			if genJob.ID == "" || genJob.Type != epcc.JobTypeGenerate || genJob.Status != epcc.StatusPending || genJob.Name != "generate 300" {
				t.Fatalf("created job = %+v", genJob)
			}
			if genJob.Promotion != ref {
				t.Errorf("job promotion = %+v, want %+v", genJob.Promotion, ref)
			}
			p := genJob.Parameters
			if p == nil || p.NumberOfCodes == nil || *p.NumberOfCodes != 300 || p.ConsumeUnit != tc.consumeUnit ||
				p.CodePrefix != "SIM" || p.CodeLength == nil || *p.CodeLength != 12 || p.MaxUsesPerCode == nil || *p.MaxUsesPerCode != 2 {
				t.Errorf("job parameters = %+v", p)
			}
			if genJob.CreatedAt.IsZero() || !genJob.CreatedAt.Equal(simStart) {
				t.Errorf("created_at = %v, want %v", genJob.CreatedAt, simStart)
			}

			var progress []epcc.Job
			done, err := e.client.WaitJob(ctx, ref, genJob.ID, e.driver(&progress))
			if err != nil {
				t.Fatalf("WaitJob(generate): %v", err)
			}
			if done.Status != epcc.StatusCompleted || gen(done) != "300" {
				t.Fatalf("generate job ended %s with %s codes, want completed/300", done.Status, gen(done))
			}
			var trail []string
			for _, j := range progress {
				trail = append(trail, j.Status+":"+gen(&j))
			}
			if len(progress) < 3 {
				t.Fatalf("progress = %v, want pending, processing…, completed", trail)
			}
			if first := progress[0]; first.Status != epcc.StatusPending || first.Generated != nil {
				t.Errorf("first progress = %s, want pending with no count", trail[0])
			}
			if last := progress[len(progress)-1]; last.Status != epcc.StatusCompleted || gen(&last) != "300" {
				t.Errorf("last progress = %s, want completed:300", trail[len(trail)-1])
			}
			partial := false
			prev := int64(-1)
			for _, j := range progress[1:] {
				if j.Generated == nil || *j.Generated < prev {
					t.Errorf("progress counts not non-decreasing: %v", trail)
					break
				}
				prev = *j.Generated
				if j.Status == epcc.StatusProcessing && prev > 0 && prev < 300 {
					partial = true
				}
			}
			if !partial {
				t.Errorf("no partial processing count observed: %v", trail)
			}

			// The codes.
			codes, err := e.client.ListPromotionCodes(ctx, ref)
			if err != nil {
				t.Fatalf("ListPromotionCodes: %v", err)
			}
			if len(codes) != 300 {
				t.Fatalf("ListPromotionCodes returned %d codes, want 300", len(codes))
			}
			shape := regexp.MustCompile(`^SIM[a-z0-9]{4}-[a-z0-9]{4}-[a-z0-9]{4}$`)
			unique := map[string]bool{}
			for _, c := range codes {
				if !shape.MatchString(c.Code) {
					t.Errorf("code %q does not look like SIMxxxx-xxxx-xxxx", c.Code)
					break
				}
				unique[strings.ToLower(c.Code)] = true
			}
			if len(unique) != 300 {
				t.Errorf("%d unique codes, want 300", len(unique))
			}

			// Export them.
			expJob, err := e.client.StartJob(ctx, ref, exportReq("export"))
			if err != nil {
				t.Fatalf("StartJob(export): %v", err)
			}
			if expJob.Type != epcc.JobTypeExport || expJob.Parameters != nil {
				t.Errorf("export job = %+v", expJob)
			}
			var expProgress []epcc.Job
			expDone, err := e.client.WaitJob(ctx, ref, expJob.ID, e.driver(&expProgress))
			if err != nil {
				t.Fatalf("WaitJob(export): %v", err)
			}
			if expDone.Status != epcc.StatusCompleted || len(expProgress) < 2 {
				t.Fatalf("export ended %s after %d observations", expDone.Status, len(expProgress))
			}
			href, err := e.client.JobFileURL(ctx, ref, expJob.ID)
			if err != nil {
				t.Fatalf("JobFileURL: %v", err)
			}
			if !strings.HasPrefix(href, e.srv.URL+"/") {
				t.Errorf("href %q does not point at the simulator", href)
			}
			res, err := http.Get(href)
			if err != nil {
				t.Fatalf("GET file: %v", err)
			}
			rows, err := csv.NewReader(res.Body).ReadAll()
			_ = res.Body.Close()
			if err != nil || res.StatusCode != http.StatusOK {
				t.Fatalf("GET file: %d, %v", res.StatusCode, err)
			}
			if len(rows) != 301 {
				t.Fatalf("CSV has %d rows, want header + 300", len(rows))
			}
			col := map[string]int{}
			for i, h := range rows[0] {
				col[h] = i
			}
			ci, ok := col["code"]
			if !ok {
				t.Fatalf("CSV header %v has no code column", rows[0])
			}
			var fileCodes []string
			for _, r := range rows[1:] {
				fileCodes = append(fileCodes, r[ci])
				if ui, ok := col["consume_unit"]; ok && r[ui] != tc.consumeUnit {
					t.Errorf("CSV row %v: consume_unit %q, want %q", r, r[ui], tc.consumeUnit)
					break
				}
			}
			listed := make([]string, len(codes))
			for i, c := range codes {
				listed[i] = c.Code
			}
			if fmt.Sprint(sortedCopy(fileCodes)) != fmt.Sprint(sortedCopy(listed)) {
				t.Errorf("CSV codes differ from the listing")
			}

			// Listings, filtered and not.
			for _, f := range []struct {
				filter epcc.JobFilter
				want   []string
			}{
				{epcc.JobFilter{}, []string{genJob.ID, expJob.ID}},
				{epcc.JobFilter{Type: epcc.JobTypeGenerate}, []string{genJob.ID}},
				{epcc.JobFilter{Type: epcc.JobTypeExport}, []string{expJob.ID}},
				{epcc.JobFilter{Status: epcc.StatusCompleted}, []string{genJob.ID, expJob.ID}},
				{epcc.JobFilter{Type: epcc.JobTypeExport, Status: epcc.StatusCompleted}, []string{expJob.ID}},
				{epcc.JobFilter{Type: epcc.JobTypeGenerate, Status: epcc.StatusPending}, nil},
				{epcc.JobFilter{Status: epcc.StatusFailed}, nil},
			} {
				got, err := e.client.ListJobs(ctx, ref, f.filter)
				if err != nil {
					t.Fatalf("ListJobs(%+v): %v", f.filter, err)
				}
				if fmt.Sprint(ids(got)) != fmt.Sprint(sortedCopy(f.want)) {
					t.Errorf("ListJobs(%+v) = %v, want %v", f.filter, ids(got), sortedCopy(f.want))
				}
			}
			for _, want := range []*epcc.Job{done, expDone} {
				got, err := e.client.GetJob(ctx, ref, want.ID)
				if err != nil {
					t.Fatalf("GetJob(%s): %v", want.ID, err)
				}
				if got.ID != want.ID || got.Type != want.Type || got.Status != epcc.StatusCompleted || gen(got) != gen(want) {
					t.Errorf("GetJob = %+v, want %+v", got, want)
				}
			}
			_, err = e.client.GetJob(ctx, ref, "00000000-0000-4000-8000-000000000000")
			var nf *epcc.JobNotFoundError
			if !errors.As(err, &nf) || !epcc.IsNotFound(err) {
				t.Errorf("GetJob(unknown) err = %v, want *JobNotFoundError", err)
			}

			// Clean up.
			if err := e.client.DeletePromotion(ctx, ref); err != nil {
				t.Fatalf("DeletePromotion: %v", err)
			}
			if _, err := e.client.ListJobs(ctx, ref, epcc.JobFilter{}); !epcc.IsNotFound(err) {
				t.Errorf("ListJobs after delete: err = %v, want a 404", err)
			}
			if err := e.client.DeletePromotion(ctx, ref); err != nil {
				t.Errorf("second DeletePromotion: %v, want nil (already gone)", err)
			}
		})
	}
}

// ---- 2. pagination -------------------------------------------------------

func TestSimPaginationOver100Jobs(t *testing.T) {
	for _, tc := range simAPIs {
		t.Run(string(tc.api), func(t *testing.T) {
			t.Parallel()
			e := newSimEnv(t, manualOpts(), nil)
			ctx := simCtx(t)
			ref := e.promotion(t, ctx, tc.api, false)

			const n = 130
			created := map[string]bool{}
			var last *epcc.Job
			nGen := 0
			for i := 0; i < n; i++ {
				req := exportReq(fmt.Sprintf("export %d", i))
				if i%2 == 0 {
					req = generateReq(fmt.Sprintf("generate %d", i), 1)
					nGen++
				}
				j, err := e.client.CreateJob(ctx, ref, req)
				if err != nil {
					t.Fatalf("CreateJob #%d: %v", i, err)
				}
				if created[j.ID] {
					t.Fatalf("CreateJob #%d returned a duplicate id %s", i, j.ID)
				}
				created[j.ID] = true
				last = j
				// Let it finish before the next one (one active job per promotion).
				e.clock.Advance(simQueueDelay + simExportTime + 10*time.Millisecond)
			}

			before := e.sim.RequestCount(http.MethodGet, jobsPattern(tc.api))
			all, err := e.client.ListJobs(ctx, ref, epcc.JobFilter{})
			if err != nil {
				t.Fatalf("ListJobs: %v", err)
			}
			if pages := e.sim.RequestCount(http.MethodGet, jobsPattern(tc.api)) - before; pages != 2 {
				t.Errorf("listing %d jobs took %d requests, want 2 pages of up to 100", n, pages)
			}
			if len(all) != n {
				t.Fatalf("ListJobs returned %d jobs, want %d", len(all), n)
			}
			for _, j := range all {
				if !created[j.ID] {
					t.Errorf("listed job %s was not created by the test", j.ID)
				}
				if j.Status != epcc.StatusCompleted {
					t.Errorf("job %s is %s, want completed", j.ID, j.Status)
				}
			}
			if got := ids(all); len(got) != n || fmt.Sprint(got) != fmt.Sprint(sortedCopy(keys(created))) {
				t.Errorf("listed ids differ from the created ones")
			}

			done, err := e.client.ListJobs(ctx, ref, epcc.JobFilter{Status: epcc.StatusCompleted})
			if err != nil || len(done) != n {
				t.Errorf("ListJobs(completed) = %d jobs, %v; want %d", len(done), err, n)
			}
			gens, err := e.client.ListJobs(ctx, ref, epcc.JobFilter{Type: epcc.JobTypeGenerate})
			if err != nil || len(gens) != nGen {
				t.Errorf("ListJobs(code_generate) = %d jobs, %v; want %d", len(gens), err, nGen)
			}

			// A fresh client (empty cache) must page to find the last job.
			fresh := e.newClient(t, nil)
			before = e.sim.RequestCount(http.MethodGet, jobsPattern(tc.api))
			got, err := fresh.GetJob(ctx, ref, last.ID)
			if err != nil {
				t.Fatalf("GetJob(last): %v", err)
			}
			if got.ID != last.ID || got.Name != last.Name || got.Status != epcc.StatusCompleted {
				t.Errorf("GetJob(last) = %+v, want %s (%s) completed", got, last.ID, last.Name)
			}
			if reqs := e.sim.RequestCount(http.MethodGet, jobsPattern(tc.api)) - before; reqs != 2 {
				t.Errorf("GetJob on job #%d made %d list requests, want 2", n, reqs)
			}
		})
	}
}

func keys(m map[string]bool) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	return out
}

// ---- 3. one active job per promotion ------------------------------------

func TestSimConcurrentStartJobs(t *testing.T) {
	for _, tc := range simAPIs {
		for _, twoClients := range []bool{false, true} {
			name := string(tc.api) + "/one-client"
			if twoClients {
				name = string(tc.api) + "/two-clients"
			}
			t.Run(name, func(t *testing.T) {
				t.Parallel()
				// Real time: each job stays pending 150ms, then makes 5 codes in 50ms.
				e := newSimEnv(t, epccsim.Options{
					Clock:          epccsim.NewScaledClock(1),
					QueueDelay:     150 * time.Millisecond,
					CodesPerSecond: 100,
				}, nil)
				ctx := simCtx(t)
				ref := e.promotion(t, ctx, tc.api, false)
				clients := []*epcc.Client{e.client, e.client}
				if twoClients {
					clients[1] = e.newClient(t, nil)
				}

				var wg sync.WaitGroup
				jobs := make([]*epcc.Job, 2)
				errs := make([]error, 2)
				start := make(chan struct{})
				for i := range 2 {
					wg.Add(1)
					go func() {
						defer wg.Done()
						<-start
						jobs[i], errs[i] = clients[i].StartJob(ctx, ref, generateReq(fmt.Sprintf("concurrent %d", i), 5))
					}()
				}
				close(start)
				wg.Wait()
				for i := range 2 {
					if errs[i] != nil {
						t.Fatalf("StartJob #%d: %v", i, errs[i])
					}
				}
				if jobs[0].ID == jobs[1].ID {
					t.Fatalf("both StartJob calls returned job %s", jobs[0].ID)
				}
				if posts := e.sim.RequestCount(http.MethodPost, jobsPattern(tc.api)); posts < 3 {
					t.Errorf("%d job POSTs: the second StartJob never met the busy promotion", posts)
				}
				for i, j := range jobs {
					done, err := clients[i].WaitJob(ctx, ref, j.ID, nil)
					if err != nil || gen(done) != "5" {
						t.Errorf("WaitJob #%d: %v, generated %s", i, err, gen(done))
					}
				}
				all, err := e.client.ListJobs(ctx, ref, epcc.JobFilter{})
				if err != nil {
					t.Fatal(err)
				}
				if fmt.Sprint(ids(all)) != fmt.Sprint(sortedCopy([]string{jobs[0].ID, jobs[1].ID})) {
					t.Errorf("jobs on the promotion = %v, want exactly %s and %s", ids(all), jobs[0].ID, jobs[1].ID)
				}
				codes, err := e.client.ListPromotionCodes(ctx, ref)
				if err != nil || len(codes) != 10 {
					t.Errorf("ListPromotionCodes = %d codes, %v; want 10", len(codes), err)
				}
			})
		}
	}
}

// ---- 4. ambiguous job creation -----------------------------------------

func TestSimStartJobAmbiguousCreate(t *testing.T) {
	cases := []struct {
		name      string
		fault     epccsim.Fault
		wantPosts int // a committed request is adopted, an uncommitted one sent again
	}{
		{"commit-then-502", epccsim.Fault{Kind: epccsim.FaultCommitThenStatus, Status: http.StatusBadGateway}, 1},
		{"commit-then-reset", epccsim.Fault{Kind: epccsim.FaultCommitThenReset}, 1},
		{"502-not-committed", epccsim.Fault{Kind: epccsim.FaultStatus, Status: http.StatusBadGateway}, 2},
		{"reset-not-committed", epccsim.Fault{Kind: epccsim.FaultReset}, 2},
	}
	for _, tc := range simAPIs {
		for _, c := range cases {
			t.Run(string(tc.api)+"/"+c.name, func(t *testing.T) {
				t.Parallel()
				e := newSimEnv(t, manualOpts(), nil)
				ctx := simCtx(t)
				ref := e.promotion(t, ctx, tc.api, false)
				f := c.fault
				f.Method, f.Path, f.Times = http.MethodPost, jobsPattern(tc.api), 1
				e.sim.Faults().Add(f)

				job, err := e.client.StartJob(ctx, ref, generateReq("ambiguous", 7))
				if err != nil {
					t.Fatalf("StartJob: %v", err)
				}
				all, err := e.client.ListJobs(ctx, ref, epcc.JobFilter{})
				if err != nil {
					t.Fatal(err)
				}
				if len(all) != 1 || all[0].ID != job.ID {
					t.Fatalf("jobs on the promotion = %v, want exactly the returned %s", ids(all), job.ID)
				}
				if job.Name != "ambiguous" || job.Parameters == nil || job.Parameters.NumberOfCodes == nil || *job.Parameters.NumberOfCodes != 7 {
					t.Errorf("returned job = %+v", job)
				}
				if posts := e.sim.RequestCount(http.MethodPost, jobsPattern(tc.api)); posts != c.wantPosts {
					t.Errorf("%d job POSTs, want %d", posts, c.wantPosts)
				}
			})
		}
	}
}

func TestSimCreateJobAmbiguousIsOutcomeUnknown(t *testing.T) {
	cases := []struct {
		name     string
		fault    epccsim.Fault
		wantJobs int
	}{
		{"commit-then-502", epccsim.Fault{Kind: epccsim.FaultCommitThenStatus, Status: http.StatusBadGateway}, 1},
		{"commit-then-reset", epccsim.Fault{Kind: epccsim.FaultCommitThenReset}, 1},
		{"503-not-committed", epccsim.Fault{Kind: epccsim.FaultStatus, Status: http.StatusServiceUnavailable}, 0},
	}
	for _, tc := range simAPIs {
		for _, c := range cases {
			t.Run(string(tc.api)+"/"+c.name, func(t *testing.T) {
				t.Parallel()
				e := newSimEnv(t, manualOpts(), nil)
				ctx := simCtx(t)
				ref := e.promotion(t, ctx, tc.api, false)
				f := c.fault
				f.Method, f.Path, f.Times = http.MethodPost, jobsPattern(tc.api), 1
				e.sim.Faults().Add(f)

				job, err := e.client.CreateJob(ctx, ref, exportReq("raw"))
				var unknown *epcc.OutcomeUnknownError
				if !errors.As(err, &unknown) {
					t.Fatalf("CreateJob: job %+v, err %v (%T); want *epcc.OutcomeUnknownError", job, err, err)
				}
				if posts := e.sim.RequestCount(http.MethodPost, jobsPattern(tc.api)); posts != 1 {
					t.Errorf("%d job POSTs, want 1 (CreateJob must not resend)", posts)
				}
				all, err := e.client.ListJobs(ctx, ref, epcc.JobFilter{})
				if err != nil {
					t.Fatal(err)
				}
				if len(all) != c.wantJobs {
					t.Errorf("%d jobs on the promotion, want %d", len(all), c.wantJobs)
				}
			})
		}
	}
}

// ---- 5. tokens -----------------------------------------------------------

func TestSimTokenExpiryAndRevocation(t *testing.T) {
	for _, tc := range simAPIs {
		t.Run(string(tc.api), func(t *testing.T) {
			t.Parallel()
			e := newSimEnv(t, manualOpts(), nil)
			ctx := simCtx(t)
			ref := e.promotion(t, ctx, tc.api, false)
			tokens := func() int { return e.sim.RequestCount(http.MethodPost, "/oauth/access_token") }
			lists := func() int { return e.sim.RequestCount(http.MethodGet, jobsPattern(tc.api)) }
			if _, err := e.client.ListJobs(ctx, ref, epcc.JobFilter{}); err != nil {
				t.Fatal(err)
			}
			if got := tokens(); got != 1 {
				t.Fatalf("%d token requests after two calls, want 1 (token reused)", got)
			}

			// The simulator's token expires; the client (real time) still trusts it.
			e.clock.Advance(61 * time.Minute)
			before := lists()
			if _, err := e.client.ListJobs(ctx, ref, epcc.JobFilter{}); err != nil {
				t.Fatalf("ListJobs after sim-side expiry: %v", err)
			}
			if got := tokens(); got != 2 {
				t.Errorf("%d token requests, want 2", got)
			}
			if got := lists() - before; got != 2 {
				t.Errorf("%d list requests, want 2 (one 401, one retry)", got)
			}

			// Revoked tokens: a job-creating POST is sent again after the 401.
			e.sim.RevokeTokens()
			job, err := e.client.CreateJob(ctx, ref, exportReq("after revoke"))
			if err != nil {
				t.Fatalf("CreateJob after RevokeTokens: %v", err)
			}
			if got := tokens(); got != 3 {
				t.Errorf("%d token requests, want 3", got)
			}
			all, err := e.client.ListJobs(ctx, ref, epcc.JobFilter{})
			if err != nil || len(all) != 1 || all[0].ID != job.ID {
				t.Errorf("jobs = %v, %v; want exactly %s", ids(all), err, job.ID)
			}
			if posts := e.sim.RequestCount(http.MethodPost, jobsPattern(tc.api)); posts != 2 {
				t.Errorf("%d job POSTs, want 2 (one 401, one resend)", posts)
			}
		})
	}
}

// ---- 6. retries ----------------------------------------------------------

func TestSimRetries(t *testing.T) {
	t.Parallel()
	api := epcc.RulePromotions
	e := newSimEnv(t, manualOpts(), nil)
	ctx := simCtx(t)
	ref := e.promotion(t, ctx, api, false)
	lists := func() int { return e.sim.RequestCount(http.MethodGet, jobsPattern(api)) }

	for _, f := range []epccsim.Fault{
		{Kind: epccsim.FaultStatus, Status: http.StatusServiceUnavailable, Times: 2},
		{Kind: epccsim.FaultStatus, Status: http.StatusTooManyRequests, RetryAfter: "0", Times: 3},
		{Kind: epccsim.FaultReset, Times: 1},
		{Kind: epccsim.FaultStatus, Status: http.StatusInternalServerError, Times: 4},
	} {
		f.Method, f.Path = http.MethodGet, jobsPattern(api)
		e.sim.Faults().Add(f)
		before := lists()
		if _, err := e.client.ListJobs(ctx, ref, epcc.JobFilter{}); err != nil {
			t.Errorf("ListJobs through %+v: %v", f, err)
		}
		if got := lists() - before; got != f.Times+1 {
			t.Errorf("fault %+v: %d list requests, want %d", f, got, f.Times+1)
		}
	}

	// Past MaxRetries (4) the 503 comes back as an APIError.
	e.sim.Faults().Add(epccsim.Fault{Method: http.MethodGet, Path: jobsPattern(api), Kind: epccsim.FaultStatus, Status: http.StatusServiceUnavailable, Times: 5})
	_, err := e.client.ListJobs(ctx, ref, epcc.JobFilter{})
	_ = asAPIError(t, err, http.StatusServiceUnavailable)

	// A 429 on a job POST is safe to retry: one job.
	e.sim.Faults().Add(epccsim.Fault{Method: http.MethodPost, Path: jobsPattern(api), Kind: epccsim.FaultStatus, Status: http.StatusTooManyRequests, Times: 2})
	job, err := e.client.StartJob(ctx, ref, exportReq("after 429"))
	if err != nil {
		t.Fatalf("StartJob through 429s: %v", err)
	}
	all, err := e.client.ListJobs(ctx, ref, epcc.JobFilter{})
	if err != nil || len(all) != 1 || all[0].ID != job.ID {
		t.Errorf("jobs = %v, %v; want exactly %s", ids(all), err, job.ID)
	}
}

func TestSimRetryAfterHonoured(t *testing.T) {
	t.Parallel()
	api := epcc.PromotionsStandard
	e := newSimEnv(t, manualOpts(), func(c *epcc.Config) {
		c.RetryWaitMin = time.Millisecond
		c.RetryWaitMax = 3 * time.Second
	})
	ctx := simCtx(t)
	ref := e.promotion(t, ctx, api, false)
	e.sim.Faults().Add(epccsim.Fault{Method: http.MethodGet, Path: jobsPattern(api), Kind: epccsim.FaultStatus,
		Status: http.StatusTooManyRequests, RetryAfter: "1", Times: 1})
	start := time.Now()
	if _, err := e.client.ListJobs(ctx, ref, epcc.JobFilter{}); err != nil {
		t.Fatal(err)
	}
	if d := time.Since(start); d < 900*time.Millisecond || d > 2500*time.Millisecond {
		t.Errorf("retry after Retry-After: 1 came after %v, want about 1s", d)
	}
}

func TestSimRateLimitBurst(t *testing.T) {
	t.Parallel()
	e := newSimEnv(t, manualOpts(), func(c *epcc.Config) {
		c.RateLimit = 1000
		c.MaxRetries = 300
		c.RetryWaitMin = 10 * time.Millisecond
		c.RetryWaitMax = 40 * time.Millisecond
	})
	ctx := simCtx(t)
	var refs []epcc.PromotionRef
	var jobIDs []string
	for i := range 5 {
		api := simAPIs[i%2].api
		ref := e.promotion(t, ctx, api, false)
		j, err := e.client.CreateJob(ctx, ref, exportReq("export"))
		if err != nil {
			t.Fatal(err)
		}
		refs = append(refs, ref)
		jobIDs = append(jobIDs, j.ID)
	}
	e.clock.Advance(time.Second) // every export completes

	filters := []struct {
		f    epcc.JobFilter
		want int
	}{
		{epcc.JobFilter{}, 1},
		{epcc.JobFilter{Type: epcc.JobTypeExport}, 1},
		{epcc.JobFilter{Type: epcc.JobTypeGenerate}, 0},
		{epcc.JobFilter{Status: epcc.StatusCompleted}, 1},
		{epcc.JobFilter{Status: epcc.StatusPending}, 0},
	}
	e.sim.Faults().SetRateLimit(15)
	defer e.sim.Faults().SetRateLimit(0)
	count := func() int {
		return e.sim.RequestCount(http.MethodGet, jobsPattern(epcc.RulePromotions)) +
			e.sim.RequestCount(http.MethodGet, jobsPattern(epcc.PromotionsStandard))
	}
	before := count()

	var wg sync.WaitGroup
	var mu sync.Mutex
	var failures []string
	calls := 0
	for i, ref := range refs {
		for _, f := range filters {
			calls++
			wg.Go(func() {
				got, err := e.client.ListJobs(ctx, ref, f.f)
				if err != nil || len(got) != f.want {
					mu.Lock()
					failures = append(failures, fmt.Sprintf("ListJobs(%s, %+v) = %d jobs, %v", ref, f.f, len(got), err))
					mu.Unlock()
				}
			})
		}
		calls++
		wg.Go(func() {
			got, err := e.client.GetJob(ctx, ref, jobIDs[i])
			if err != nil || got.Status != epcc.StatusCompleted {
				mu.Lock()
				failures = append(failures, fmt.Sprintf("GetJob(%s) = %+v, %v", ref, got, err))
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	if calls != 30 {
		t.Fatalf("made %d calls, want 30", calls)
	}
	for _, f := range failures {
		t.Error(f)
	}
	// At most 30 distinct listings: anything beyond is a retried 429.
	if got := count() - before; got <= 30 {
		t.Errorf("%d list requests: the rate limit never answered 429", got)
	}
}

// ---- 7. errors surfaced faithfully --------------------------------------

func TestSimErrorsSurfaced(t *testing.T) {
	for _, tc := range simAPIs {
		t.Run(string(tc.api), func(t *testing.T) {
			t.Parallel()
			e := newSimEnv(t, manualOpts(), nil)
			ctx := simCtx(t)

			t.Run("automatic promotion takes no codes", func(t *testing.T) {
				auto := e.promotion(t, ctx, tc.api, true)
				_, err := e.client.StartJob(ctx, auto, generateReq("codes", 5))
				apiErr := asAPIError(t, err, http.StatusUnprocessableEntity)
				if !apiErr.HasTitle("No codes allowed") {
					t.Errorf("errors = %+v, want title No codes allowed", apiErr.Errors)
				}
				if all, err := e.client.ListJobs(ctx, auto, epcc.JobFilter{}); err != nil || len(all) != 0 {
					t.Errorf("jobs = %v, %v; want none", ids(all), err)
				}
			})

			ref := e.promotion(t, ctx, tc.api, false)

			if tc.api == epcc.PromotionsStandard {
				t.Run("more than 1000 codes", func(t *testing.T) {
					_, err := e.client.StartJob(ctx, ref, generateReq("too many", 1001))
					apiErr := asAPIError(t, err, http.StatusBadRequest)
					if !apiErr.HasTitle("Too many promotion codes") || len(apiErr.Errors) != 1 {
						t.Fatalf("errors = %+v", apiErr.Errors)
					}
					d := apiErr.Errors[0]
					if d.Source != "data.parameters.number_of_codes" || d.Status != http.StatusBadRequest {
						t.Errorf("error detail = %+v", d)
					}
				})
			}

			t.Run("cap exceeded fails the job", func(t *testing.T) {
				first, err := e.client.StartJob(ctx, ref, generateReq("first 600", 600))
				if err != nil {
					t.Fatal(err)
				}
				var seen []epcc.Job
				if j, err := e.client.WaitJob(ctx, ref, first.ID, e.driver(&seen)); err != nil || gen(j) != "600" {
					t.Fatalf("first job: %v, generated %s", err, gen(j))
				}
				second, err := e.client.StartJob(ctx, ref, generateReq("second 600", 600))
				if err != nil {
					t.Fatalf("second StartJob (accepted, fails later): %v", err)
				}
				seen = nil
				j, err := e.client.WaitJob(ctx, ref, second.ID, e.driver(&seen))
				var failed *epcc.JobFailedError
				if !errors.As(err, &failed) {
					t.Fatalf("WaitJob = %+v, %v; want *epcc.JobFailedError", j, err)
				}
				if failed.Job.ID != second.ID || failed.Job.Status != epcc.StatusFailed || failed.Job.Error != "codes limit exceeded" {
					t.Errorf("failed job = %+v", failed.Job)
				}
				if j == nil || j.Status != epcc.StatusFailed {
					t.Errorf("job returned alongside = %+v", j)
				}
				if codes, err := e.client.ListPromotionCodes(ctx, ref); err != nil || len(codes) != 600 {
					t.Errorf("ListPromotionCodes = %d, %v; want 600", len(codes), err)
				}
			})

			t.Run("cancel a running job", func(t *testing.T) {
				codesBefore, err := e.client.ListPromotionCodes(ctx, ref)
				if err != nil {
					t.Fatal(err)
				}
				job, err := e.client.StartJob(ctx, ref, generateReq("to cancel", 300))
				if err != nil {
					t.Fatal(err)
				}
				e.clock.Advance(simQueueDelay + 50*time.Millisecond) // processing, ~150 codes made
				cancelled, err := e.client.CancelJob(ctx, ref, job.ID)
				if err != nil {
					t.Fatalf("CancelJob: %v", err)
				}
				wantStatus := epcc.StatusCancelling
				if tc.api == epcc.PromotionsStandard {
					wantStatus = epcc.StatusCancelled
				}
				if cancelled.ID != job.ID || cancelled.Status != wantStatus {
					t.Errorf("CancelJob = %s %s, want %s %s", cancelled.ID, cancelled.Status, job.ID, wantStatus)
				}
				made := cancelled.Generated
				if made == nil || *made <= 0 || *made >= 300 {
					t.Fatalf("cancelled job had made %s codes, want some of 300", gen(cancelled))
				}
				var seen []epcc.Job
				j, err := e.client.WaitJob(ctx, ref, job.ID, e.driver(&seen))
				var ce *epcc.JobCancelledError
				if !errors.As(err, &ce) {
					t.Fatalf("WaitJob = %+v, %v; want *epcc.JobCancelledError", j, err)
				}
				if ce.Job.Status != epcc.StatusCancelled || ce.Job.Deleted == nil || *ce.Job.Deleted != *made {
					t.Errorf("cancelled job = status %s deleted %v, want cancelled with %d deleted", ce.Job.Status, ce.Job.Deleted, *made)
				}
				if codes, err := e.client.ListPromotionCodes(ctx, ref); err != nil || len(codes) != len(codesBefore) {
					t.Errorf("ListPromotionCodes = %d, %v; want the %d from before", len(codes), err, len(codesBefore))
				}

				// Cancelling again is not an error: the job is already where the caller wants it.
				again, err := e.client.CancelJob(ctx, ref, job.ID)
				if err != nil || again.Status != epcc.StatusCancelled {
					t.Errorf("second CancelJob = %+v, %v; want the cancelled job and no error", again, err)
				}
			})

			t.Run("cancel whose answer is lost", func(t *testing.T) {
				running, err := e.client.StartJob(ctx, ref, epcc.CreateJobRequest{Type: epcc.JobTypeGenerate, Parameters: &epcc.JobParameters{NumberOfCodes: i64(50)}})
				if err != nil {
					t.Fatal(err)
				}
				e.sim.Faults().Add(epccsim.Fault{Method: http.MethodPost, Path: "/v2/" + string(tc.api) + "/*/jobs/*/cancel", Kind: epccsim.FaultCommitThenStatus, Status: http.StatusBadGateway, Times: 1})
				got, err := e.client.CancelJob(ctx, ref, running.ID)
				if err != nil || (got.Status != epcc.StatusCancelling && got.Status != epcc.StatusCancelled) {
					t.Fatalf("CancelJob after a lost answer = %+v, %v; want the cancelled job", got, err)
				}
				var seen []epcc.Job
				if _, err := e.client.WaitJob(ctx, ref, running.ID, e.driver(&seen)); !errors.As(err, new(*epcc.JobCancelledError)) {
					t.Errorf("WaitJob = %v, want a cancelled job", err)
				}
			})

			t.Run("cancel a completed job", func(t *testing.T) {
				all, err := e.client.ListJobs(ctx, ref, epcc.JobFilter{Status: epcc.StatusCompleted})
				if err != nil || len(all) == 0 {
					t.Fatalf("no completed job: %v", err)
				}
				_, err = e.client.CancelJob(ctx, ref, all[0].ID)
				apiErr := asAPIError(t, err, http.StatusUnprocessableEntity)
				if len(apiErr.Errors) == 0 || !strings.Contains(apiErr.Errors[0].Detail, "Only pending or processing jobs can be cancelled") {
					t.Errorf("errors = %+v", apiErr.Errors)
				}
				got, err := e.client.GetJob(ctx, ref, all[0].ID)
				if err != nil || got.Status != epcc.StatusCompleted {
					t.Errorf("job after refused cancel = %+v, %v", got, err)
				}
			})

			t.Run("file before completion", func(t *testing.T) {
				job, err := e.client.StartJob(ctx, ref, exportReq("early"))
				if err != nil {
					t.Fatal(err)
				}
				_, err = e.client.JobFileURL(ctx, ref, job.ID)
				apiErr := asAPIError(t, err, http.StatusUnprocessableEntity)
				if len(apiErr.Errors) == 0 || !strings.Contains(apiErr.Errors[0].Detail, "Job has no file to download") {
					t.Errorf("errors = %+v", apiErr.Errors)
				}
				var seen []epcc.Job
				if _, err := e.client.WaitJob(ctx, ref, job.ID, e.driver(&seen)); err != nil {
					t.Fatal(err)
				}
				if href, err := e.client.JobFileURL(ctx, ref, job.ID); err != nil || href == "" {
					t.Errorf("JobFileURL once completed = %q, %v", href, err)
				}
			})
		})
	}
}

// ---- 8. context ----------------------------------------------------------

func TestSimWaitJobHonoursContext(t *testing.T) {
	for _, tc := range simAPIs {
		t.Run(string(tc.api), func(t *testing.T) {
			t.Parallel()
			e := newSimEnv(t, manualOpts(), nil)
			ctx := simCtx(t)
			ref := e.promotion(t, ctx, tc.api, false)
			// The clock never moves: the job stays pending.
			job, err := e.client.StartJob(ctx, ref, generateReq("forever", 10))
			if err != nil {
				t.Fatal(err)
			}

			t.Run("while polling", func(t *testing.T) {
				wctx, cancel := context.WithCancel(ctx)
				defer cancel()
				time.AfterFunc(50*time.Millisecond, cancel)
				start := time.Now()
				last, err := e.client.WaitJob(wctx, ref, job.ID, nil)
				if d := time.Since(start); d > time.Second {
					t.Errorf("WaitJob returned %v after the cancel", d)
				}
				if !errors.Is(err, context.Canceled) {
					t.Errorf("err = %v, want it to wrap context.Canceled", err)
				}
				if last == nil || last.ID != job.ID || last.Status != epcc.StatusPending {
					t.Errorf("last job seen = %+v, want %s pending", last, job.ID)
				}
			})

			t.Run("during a slow request", func(t *testing.T) {
				e.sim.Faults().Add(epccsim.Fault{Method: http.MethodGet, Path: jobsPattern(tc.api), Kind: epccsim.FaultDelay, Delay: 5 * time.Second, Times: 1})
				wctx, cancel := context.WithCancel(ctx)
				defer cancel()
				time.AfterFunc(50*time.Millisecond, cancel)
				start := time.Now()
				_, err := e.client.WaitJob(wctx, ref, job.ID, nil)
				if d := time.Since(start); d > time.Second {
					t.Errorf("WaitJob returned %v after the cancel", d)
				}
				if !errors.Is(err, context.Canceled) {
					t.Errorf("err = %v, want it to wrap context.Canceled", err)
				}
			})

			t.Run("StartJob on a busy promotion", func(t *testing.T) {
				sctx, cancel := context.WithTimeout(ctx, 100*time.Millisecond)
				defer cancel()
				start := time.Now()
				_, err := e.client.StartJob(sctx, ref, exportReq("blocked"))
				if d := time.Since(start); d > time.Second {
					t.Errorf("StartJob returned after %v", d)
				}
				if !errors.Is(err, context.DeadlineExceeded) {
					t.Errorf("err = %v, want it to wrap context.DeadlineExceeded", err)
				}
				all, err := e.client.ListJobs(ctx, ref, epcc.JobFilter{})
				if err != nil || len(all) != 1 || all[0].ID != job.ID {
					t.Errorf("jobs = %v, %v; want only %s", ids(all), err, job.ID)
				}
			})
		})
	}
}

// A promotion create whose answer is lost is not sent again: a second POST would make a second promotion.
func TestSimCreatePromotionIsNotResent(t *testing.T) {
	e := newSimEnv(t, epccsim.Options{}, nil)
	e.sim.Faults().Add(epccsim.Fault{Method: http.MethodPost, Path: "/v2/rule-promotions", Kind: epccsim.FaultCommitThenStatus, Status: http.StatusBadGateway, Times: 1})
	_, err := e.client.CreatePromotion(context.Background(), epcc.RulePromotions, epcc.NewPromotion{Name: "once"})
	if !errors.As(err, new(*epcc.OutcomeUnknownError)) {
		t.Fatalf("CreatePromotion = %v, want an outcome-unknown error", err)
	}
	if n := e.sim.RequestCount(http.MethodPost, "/v2/rule-promotions"); n != 1 {
		t.Errorf("%d promotion creates sent, want 1", n)
	}
}

// Readers of one promotion share one listing: job reads and whole-listing reads alike, until this client
// starts a job there.
func TestSimReadJobsSharesTheListing(t *testing.T) {
	t.Parallel()
	// A cache that outlives any slow machine: the test counts listings, not time.
	e := newSimEnv(t, manualOpts(), func(c *epcc.Config) { c.ReadCacheTTL = time.Hour })
	ctx := simCtx(t)
	ref := e.promotion(t, ctx, epcc.RulePromotions, false)
	job, err := e.client.CreateJob(ctx, ref, exportReq("export"))
	if err != nil {
		t.Fatal(err)
	}
	lists := func() int { return e.sim.RequestCount(http.MethodGet, jobsPattern(ref.API)) }
	before := lists()
	if _, err := e.client.GetJob(ctx, ref, job.ID); err != nil {
		t.Fatal(err)
	}
	for range 3 {
		jobs, err := e.client.ReadJobs(ctx, ref)
		if err != nil || len(jobs) != 1 || jobs[0].ID != job.ID {
			t.Fatalf("ReadJobs = %+v, %v", jobs, err)
		}
		jobs[0].Status = "scribbled" // a copy: the shared listing stays as it was
	}
	if got, err := e.client.GetJob(ctx, ref, job.ID); err != nil || got.Status == "scribbled" {
		t.Fatalf("GetJob after a caller changed its copy: %+v, %v", got, err)
	}
	if n := lists() - before; n != 1 {
		t.Errorf("%d listings for one GetJob and three ReadJobs, want 1", n)
	}
	e.clock.Advance(time.Second)
	if _, err := e.client.StartJob(ctx, ref, exportReq("second")); err != nil {
		t.Fatal(err)
	}
	before = lists()
	jobs, err := e.client.ReadJobs(ctx, ref)
	if err != nil || len(jobs) != 2 || lists()-before != 1 {
		t.Errorf("after a start: %d jobs, %d listings, %v; want 2 jobs from a new listing", len(jobs), lists()-before, err)
	}
}

func TestJobFilterMatches(t *testing.T) {
	job := epcc.Job{Type: epcc.JobTypeExport, Status: epcc.StatusCompleted}
	for _, c := range []struct {
		f    epcc.JobFilter
		want bool
	}{
		{epcc.JobFilter{}, true},
		{epcc.JobFilter{Type: epcc.JobTypeExport}, true},
		{epcc.JobFilter{Type: epcc.JobTypeGenerate}, false},
		{epcc.JobFilter{Status: epcc.StatusCompleted}, true},
		{epcc.JobFilter{Status: epcc.StatusFailed}, false},
		{epcc.JobFilter{Type: epcc.JobTypeExport, Status: epcc.StatusCompleted}, true},
		{epcc.JobFilter{Type: epcc.JobTypeExport, Status: epcc.StatusPending}, false},
	} {
		if got := c.f.Matches(job); got != c.want {
			t.Errorf("%+v.Matches = %v, want %v", c.f, got, c.want)
		}
	}
}

// A 429 asks to slow down and refuses nothing: it is retried beyond the retry budget for as long as the
// operation has time, a job POST included (one job), while 5xx and connection errors keep their budget.
func TestSimThrottledBeyondRetryBudget(t *testing.T) {
	t.Parallel()
	api := epcc.RulePromotions
	e := newSimEnv(t, manualOpts(), func(c *epcc.Config) { c.ThrottleTimeout = 300 * time.Millisecond })
	ctx := simCtx(t)
	ref := e.promotion(t, ctx, api, false)
	lists := func() int { return e.sim.RequestCount(http.MethodGet, jobsPattern(api)) }
	posts := func() int { return e.sim.RequestCount(http.MethodPost, jobsPattern(api)) }
	throttle := func(method string, n int) epccsim.Fault {
		return epccsim.Fault{Method: method, Path: jobsPattern(api), Kind: epccsim.FaultStatus, Status: http.StatusTooManyRequests, Times: n}
	}

	before := lists()
	e.sim.Faults().Add(throttle(http.MethodGet, 12))
	if _, err := e.client.ListJobs(ctx, ref, epcc.JobFilter{}); err != nil {
		t.Fatalf("ListJobs through 12 429s (MaxRetries 4): %v", err)
	}
	if got := lists() - before; got != 13 {
		t.Errorf("%d list requests, want 13", got)
	}

	// 429s in between do not use up the budget of the 503s, nor the other way round: 4 failures pass.
	before = lists()
	unavailable := epccsim.Fault{Method: http.MethodGet, Path: jobsPattern(api), Kind: epccsim.FaultStatus, Status: http.StatusServiceUnavailable, Times: 2}
	e.sim.Faults().Add(throttle(http.MethodGet, 3), unavailable, throttle(http.MethodGet, 3), unavailable)
	if _, err := e.client.ListJobs(ctx, ref, epcc.JobFilter{}); err != nil {
		t.Fatalf("ListJobs through 429s and four 503s: %v", err)
	}
	if got := lists() - before; got != 11 {
		t.Errorf("%d list requests, want 11", got)
	}

	before = posts()
	e.sim.Faults().Add(throttle(http.MethodPost, 10))
	job, err := e.client.StartJob(ctx, ref, exportReq("after a 429 storm"))
	if err != nil {
		t.Fatalf("StartJob through 10 429s: %v", err)
	}
	if got := posts() - before; got != 11 {
		t.Errorf("%d job POSTs, want 11 (10 refused, 1 taken)", got)
	}
	all, err := e.client.ListJobs(ctx, ref, epcc.JobFilter{})
	if err != nil || len(all) != 1 || all[0].ID != job.ID {
		t.Errorf("jobs = %v, %v; want exactly %s", ids(all), err, job.ID)
	}

	// Without a deadline, a store that never stops answering 429 is given ThrottleTimeout.
	e.sim.Faults().Add(throttle(http.MethodGet, 0))
	start := time.Now()
	_, err = e.client.ListJobs(context.Background(), ref, epcc.JobFilter{})
	_ = asAPIError(t, err, http.StatusTooManyRequests)
	if took := time.Since(start); took < 300*time.Millisecond {
		t.Errorf("gave up after %v, before ThrottleTimeout", took)
	}
	e.sim.Faults().Clear()
}

// A job POST that the store keeps refusing with 429 until the deadline made no job, and says so: the error is
// the deadline and the 429s, not an ambiguous outcome, and no second look for a job is needed.
func TestSimThrottledPOSTUntilDeadline(t *testing.T) {
	t.Parallel()
	api := epcc.PromotionsStandard
	e := newSimEnv(t, manualOpts(), nil)
	ref := e.promotion(t, simCtx(t), api, false)
	e.sim.Faults().Add(epccsim.Fault{Method: http.MethodPost, Path: jobsPattern(api), Kind: epccsim.FaultStatus, Status: http.StatusTooManyRequests})
	ctx, cancel := context.WithTimeout(t.Context(), 300*time.Millisecond)
	defer cancel()
	_, err := e.client.StartJob(ctx, ref, exportReq("refused"))
	var unknown *epcc.OutcomeUnknownError
	if !errors.Is(err, context.DeadlineExceeded) || !errors.Is(err, epcc.ErrThrottled) || errors.As(err, &unknown) {
		t.Fatalf("err = %v, want the deadline and the 429s, not an unknown outcome", err)
	}
	e.sim.Faults().Clear()
	if jobs, err := e.client.ListJobs(simCtx(t), ref, epcc.JobFilter{}); err != nil || len(jobs) != 0 {
		t.Errorf("jobs = %v, %v; want none", ids(jobs), err)
	}
}

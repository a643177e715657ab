package epcc

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

func TestCreateJobBody(t *testing.T) {
	var mu sync.Mutex
	var bodies []string
	var paths []string
	srv := newTestServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var raw json.RawMessage
		_ = json.NewDecoder(r.Body).Decode(&raw)
		mu.Lock()
		bodies = append(bodies, string(raw))
		paths = append(paths, r.URL.EscapedPath())
		mu.Unlock()
		writeJSON(w, 201, `{"data":{"type":"promotion_job","id":"j1","promotion_id":"p/1","job_type":"code_generate","status":"pending"}}`)
	}))
	c := newTestClient(t, srv.URL)
	ctx := testCtx(t)
	std := PromotionRef{API: PromotionsStandard, ID: "p/1"}
	job, err := c.CreateJob(ctx, std, CreateJobRequest{
		Type: JobTypeGenerate, Name: "summer",
		Parameters: &JobParameters{NumberOfCodes: i64(500), MaxUsesPerCode: i64(1), ConsumeUnit: "per_cart", CodePrefix: "SUMMER-", CodeLength: i64(10)},
	})
	if err != nil {
		t.Fatal(err)
	}
	if job.Promotion != std || job.ID != "j1" {
		t.Errorf("job = %+v", job)
	}
	// Export: parameters and empty name omitted even when given.
	if _, err := c.CreateJob(ctx, testRef, CreateJobRequest{Type: JobTypeExport, Parameters: &JobParameters{NumberOfCodes: i64(3)}}); err != nil {
		t.Fatal(err)
	}
	// Generate with partly empty parameters: only the set ones are sent.
	if _, err := c.CreateJob(ctx, testRef, CreateJobRequest{Type: JobTypeGenerate, Name: "n", Parameters: &JobParameters{NumberOfCodes: i64(2), MaxUsesPerCode: i64(0)}}); err != nil {
		t.Fatal(err)
	}
	want := []string{
		`{"data":{"type":"promotion_job","job_type":"code_generate","name":"summer","parameters":{"number_of_codes":500,"max_uses_per_code":1,"consume_unit":"per_cart","code_prefix":"SUMMER-","code_length":10}}}`,
		`{"data":{"type":"promotion_job","job_type":"code_export"}}`,
		`{"data":{"type":"promotion_job","job_type":"code_generate","name":"n","parameters":{"number_of_codes":2,"max_uses_per_code":0}}}`,
	}
	mu.Lock()
	defer mu.Unlock()
	for i := range want {
		if bodies[i] != want[i] {
			t.Errorf("body %d:\n got %s\nwant %s", i, bodies[i], want[i])
		}
	}
	if paths[0] != "/v2/promotions/p%2F1/jobs" || paths[1] != "/v2/rule-promotions/promo-1/jobs" {
		t.Errorf("paths = %v", paths)
	}
}

func TestCreateJobValidation(t *testing.T) {
	c := newTestClient(t, "https://example.invalid")
	ctx := testCtx(t)
	if _, err := c.CreateJob(ctx, PromotionRef{API: "nope", ID: "x"}, CreateJobRequest{Type: JobTypeExport}); err == nil {
		t.Error("unknown API accepted")
	}
	if _, err := c.CreateJob(ctx, PromotionRef{API: RulePromotions}, CreateJobRequest{Type: JobTypeExport}); err == nil {
		t.Error("empty id accepted")
	}
	if _, err := c.CreateJob(ctx, testRef, CreateJobRequest{}); err == nil {
		t.Error("empty type accepted")
	}
	if got := (PromotionRef{API: PromotionsStandard, ID: "abc"}).String(); got != "promotions/abc" {
		t.Errorf("String = %q", got)
	}
	if got := testRef.String(); got != "rule-promotions/promo-1" {
		t.Errorf("String = %q", got)
	}
}

func TestStatusHelpers(t *testing.T) {
	for _, s := range []string{StatusCompleted, StatusFailed, StatusCancelled} {
		if !IsTerminal(s) || IsActive(s) {
			t.Errorf("%s", s)
		}
	}
	for _, s := range []string{StatusPending, StatusProcessing} {
		if IsTerminal(s) || !IsActive(s) {
			t.Errorf("%s", s)
		}
	}
	if IsTerminal(StatusCancelling) || IsActive(StatusCancelling) {
		t.Error("cancelling is neither terminal nor blocking")
	}
}

func TestJobDecoding(t *testing.T) {
	body := `{"data":[
	 {"type":"promotion_job","id":"a","rule_promotion_id":"promo-1","job_type":"code_generate","name":"gen",
	  "parameters":{"number_of_codes":100,"max_uses_per_code":"1","consume_unit":"per_checkout","code_prefix":"s-","code_length":8},
	  "status":"completed","result":{"generated":100,"deleted":null},
	  "meta":{"timestamps":{"created_at":"2024-12-03T23:31:40.962680423Z","updated_at":"2024-12-03T23:32:00Z"}}},
	 {"id":"b","job_type":"code_generate","status":"cancelled","generate_result":{"generated":40,"deleted":40}},
	 {"id":"c","job_type":"code_generate","status":"completed","result":{"generated":7},"generate_result":{"generated":9,"deleted":2}},
	 {"id":"d","job_type":"code_export","status":"failed","error":"codes limit exceeded","parameters":{}},
	 {"id":"e","job_type":"code_export","status":"pending","parameters":null,"error":{"detail":"object error"}}
	]}`
	srv := newTestServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { writeJSON(w, 200, body) }))
	c := newTestClient(t, srv.URL)
	jobs, err := c.ListJobs(testCtx(t), testRef, JobFilter{})
	if err != nil {
		t.Fatal(err)
	}
	if len(jobs) != 5 {
		t.Fatalf("%d jobs", len(jobs))
	}
	a := jobs[0]
	if a.Promotion != testRef || a.Type != JobTypeGenerate || a.Name != "gen" || a.Status != StatusCompleted {
		t.Errorf("a = %+v", a)
	}
	p := a.Parameters
	if p == nil || *p.NumberOfCodes != 100 || *p.MaxUsesPerCode != 1 || p.ConsumeUnit != "per_checkout" || p.CodePrefix != "s-" || *p.CodeLength != 8 {
		t.Errorf("parameters = %+v", p)
	}
	if a.Generated == nil || *a.Generated != 100 || a.Deleted != nil {
		t.Errorf("result: generated %v deleted %v", a.Generated, a.Deleted)
	}
	if !a.CreatedAt.Equal(time.Date(2024, 12, 3, 23, 31, 40, 962680423, time.UTC)) || a.UpdatedAt.IsZero() {
		t.Errorf("timestamps %v %v", a.CreatedAt, a.UpdatedAt)
	}
	if b := jobs[1]; b.Generated == nil || *b.Generated != 40 || b.Deleted == nil || *b.Deleted != 40 || b.Parameters != nil {
		t.Errorf("generate_result not read: %+v", b)
	}
	if cj := jobs[2]; *cj.Generated != 7 {
		t.Errorf("result must win over generate_result: %d", *cj.Generated)
	}
	if d := jobs[3]; d.Error != "codes limit exceeded" || d.Parameters != nil {
		t.Errorf("d = %+v", d)
	}
	if e := jobs[4]; e.Error != "object error" || e.Parameters != nil {
		t.Errorf("e = %+v", e)
	}
	// Returned jobs are copies: mutating them does not touch the cache.
	*jobs[0].Generated = -1
	j, err := c.GetJob(testCtx(t), testRef, "a")
	if err != nil || *j.Generated != 100 {
		t.Errorf("GetJob after mutation: %v %v", j, err)
	}
}

func TestListJobsFilterEncoding(t *testing.T) {
	store := newJobStore()
	store.add("promo-1", JobTypeExport, "", nil, StatusCompleted)
	store.add("promo-1", JobTypeExport, "", nil, StatusFailed)
	store.add("promo-1", JobTypeGenerate, "", nil, StatusCompleted)
	srv := newTestServer(t, store)
	c := newTestClient(t, srv.URL)
	ctx := testCtx(t)
	cases := []struct {
		f         JobFilter
		wantQuery string
		wantN     int
	}{
		{JobFilter{Type: JobTypeExport, Status: StatusCompleted}, "filter=eq(job_type,code_export):eq(status,completed)&page[limit]=100&page[offset]=0", 1},
		{JobFilter{Type: JobTypeExport}, "filter=eq(job_type,code_export)&page[limit]=100&page[offset]=0", 2},
		{JobFilter{Status: StatusCompleted}, "filter=eq(status,completed)&page[limit]=100&page[offset]=0", 2},
		{JobFilter{}, "page[limit]=100&page[offset]=0", 3},
	}
	for i, tc := range cases {
		jobs, err := c.ListJobs(ctx, testRef, tc.f)
		if err != nil {
			t.Fatal(err)
		}
		if len(jobs) != tc.wantN {
			t.Errorf("%+v: %d jobs, want %d", tc.f, len(jobs), tc.wantN)
		}
		store.mu.Lock()
		got := store.queries[i]
		store.mu.Unlock()
		if got != tc.wantQuery {
			t.Errorf("query = %q, want %q", got, tc.wantQuery)
		}
		q, _ := url.ParseQuery(got)
		if tc.f.Type != "" && !strings.Contains(q.Get("filter"), "eq(job_type,"+tc.f.Type+")") {
			t.Errorf("decoded filter %q", q.Get("filter"))
		}
	}
	if got := escapeQueryValue("eq(name,a&b c)"); got != "eq(name,a%26b+c)" {
		t.Errorf("escape = %q", got)
	}
}

func TestPaginationOver250Jobs(t *testing.T) {
	store := newJobStore()
	for i := 0; i < 250; i++ {
		store.add("promo-1", JobTypeExport, fmt.Sprintf("n%d", i), nil, StatusCompleted)
	}
	for _, variant := range []string{"meta", "no meta", "capped at 25"} {
		t.Run(variant, func(t *testing.T) {
			store.mu.Lock()
			store.noMeta = variant == "no meta"
			store.maxLimit = 100
			if variant == "capped at 25" {
				store.maxLimit = 25
			}
			store.mu.Unlock()
			srv := newTestServer(t, store)
			c := newTestClient(t, srv.URL)
			ctx := testCtx(t)
			before := store.lists.Load()
			jobs, err := c.ListJobs(ctx, testRef, JobFilter{})
			if err != nil {
				t.Fatal(err)
			}
			if len(jobs) != 250 {
				t.Fatalf("%d jobs, want 250", len(jobs))
			}
			seen := map[string]bool{}
			for _, j := range jobs {
				seen[j.ID] = true
			}
			if len(seen) != 250 {
				t.Errorf("%d distinct", len(seen))
			}
			pages := store.lists.Load() - before
			if variant == "meta" && pages != 3 {
				t.Errorf("pages = %d, want 3", pages)
			}
			j, err := c.GetJob(ctx, testRef, "job-0250")
			if err != nil || j.Name != "n249" {
				t.Errorf("GetJob last = %+v, %v", j, err)
			}
			if _, err := c.GetJob(ctx, testRef, "job-9999"); !IsNotFound(err) {
				t.Errorf("missing job: %v", err)
			}
		})
	}
}

func TestPaginationBoundedWhenServerRepeats(t *testing.T) {
	page := make([]string, 100)
	for i := range page {
		page[i] = fmt.Sprintf(`{"id":"j%d","job_type":"code_export","status":"completed"}`, i)
	}
	var hits atomic.Int32
	var withTotal atomic.Bool
	withTotal.Store(true)
	srv := newTestServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		meta := ""
		if withTotal.Load() {
			meta = `,"meta":{"results":{"total":300}}`
		}
		writeJSON(w, 200, `{"data":[`+strings.Join(page, ",")+`],"links":{"next":"same"}`+meta+`}`)
	}))
	c := newTestClient(t, srv.URL)
	_, err := c.ListJobs(testCtx(t), testRef, JobFilter{})
	if err == nil || !strings.Contains(err.Error(), "repeats") {
		t.Errorf("err = %v", err)
	}
	if hits.Load() != 2 {
		t.Errorf("pages fetched = %d, want 2", hits.Load())
	}
	withTotal.Store(false)
	hits.Store(0)
	jobs, err := c.ListJobs(testCtx(t), testRef, JobFilter{})
	if err != nil || len(jobs) != 100 || hits.Load() != 2 {
		t.Errorf("jobs %d err %v hits %d", len(jobs), err, hits.Load())
	}
}

func TestGetJobCoalescesAndCaches(t *testing.T) {
	store := newJobStore()
	for i := 0; i < 3; i++ {
		store.add("promo-1", JobTypeExport, "", nil, StatusCompleted)
	}
	store.listDelay = 100 * time.Millisecond
	srv := newTestServer(t, store)
	c := newTestClient(t, srv.URL)
	ctx := testCtx(t)
	var wg sync.WaitGroup
	var failed atomic.Int32
	for i := 0; i < 20; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			id := fmt.Sprintf("job-%04d", i%3+1)
			j, err := c.GetJob(ctx, testRef, id)
			if err != nil || j.ID != id {
				failed.Add(1)
			}
		}()
	}
	wg.Wait()
	if failed.Load() != 0 {
		t.Fatalf("%d GetJob calls failed", failed.Load())
	}
	if got := store.lists.Load(); got != 1 {
		t.Errorf("listings = %d, want 1 for 20 concurrent GetJob", got)
	}
	// Within the TTL the listing is reused.
	if _, err := c.GetJob(ctx, testRef, "job-0001"); err != nil {
		t.Fatal(err)
	}
	if got := store.lists.Load(); got != 1 {
		t.Errorf("listings = %d, want the cached one reused", got)
	}
	// ListJobs is always fresh.
	if _, err := c.ListJobs(ctx, testRef, JobFilter{}); err != nil {
		t.Fatal(err)
	}
	if got := store.lists.Load(); got != 2 {
		t.Errorf("listings = %d, ListJobs must not use the cache", got)
	}
	// A change on the promotion invalidates the cache.
	store.listDelay = 0
	if _, err := c.CreateJob(ctx, testRef, CreateJobRequest{Type: JobTypeExport}); err != nil {
		t.Fatal(err)
	}
	n := store.lists.Load()
	j, err := c.GetJob(ctx, testRef, "job-0004")
	if err != nil || j.Status != StatusPending || store.lists.Load() != n+1 {
		t.Errorf("after create: %+v %v listings %d", j, err, store.lists.Load()-n)
	}
	if _, err := c.CancelJob(ctx, testRef, "job-0004"); err != nil {
		t.Fatal(err)
	}
	j, err = c.GetJob(ctx, testRef, "job-0004")
	if err != nil || j.Status != StatusCancelled {
		t.Errorf("after cancel: %+v %v", j, err)
	}
	// Past the TTL a new listing is made.
	c.now = func() time.Time { return time.Now().Add(time.Minute) }
	n = store.lists.Load()
	if _, err := c.GetJob(ctx, testRef, "job-0001"); err != nil || store.lists.Load() != n+1 {
		t.Errorf("expired cache reused (%v)", err)
	}
}

func TestGetJobCacheDisabled(t *testing.T) {
	store := newJobStore()
	store.add("promo-1", JobTypeExport, "", nil, StatusCompleted)
	srv := newTestServer(t, store)
	c := newTestClient(t, srv.URL, func(cfg *Config) { cfg.ReadCacheTTL = -1 })
	ctx := testCtx(t)
	for i := 0; i < 3; i++ {
		if _, err := c.GetJob(ctx, testRef, "job-0001"); err != nil {
			t.Fatal(err)
		}
	}
	if got := store.lists.Load(); got != 3 {
		t.Errorf("listings = %d, want 3 with the cache disabled", got)
	}
}

func TestCancelAndFile(t *testing.T) {
	store := newJobStore()
	store.add("p9", JobTypeGenerate, "", nil, StatusProcessing)
	store.add("p9", JobTypeExport, "", nil, StatusCompleted)
	srv := newTestServer(t, store)
	c := newTestClient(t, srv.URL)
	ctx := testCtx(t)
	ref := PromotionRef{API: PromotionsStandard, ID: "p9"}
	j, err := c.CancelJob(ctx, ref, "job-0001")
	if err != nil || j.Status != StatusCancelled || j.Promotion != ref {
		t.Fatalf("cancel: %+v %v", j, err)
	}
	_, err = c.CancelJob(ctx, ref, "job-0002")
	var apiErr *APIError
	if !errors.As(err, &apiErr) || apiErr.StatusCode != 422 || !strings.Contains(err.Error(), "Only pending or processing jobs can be cancelled") {
		t.Errorf("cancel of a completed job: %v", err)
	}
	href, err := c.JobFileURL(ctx, ref, "job-0002")
	if err != nil || href != "https://files.example/job-0002.csv?sig=abc" {
		t.Errorf("file: %q %v", href, err)
	}
	if _, err := c.CancelJob(ctx, ref, "nope"); !IsNotFound(err) {
		t.Errorf("cancel missing: %v", err)
	}
}

func TestJobFileNotReady(t *testing.T) {
	srv := newTestServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasSuffix(r.URL.Path, "/empty/file") {
			writeJSON(w, 200, `{}`)
			return
		}
		writeJSON(w, 422, `{"errors":[{"status":422,"title":"Unprocessable Entity","detail":"Job has no file to download. Job status: processing"}]}`)
	}))
	c := newTestClient(t, srv.URL)
	_, err := c.JobFileURL(testCtx(t), testRef, "j1")
	if err == nil || !strings.Contains(err.Error(), "Job status: processing") {
		t.Errorf("err = %v", err)
	}
	if _, err := c.JobFileURL(testCtx(t), testRef, "empty"); err == nil {
		t.Error("empty href accepted")
	}
}

func TestSharedListingSurvivesLeaderCancel(t *testing.T) {
	store := newJobStore()
	store.add("promo-1", JobTypeExport, "", nil, StatusCompleted)
	store.listDelay = 150 * time.Millisecond
	srv := newTestServer(t, store)
	c := newTestClient(t, srv.URL)
	if _, err := c.accessToken(testCtx(t)); err != nil {
		t.Fatal(err)
	}
	leaderCtx, cancel := context.WithCancel(testCtx(t))
	leaderErr := make(chan error, 1)
	go func() {
		_, err := c.GetJob(leaderCtx, testRef, "job-0001")
		leaderErr <- err
	}()
	time.Sleep(30 * time.Millisecond)
	followerErr := make(chan error, 1)
	go func() {
		_, err := c.GetJob(testCtx(t), testRef, "job-0001")
		followerErr <- err
	}()
	time.Sleep(30 * time.Millisecond)
	cancel()
	if err := <-leaderErr; !errors.Is(err, context.Canceled) {
		t.Errorf("leader: %v", err)
	}
	if err := <-followerErr; err != nil {
		t.Errorf("follower failed because the leader left: %v", err)
	}
}

func TestPaginationStopsAtMaxOffset(t *testing.T) {
	var hits atomic.Int32
	srv := newTestServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n := hits.Add(1)
		items := make([]string, 100)
		for i := range items {
			items[i] = fmt.Sprintf(`{"id":"j%d-%d","status":"completed"}`, n, i)
		}
		writeJSON(w, 200, `{"data":[`+strings.Join(items, ",")+`]}`)
	}))
	c := newTestClient(t, srv.URL)
	_, err := c.ListJobs(testCtx(t), testRef, JobFilter{})
	if err == nil || !strings.Contains(err.Error(), "giving up") {
		t.Errorf("err = %v", err)
	}
	if hits.Load() > 102 {
		t.Errorf("fetched %d pages", hits.Load())
	}
}

func TestRedirectNotFollowed(t *testing.T) {
	var posts atomic.Int32
	srv := newTestServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodPost {
			posts.Add(1)
		}
		http.Redirect(w, r, "/elsewhere", http.StatusFound)
	}))
	c := newTestClient(t, srv.URL)
	_, err := c.CreateJob(testCtx(t), testRef, CreateJobRequest{Type: JobTypeExport})
	var apiErr *APIError
	if !errors.As(err, &apiErr) || apiErr.StatusCode != http.StatusFound || posts.Load() != 1 {
		t.Errorf("err = %v posts %d", err, posts.Load())
	}
}

func TestFlexInt(t *testing.T) {
	tests := []struct {
		in   string
		want *int64
		err  bool
	}{
		{`5`, i64(5), false},
		{`"7"`, i64(7), false},
		{`" 8 "`, i64(8), false},
		{`9.0`, i64(9), false},
		{`null`, nil, false},
		{`""`, nil, false},
		{`9.5`, nil, true},
		{`"x"`, nil, true},
		{`true`, nil, true},
	}
	for _, tt := range tests {
		var f flexInt
		err := json.Unmarshal([]byte(tt.in), &f)
		if (err != nil) != tt.err {
			t.Errorf("%s: err %v", tt.in, err)
			continue
		}
		got := f.ptr()
		if !sameInt(got, tt.want) {
			t.Errorf("%s: got %v want %v", tt.in, got, tt.want)
		}
	}
}

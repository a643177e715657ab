package epcc

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// failFirst answers the first n API calls with fail, then delegates to next.
func failFirst(n int32, fail func(w http.ResponseWriter, r *http.Request), next http.Handler) (http.Handler, *atomic.Int32) {
	var hits atomic.Int32
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if hits.Add(1) <= n {
			fail(w, r)
			return
		}
		next.ServeHTTP(w, r)
	}), &hits
}

func statusAnswer(code int) func(w http.ResponseWriter, r *http.Request) {
	return func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, code, fmt.Sprintf(`{"errors":[{"status":%d,"title":%q}]}`, code, http.StatusText(code)))
	}
}

// resetConn reads the request, then drops the connection with a TCP reset.
func resetConn(w http.ResponseWriter, r *http.Request) {
	_, _ = io.ReadAll(r.Body)
	conn, _, err := w.(http.Hijacker).Hijack()
	if err != nil {
		panic(err)
	}
	if tc, ok := conn.(*net.TCPConn); ok {
		_ = tc.SetLinger(0)
	}
	_ = conn.Close()
}

func TestReadRetryPolicy(t *testing.T) {
	tests := []struct {
		name      string
		fail      func(w http.ResponseWriter, r *http.Request)
		wantRetry bool
	}{
		{"500", statusAnswer(500), true},
		{"502", statusAnswer(502), true},
		{"503", statusAnswer(503), true},
		{"504", statusAnswer(504), true},
		{"429", statusAnswer(429), true},
		{"reset", resetConn, true},
		{"501", statusAnswer(501), false},
		{"400", statusAnswer(400), false},
		{"403", statusAnswer(403), false},
		{"404", statusAnswer(404), false},
		{"409", statusAnswer(409), false},
		{"422", statusAnswer(422), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h, hits := failFirst(1, tt.fail, okAPI())
			srv := newTestServer(t, h)
			c := newTestClient(t, srv.URL)
			_, err := c.ListJobs(testCtx(t), testRef, JobFilter{})
			if tt.wantRetry {
				if err != nil {
					t.Fatalf("not recovered by a retry: %v", err)
				}
				if hits.Load() != 2 {
					t.Errorf("attempts = %d, want 2", hits.Load())
				}
				return
			}
			var apiErr *APIError
			if !errors.As(err, &apiErr) {
				t.Fatalf("err = %v, want *APIError", err)
			}
			if hits.Load() != 1 {
				t.Errorf("attempts = %d, want 1 (no retry)", hits.Load())
			}
		})
	}
}

func TestReadRetriesAreBounded(t *testing.T) {
	h, hits := failFirst(100, statusAnswer(503), okAPI())
	srv := newTestServer(t, h)
	c := newTestClient(t, srv.URL, func(cfg *Config) { cfg.MaxRetries = 2 })
	_, err := c.ListJobs(testCtx(t), testRef, JobFilter{})
	var apiErr *APIError
	if !errors.As(err, &apiErr) || apiErr.StatusCode != 503 {
		t.Fatalf("err = %v, want the last 503 as APIError", err)
	}
	if hits.Load() != 3 {
		t.Errorf("attempts = %d, want 3", hits.Load())
	}

	h, hits = failFirst(100, statusAnswer(503), okAPI())
	srv = newTestServer(t, h)
	c = newTestClient(t, srv.URL, func(cfg *Config) { cfg.MaxRetries = -1 })
	if _, err := c.ListJobs(testCtx(t), testRef, JobFilter{}); err == nil {
		t.Fatal("no error")
	}
	if hits.Load() != 1 {
		t.Errorf("attempts = %d, want 1 with retries disabled", hits.Load())
	}
}

func TestReadRetriedOnPerAttemptTimeout(t *testing.T) {
	slow := func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-r.Context().Done():
		case <-time.After(2 * time.Second):
		}
	}
	h, hits := failFirst(1, slow, okAPI())
	srv := newTestServer(t, h)
	c := newTestClient(t, srv.URL, func(cfg *Config) { cfg.RequestTimeout = 150 * time.Millisecond })
	if _, err := c.ListJobs(testCtx(t), testRef, JobFilter{}); err != nil {
		t.Fatal(err)
	}
	if hits.Load() != 2 {
		t.Errorf("attempts = %d, want 2", hits.Load())
	}
}

func TestCreateJobAmbiguousFailures(t *testing.T) {
	tests := []struct {
		name string
		fail func(w http.ResponseWriter, r *http.Request)
	}{
		{"500", statusAnswer(500)},
		{"502", statusAnswer(502)},
		{"503", statusAnswer(503)},
		{"501", statusAnswer(501)},
		{"reset after read", resetConn},
		{"timeout", func(w http.ResponseWriter, r *http.Request) {
			_, _ = io.ReadAll(r.Body)
			select {
			case <-r.Context().Done():
			case <-time.After(2 * time.Second):
			}
		}},
		{"malformed 2xx", func(w http.ResponseWriter, r *http.Request) {
			writeJSON(w, 201, `{"data": {"id": "job-1", "status": `)
		}},
		{"html 2xx", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "text/html")
			w.WriteHeader(200)
			_, _ = io.WriteString(w, "<html><body>Welcome to the proxy</body></html>")
		}},
		{"2xx without id", func(w http.ResponseWriter, r *http.Request) {
			writeJSON(w, 201, `{"data": {"status": "pending"}}`)
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var posts atomic.Int32
			srv := newTestServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if r.Method == http.MethodPost {
					posts.Add(1)
					tt.fail(w, r)
					return
				}
				writeJSON(w, 200, `{"data":[]}`)
			}))
			c := newTestClient(t, srv.URL, func(cfg *Config) { cfg.RequestTimeout = 300 * time.Millisecond })
			_, err := c.CreateJob(testCtx(t), testRef, CreateJobRequest{Type: JobTypeExport, Name: "x"})
			var unknown *OutcomeUnknownError
			if !errors.As(err, &unknown) {
				t.Fatalf("err = %v (%T), want *OutcomeUnknownError", err, err)
			}
			if unknown.Method != http.MethodPost || unknown.Path != "/v2/rule-promotions/promo-1/jobs" {
				t.Errorf("unknown = %+v", unknown)
			}
			if !strings.Contains(err.Error(), "outcome unknown") {
				t.Errorf("message %q", err)
			}
			if got := posts.Load(); got != 1 {
				t.Errorf("server saw %d POSTs, want exactly 1", got)
			}
		})
	}
}

func TestCreateJobCleanRejection(t *testing.T) {
	srv := newTestServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, 422, `{"errors":[{"status":"422","title":"No codes allowed","detail":"Cannot add codes to an automatic promotion"}]}`)
	}))
	c := newTestClient(t, srv.URL)
	_, err := c.CreateJob(testCtx(t), testRef, CreateJobRequest{Type: JobTypeGenerate, Parameters: &JobParameters{NumberOfCodes: i64(5)}})
	var apiErr *APIError
	var unknown *OutcomeUnknownError
	if !errors.As(err, &apiErr) || errors.As(err, &unknown) {
		t.Fatalf("err = %v, want a plain APIError", err)
	}
	if !apiErr.HasTitle("no codes allowed") || apiErr.Errors[0].Status != 422 {
		t.Errorf("apiErr = %+v", apiErr)
	}
}

func TestCreateJobRetriedOn429(t *testing.T) {
	store := newJobStore()
	h, hits := failFirst(2, statusAnswer(429), store)
	srv := newTestServer(t, h)
	c := newTestClient(t, srv.URL)
	job, err := c.CreateJob(testCtx(t), testRef, CreateJobRequest{Type: JobTypeExport})
	if err != nil {
		t.Fatal(err)
	}
	if hits.Load() != 3 || store.posts.Load() != 1 || job.Status != StatusPending {
		t.Errorf("hits %d posts %d job %+v", hits.Load(), store.posts.Load(), job)
	}
}

// dialFailTransport fails the first `fail` API requests as a refused dial and
// forwards the rest (and every token request) to a real transport.
type dialFailTransport struct {
	fail  int32
	calls atomic.Int32
	next  http.RoundTripper
}

func (d *dialFailTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	if r.URL.Path != tokenPath && d.calls.Add(1) <= d.fail {
		return nil, &net.OpError{Op: "dial", Net: "tcp", Err: errors.New("connect: connection refused")}
	}
	return d.next.RoundTrip(r)
}

func TestCreateJobRetriedOnDialFailure(t *testing.T) {
	store := newJobStore()
	srv := newTestServer(t, store)
	tr := &dialFailTransport{fail: 2, next: http.DefaultTransport}
	c := newTestClient(t, srv.URL, func(cfg *Config) { cfg.HTTPClient = &http.Client{Transport: tr} })
	job, err := c.CreateJob(testCtx(t), testRef, CreateJobRequest{Type: JobTypeExport})
	if err != nil {
		t.Fatal(err)
	}
	if tr.calls.Load() != 3 || store.posts.Load() != 1 || job.ID == "" {
		t.Errorf("attempts %d posts %d job %+v", tr.calls.Load(), store.posts.Load(), job)
	}

	// Dial failures that never stop: a clear error, not "outcome unknown".
	tr = &dialFailTransport{fail: 100, next: http.DefaultTransport}
	c = newTestClient(t, srv.URL, func(cfg *Config) { cfg.HTTPClient = &http.Client{Transport: tr} })
	_, err = c.CreateJob(testCtx(t), testRef, CreateJobRequest{Type: JobTypeExport})
	var unknown *OutcomeUnknownError
	if err == nil || errors.As(err, &unknown) || !strings.Contains(err.Error(), "not sent") {
		t.Fatalf("err = %v", err)
	}
	if tr.calls.Load() != 4 {
		t.Errorf("attempts = %d, want 4", tr.calls.Load())
	}
}

func TestClassifierOnRealClosedPort(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	_ = l.Close()
	_, err = http.Get("http://" + addr + "/")
	if err == nil {
		t.Skip("something listens on the closed port")
	}
	if !isDialError(err) || !neverSent(err, &reqState{}) {
		t.Errorf("a refused connection must count as never sent: %v", err)
	}
	if isDialError(io.ErrUnexpectedEOF) {
		t.Error("EOF is not a dial error")
	}
	st := &reqState{}
	st.wrote.Store(true)
	if neverSent(errors.New("connection reset by peer"), st) {
		t.Error("a reset after writing is not provably unsent")
	}
	if !neverSent(&net.DNSError{Err: "no such host", Name: "x"}, st) {
		t.Error("DNS failures are never sent")
	}
}

func TestRetryAfterHonoured(t *testing.T) {
	var mu sync.Mutex
	var times []time.Time
	srv := newTestServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		times = append(times, time.Now())
		n := len(times)
		mu.Unlock()
		if n == 1 {
			w.Header().Set("Retry-After", "1")
			writeJSON(w, 429, `{"errors":[{"status":429,"title":"Too Many Requests"}]}`)
			return
		}
		writeJSON(w, 200, `{"data":[]}`)
	}))
	c := newTestClient(t, srv.URL, func(cfg *Config) { cfg.RetryWaitMax = 3 * time.Second })
	if _, err := c.ListJobs(testCtx(t), testRef, JobFilter{}); err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	defer mu.Unlock()
	if len(times) != 2 {
		t.Fatalf("attempts = %d", len(times))
	}
	if gap := times[1].Sub(times[0]); gap < time.Second {
		t.Errorf("retried after %v, Retry-After asked for 1s", gap)
	}
}

func TestRetryAfterCappedAndParsed(t *testing.T) {
	now := time.Date(2026, 1, 1, 12, 0, 0, 0, time.UTC)
	if d, ok := parseRetryAfter("3", now); !ok || d != 3*time.Second {
		t.Errorf("seconds: %v %v", d, ok)
	}
	if d, ok := parseRetryAfter(now.Add(5*time.Second).Format(http.TimeFormat), now); !ok || d != 5*time.Second {
		t.Errorf("date: %v %v", d, ok)
	}
	for _, bad := range []string{"", "soon", "-1", "NaN"} {
		if _, ok := parseRetryAfter(bad, now); ok {
			t.Errorf("parsed %q", bad)
		}
	}
	resp := &http.Response{Header: http.Header{"Retry-After": {"120"}}}
	if d := backoff(time.Millisecond, 2*time.Second, 0, resp); d != 2*time.Second {
		t.Errorf("Retry-After not capped by max: %v", d)
	}
	for attempt := 0; attempt < 40; attempt++ {
		d := backoff(100*time.Millisecond, 3*time.Second, attempt, nil)
		if d < 100*time.Millisecond || d > 3*time.Second {
			t.Fatalf("attempt %d: backoff %v outside [min,max]", attempt, d)
		}
	}
	// Grows: the 4th wait is at least half of 0.8s.
	if d := backoff(100*time.Millisecond, time.Minute, 3, nil); d < 400*time.Millisecond {
		t.Errorf("no exponential growth: %v", d)
	}
}

func TestContextCancelStopsRetryWait(t *testing.T) {
	srv := newTestServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Retry-After", "10")
		writeJSON(w, 503, `{"errors":[{"status":503,"title":"Service Unavailable"}]}`)
	}))
	c := newTestClient(t, srv.URL, func(cfg *Config) { cfg.RetryWaitMax = 30 * time.Second })
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	start := time.Now()
	_, err := c.ListJobs(ctx, testRef, JobFilter{})
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("err = %v", err)
	}
	if el := time.Since(start); el > time.Second {
		t.Errorf("took %v to notice the deadline", el)
	}
}

func TestHeadersSent(t *testing.T) {
	var mu sync.Mutex
	var seen []http.Header
	srv := newTestServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		seen = append(seen, r.Header.Clone())
		mu.Unlock()
		if r.Method == http.MethodPost {
			writeJSON(w, 201, `{"data":{"id":"j1","job_type":"code_export","status":"pending"}}`)
			return
		}
		writeJSON(w, 200, `{"data":[]}`)
	}))
	c := newTestClient(t, srv.URL, func(cfg *Config) {
		cfg.BetaFeatures = "promotions-jobs"
		cfg.UserAgent = "terraform-provider-elasticpath/1.2.0 Terraform/1.11.4"
	})
	ctx := testCtx(t)
	if _, err := c.ListJobs(ctx, testRef, JobFilter{}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.CreateJob(ctx, testRef, CreateJobRequest{Type: JobTypeExport}); err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	defer mu.Unlock()
	for i, h := range seen {
		if got := h.Get("User-Agent"); got != "terraform-provider-elasticpath-client terraform-provider-elasticpath/1.2.0 Terraform/1.11.4" {
			t.Errorf("request %d User-Agent = %q", i, got)
		}
		if got := h.Get("EP-Beta-Features"); got != "promotions-jobs" {
			t.Errorf("request %d EP-Beta-Features = %q", i, got)
		}
		if got := h.Get("Accept"); got != "application/json" {
			t.Errorf("request %d Accept = %q", i, got)
		}
		if !strings.HasPrefix(h.Get("Authorization"), "Bearer tok-") {
			t.Errorf("request %d Authorization = %q", i, h.Get("Authorization"))
		}
	}
	if got := seen[1].Get("Content-Type"); got != "application/json" {
		t.Errorf("POST Content-Type = %q", got)
	}
}

func TestRateLimitApplied(t *testing.T) {
	srv := newTestServer(t, okAPI())
	c := newTestClient(t, srv.URL, func(cfg *Config) { cfg.RateLimit = 20 })
	ctx := testCtx(t)
	// The token and 25 listings: 20 start in the first second, the rest once it has passed.
	start := time.Now()
	for i := 0; i < 25; i++ {
		if _, err := c.ListJobs(ctx, testRef, JobFilter{}); err != nil {
			t.Fatal(err)
		}
	}
	if el := time.Since(start); el < time.Second {
		t.Errorf("26 requests at 20/s took only %v", el)
	}
}

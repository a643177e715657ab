package epcc

import (
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
)

// malformedFirst answers body (status 200) to the first n requests whose path ends in suffix, then hands
// every request to next. It counts the matching requests.
type malformedFirst struct {
	suffix string
	method string
	body   string
	n      int32
	next   http.Handler
	seen   atomic.Int32
}

func (m *malformedFirst) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if strings.HasSuffix(r.URL.Path, m.suffix) && (m.method == "" || r.Method == m.method) {
		if m.seen.Add(1) <= m.n {
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusOK)
			_, _ = w.Write([]byte(m.body))
			return
		}
	}
	m.next.ServeHTTP(w, r)
}

var malformedBodies = map[string]string{
	"data null":            `{"data": null}`,
	"data a string":        `{"data": "jobs"}`,
	"job without id":       `{"data": [{"type": "promotion_job", "status": "completed"}]}`,
	"job without status":   `{"data": [{"id": "x1", "type": "promotion_job"}]}`,
	"field of wrong type":  `{"data": [{"id": 5, "status": "completed"}]}`,
	"number beyond int64":  `{"data": [{"id": "x1", "status": "completed", "result": {"generated": 99999999999999999999}}]}`,
	"cut body":             `{"data": [{"id": "x1", "sta`,
	"empty body":           ``,
	"HTML page":            `<html><body><h1>502 Bad Gateway</h1></body></html>`,
	"nesting far too deep": strings.Repeat("[", 20000) + strings.Repeat("]", 20000),
}

// A job listing answered malformed a few times is retried like a 5xx and then read whole.
func TestMalformedListingRetried(t *testing.T) {
	for name, body := range malformedBodies {
		t.Run(name, func(t *testing.T) {
			store := newJobStore()
			store.add("promo-1", JobTypeGenerate, "spring", nil, StatusCompleted)
			bad := &malformedFirst{suffix: "/jobs", method: http.MethodGet, body: body, n: 2, next: store}
			srv := newTestServer(t, bad)
			c := newTestClient(t, srv.URL)
			jobs, err := c.ListJobs(testCtx(t), testRef, JobFilter{})
			if err != nil {
				t.Fatalf("ListJobs: %v", err)
			}
			if len(jobs) != 1 || jobs[0].ID != "job-0001" {
				t.Fatalf("jobs = %+v", jobs)
			}
			if got := bad.seen.Load(); got != 3 {
				t.Errorf("listing requests = %d, want 3 (two malformed, one good)", got)
			}
		})
	}
}

// When the malformed answer persists, the error names the endpoint, the status, what was wrong and how
// often it was tried.
func TestMalformedListingPersists(t *testing.T) {
	store := newJobStore()
	bad := &malformedFirst{suffix: "/jobs", body: `{"data": null}`, n: 1000, next: store}
	srv := newTestServer(t, bad)
	c := newTestClient(t, srv.URL) // MaxRetries 3: four attempts
	_, err := c.ListJobs(testCtx(t), testRef, JobFilter{})
	var malformed *MalformedAnswerError
	if !errors.As(err, &malformed) {
		t.Fatalf("err = %v (%T), want a MalformedAnswerError", err, err)
	}
	for _, want := range []string{"GET /v2/rule-promotions/promo-1/jobs", "200 answer is malformed", "job list is missing or null", `{\"data\": null}`, "after 4 attempts"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q lacks %q", err, want)
		}
	}
	if got := bad.seen.Load(); got != 4 {
		t.Errorf("requests = %d, want 4", got)
	}
}

// A token answer without a token, or an HTML page in its place, is retried; the token never shows in an error.
func TestMalformedTokenRetried(t *testing.T) {
	for name, body := range map[string]string{
		"no access_token": `{"token_type": "Bearer", "expires_in": 3600}`,
		"HTML page":       `<html>Service Unavailable</html>`,
	} {
		t.Run(name, func(t *testing.T) {
			store := newJobStore()
			srv := newTestServer(t, store)
			var served atomic.Int32
			srv.setTokenHook(func(w http.ResponseWriter, r *http.Request) bool {
				if served.Add(1) > 2 {
					return false
				}
				writeJSON(w, 200, body)
				return true
			})
			c := newTestClient(t, srv.URL)
			if _, err := c.ListJobs(testCtx(t), testRef, JobFilter{}); err != nil {
				t.Fatalf("ListJobs: %v", err)
			}
			if got := served.Load(); got != 3 {
				t.Errorf("token requests = %d, want 3", got)
			}
		})
	}
	t.Run("persists, with a token in a wrong-shaped answer", func(t *testing.T) {
		srv := newTestServer(t, newJobStore())
		srv.setTokenHook(func(w http.ResponseWriter, r *http.Request) bool {
			writeJSON(w, 200, `{"access_token": {"value": "secret-token-value-1234"}}`)
			return true
		})
		c := newTestClient(t, srv.URL)
		_, err := c.ListJobs(testCtx(t), testRef, JobFilter{})
		if err == nil || !strings.Contains(err.Error(), "POST /oauth/access_token: the 200 answer is malformed") {
			t.Fatalf("err = %v", err)
		}
		if strings.Contains(err.Error(), "secret-token-value") {
			t.Errorf("the error shows the token: %v", err)
		}
		if strings.Contains(err.Error(), "refused") {
			t.Errorf("nothing was refused: %v", err)
		}
	})
}

// An export file answer without a usable href is retried, then read.
func TestMalformedFileAnswerRetried(t *testing.T) {
	for name, body := range map[string]string{
		"no href":             `{}`,
		"href not a string":   `{"href": 5}`,
		"href an empty value": `{"href": ""}`,
	} {
		t.Run(name, func(t *testing.T) {
			store := newJobStore()
			store.add("promo-1", JobTypeExport, "", nil, StatusCompleted)
			bad := &malformedFirst{suffix: "/file", body: body, n: 3, next: store}
			srv := newTestServer(t, bad)
			c := newTestClient(t, srv.URL)
			href, err := c.JobFileURL(testCtx(t), testRef, "job-0001")
			if err != nil || href == "" {
				t.Fatalf("JobFileURL = %q, %v", href, err)
			}
			if got := bad.seen.Load(); got != 4 {
				t.Errorf("file requests = %d, want 4", got)
			}
		})
	}
}

// A malformed answer to the job POST is no retry: the job may exist. StartJob finds and adopts it.
func TestMalformedCreateAnswerAdopted(t *testing.T) {
	store := newJobStore()
	var posts atomic.Int32
	handler := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodPost && posts.Add(1) == 1 {
			store.ServeHTTP(httptest.NewRecorder(), r) // the job is made, then the answer is garbled
			writeJSON(w, 200, `<html>gateway</html>`)
			return
		}
		store.ServeHTTP(w, r)
	})
	srv := newTestServer(t, handler)
	c := newTestClient(t, srv.URL)
	job, err := c.StartJob(testCtx(t), testRef, CreateJobRequest{Type: JobTypeExport, Name: "autumn"})
	if err != nil {
		t.Fatalf("StartJob: %v", err)
	}
	if posts.Load() != 1 || store.count("promo-1") != 1 || job.ID != "job-0001" {
		t.Errorf("posts = %d, jobs = %d, adopted %q: want one POST, one job, job-0001", posts.Load(), store.count("promo-1"), job.ID)
	}
}

// After a malformed 2xx, a later 5xx is reported with its own body, not the earlier answer's.
func TestMalformedThenServerErrorReportsTheLastAnswer(t *testing.T) {
	var calls atomic.Int32
	srv := newTestServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if calls.Add(1) == 1 {
			writeJSON(w, 200, `{"data": null, "marker": "STALE-200-BODY"}`)
			return
		}
		writeJSON(w, 503, `{"errors":[{"status":503,"title":"Service Unavailable","detail":"fresh 503"}]}`)
	}))
	c := newTestClient(t, srv.URL)
	_, err := c.ListJobs(testCtx(t), testRef, JobFilter{})
	if err == nil || !strings.Contains(err.Error(), "fresh 503") || strings.Contains(err.Error(), "STALE") {
		t.Fatalf("err = %v", err)
	}
}

// hooklessTransport answers every request itself and fires no httptrace hooks, so the client cannot tell
// whether a request was written: an answered job POST must still never be resent.
type hooklessTransport struct {
	handler http.Handler
}

func (h hooklessTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	rec := httptest.NewRecorder()
	h.handler.ServeHTTP(rec, r)
	return rec.Result(), nil
}

// A job POST answered 2xx with a malformed body was taken by the API: it is sent once, and StartJob waits
// for the job to be listed, even when the listing lags behind.
func TestMalformedCreateAnswerIsNeverResent(t *testing.T) {
	store := newJobStore()
	var posts atomic.Int32
	lagging := atomic.Int32{}
	handler := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch {
		case r.URL.Path == tokenPath:
			writeJSON(w, 200, `{"access_token":"tok-1234567890","token_type":"Bearer","expires_in":3600}`)
		case r.Method == http.MethodPost:
			posts.Add(1)
			store.ServeHTTP(httptest.NewRecorder(), r)
			writeJSON(w, 200, `{"data": {"type": "promotion_job"}}`) // no id
		case lagging.Add(1) <= 3 && store.count("promo-1") > 0:
			writeJSON(w, 200, `{"data": [], "meta": {"results": {"total": 0}}}`) // the new job not listed yet
		default:
			store.ServeHTTP(w, r)
		}
	})
	c := newTestClient(t, "http://127.0.0.1:9", func(cfg *Config) {
		cfg.HTTPClient = &http.Client{Transport: hooklessTransport{handler}}
	})
	job, err := c.StartJob(testCtx(t), testRef, CreateJobRequest{Type: JobTypeExport})
	if err != nil {
		t.Fatalf("StartJob: %v", err)
	}
	if posts.Load() != 1 || store.count("promo-1") != 1 || job.ID != "job-0001" {
		t.Errorf("posts = %d, jobs = %d, adopted %q: want one POST, one job", posts.Load(), store.count("promo-1"), job.ID)
	}
}

// Only the promotion's own job listing answering 404 says the promotion is gone.
func TestIsPromotionGone(t *testing.T) {
	listing404 := &APIError{Method: http.MethodGet, Path: testRef.jobsPath(), StatusCode: 404}
	token404 := fmt.Errorf("getting an Elastic Path access token: %w", &APIError{Method: http.MethodPost, Path: tokenPath, StatusCode: 404})
	other := &APIError{Method: http.MethodGet, Path: PromotionRef{API: RulePromotions, ID: "other"}.jobsPath(), StatusCode: 404}
	if !IsPromotionGone(listing404, testRef) {
		t.Error("the listing's 404 not recognised")
	}
	for _, err := range []error{token404, other, &JobNotFoundError{Promotion: testRef, ID: "j"}, nil} {
		if IsPromotionGone(err, testRef) {
			t.Errorf("%v taken for a gone promotion", err)
		}
	}
}

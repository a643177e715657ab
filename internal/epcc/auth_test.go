package epcc

import (
	"errors"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// okAPI answers every API call with an empty job list.
func okAPI() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, 200, `{"data":[],"meta":{"results":{"total":0}}}`)
	})
}

var testRef = PromotionRef{API: RulePromotions, ID: "promo-1"}

func TestTokenReusedAcrossRequests(t *testing.T) {
	srv := newTestServer(t, okAPI())
	c := newTestClient(t, srv.URL)
	ctx := testCtx(t)
	for i := 0; i < 10; i++ {
		if _, err := c.ListJobs(ctx, testRef, JobFilter{}); err != nil {
			t.Fatal(err)
		}
	}
	if got := srv.tokenCalls.Load(); got != 1 {
		t.Errorf("token requests = %d, want 1", got)
	}
	if got := srv.apiCalls.Load(); got != 10 {
		t.Errorf("API requests = %d, want 10", got)
	}
	srv.mu.Lock()
	form := srv.lastForm
	srv.mu.Unlock()
	for _, want := range []string{"grant_type=client_credentials", "client_id=" + testClientID, "client_secret=" + testClientSecret} {
		if !strings.Contains(form, want) {
			t.Errorf("token form %q lacks %q", form, want)
		}
	}
}

func TestTokenConcurrentCallersShareOneRequest(t *testing.T) {
	srv := newTestServer(t, okAPI())
	srv.tokenDelay = 100 * time.Millisecond
	c := newTestClient(t, srv.URL)
	ctx := testCtx(t)
	var wg sync.WaitGroup
	var failures atomic.Int32
	for i := 0; i < 25; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if _, err := c.ListJobs(ctx, PromotionRef{API: PromotionsStandard, ID: "p" + string(rune('a'+i))}, JobFilter{}); err != nil {
				failures.Add(1)
			}
		}()
	}
	wg.Wait()
	if failures.Load() != 0 {
		t.Fatalf("%d calls failed", failures.Load())
	}
	if got := srv.tokenCalls.Load(); got != 1 {
		t.Errorf("token requests = %d, want 1", got)
	}
}

func TestTokenRefreshedBeforeExpiry(t *testing.T) {
	srv := newTestServer(t, okAPI())
	srv.expiresIn.Store(61) // one second of use before the 60s margin
	c := newTestClient(t, srv.URL)
	var mu sync.Mutex
	now := time.Now()
	c.now = func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
	advance := func(d time.Duration) { mu.Lock(); now = now.Add(d); mu.Unlock() }
	ctx := testCtx(t)

	if _, err := c.ListJobs(ctx, testRef, JobFilter{}); err != nil {
		t.Fatal(err)
	}
	advance(500 * time.Millisecond)
	if _, err := c.ListJobs(ctx, testRef, JobFilter{}); err != nil {
		t.Fatal(err)
	}
	if got := srv.tokenCalls.Load(); got != 1 {
		t.Fatalf("token requests = %d, want 1 while the token is fresh", got)
	}
	advance(time.Second) // now within 60s of expiry: refresh before use
	if _, err := c.ListJobs(ctx, testRef, JobFilter{}); err != nil {
		t.Fatal(err)
	}
	if got := srv.tokenCalls.Load(); got != 2 {
		t.Fatalf("token requests = %d, want 2 after entering the refresh margin", got)
	}

	// An hour-long token is not refreshed after 58 minutes... but is after 59+.
	srv.expiresIn.Store(3600)
	c.invalidateToken(c.token)
	if _, err := c.ListJobs(ctx, testRef, JobFilter{}); err != nil {
		t.Fatal(err)
	}
	base := srv.tokenCalls.Load()
	advance(58 * time.Minute)
	if _, err := c.ListJobs(ctx, testRef, JobFilter{}); err != nil {
		t.Fatal(err)
	}
	if got := srv.tokenCalls.Load(); got != base {
		t.Fatalf("token refreshed too early")
	}
	advance(119 * time.Second)
	if _, err := c.ListJobs(ctx, testRef, JobFilter{}); err != nil {
		t.Fatal(err)
	}
	if got := srv.tokenCalls.Load(); got != base+1 {
		t.Fatalf("token not refreshed within the margin")
	}
}

func TestTokenExpiresFallbackAndWrappedAnswer(t *testing.T) {
	var calls atomic.Int32
	srv := newTestServer(t, okAPI())
	// A token endpoint answering the spec's wrapped shape with only an
	// absolute expiry.
	srv.setTokenHook(func(w http.ResponseWriter, r *http.Request) bool {
		calls.Add(1)
		srv.mu.Lock()
		srv.issued["wrapped-token-value"] = true
		srv.mu.Unlock()
		writeJSON(w, 200, `{"data":{"access_token":"wrapped-token-value","expires":`+itoa(time.Now().Add(2*time.Hour).Unix())+`}}`)
		return true
	})
	c := newTestClient(t, srv.URL)
	ctx := testCtx(t)
	for i := 0; i < 3; i++ {
		if _, err := c.ListJobs(ctx, testRef, JobFilter{}); err != nil {
			t.Fatal(err)
		}
	}
	if calls.Load() != 1 {
		t.Errorf("token requests = %d, want 1", calls.Load())
	}
	if d := time.Until(c.tokenExp); d < 100*time.Minute {
		t.Errorf("expiry from `expires` not used: %v left", d)
	}
}

func TestRetryOnceOn401(t *testing.T) {
	srv := newTestServer(t, okAPI())
	c := newTestClient(t, srv.URL)
	ctx := testCtx(t)
	if _, err := c.ListJobs(ctx, testRef, JobFilter{}); err != nil {
		t.Fatal(err)
	}
	srv.revokeAll() // the cached token now answers 401
	if _, err := c.ListJobs(ctx, testRef, JobFilter{}); err != nil {
		t.Fatalf("401 not recovered: %v", err)
	}
	if got := srv.tokenCalls.Load(); got != 2 {
		t.Errorf("token requests = %d, want 2", got)
	}
}

func TestRetryOn401OnlyOnce(t *testing.T) {
	var hits atomic.Int32
	srv := newTestServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		writeJSON(w, 401, `{"errors":[{"status":401,"title":"Unauthorized","detail":"Unable to validate access token"}]}`)
	}))
	c := newTestClient(t, srv.URL)
	_, err := c.ListJobs(testCtx(t), testRef, JobFilter{})
	var apiErr *APIError
	if !errors.As(err, &apiErr) || apiErr.StatusCode != 401 {
		t.Fatalf("err = %v, want a 401 APIError", err)
	}
	if got := hits.Load(); got != 2 {
		t.Errorf("API requests = %d, want exactly 2 (one retry)", got)
	}
	if got := srv.tokenCalls.Load(); got != 2 {
		t.Errorf("token requests = %d, want 2", got)
	}
}

func TestCreateJobRetriedOnceOn401(t *testing.T) {
	store := newJobStore()
	srv := newTestServer(t, store)
	c := newTestClient(t, srv.URL)
	ctx := testCtx(t)
	if _, err := c.ListJobs(ctx, testRef, JobFilter{}); err != nil {
		t.Fatal(err)
	}
	srv.revokeAll()
	job, err := c.CreateJob(ctx, testRef, CreateJobRequest{Type: JobTypeExport})
	if err != nil {
		t.Fatal(err)
	}
	if job.ID == "" || store.posts.Load() != 1 || store.count(testRef.ID) != 1 {
		t.Errorf("job %+v, posts %d, jobs %d", job, store.posts.Load(), store.count(testRef.ID))
	}
}

func TestBadCredentials(t *testing.T) {
	srv := newTestServer(t, okAPI())
	c := newTestClient(t, srv.URL, func(cfg *Config) { cfg.ClientSecret = "wrong-secret-value" })
	_, err := c.ListJobs(testCtx(t), testRef, JobFilter{})
	if err == nil {
		t.Fatal("no error with bad credentials")
	}
	var apiErr *APIError
	if !errors.As(err, &apiErr) || apiErr.StatusCode != 401 {
		t.Fatalf("err = %v, want a 401 APIError", err)
	}
	if !strings.Contains(err.Error(), "client credentials") {
		t.Errorf("error %q does not mention the client credentials", err)
	}
	if strings.Contains(err.Error(), "wrong-secret-value") {
		t.Errorf("error leaks the secret: %q", err)
	}
	if srv.apiCalls.Load() != 0 {
		t.Errorf("API called without a token")
	}
	// Auth failures are not retried like transient errors.
	if got := srv.tokenCalls.Load(); got != 1 {
		t.Errorf("token requests = %d, want 1", got)
	}
}

func TestTokenEndpointRetriedLikeARead(t *testing.T) {
	var n atomic.Int32
	srv := newTestServer(t, okAPI())
	srv.setTokenHook(func(w http.ResponseWriter, r *http.Request) bool {
		if n.Add(1) <= 2 {
			writeJSON(w, 503, `{"errors":[{"status":503,"title":"Service Unavailable"}]}`)
			return true
		}
		return false
	})
	c := newTestClient(t, srv.URL)
	if _, err := c.ListJobs(testCtx(t), testRef, JobFilter{}); err != nil {
		t.Fatal(err)
	}
	if n.Load() != 3 {
		t.Errorf("token attempts = %d, want 3", n.Load())
	}
}

func TestTokenAnswerWithoutToken(t *testing.T) {
	srv := newTestServer(t, okAPI())
	srv.setTokenHook(func(w http.ResponseWriter, r *http.Request) bool {
		writeJSON(w, 200, `{"token_type":"Bearer"}`)
		return true
	})
	c := newTestClient(t, srv.URL)
	_, err := c.ListJobs(testCtx(t), testRef, JobFilter{})
	if err == nil || !strings.Contains(err.Error(), "access_token") {
		t.Fatalf("err = %v", err)
	}
}

func itoa(v int64) string { return strconvFormat(v) }

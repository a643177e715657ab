package epccsim

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"
)

// try sends a request on a fresh connection and reports transport errors
// instead of failing, so resets can be observed. Fresh connections also stop
// net/http from transparently retrying a GET that died on a reused one.
func (h *harness) try(client *http.Client, method, path string, body any) (resp, error) {
	h.t.Helper()
	var rd io.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		rd = strings.NewReader(string(b))
	}
	req, err := http.NewRequest(method, h.srv.URL+path, rd)
	if err != nil {
		h.t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+h.token)
	if client == nil {
		client = &http.Client{Transport: &http.Transport{DisableKeepAlives: true}}
	}
	res, err := client.Do(req)
	if err != nil {
		return resp{}, err
	}
	defer func() { _ = res.Body.Close() }()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		return resp{}, err
	}
	r := resp{status: res.StatusCode, header: res.Header, body: b}
	_ = json.Unmarshal(b, &r.obj)
	return r, nil
}

func (h *harness) jobCount(api apiKind, id string) int {
	h.t.Helper()
	r := h.do(http.MethodGet, jobsPath(api, id), nil)
	return num(r.obj["meta"].(map[string]any)["results"].(map[string]any)["total"])
}

func TestFaultStatus(t *testing.T) {
	t.Parallel()
	h := newHarness(t, Options{})
	id := h.createPromotion(ruleAPI, false)
	h.sim.Faults().Add(Fault{Method: http.MethodPost, Path: "/v2/rule-promotions/*/jobs", Kind: FaultStatus, Status: 503, RetryAfter: "1", Times: 1})

	r := h.do(http.MethodPost, jobsPath(ruleAPI, id), jobBody(jobExport, "", nil))
	wantError(t, r, 503, false, "Service Unavailable", "")
	if r.header.Get("Retry-After") != "1" {
		t.Errorf("Retry-After = %q", r.header.Get("Retry-After"))
	}
	if n := h.jobCount(ruleAPI, id); n != 0 {
		t.Errorf("a FaultStatus request had side effects: %d jobs", n)
	}
	if r := h.do(http.MethodPost, jobsPath(ruleAPI, id), jobBody(jobExport, "", nil)); r.status != http.StatusCreated {
		t.Errorf("after the fault was used up: %d", r.status)
	}
}

func TestFaultSequence(t *testing.T) {
	t.Parallel()
	h := newHarness(t, Options{})
	id := h.createPromotion(standardAPI, false)
	path := jobsPath(standardAPI, id)
	h.sim.Faults().Add(
		Fault{Method: "GET", Path: "/v2/promotions/*/jobs", Kind: FaultStatus, Status: 500, Times: 1},
		Fault{Method: "GET", Path: "/v2/promotions/*/jobs", Kind: FaultStatus, Status: 502, Times: 1},
		Fault{Method: "GET", Path: "/v2/promotions/*/jobs", Kind: FaultStatus, Status: 429, Times: 1},
	)
	// Other methods and paths are untouched.
	if r := h.do(http.MethodPost, path, jobBody(jobExport, "", nil)); r.status != http.StatusCreated {
		t.Fatalf("POST hit a GET fault: %d", r.status)
	}
	if r := h.do(http.MethodGet, "/v2/promotions/"+id, nil); r.status != http.StatusOK {
		t.Fatalf("other path hit the fault: %d", r.status)
	}
	var got []int
	for range 4 {
		got = append(got, h.do(http.MethodGet, path, nil).status)
	}
	if want := []int{500, 502, 429, 200}; !equalInts(got, want) {
		t.Errorf("statuses = %v, want %v", got, want)
	}
}

func TestFaultUnlimitedUntilCleared(t *testing.T) {
	t.Parallel()
	h := newHarness(t, Options{})
	id := h.createPromotion(ruleAPI, false)
	h.sim.Faults().Add(Fault{Path: "/v2/rule-promotions/*", Kind: FaultStatus, Status: 500})
	for range 3 {
		wantError(t, h.do(http.MethodGet, "/v2/rule-promotions/"+id, nil), 500, false, "Internal Server Error", "")
	}
	h.sim.Faults().Clear()
	if r := h.do(http.MethodGet, "/v2/rule-promotions/"+id, nil); r.status != http.StatusOK {
		t.Errorf("after Clear: %d", r.status)
	}
}

func TestFaultDelay(t *testing.T) {
	t.Parallel()
	h := newHarness(t, Options{})
	id := h.createPromotion(ruleAPI, false)
	h.sim.Faults().Add(Fault{Method: "POST", Path: "/v2/rule-promotions/*/jobs", Kind: FaultDelay, Delay: 150 * time.Millisecond, Times: 1})
	start := time.Now()
	r, err := h.try(nil, http.MethodPost, jobsPath(ruleAPI, id), jobBody(jobExport, "", nil))
	if err != nil || r.status != http.StatusCreated {
		t.Fatalf("delayed request: %v %d", err, r.status)
	}
	if took := time.Since(start); took < 150*time.Millisecond {
		t.Errorf("answered after %v, want at least 150ms", took)
	}
}

func TestFaultDelayStopsWhenTheClientGivesUp(t *testing.T) {
	t.Parallel()
	h := newHarness(t, Options{})
	id := h.createPromotion(ruleAPI, false)
	h.sim.Faults().Add(Fault{Kind: FaultDelay, Delay: time.Minute, Times: 1})
	client := &http.Client{Timeout: 50 * time.Millisecond, Transport: &http.Transport{DisableKeepAlives: true}}
	if _, err := h.try(client, http.MethodPost, jobsPath(ruleAPI, id), jobBody(jobExport, "", nil)); err == nil {
		t.Fatal("want a client timeout")
	}
	// Close waits for running handlers: it only returns promptly if the
	// delayed one stopped when its client left.
	start := time.Now()
	h.srv.Close()
	if took := time.Since(start); took > 5*time.Second {
		t.Errorf("server took %v to close: the delayed handler kept sleeping", took)
	}
}

func TestFaultReset(t *testing.T) {
	t.Parallel()
	h := newHarness(t, Options{})
	id := h.createPromotion(ruleAPI, false)
	h.sim.Faults().Add(Fault{Method: "POST", Path: "/v2/rule-promotions/*/jobs", Kind: FaultReset, Times: 1})
	_, err := h.try(nil, http.MethodPost, jobsPath(ruleAPI, id), jobBody(jobExport, "", nil))
	if err == nil {
		t.Fatal("want a connection error")
	}
	if !isConnDrop(err) {
		t.Errorf("error %v is not a reset or EOF", err)
	}
	if n := h.jobCount(ruleAPI, id); n != 0 {
		t.Errorf("reset request created %d jobs", n)
	}
}

func TestFaultMalformed(t *testing.T) {
	t.Parallel()
	h := newHarness(t, Options{})
	id := h.createPromotion(standardAPI, false)
	h.sim.Faults().Add(
		Fault{Path: "/v2/promotions/*/jobs", Kind: FaultMalformed, Times: 1},
		Fault{Path: "/v2/promotions/*/jobs", Kind: FaultMalformed, Status: 503, Times: 1},
	)
	for _, want := range []int{200, 503} {
		r, err := h.try(nil, http.MethodGet, jobsPath(standardAPI, id), nil)
		if err != nil {
			t.Fatal(err)
		}
		if r.status != want || json.Valid(r.body) || len(r.body) == 0 {
			t.Errorf("malformed answer: %d %q", r.status, r.body)
		}
	}
}

func TestFaultBody(t *testing.T) {
	t.Parallel()
	h := newHarness(t, Options{})
	id := h.createPromotion(ruleAPI, false)
	h.sim.Faults().Add(Fault{Method: http.MethodGet, Path: "/v2/rule-promotions/*/jobs", Kind: FaultBody, Body: `{"data": []}`, Times: 1})
	r, err := h.try(nil, http.MethodGet, jobsPath(ruleAPI, id), nil)
	if err != nil {
		t.Fatal(err)
	}
	if r.status != 200 || string(r.body) != `{"data": []}` || r.header.Get("Content-Type") != "application/json" {
		t.Errorf("scripted answer: %d %q %q", r.status, r.header.Get("Content-Type"), r.body)
	}
	// Used up: the next listing is the real one.
	if n := h.sim.Faults().Pending(); n != 0 {
		t.Errorf("%d faults pending after their one use", n)
	}
	if n := h.jobCount(ruleAPI, id); n != 0 {
		t.Errorf("real listing: %d jobs", n)
	}
}

func TestFaultCommitThenStatus(t *testing.T) {
	t.Parallel()
	h := newHarness(t, Options{})
	id := h.createPromotion(ruleAPI, false)
	h.sim.Faults().Add(Fault{Method: "POST", Path: "/v2/rule-promotions/*/jobs", Kind: FaultCommitThenStatus, Status: 502, Times: 1})
	r, err := h.try(nil, http.MethodPost, jobsPath(ruleAPI, id), jobBody(jobExport, "", nil))
	if err != nil {
		t.Fatal(err)
	}
	if r.status != http.StatusBadGateway || json.Valid(r.body) {
		t.Errorf("answer: %d %q", r.status, r.body)
	}
	if n := h.jobCount(ruleAPI, id); n != 1 {
		t.Errorf("the job should exist despite the 502; %d jobs", n)
	}
	wantError(t, h.do(http.MethodPost, jobsPath(ruleAPI, id), jobBody(jobExport, "", nil)), 400, true, "Too many jobs", "")
}

func TestFaultCommitThenReset(t *testing.T) {
	t.Parallel()
	h := newHarness(t, Options{})
	id := h.createPromotion(standardAPI, false)
	h.sim.Faults().Add(Fault{Method: "POST", Path: "/v2/promotions/*/jobs", Kind: FaultCommitThenReset, Times: 1})
	if _, err := h.try(nil, http.MethodPost, jobsPath(standardAPI, id), jobBody(jobExport, "", nil)); err == nil || !isConnDrop(err) {
		t.Fatalf("want a dropped connection, got %v", err)
	}
	if n := h.jobCount(standardAPI, id); n != 1 {
		t.Errorf("the job should exist despite the reset; %d jobs", n)
	}
}

func TestFaultResetWithoutHijacking(t *testing.T) {
	t.Parallel()
	s := New(Options{})
	s.Faults().Add(Fault{Kind: FaultReset})
	defer func() {
		if p := recover(); p != http.ErrAbortHandler {
			t.Errorf("recovered %v, want http.ErrAbortHandler", p)
		}
	}()
	req, _ := http.NewRequest(http.MethodGet, "/v2/promotions", nil)
	s.ServeHTTP(nopWriter{}, req)
}

type nopWriter struct{}

func (nopWriter) Header() http.Header         { return http.Header{} }
func (nopWriter) Write(b []byte) (int, error) { return len(b), nil }
func (nopWriter) WriteHeader(int)             {}

func TestRateLimit(t *testing.T) {
	t.Parallel()
	h := newHarness(t, Options{})
	id := h.createPromotion(ruleAPI, false)
	path := "/v2/rule-promotions/" + id
	h.sim.Faults().SetRateLimit(5)
	var got []int
	for range 8 {
		got = append(got, h.do(http.MethodGet, path, nil).status)
	}
	if want := []int{200, 200, 200, 200, 200, 429, 429, 429}; !equalInts(got, want) {
		t.Errorf("statuses = %v, want %v", got, want)
	}
	e := wantError(t, h.do(http.MethodGet, path, nil), 429, false, "Too Many Requests", "")
	if e["detail"] == "" {
		t.Error("429 without detail")
	}
	time.Sleep(1100 * time.Millisecond)
	if r := h.do(http.MethodGet, path, nil); r.status != http.StatusOK {
		t.Errorf("after the window: %d", r.status)
	}
	h.sim.Faults().SetRateLimit(0)
	for range 20 {
		if r := h.do(http.MethodGet, path, nil); r.status != http.StatusOK {
			t.Fatalf("rate limit disabled but got %d", r.status)
		}
	}
}

// TestRateLimitWindow steps the limit's clock by hand: N requests pass in any one second, the rest are
// refused with Retry-After on every other refusal, and the tally keeps answered and refused apart.
func TestRateLimitWindow(t *testing.T) {
	t.Parallel()
	h := newHarness(t, Options{})
	id := h.createPromotion(ruleAPI, false)
	path := "/v2/rule-promotions/" + id
	clock := NewManualClock(testStart)
	h.sim.Faults().mu.Lock()
	h.sim.Faults().now = clock.Now
	h.sim.Faults().mu.Unlock()
	h.sim.Faults().SetRateLimit(3)
	before := h.sim.Tally("", "")

	var got []string
	step := func(d time.Duration) {
		clock.Advance(d)
		r := h.do(http.MethodGet, path, nil)
		got = append(got, fmt.Sprintf("%d:%s", r.status, r.header.Get("Retry-After")))
	}
	step(0)                      // t=0     passes
	step(400 * time.Millisecond) // t=0.4   passes
	step(400 * time.Millisecond) // t=0.8   passes: 3 within the second
	step(100 * time.Millisecond) // t=0.9   refused, told to wait for t=1.0
	step(0)                      // t=0.9   refused, no header
	step(100 * time.Millisecond) // t=1.0   the t=0 request left the window: passes
	step(0)                      // t=1.0   refused again, with a header
	step(400 * time.Millisecond) // t=1.4   the t=0.4 one left: passes
	want := []string{"200:", "200:", "200:", "429:1", "429:", "200:", "429:1", "200:"}
	if strings.Join(got, " ") != strings.Join(want, " ") {
		t.Errorf("answers = %v, want %v", got, want)
	}
	tally := h.sim.Tally("", "")
	if a, r := tally.Answered-before.Answered, tally.Refused-before.Refused; a != 5 || r != 3 {
		t.Errorf("tally: %d answered, %d refused; want 5 and 3", a, r)
	}
	if n := h.sim.RequestCount(http.MethodGet, path); n != 8 {
		t.Errorf("RequestCount = %d, want every one of the 8 requests", n)
	}
	if r := h.sim.Tally(http.MethodGet, "/v2/rule-promotions/*").Refused; r != 3 {
		t.Errorf("refused on the promotion path: %d", r)
	}
}

// Retry-After is sent on no refusal or on every one, as set: the live API's behaviour is not documented.
func TestRateLimitRetryAfterModes(t *testing.T) {
	t.Parallel()
	for mode, want := range map[string]string{"never": "429: 429: 429:", "always": "429:1 429:1 429:1"} {
		h := newHarness(t, Options{})
		id := h.createPromotion(ruleAPI, false)
		r, err := ParseRetryAfter(mode)
		if err != nil {
			t.Fatal(err)
		}
		clock := NewManualClock(testStart)
		h.sim.Faults().mu.Lock()
		h.sim.Faults().now = clock.Now
		h.sim.Faults().mu.Unlock()
		h.sim.Faults().SetRetryAfter(r)
		h.sim.Faults().SetRateLimit(1)
		var got []string
		for range 4 {
			a := h.do(http.MethodGet, "/v2/rule-promotions/"+id, nil)
			got = append(got, fmt.Sprintf("%d:%s", a.status, a.header.Get("Retry-After")))
		}
		if strings.Join(got[1:], " ") != want {
			t.Errorf("%s: refusals %v, want %s", mode, got[1:], want)
		}
	}
	if _, err := ParseRetryAfter("sometimes"); err == nil {
		t.Error("an unknown mode is accepted")
	}
}

func TestRequestCount(t *testing.T) {
	t.Parallel()
	h := newHarness(t, Options{})
	a := h.createPromotion(ruleAPI, false)
	b := h.createPromotion(ruleAPI, false)
	h.do(http.MethodGet, jobsPath(ruleAPI, a), nil)
	h.do(http.MethodGet, jobsPath(ruleAPI, a), nil)
	h.do(http.MethodGet, jobsPath(ruleAPI, b), nil)
	h.do(http.MethodPost, jobsPath(ruleAPI, b), jobBody(jobExport, "", nil))
	for _, c := range []struct {
		method, pattern string
		want            int
	}{
		{"GET", "/v2/rule-promotions/*/jobs", 3},
		{"POST", "/v2/rule-promotions/*/jobs", 1},
		{"", "/v2/rule-promotions/*/jobs", 4},
		{"GET", jobsPath(ruleAPI, a), 2},
		{"POST", "/v2/rule-promotions", 2},
		{"POST", "/oauth/access_token", 1},
		{"", "/v2/rule-promotions/*", 0},
		{"", "", 7},
	} {
		if got := h.sim.RequestCount(c.method, c.pattern); got != c.want {
			t.Errorf("RequestCount(%q, %q) = %d, want %d", c.method, c.pattern, got, c.want)
		}
	}
}

func TestPathPatterns(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		pattern, path string
		want          bool
	}{
		{"", "/anything/at/all", true},
		{"/v2/promotions/*/jobs", "/v2/promotions/abc/jobs", true},
		{"/v2/promotions/*/jobs", "/v2/promotions/abc/jobs/x/cancel", false},
		{"/v2/promotions/*/jobs", "/v2/rule-promotions/abc/jobs", false},
		{"/v2/promotions/*/jobs", "/v2/promotions//jobs", false},
		{"/v2/*/*/jobs/*/cancel", "/v2/rule-promotions/p/jobs/j/cancel", true},
	} {
		if got := pathMatches(c.pattern, c.path); got != c.want {
			t.Errorf("pathMatches(%q, %q) = %v", c.pattern, c.path, got)
		}
	}
}

func TestReset(t *testing.T) {
	t.Parallel()
	h := newHarness(t, Options{})
	id := h.createPromotion(standardAPI, false)
	h.sim.Faults().Add(Fault{Path: "/nowhere", Kind: FaultStatus, Status: 500})
	h.sim.Faults().SetRateLimit(1000)
	h.sim.Reset()
	if h.sim.RequestCount("", "") != 0 {
		t.Error("counts survived Reset")
	}
	wantError(t, h.do(http.MethodGet, "/v2/promotions/"+id, nil), 404, false, "Not Found", "")
	if r := h.do(http.MethodGet, "/nowhere", nil); r.status != http.StatusNotFound || r.firstError()["status"] != float64(404) {
		t.Errorf("fault survived Reset: %d", r.status)
	}
}

func isConnDrop(err error) bool {
	return errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) ||
		strings.Contains(err.Error(), "connection reset") || strings.Contains(err.Error(), "EOF")
}

func equalInts(a, b []int) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

package epcc

import (
	"errors"
	"fmt"
	"net/http"
	"strings"
	"testing"
)

func TestAPIErrorDecoding(t *testing.T) {
	tests := []struct {
		name       string
		status     int
		body       string
		wantStatus int
		wantMsg    string
	}{
		{"number", 400, `{"errors":[{"status":400,"source":"data.parameters.number_of_codes","title":"Too many promotion codes","detail":"Only 1000 promotion codes are allowed per promotion"}]}`,
			400, "GET /v2/x: 400 Too many promotion codes: Only 1000 promotion codes are allowed per promotion (source: data.parameters.number_of_codes)"},
		{"string", 422, `{"errors":[{"status":"422","title":"No codes allowed","detail":"Cannot add codes to an automatic promotion"}]}`,
			422, "GET /v2/x: 422 No codes allowed: Cannot add codes to an automatic promotion"},
		{"request id", 500, `{"errors":[{"status":"500","title":"Internal Server Error","detail":"there was a problem processing your request","request_id":"req-42"}]}`,
			500, "(request id: req-42)"},
		{"bad status", 409, `{"errors":[{"status":"conflict","title":"Conflict"}]}`, 409, "409 Conflict"},
		{"object source", 400, `{"errors":[{"status":400,"title":"Bad","source":{"pointer":"/data/name"}}]}`, 400, "(source: /data/name)"},
		{"two errors", 400, `{"errors":[{"status":400,"title":"A"},{"status":400,"title":"B","detail":"b"}]}`, 400, "400 A; B: b"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newAPIError("GET", "/v2/x", tt.status, []byte(tt.body))
			if len(e.Errors) == 0 || e.Errors[0].Status != tt.wantStatus {
				t.Fatalf("errors = %+v", e.Errors)
			}
			if !strings.Contains(e.Error(), tt.wantMsg) {
				t.Errorf("Error() = %q, want %q in it", e.Error(), tt.wantMsg)
			}
			if e.Body != "" {
				t.Errorf("Body kept for EP JSON: %q", e.Body)
			}
		})
	}
}

func TestAPIErrorHTMLBody(t *testing.T) {
	html := `<!DOCTYPE html><html><head><title>502 Bad Gateway</title><style>body{color:red}</style></head><body><h1>Bad Gateway</h1><p>The proxy server received an invalid response &amp; gave up.</p></body></html>`
	srv := newTestServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		w.WriteHeader(403)
		_, _ = fmt.Fprint(w, html)
	}))
	c := newTestClient(t, srv.URL)
	_, err := c.ListJobs(testCtx(t), testRef, JobFilter{})
	var apiErr *APIError
	if !errors.As(err, &apiErr) {
		t.Fatalf("err = %v", err)
	}
	if apiErr.StatusCode != 403 || len(apiErr.Errors) != 0 || !strings.Contains(apiErr.Body, "<h1>") {
		t.Errorf("apiErr = %+v", apiErr)
	}
	msg := err.Error()
	if !strings.Contains(msg, "403 Forbidden") || !strings.Contains(msg, "Bad Gateway") || strings.Contains(msg, "<") || strings.Contains(msg, "color:red") {
		t.Errorf("message %q", msg)
	}
	if !strings.Contains(msg, "invalid response & gave up") {
		t.Errorf("entities not decoded: %q", msg)
	}
	long := newAPIError("GET", "/x", 502, []byte(strings.Repeat("word ", 2000)))
	if len(long.Error()) > 400 {
		t.Errorf("snippet too long: %d", len(long.Error()))
	}
	empty := newAPIError("GET", "/x", 502, nil)
	if empty.Error() != "GET /x: 502 Bad Gateway" {
		t.Errorf("empty body: %q", empty.Error())
	}
}

func TestMalformed2xxRead(t *testing.T) {
	srv := newTestServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, 200, `{"data":[{"id":`)
	}))
	c := newTestClient(t, srv.URL)
	_, err := c.ListJobs(testCtx(t), testRef, JobFilter{})
	if err == nil || !strings.Contains(err.Error(), "not the expected JSON") {
		t.Errorf("err = %v", err)
	}
	var unknown *OutcomeUnknownError
	if errors.As(err, &unknown) {
		t.Error("a read is never outcome-unknown")
	}
}

func TestErrorPredicates(t *testing.T) {
	tooMany := newAPIError("POST", "/p", 400, []byte(`{"errors":[{"status":"400","title":"Too many jobs","detail":"Only 1 pending or processing job is allowed per promotion."}]}`))
	if !IsTooManyJobs(tooMany) || !IsTooManyJobs(fmt.Errorf("wrapped: %w", tooMany)) {
		t.Error("Too many jobs not recognised")
	}
	byDetail := newAPIError("POST", "/p", 400, []byte(`{"errors":[{"status":400,"title":"Bad Request","detail":"Only 1 pending or processing job is allowed per promotion."}]}`))
	if !IsTooManyJobs(byDetail) {
		t.Error("Too many jobs by detail not recognised")
	}
	other := newAPIError("POST", "/p", 400, []byte(`{"errors":[{"status":400,"title":"Too many promotion codes"}]}`))
	if IsTooManyJobs(other) || IsTooManyJobs(errors.New("Too many jobs")) {
		t.Error("false positive")
	}
	nf := newAPIError("GET", "/p", 404, nil)
	if !IsNotFound(nf) || !IsNotFound(&JobNotFoundError{Promotion: testRef, ID: "j"}) || IsNotFound(other) {
		t.Error("IsNotFound")
	}
	if !tooMany.HasTitle("too many JOBS") || tooMany.HasTitle("Too many") {
		t.Error("HasTitle")
	}

	job := Job{ID: "j1", Promotion: testRef, Status: StatusFailed, Error: "codes limit exceeded"}
	if got := (&JobFailedError{Job: job}).Error(); got != "promotion job j1 on rule-promotions/promo-1 failed: codes limit exceeded" {
		t.Errorf("JobFailedError = %q", got)
	}
	if got := (&JobCancelledError{Job: job}).Error(); !strings.Contains(got, "cancelled") {
		t.Errorf("JobCancelledError = %q", got)
	}
	if got := (&JobNotFoundError{Promotion: testRef, ID: "j1"}).Error(); got != "promotion job j1 not found on rule-promotions/promo-1" {
		t.Errorf("JobNotFoundError = %q", got)
	}
	inner := errors.New("EOF")
	u := &OutcomeUnknownError{Method: "POST", Path: "/v2/x/jobs", Err: inner}
	if !errors.Is(u, inner) || !strings.Contains(u.Error(), "POST /v2/x/jobs") {
		t.Errorf("OutcomeUnknownError = %q", u)
	}
}

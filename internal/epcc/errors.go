package epcc

import (
	"encoding/json"
	"errors"
	"fmt"
	"html"
	"net/http"
	"regexp"
	"strconv"
	"strings"
)

// ErrThrottled marks a request that the store kept refusing with 429 (too many requests) until its context
// ended: the store did not take it, and other pipelines probably share its rate limit.
var ErrThrottled = errors.New("the store kept answering 429 (too many requests)")

// ErrorDetail is one entry of an Elastic Path `errors` array.
type ErrorDetail struct {
	Status    int
	Title     string
	Detail    string
	Source    string
	RequestID string
}

// APIError is a non-2xx answer from the API.
type APIError struct {
	Method     string
	Path       string
	StatusCode int
	Errors     []ErrorDetail
	// Body is the trimmed raw body when it was not Elastic Path error JSON
	// (an HTML page from a proxy, for example).
	Body string
}

func (e *APIError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s %s: %d", e.Method, e.Path, e.StatusCode)
	if len(e.Errors) == 0 {
		if text := http.StatusText(e.StatusCode); text != "" {
			b.WriteString(" " + text)
		}
		if snip := bodySnippet(e.Body, 200); snip != "" {
			b.WriteString(": " + snip)
		}
		return b.String()
	}
	for i, d := range e.Errors {
		if i > 0 {
			b.WriteString(";")
		}
		title := d.Title
		if title == "" {
			title = http.StatusText(e.StatusCode)
		}
		b.WriteString(" " + title)
		if d.Detail != "" && d.Detail != title {
			b.WriteString(": " + d.Detail)
		}
		if d.Source != "" {
			b.WriteString(" (source: " + d.Source + ")")
		}
		if d.RequestID != "" {
			b.WriteString(" (request id: " + d.RequestID + ")")
		}
	}
	return b.String()
}

// HasTitle reports whether any error entry carries title (case-insensitive).
func (e *APIError) HasTitle(title string) bool {
	for _, d := range e.Errors {
		if strings.EqualFold(strings.TrimSpace(d.Title), title) {
			return true
		}
	}
	return false
}

// IsNotFound reports a 404 from the API or a job missing from its promotion.
func IsNotFound(err error) bool {
	var apiErr *APIError
	if errors.As(err, &apiErr) && apiErr.StatusCode == http.StatusNotFound {
		return true
	}
	var jnf *JobNotFoundError
	return errors.As(err, &jnf)
}

// IsPromotionGone reports the 404 that the promotion's own job or code listing answers when the promotion
// does not exist. No other 404 (a token endpoint behind a wrong base URL, a proxy) says that a promotion is
// gone.
func IsPromotionGone(err error, ref PromotionRef) bool {
	var apiErr *APIError
	return errors.As(err, &apiErr) && apiErr.StatusCode == http.StatusNotFound && apiErr.Method == http.MethodGet &&
		(apiErr.Path == ref.jobsPath() || apiErr.Path == ref.path()+"/codes")
}

// IsNotCancellable reports the 422 a cancel gets when the job is no longer pending or processing.
func IsNotCancellable(err error) bool {
	var apiErr *APIError
	return errors.As(err, &apiErr) && apiErr.StatusCode == http.StatusUnprocessableEntity
}

// IsTooManyJobs reports the 400 "Too many jobs" answer: another job is
// pending or processing on the promotion.
func IsTooManyJobs(err error) bool {
	var apiErr *APIError
	if !errors.As(err, &apiErr) || apiErr.StatusCode != http.StatusBadRequest {
		return false
	}
	if apiErr.HasTitle("Too many jobs") {
		return true
	}
	for _, d := range apiErr.Errors {
		if strings.Contains(strings.ToLower(d.Detail), "pending or processing job") {
			return true
		}
	}
	return false
}

// OutcomeUnknownError means a job-creating request may or may not have been
// processed: it was sent, but no clean answer came back.
type OutcomeUnknownError struct {
	Method string
	Path   string
	Err    error
	// Accepted: the API answered 2xx, so the request was taken and the job exists; only its answer was
	// unreadable. Such a request is never sent again.
	Accepted bool
}

func (e *OutcomeUnknownError) Error() string {
	return fmt.Sprintf("%s %s: outcome unknown, the request may have been processed: %v", e.Method, e.Path, e.Err)
}

func (e *OutcomeUnknownError) Unwrap() error { return e.Err }

// JobNotFoundError means the promotion's job list does not hold the job.
type JobNotFoundError struct {
	Promotion PromotionRef
	ID        string
}

func (e *JobNotFoundError) Error() string {
	return fmt.Sprintf("promotion job %s not found on %s", e.ID, e.Promotion)
}

// JobFailedError is returned by WaitJob when the job ended `failed`.
type JobFailedError struct{ Job Job }

func (e *JobFailedError) Error() string {
	msg := e.Job.Error
	if msg == "" {
		msg = "no error message given"
	}
	return fmt.Sprintf("promotion job %s on %s failed: %s", e.Job.ID, e.Job.Promotion, msg)
}

// JobCancelledError is returned by WaitJob when the job ended `cancelled`.
type JobCancelledError struct{ Job Job }

func (e *JobCancelledError) Error() string {
	s := fmt.Sprintf("promotion job %s on %s was cancelled", e.Job.ID, e.Job.Promotion)
	if e.Job.Error != "" {
		s += ": " + e.Job.Error
	}
	return s
}

// errorBody is the wire shape of an error answer.
type errorBody struct {
	Errors []struct {
		Status    json.RawMessage `json:"status"`
		Title     string          `json:"title"`
		Detail    string          `json:"detail"`
		Source    json.RawMessage `json:"source"`
		RequestID string          `json:"request_id"`
	} `json:"errors"`
}

// newAPIError decodes body when it is EP error JSON and keeps a trimmed copy
// of it otherwise.
func newAPIError(method, path string, status int, body []byte) *APIError {
	e := &APIError{Method: method, Path: path, StatusCode: status}
	var eb errorBody
	if err := json.Unmarshal(body, &eb); err == nil && len(eb.Errors) > 0 {
		for _, raw := range eb.Errors {
			d := ErrorDetail{
				Status:    flexStatus(raw.Status, status),
				Title:     strings.TrimSpace(raw.Title),
				Detail:    strings.TrimSpace(raw.Detail),
				Source:    flexText(raw.Source, "pointer", "parameter", "field"),
				RequestID: raw.RequestID,
			}
			e.Errors = append(e.Errors, d)
		}
		return e
	}
	e.Body = strings.TrimSpace(string(body))
	if len(e.Body) > 2048 {
		e.Body = e.Body[:2048]
	}
	return e
}

// flexStatus accepts 400 or "400"; anything else falls back to the HTTP status.
func flexStatus(raw json.RawMessage, fallback int) int {
	var n int
	if err := json.Unmarshal(raw, &n); err == nil {
		return n
	}
	var s string
	if err := json.Unmarshal(raw, &s); err == nil {
		if n, err := strconv.Atoi(strings.TrimSpace(s)); err == nil {
			return n
		}
	}
	return fallback
}

// flexText renders a JSON value as text: a string as is; an object by the first of keys it holds as a
// string (a JSON:API style {"pointer": ...} source, or an {"message": ...} error); anything else raw.
func flexText(raw json.RawMessage, keys ...string) string {
	if len(raw) == 0 || string(raw) == "null" {
		return ""
	}
	var s string
	if err := json.Unmarshal(raw, &s); err == nil {
		return s
	}
	var obj map[string]any
	if err := json.Unmarshal(raw, &obj); err == nil {
		for _, k := range keys {
			if v, ok := obj[k].(string); ok && v != "" {
				return v
			}
		}
	}
	return string(raw)
}

var (
	tagRE   = regexp.MustCompile(`(?s)<(script|style)[^>]*>.*?</(script|style)>|<[^>]*>`)
	spaceRE = regexp.MustCompile(`\s+`)
)

// bodySnippet turns a body (often an HTML error page) into one short line.
func bodySnippet(body string, limit int) string {
	s := body
	if strings.Contains(s, "<") {
		s = html.UnescapeString(tagRE.ReplaceAllString(s, " "))
	}
	s = strings.TrimSpace(spaceRE.ReplaceAllString(s, " "))
	if r := []rune(s); len(r) > limit {
		s = string(r[:limit]) + "…"
	}
	return s
}

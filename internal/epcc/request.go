package epcc

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"reflect"
	"strings"

	"github.com/hashicorp/go-retryablehttp"
	"github.com/hashicorp/terraform-plugin-log/tflog"
	"golang.org/x/sync/singleflight"
)

// maxBodySize bounds what is read from one answer.
const maxBodySize = 32 << 20

// apiCall describes one logical request; do turns it into attempts.
type apiCall struct {
	method   string
	path     string // already escaped, starting with "/"
	rawQuery string
	jsonBody any        // sent as JSON when non-nil
	form     url.Values // sent form-encoded when non-nil (token request)
	policy   retryPolicy
	noAuth   bool // the token request itself
	out      any  // decoded from a 2xx JSON answer when non-nil
	// maskAnswer, when set, renders the answer body for TRACE logs.
	maskAnswer func([]byte) string
}

func (a apiCall) isTokenCall() bool { return a.form != nil }

// do sends call with retries, the bearer token (refreshed once on a 401), and
// turns the answer into a decoded value or an error. It returns the final
// status and body.
func (c *Client) do(ctx context.Context, call apiCall) (int, []byte, error) {
	var body []byte
	contentType := ""
	switch {
	case call.form != nil:
		body = []byte(call.form.Encode())
		contentType = "application/x-www-form-urlencoded"
	case call.jsonBody != nil:
		b, err := json.Marshal(call.jsonBody)
		if err != nil {
			return 0, nil, fmt.Errorf("%s %s: encoding request: %w", call.method, call.path, err)
		}
		body = b
		contentType = "application/json"
	}
	ctx = c.withMasks(ctx)
	if body != nil && tflog.IsTrace(ctx) {
		logged := string(body)
		if call.isTokenCall() {
			logged = maskForm(call.form)
		}
		tflog.Trace(ctx, "Elastic Path request body", map[string]any{
			"method": call.method, "path": call.path, "body": truncateForLog(logged),
		})
	}

	refreshed := false
	for {
		token := ""
		if !call.noAuth {
			t, err := c.accessToken(ctx)
			if err != nil {
				return 0, nil, err
			}
			token = t
		}
		status, respBody, err := c.send(ctx, call, body, contentType, token)
		if err != nil {
			return status, respBody, err
		}
		if status == http.StatusUnauthorized && !call.noAuth && !refreshed {
			// A 401 means the request was not processed: safe to send again,
			// job creation included, with a fresh token.
			refreshed = true
			c.invalidateToken(token)
			tflog.Debug(ctx, "Elastic Path answered 401, refreshing the access token and retrying once", map[string]any{
				"method": call.method, "path": call.path,
			})
			continue
		}
		if status >= 200 && status < 300 {
			return status, respBody, nil // call.out was filled by send, inside the retry loop
		}
		apiErr := newAPIError(call.method, call.path, status, respBody)
		if call.policy == policyCreate && status >= 500 {
			return status, respBody, &OutcomeUnknownError{Method: call.method, Path: call.path, Err: apiErr}
		}
		return status, respBody, apiErr
	}
}

// complete is implemented by answer types that can tell an answer holding what the client needs from a
// malformed one (valid JSON of the wrong shape: a null list, a job without an id, a token answer without a
// token).
type complete interface {
	complete() error
}

// decodeAnswer fills out from a 2xx body, or says what is wrong with the body.
func decodeAnswer(body []byte, out any) error {
	if len(bytes.TrimSpace(body)) == 0 {
		return errors.New("the body is empty")
	}
	// Start from the zero value: an earlier malformed attempt must leave nothing behind.
	v := reflect.ValueOf(out).Elem()
	v.Set(reflect.Zero(v.Type()))
	if err := json.Unmarshal(body, out); err != nil {
		return fmt.Errorf("the body is not the expected JSON: %v", err)
	}
	if c, ok := out.(complete); ok {
		return c.complete()
	}
	return nil
}

// MalformedAnswerError is a 2xx answer whose body is not what the request needs. Reads retry it like a 5xx;
// for a job-creating request it leaves the outcome unknown.
type MalformedAnswerError struct {
	Method, Path string
	StatusCode   int
	Problem      error
	Excerpt      string // masked like the TRACE log: never a token or a URL signature
	Attempts     int
}

func (e *MalformedAnswerError) Error() string {
	s := fmt.Sprintf("%s %s: the %d answer is malformed: %v", e.Method, e.Path, e.StatusCode, e.Problem)
	if e.Excerpt != "" {
		s += fmt.Sprintf(" (answer: %q)", e.Excerpt)
	}
	if e.Attempts > 1 {
		s += fmt.Sprintf(" (after %d attempts)", e.Attempts)
	}
	return s
}

// send performs the attempts of one request with one token.
func (c *Client) send(ctx context.Context, call apiCall, body []byte, contentType, token string) (int, []byte, error) {
	st := &reqState{policy: call.policy, method: call.method, path: call.path,
		maxFailures: c.cfg.MaxRetries, throttleTimeout: c.cfg.ThrottleTimeout}
	rctx := withReqState(ctx, st)
	target := c.baseURL + call.path
	if call.rawQuery != "" {
		target += "?" + call.rawQuery
	}
	var reqBody any
	if body != nil {
		reqBody = body
	}
	req, err := retryablehttp.NewRequestWithContext(rctx, call.method, target, reqBody)
	if err != nil {
		return 0, nil, fmt.Errorf("%s %s: building request: %w", call.method, call.path, err)
	}
	req.Header.Set("Accept", "application/json")
	req.Header.Set("User-Agent", c.userAgent)
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	if c.cfg.BetaFeatures != "" {
		req.Header.Set("EP-Beta-Features", c.cfg.BetaFeatures)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	// Read the body inside the retry loop so that an answer cut short can be
	// retried like any other transport failure (when the policy allows it).
	// A 2xx body is decoded here too, so that a malformed answer is retried like a 5xx, in this one place for
	// every endpoint (checkRetry decides by policy: never for a job-creating request).
	var got []byte
	req.SetResponseHandler(func(resp *http.Response) error {
		b, err := readAll(resp.Body)
		_ = resp.Body.Close()
		if err != nil {
			return err
		}
		resp.Body = io.NopCloser(bytes.NewReader(b))
		if call.out != nil && resp.StatusCode >= 200 && resp.StatusCode <= 299 {
			if problem := decodeAnswer(b, call.out); problem != nil {
				// got stays unset: a later attempt's answer, not this one, is what the caller sees.
				return &MalformedAnswerError{Method: call.method, Path: call.path, StatusCode: resp.StatusCode,
					Problem: problem, Excerpt: bodySnippet(maskedAnswer(call, b), 120)}
			}
		}
		got = b
		return nil
	})

	resp, err := c.http.Do(req)
	if resp != nil && got == nil && err == nil {
		// Retries ran out on a retryable status: the handler did not run.
		got, err = readAll(resp.Body)
	}
	if resp != nil {
		_ = resp.Body.Close()
	}
	var malformed *MalformedAnswerError
	if errors.As(err, &malformed) {
		malformed.Attempts = int(st.attempt.Load())
		if call.policy == policyCreate {
			// A 2xx means the API took the request: the job exists even though its answer is unreadable.
			return malformed.StatusCode, nil, &OutcomeUnknownError{Method: call.method, Path: call.path, Err: malformed, Accepted: true}
		}
		return malformed.StatusCode, got, malformed
	}
	if err != nil {
		return c.transportFailure(ctx, call, st, resp, err)
	}
	if tflog.IsTrace(ctx) {
		tflog.Trace(ctx, "Elastic Path response body", map[string]any{
			"method": call.method, "path": call.path, "status": resp.StatusCode, "body": truncateForLog(maskedAnswer(call, got)),
		})
	}
	return resp.StatusCode, got, nil
}

// maskedAnswer renders an answer body with its secrets masked, for logs and error messages.
func maskedAnswer(call apiCall, body []byte) string {
	switch {
	case call.isTokenCall():
		return maskTokenJSON(body)
	case call.maskAnswer != nil:
		return call.maskAnswer(body)
	}
	return string(body)
}

// transportFailure classifies a request that got no complete answer.
func (c *Client) transportFailure(ctx context.Context, call apiCall, st *reqState, resp *http.Response, err error) (int, []byte, error) {
	status := 0
	if resp != nil {
		status = resp.StatusCode
	}
	if st.throttled.Load() && ctx.Err() != nil {
		err = fmt.Errorf("%w, while %w", err, ErrThrottled)
	}
	if call.policy != policyCreate {
		if ctxErr := ctx.Err(); ctxErr != nil && !errors.Is(err, ctxErr) {
			err = fmt.Errorf("%w (%v)", ctxErr, err)
		}
		if status != 0 {
			return status, nil, fmt.Errorf("%s %s: reading the %d answer: %w", call.method, call.path, status, err)
		}
		return 0, nil, fmt.Errorf("%s %s: %w", call.method, call.path, err)
	}
	// A job-creating POST.
	if status >= 400 && status < 500 {
		// The server rejected it; only the body was lost.
		return status, nil, newAPIError(call.method, call.path, status, nil)
	}
	if status == 0 && (!st.wrote.Load() || isDialError(err)) {
		// Never reached the server (dial/DNS failure, or cancelled first).
		if ctxErr := ctx.Err(); ctxErr != nil && !errors.Is(err, ctxErr) {
			err = fmt.Errorf("%w (%v)", ctxErr, err)
		}
		return 0, nil, fmt.Errorf("%s %s: request not sent: %w", call.method, call.path, err)
	}
	if status != 0 {
		err = fmt.Errorf("reading the %d answer: %w", status, err)
	}
	tflog.Warn(ctx, "Elastic Path job request failed after it may have reached the server", map[string]any{
		"method": call.method, "path": call.path, "error": err.Error(),
	})
	return status, nil, &OutcomeUnknownError{Method: call.method, Path: call.path, Err: err}
}

func readAll(r io.Reader) ([]byte, error) {
	b, err := io.ReadAll(io.LimitReader(r, maxBodySize+1))
	if err != nil {
		return nil, err
	}
	if len(b) > maxBodySize {
		return nil, fmt.Errorf("answer larger than %d bytes", maxBodySize)
	}
	return b, nil
}

// escapeQueryValue escapes like a form value but keeps the characters of the
// EP filter syntax readable: eq(job_type,code_export):eq(status,completed).
func escapeQueryValue(v string) string {
	r := strings.NewReplacer("%28", "(", "%29", ")", "%2C", ",", "%3A", ":")
	return r.Replace(url.QueryEscape(v))
}

// leaderGone marks a shared call that failed because the caller running it
// went away, not because of the API.
type leaderGone struct{ err error }

func (e *leaderGone) Error() string { return e.err.Error() }
func (e *leaderGone) Unwrap() error { return e.err }

// shared runs fn once for all concurrent callers of key. Each caller still
// honours its own context: a waiter whose context ends returns at once, and a
// waiter whose leader gave up runs the work again. The value is shared: treat
// it as read-only.
func shared(ctx context.Context, g *singleflight.Group, key string, fn func(context.Context) (any, error)) (any, error) {
	for {
		ch := g.DoChan(key, func() (any, error) {
			v, err := fn(ctx)
			if err != nil && ctx.Err() != nil {
				return nil, &leaderGone{err}
			}
			return v, err
		})
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case r := <-ch:
			var gone *leaderGone
			if errors.As(r.Err, &gone) {
				if ctx.Err() != nil {
					return nil, gone.err
				}
				continue
			}
			return r.Val, r.Err
		}
	}
}

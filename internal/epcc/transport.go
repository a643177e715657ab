package epcc

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"math"
	"math/rand/v2"
	"net"
	"net/http"
	"net/http/httptrace"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/hashicorp/go-retryablehttp"
	"github.com/hashicorp/terraform-plugin-log/tflog"
)

// retryPolicy says which failures may be retried for one request.
type retryPolicy int

const (
	// policyIdempotent: reads, cancels, the token, promotion delete.
	// Retried on 429, 5xx except 501, and connection errors.
	policyIdempotent retryPolicy = iota
	// policyCreate: a POST that creates a job or a promotion; sent twice, it
	// makes two. Retried only when the request provably never reached the
	// server, or on 429.
	policyCreate
)

// reqState travels in the request context so that the transport, CheckRetry
// and Backoff (which see no request of their own) know what they deal with.
type reqState struct {
	policy  retryPolicy
	method  string
	path    string
	attempt atomic.Int32
	// failures counts the retried 5xx, connection errors and malformed answers: at most maxFailures are.
	// 429s are not counted: they are retried until the context's deadline, or for throttleTimeout from the
	// first one when the context has none.
	failures        atomic.Int32
	maxFailures     int
	throttleTimeout time.Duration
	throttledSince  atomic.Int64 // unix nanoseconds of the first 429 without a deadline; 0 before it
	throttled       atomic.Bool  // some attempt was answered 429
	// wrote is set once the request headers of the current attempt were
	// written to the connection: from then on the server may have it.
	wrote atomic.Bool
}

type reqStateKey struct{}

func withReqState(ctx context.Context, st *reqState) context.Context {
	return context.WithValue(ctx, reqStateKey{}, st)
}

func reqStateFrom(ctx context.Context) *reqState {
	st, _ := ctx.Value(reqStateKey{}).(*reqState)
	return st
}

// attemptTransport wraps the base transport: it rate-limits every attempt, slows the process down when the
// store answers 429, records whether the request was written, and logs each attempt.
type attemptTransport struct {
	base   http.RoundTripper
	limits *budgets
}

func (t *attemptTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	ctx := req.Context()
	if err := waitTurn(ctx, t.limits.requests); err != nil {
		return nil, err
	}
	st := reqStateFrom(ctx)
	if st != nil {
		st.attempt.Add(1)
		st.wrote.Store(false)
		trace := &httptrace.ClientTrace{WroteHeaders: func() { st.wrote.Store(true) }}
		req = req.WithContext(httptrace.WithClientTrace(ctx, trace))
	}
	start := time.Now()
	resp, err := t.base.RoundTrip(req)
	fields := map[string]any{
		"method":      req.Method,
		"path":        req.URL.Path,
		"duration_ms": time.Since(start).Milliseconds(),
	}
	if st != nil {
		fields["attempt"] = int(st.attempt.Load())
	}
	if err != nil {
		fields["error"] = err.Error()
		tflog.Debug(ctx, "Elastic Path request failed", fields)
	} else {
		fields["status"] = resp.StatusCode
		tflog.Debug(ctx, "Elastic Path request", fields)
	}
	t.limits.requests.done(ctx, err == nil && resp.StatusCode == http.StatusTooManyRequests)
	return resp, err
}

func (c *Client) newRetryClient() *retryablehttp.Client {
	var base http.RoundTripper
	hc := &http.Client{
		// The API does not redirect. Following one would turn a job POST
		// into a GET (302/303) or send the token to another place: hand
		// the 3xx back as an error instead.
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
	if c.cfg.HTTPClient != nil {
		base = c.cfg.HTTPClient.Transport
		hc.Jar = c.cfg.HTTPClient.Jar
	}
	if base == nil {
		base = http.DefaultTransport
		if dt, ok := base.(*http.Transport); ok {
			base = dt.Clone() // our own pool, not one shared with the rest of the process
		}
	}
	hc.Transport = &attemptTransport{base: base, limits: c.limits}
	// http.Client.Timeout covers one Do call, i.e. one attempt, body included.
	hc.Timeout = c.cfg.RequestTimeout
	return &retryablehttp.Client{
		HTTPClient:   hc,
		Logger:       nil, // attempts are logged by attemptTransport through tflog
		RetryWaitMin: c.cfg.RetryWaitMin,
		RetryWaitMax: c.cfg.RetryWaitMax,
		// checkRetry keeps the budgets: MaxRetries for failures, none for 429s (see reqState).
		RetryMax:   math.MaxInt32,
		CheckRetry: checkRetry,
		Backoff:    backoff,
		// Hand back the last response or error as is: we turn it into an
		// APIError or an OutcomeUnknownError ourselves.
		ErrorHandler: retryablehttp.PassthroughErrorHandler,
	}
}

// checkRetry decides whether an attempt may be repeated.
func checkRetry(ctx context.Context, resp *http.Response, err error) (bool, error) {
	if ctx.Err() != nil {
		// No retry, and no error of ours: retryablehttp then hands back the attempt's own result, whose
		// context error do() reports.
		return false, nil //nolint:nilerr // the context's error is the attempt's, reported by the caller
	}
	policy := policyIdempotent
	st := reqStateFrom(ctx)
	if st != nil {
		policy = st.policy
	}
	if resp != nil && err == nil && resp.StatusCode == http.StatusTooManyRequests {
		// The store asks to slow down: the request was not taken, a job POST included, so it is sent again
		// for as long as the operation has time (the rate limiter has already slowed the process). A refused
		// attempt is as good as one never sent: if the deadline ends the wait before the next attempt, the
		// outcome is known, not ambiguous.
		if st != nil {
			st.wrote.Store(false)
			st.throttled.Store(true)
		}
		return stillThrottling(ctx, st), nil
	}
	retry := false
	if policy == policyCreate && resp != nil {
		// The server answered a job-creating request: only a 429 says it was not taken. Anything else (a
		// malformed 2xx included) is never resent, whatever the transport reported about writing it.
		retry = err == nil && resp.StatusCode == http.StatusTooManyRequests
	} else if err != nil {
		if policy == policyCreate {
			retry = neverSent(err, st)
		} else {
			retry = retryableTransportError(err)
		}
	} else {
		code := resp.StatusCode
		switch {
		case code == http.StatusTooManyRequests:
			retry = true
		case policy == policyCreate:
			retry = false
		case code == http.StatusNotImplemented:
			retry = false
		case code >= 500:
			retry = true
		}
	}
	if retry && st != nil && int(st.failures.Add(1)) > st.maxFailures {
		retry = false
	}
	if retry && st != nil {
		fields := map[string]any{"method": st.method, "path": st.path, "attempt": int(st.attempt.Load())}
		if err != nil {
			fields["error"] = err.Error()
		} else {
			fields["status"] = resp.StatusCode
		}
		tflog.Debug(ctx, "Elastic Path request will be retried", fields)
	}
	return retry, nil
}

// stillThrottling tells whether a request answered 429 may be sent again: while its context lasts, or, when
// the context has no deadline, for throttleTimeout from the first 429.
func stillThrottling(ctx context.Context, st *reqState) bool {
	if _, ok := ctx.Deadline(); ok || st == nil {
		return true
	}
	now := time.Now().UnixNano()
	st.throttledSince.CompareAndSwap(0, now)
	return time.Duration(now-st.throttledSince.Load()) < st.throttleTimeout
}

// neverSent reports whether a failed attempt provably did not reach the
// server: a dial or DNS failure, or no request header written at all.
func neverSent(err error, st *reqState) bool {
	if isDialError(err) {
		return true
	}
	if st != nil && !st.wrote.Load() {
		// Nothing was written on any connection for this attempt (headers
		// are a few hundred bytes, far below the write buffer), so the
		// server cannot have seen it. TLS verification failures are not
		// worth retrying.
		return retryableTransportError(err)
	}
	return false
}

func isDialError(err error) bool {
	var dnsErr *net.DNSError
	if errors.As(err, &dnsErr) {
		return true
	}
	var opErr *net.OpError
	if errors.As(err, &opErr) && opErr.Op == "dial" {
		return true
	}
	return false
}

// retryableTransportError is false for failures a retry cannot fix.
func retryableTransportError(err error) bool {
	var certErr *tls.CertificateVerificationError
	var unknownAuth x509.UnknownAuthorityError
	var hostErr x509.HostnameError
	var invalid x509.CertificateInvalidError
	switch {
	case errors.As(err, &certErr), errors.As(err, &unknownAuth), errors.As(err, &hostErr), errors.As(err, &invalid):
		return false
	case strings.Contains(err.Error(), "unsupported protocol scheme"):
		return false
	}
	return true
}

// backoff waits exponentially longer with jitter, or as long as Retry-After
// asks (capped by max). A 429 without Retry-After waits at most throttleWaitMax: the rate limiter already
// spaces the process's requests, and a long pause would only leave the store's capacity unused.
func backoff(minWait, maxWait time.Duration, attempt int, resp *http.Response) time.Duration {
	if resp != nil {
		if d, ok := parseRetryAfter(resp.Header.Get("Retry-After"), time.Now()); ok {
			if d > maxWait {
				d = maxWait
			}
			if d < 0 {
				d = 0
			}
			return d
		}
		if resp.StatusCode == http.StatusTooManyRequests {
			maxWait = max(minWait, min(maxWait, throttleWaitMax))
		}
	}
	return expBackoff(minWait, maxWait, attempt)
}

// throttleWaitMax bounds the wait before resending a request answered 429 without Retry-After.
const throttleWaitMax = 4 * time.Second

func expBackoff(minWait, maxWait time.Duration, attempt int) time.Duration {
	if attempt > 30 {
		attempt = 30
	}
	d := minWait << uint(attempt)
	if d <= 0 || d > maxWait {
		d = maxWait
	}
	// Full jitter over the upper half keeps clients apart without ever
	// waiting less than half the step (and never less than minWait).
	half := d / 2
	if half > 0 {
		d = half + time.Duration(rand.Int64N(int64(half)+1))
	}
	if d < minWait {
		d = minWait
	}
	return d
}

// parseRetryAfter reads delta-seconds or an HTTP date.
func parseRetryAfter(v string, now time.Time) (time.Duration, bool) {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0, false
	}
	if secs, err := strconv.ParseFloat(v, 64); err == nil {
		if !(secs >= 0 && secs < 1e9) { // also rejects NaN
			return 0, false
		}
		return time.Duration(secs * float64(time.Second)), true
	}
	if t, err := http.ParseTime(v); err == nil {
		return t.Sub(now), true
	}
	return 0, false
}

package epccsim

import (
	"bytes"
	"fmt"
	"io"
	"math"
	"net"
	"net/http"
	"strconv"
	"sync"
	"time"
)

// FaultKind selects how an injected fault disturbs a request.
type FaultKind int

const (
	// FaultStatus answers Status with an Elastic Path error body instead of
	// handling the request.
	FaultStatus FaultKind = iota
	// FaultDelay waits Delay (real time, cut short if the client gives up),
	// then handles the request normally.
	FaultDelay
	// FaultReset drops the connection without answering.
	FaultReset
	// FaultMalformed answers Status (default 200) with a body that is not
	// JSON, as a misbehaving proxy would.
	FaultMalformed
	// FaultCommitThenStatus handles the request for real, so its side effects
	// happen, then answers Status (default 502) with a proxy error page.
	FaultCommitThenStatus
	// FaultCommitThenReset handles the request for real, then drops the
	// connection without answering.
	FaultCommitThenReset
	// FaultBody answers Status (default 200) with Body as JSON, unhandled:
	// an answer that is well-formed JSON but wrong, such as an empty job list.
	FaultBody
)

// Fault describes one injected failure.
type Fault struct {
	Method     string // "" matches any method
	Path       string // "" matches any path; "*" matches one segment
	Kind       FaultKind
	Status     int    // for FaultStatus, FaultCommitThenStatus, FaultMalformed, FaultBody
	Body       string // for FaultBody
	RetryAfter string // optional Retry-After header for FaultStatus
	Delay      time.Duration
	Times      int // how many matching requests it applies to; 0 = until cleared
}

type liveFault struct {
	Fault
	left int // remaining uses when Times > 0
}

// Faults holds the injected faults and the rate limit of a Server.
type Faults struct {
	mu        sync.Mutex
	queue     []*liveFault
	rateLimit int
	recent    []time.Time // accepted requests within the last second
	refusals  int         // requests refused by the rate limit since it was set
	// retryAfter says which refusals carry Retry-After: the live API's behaviour is not documented.
	retryAfter RetryAfter
	// now is the rate limit's clock: real time, not the simulated one, since it counts real requests.
	now func() time.Time
}

func newFaults() *Faults { return &Faults{now: time.Now} }

// Add queues faults. For each request the first live fault that matches it
// applies, so several Adds with Times: 1 script a sequence of answers.
func (f *Faults) Add(faults ...Fault) {
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, ft := range faults {
		f.queue = append(f.queue, &liveFault{Fault: ft, left: ft.Times})
	}
}

// Clear removes every queued fault.
func (f *Faults) Clear() {
	f.mu.Lock()
	f.queue = nil
	f.mu.Unlock()
}

// Pending counts the queued faults not yet used up, so a test can tell that its fault was met.
func (f *Faults) Pending() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return len(f.queue)
}

// RetryAfter says which of the rate limit's refusals carry a Retry-After header (whole seconds until the
// window has room).
type RetryAfter int

const (
	RetryAfterAlternate RetryAfter = iota // every other refusal, the default: real gateways do both
	RetryAfterNever
	RetryAfterAlways
)

// ParseRetryAfter reads "alternate", "never" or "always".
func ParseRetryAfter(s string) (RetryAfter, error) {
	for r, name := range []string{"alternate", "never", "always"} {
		if s == name {
			return RetryAfter(r), nil
		}
	}
	return 0, fmt.Errorf("retry-after %q: want alternate, never or always", s)
}

// SetRetryAfter says which refusals of the rate limit carry Retry-After.
func (f *Faults) SetRetryAfter(r RetryAfter) {
	f.mu.Lock()
	f.retryAfter = r
	f.mu.Unlock()
}

// SetRateLimit answers 429 to requests beyond perSecond in any one-second
// window of real time, as a store's gateway does, with Retry-After as
// SetRetryAfter says. Refused requests are not handled and do
// not count against the window. 0 disables the limit.
func (f *Faults) SetRateLimit(perSecond int) {
	f.mu.Lock()
	f.rateLimit = perSecond
	f.recent = nil
	f.refusals = 0
	f.mu.Unlock()
}

// allow records a request against the rate limit and reports whether it is
// within it. A refusal comes with the Retry-After value to send, or "" for none.
func (f *Faults) allow() (ok bool, retryAfter string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.rateLimit <= 0 {
		return true, ""
	}
	now := f.now()
	cutoff := now.Add(-time.Second)
	i := 0
	for i < len(f.recent) && !f.recent[i].After(cutoff) {
		i++
	}
	f.recent = f.recent[i:]
	if len(f.recent) < f.rateLimit {
		f.recent = append(f.recent, now)
		return true, ""
	}
	f.refusals++
	if f.retryAfter == RetryAfterNever || f.retryAfter == RetryAfterAlternate && f.refusals%2 == 0 {
		return false, ""
	}
	// The oldest request in the window leaves it a second after it came.
	wait := f.recent[0].Add(time.Second).Sub(now)
	return false, strconv.Itoa(int(math.Ceil(wait.Seconds())))
}

// take returns the fault that applies to a request, using up one of its
// Times.
func (f *Faults) take(method, path string) (Fault, bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	for i, lf := range f.queue {
		if !methodMatches(lf.Method, method) || !pathMatches(lf.Path, path) {
			continue
		}
		if lf.Times > 0 {
			lf.left--
			if lf.left <= 0 {
				f.queue = append(f.queue[:i:i], f.queue[i+1:]...)
			}
		}
		return lf.Fault, true
	}
	return Fault{}, false
}

func (s *Server) serveFault(w http.ResponseWriter, r *http.Request, f Fault) {
	switch f.Kind {
	case FaultStatus:
		status := orDefault(f.Status, http.StatusInternalServerError)
		rep := numErr(status, http.StatusText(status), faultDetail(status), "")
		if f.RetryAfter != "" {
			rep.header = http.Header{"Retry-After": {f.RetryAfter}}
		}
		writeReply(w, rep)
	case FaultDelay:
		// net/http only notices a departed client once the request body has
		// been read, so buffer it before waiting.
		body, _ := io.ReadAll(http.MaxBytesReader(nil, r.Body, 1<<20))
		r.Body = io.NopCloser(bytes.NewReader(body))
		t := time.NewTimer(f.Delay)
		defer t.Stop()
		select {
		case <-t.C:
			writeReply(w, s.dispatch(r))
		case <-r.Context().Done():
		}
	case FaultReset:
		resetConnection(w)
	case FaultMalformed:
		writeReply(w, proxyPage(orDefault(f.Status, http.StatusOK)))
	case FaultCommitThenStatus:
		_ = s.dispatch(r)
		writeReply(w, proxyPage(orDefault(f.Status, http.StatusBadGateway)))
	case FaultCommitThenReset:
		_ = s.dispatch(r)
		resetConnection(w)
	case FaultBody:
		writeReply(w, reply{status: orDefault(f.Status, http.StatusOK), raw: []byte(f.Body), contentType: "application/json"})
	default:
		writeReply(w, s.dispatch(r))
	}
}

func faultDetail(status int) string {
	switch {
	case status == http.StatusTooManyRequests:
		return "Rate limit exceeded, please retry later"
	case status >= 500:
		return "there was a problem processing your request"
	}
	return http.StatusText(status)
}

// proxyPage is what a gateway in front of the API sends when it, not the
// API, answers: HTML, not JSON.
func proxyPage(status int) reply {
	text := fmt.Sprintf("%d %s", status, http.StatusText(status))
	body := "<html>\r\n<head><title>" + text + "</title></head>\r\n<body>\r\n<center><h1>" + text +
		"</h1></center>\r\n<hr><center>proxy</center>\r\n</body>\r\n</html>\r\n"
	return reply{status: status, raw: []byte(body), contentType: "text/html"}
}

// resetConnection closes the client connection without a response. On TCP a
// zero linger turns the close into a reset, as a crashed peer would.
func resetConnection(w http.ResponseWriter) {
	conn, _, err := http.NewResponseController(w).Hijack()
	if err != nil {
		// Not hijackable (HTTP/2, recorders): abort the handler instead,
		// which makes net/http drop the stream or connection.
		panic(http.ErrAbortHandler)
	}
	if tc, ok := conn.(*net.TCPConn); ok {
		_ = tc.SetLinger(0)
	}
	_ = conn.Close()
}

func orDefault(v, def int) int {
	if v == 0 {
		return def
	}
	return v
}

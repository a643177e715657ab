// Package epccsim is an in-memory simulator of the parts of the Elastic Path
// Commerce Cloud API that promotion jobs need: OAuth client credentials,
// Promotions Standard and Rule Promotions, their bulk code jobs, the codes
// those jobs create and the signed CSV files that exports produce.
//
// It follows Elastic Path's published specs (vendored in testdata/openapi, corrected by
// the facts in that folder's README) and keeps no types in common with the API client, so
// that a misreading in one is caught by the other.
package epccsim

import (
	"bytes"
	"crypto/rand"
	"encoding/json"
	"net/http"
	"strings"
	"sync"
	"time"
)

// Options configures a Server. Zero values take the documented defaults.
type Options struct {
	ClientID     string // default "epccsim-client-id"
	ClientSecret string // default "epccsim-client-secret"

	TokenLifetime   time.Duration // default 1h of simulator time
	QueueDelay      time.Duration // how long a job stays pending; default 100ms
	CodesPerSecond  float64       // code_generate speed; default 5000
	ExportDuration  time.Duration // how long a code_export processes; default 100ms
	CancelDuration  time.Duration // Rule Promotions: how long a job stays cancelling; default 50ms
	FileURLLifetime time.Duration // signed export URL lifetime; default 15m

	MaxCodesPerPromotion int // default 1000

	Clock Clock // default real time
}

func (o Options) withDefaults() Options {
	if o.ClientID == "" {
		o.ClientID = "epccsim-client-id"
	}
	if o.ClientSecret == "" {
		o.ClientSecret = "epccsim-client-secret"
	}
	if o.TokenLifetime <= 0 {
		o.TokenLifetime = time.Hour
	}
	if o.QueueDelay <= 0 {
		o.QueueDelay = 100 * time.Millisecond
	}
	if o.CodesPerSecond <= 0 {
		o.CodesPerSecond = 5000
	}
	if o.ExportDuration <= 0 {
		o.ExportDuration = 100 * time.Millisecond
	}
	if o.CancelDuration <= 0 {
		o.CancelDuration = 50 * time.Millisecond
	}
	if o.FileURLLifetime <= 0 {
		o.FileURLLifetime = 15 * time.Minute
	}
	if o.MaxCodesPerPromotion <= 0 {
		o.MaxCodesPerPromotion = 1000
	}
	if o.Clock == nil {
		o.Clock = realClock{}
	}
	return o
}

// Server is the simulated API. It implements http.Handler and is safe for
// concurrent use.
type Server struct {
	opts    Options
	routes  []route
	faults  *Faults
	signKey []byte

	mu           sync.Mutex
	tokens       map[string]token
	promotions   map[string]*promotion
	promotionSeq int // promotions created so far
	files        map[string]*exportFile
	counts       map[string]int // "METHOD /path" → requests seen, refused ones included
	refused      map[string]int // "METHOD /path" → requests the rate limit refused
}

// New returns a Server configured by opts.
func New(opts Options) *Server {
	s := &Server{
		opts:    opts.withDefaults(),
		faults:  newFaults(),
		signKey: make([]byte, 32),
	}
	_, _ = rand.Read(s.signKey)
	s.tokens = map[string]token{}
	s.resetState()
	s.routes = s.buildRoutes()
	return s
}

func (s *Server) resetState() {
	s.promotions = map[string]*promotion{}
	s.files = map[string]*exportFile{}
	s.counts = map[string]int{}
	s.refused = map[string]int{}
}

// ClientID is the client_id the token endpoint accepts.
func (s *Server) ClientID() string { return s.opts.ClientID }

// ClientSecret is the client_secret the token endpoint accepts.
func (s *Server) ClientSecret() string { return s.opts.ClientSecret }

// Faults gives access to fault injection.
func (s *Server) Faults() *Faults { return s.faults }

// Reset forgets all promotions, jobs, codes, files and request counts, and
// clears faults and the rate limit. Issued tokens stay valid, so a client
// that is already authenticated can carry on.
func (s *Server) Reset() {
	s.mu.Lock()
	s.resetState()
	s.mu.Unlock()
	s.faults.Clear()
	s.faults.SetRateLimit(0)
}

// RequestCount reports how many requests arrived whose method and path match,
// answered or refused by the rate limit. method "" matches any method;
// pathPattern follows Fault.Path ("*" stands for one path segment, "" for any
// path).
func (s *Server) RequestCount(method, pathPattern string) int {
	t := s.Tally(method, pathPattern)
	return t.Answered + t.Refused
}

// RequestTally splits the requests that arrived: those the API answered
// (injected faults included) and those the rate limit refused with a 429.
type RequestTally struct {
	Answered, Refused int
}

// Tally counts the requests whose method and path match, as RequestCount
// does, answered and refused apart.
func (s *Server) Tally(method, pathPattern string) RequestTally {
	s.mu.Lock()
	defer s.mu.Unlock()
	sum := func(counts map[string]int) int {
		n := 0
		for key, c := range counts {
			m, p, _ := strings.Cut(key, " ")
			if methodMatches(method, m) && pathMatches(pathPattern, p) {
				n += c
			}
		}
		return n
	}
	refused := sum(s.refused)
	return RequestTally{Answered: sum(s.counts) - refused, Refused: refused}
}

func (s *Server) now() time.Time { return s.opts.Clock.Now() }

// ServeHTTP counts the request, applies the rate limit and any injected
// fault, then routes it.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	key := r.Method + " " + r.URL.Path
	ok, retryAfter := s.faults.allow()
	s.mu.Lock()
	s.counts[key]++
	if !ok {
		s.refused[key]++
	}
	s.mu.Unlock()

	if !ok {
		rep := numErr(http.StatusTooManyRequests, "Too Many Requests", "Rate limit exceeded, please retry later", "")
		if retryAfter != "" {
			rep.header = http.Header{"Retry-After": {retryAfter}}
		}
		writeReply(w, rep)
		return
	}
	if f, ok := s.faults.take(r.Method, r.URL.Path); ok {
		s.serveFault(w, r, f)
		return
	}
	writeReply(w, s.dispatch(r))
}

// dispatch finds the route, checks the bearer token where one is needed and
// runs the handler.
func (s *Server) dispatch(r *http.Request) reply {
	segs := splitPath(r.URL.Path)
	if strings.HasPrefix(r.URL.Path, "/v2/") {
		if rep, ok := s.authorize(r); !ok {
			return rep
		}
	}
	var allowed []string
	for _, rt := range s.routes {
		args, ok := matchSegments(rt.pattern, segs)
		if !ok {
			continue
		}
		if rt.method != r.Method {
			allowed = append(allowed, rt.method)
			continue
		}
		return rt.handle(r, args)
	}
	if len(allowed) > 0 {
		return methodNotAllowed(strings.Join(allowed, ", "))
	}
	return routeNotFound()
}

func writeReply(w http.ResponseWriter, rep reply) {
	for k, vs := range rep.header {
		for _, v := range vs {
			w.Header().Add(k, v)
		}
	}
	switch {
	case rep.raw != nil:
		w.Header().Set("Content-Type", rep.contentType)
		w.WriteHeader(rep.status)
		_, _ = w.Write(rep.raw)
	case rep.body != nil:
		// Links carry "&" and "[": keep them readable rather than \u0026.
		var buf bytes.Buffer
		enc := json.NewEncoder(&buf)
		enc.SetEscapeHTML(false)
		if err := enc.Encode(rep.body); err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(rep.status)
		_, _ = w.Write(buf.Bytes())
	default:
		w.WriteHeader(rep.status)
	}
}

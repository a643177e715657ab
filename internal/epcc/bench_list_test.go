package epcc_test

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/epcc-community/terraform-provider-elasticpath/internal/epcc"
	"github.com/epcc-community/terraform-provider-elasticpath/internal/epccsim"
)

// BenchmarkReadJobs2000 reads a promotion of 2,000 jobs as the elasticpath_promotion_jobs data source does:
// the whole listing (20 pages of 100), filtered in the client. "loopback" is the simulator over a loopback
// listener with no rate limit; "client-only" replays the recorded answers from memory, so its time is the
// client's own beyond the network; "rate-limit-20" is the default rate_limit, whose spacing of 50 ms per
// request is most of the time. requests/op comes from the simulator's request counter (the replay reaches
// no simulator).
func BenchmarkReadJobs2000(b *testing.B) {
	const jobs = 2000
	clock := epccsim.NewManualClock(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC))
	sim := epccsim.New(epccsim.Options{Clock: clock, MaxCodesPerPromotion: jobs})
	srv := httptest.NewServer(sim)
	b.Cleanup(srv.Close)
	ctx := context.Background()
	rec := &recorder{base: http.DefaultTransport, answers: map[string][]byte{}}
	setup := newBenchClient(b, srv.URL, sim, -1, rec)
	ref, err := setup.CreatePromotion(ctx, epcc.RulePromotions, epcc.NewPromotion{Name: "2000 jobs"})
	if err != nil {
		b.Fatal(err)
	}
	one := int64(1)
	for range jobs {
		if _, err := setup.CreateJob(ctx, ref, epcc.CreateJobRequest{Type: epcc.JobTypeGenerate,
			Parameters: &epcc.JobParameters{NumberOfCodes: &one}}); err != nil {
			b.Fatal(err)
		}
		clock.Advance(time.Second) // the job completes before the next may start
	}
	rec.recording.Store(true)
	if got := readFiltered(b, setup, ref); got != jobs {
		b.Fatalf("listed %d jobs, want %d", got, jobs)
	}
	rec.recording.Store(false)

	run := func(name string, rateLimit float64, transport http.RoundTripper) {
		b.Run(name, func(b *testing.B) {
			c := newBenchClient(b, srv.URL, sim, rateLimit, transport)
			readFiltered(b, c, ref) // the token, outside the measure
			before := sim.RequestCount("", "")
			for b.Loop() {
				if got := readFiltered(b, c, ref); got != jobs {
					b.Fatalf("listed %d jobs", got)
				}
			}
			if transport == http.DefaultTransport {
				b.ReportMetric(float64(sim.RequestCount("", "")-before)/float64(b.N), "requests/op")
			}
		})
	}
	run("loopback", -1, http.DefaultTransport)
	run("client-only", -1, rec.replay())
	run("rate-limit-20", 20, http.DefaultTransport)
}

func newBenchClient(b *testing.B, url string, sim *epccsim.Server, rateLimit float64, transport http.RoundTripper) *epcc.Client {
	b.Helper()
	c, err := epcc.New(epcc.Config{BaseURL: url, ClientID: sim.ClientID(), ClientSecret: sim.ClientSecret(),
		RateLimit: rateLimit, ReadCacheTTL: -1, HTTPClient: &http.Client{Transport: transport}})
	if err != nil {
		b.Fatal(err)
	}
	return c
}

// readFiltered is the data source's read: the shared listing, filtered by status.
func readFiltered(b *testing.B, c *epcc.Client, ref epcc.PromotionRef) int {
	jobs, err := c.ReadJobs(context.Background(), ref)
	if err != nil {
		b.Fatal(err)
	}
	n, f := 0, epcc.JobFilter{Type: epcc.JobTypeGenerate, Status: epcc.StatusCompleted}
	for _, j := range jobs {
		if f.Matches(j) {
			n++
		}
	}
	return n
}

// recorder keeps the answers it passes while recording, and replays them by URL without a network.
type recorder struct {
	base      http.RoundTripper
	recording atomic.Bool
	mu        sync.Mutex
	answers   map[string][]byte
}

func (r *recorder) RoundTrip(req *http.Request) (*http.Response, error) {
	resp, err := r.base.RoundTrip(req)
	if err != nil || !r.recording.Load() {
		return resp, err
	}
	body, err := io.ReadAll(resp.Body)
	_ = resp.Body.Close()
	if err != nil {
		return nil, err
	}
	r.mu.Lock()
	r.answers[req.URL.Path+"?"+req.URL.RawQuery] = body
	r.mu.Unlock()
	resp.Body = io.NopCloser(bytes.NewReader(body))
	return resp, nil
}

func (r *recorder) replay() http.RoundTripper {
	return roundTripFunc(func(req *http.Request) (*http.Response, error) {
		r.mu.Lock()
		body, ok := r.answers[req.URL.Path+"?"+req.URL.RawQuery]
		r.mu.Unlock()
		if !ok && req.URL.Path == "/oauth/access_token" {
			body, ok = []byte(`{"access_token":"replayed","token_type":"Bearer","expires_in":3600}`), true
		}
		if !ok {
			return &http.Response{StatusCode: http.StatusNotFound, Body: io.NopCloser(bytes.NewReader(nil)), Request: req}, nil
		}
		return &http.Response{StatusCode: http.StatusOK, Header: http.Header{"Content-Type": {"application/json"}},
			Body: io.NopCloser(bytes.NewReader(body)), Request: req}, nil
	})
}

type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

// BenchmarkFindCode1000 reads one hand-made code of a promotion that holds 1,000 codes, as a refresh of an
// elasticpath_promotion_code does: the code filter answers it in one request, however many codes the
// promotion holds. "whole-listing" is the same read without the filter (a code the filter syntax cannot
// carry), for comparison.
func BenchmarkFindCode1000(b *testing.B) {
	clock := epccsim.NewManualClock(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC))
	sim := epccsim.New(epccsim.Options{Clock: clock, CodesPerSecond: 1e6})
	srv := httptest.NewServer(sim)
	b.Cleanup(srv.Close)
	ctx := context.Background()
	c := newBenchClient(b, srv.URL, sim, -1, http.DefaultTransport)
	ref, err := c.CreatePromotion(ctx, epcc.RulePromotions, epcc.NewPromotion{Name: "1000 codes"})
	if err != nil {
		b.Fatal(err)
	}
	n := int64(999)
	if _, err := c.CreateJob(ctx, ref, epcc.CreateJobRequest{Type: epcc.JobTypeGenerate,
		Parameters: &epcc.JobParameters{NumberOfCodes: &n}}); err != nil {
		b.Fatal(err)
	}
	clock.Advance(time.Minute)
	if held, err := c.ListPromotionCodes(ctx, ref); err != nil || len(held) != int(n) {
		b.Fatalf("the job made %d codes (%v), want %d", len(held), err, n)
	}
	for _, code := range []string{"VIP", "VIP,1"} { // listed after the generated ones
		if _, err := c.CreateCode(ctx, ref, epcc.NewCode{Code: code}); err != nil {
			b.Fatal(err)
		}
	}
	for _, bc := range []struct{ name, code string }{{"code-filter", "vip"}, {"whole-listing", "vip,1"}} {
		b.Run(bc.name, func(b *testing.B) {
			before := sim.RequestCount("", "")
			for b.Loop() {
				if got, err := c.FindCode(ctx, ref, bc.code); err != nil || got == nil {
					b.Fatalf("found %v, %v", got, err)
				}
			}
			b.ReportMetric(float64(sim.RequestCount("", "")-before)/float64(b.N), "requests/op")
		})
	}
}

package epcc

import (
	"context"
	"errors"
	"math"
	"strings"
	"testing"
	"time"
)

func TestValidateBaseURL(t *testing.T) {
	tests := []struct {
		in      string
		wantErr string // "" = valid
	}{
		{"https://useast.api.elasticpath.com", ""},
		{"https://euwest.api.elasticpath.com/", ""},
		{"https://example.com/prefix", ""},
		{"http://localhost", ""},
		{"http://localhost:8080", ""},
		{"http://LOCALHOST:8080/", ""},
		{"http://127.0.0.1:8080", ""},
		{"http://127.5.6.7", ""},
		{"http://[::1]", ""},
		{"http://[::1]:9000", ""},
		{"http://example.com", "clear text"},
		{"http://10.0.0.1:8080", "clear text"},
		{"http://localhost.example.com", "clear text"},
		{"ftp://example.com", "scheme"},
		{"", "empty"},
		{"   ", "empty"},
		{"garbage", "no scheme"},
		{"://nope", "does not parse"},
		{"https://", "no host"},
		{"https://example.com?x=1", "query"},
		{"https://example.com/#frag", "fragment"},
		{"https://user:pass@example.com", "user information"},
	}
	for _, tt := range tests {
		err := ValidateBaseURL(tt.in)
		if tt.wantErr == "" {
			if err != nil {
				t.Errorf("ValidateBaseURL(%q) = %v, want ok", tt.in, err)
			}
			continue
		}
		if err == nil {
			t.Errorf("ValidateBaseURL(%q) = nil, want error containing %q", tt.in, tt.wantErr)
			continue
		}
		if !strings.Contains(err.Error(), tt.wantErr) {
			t.Errorf("ValidateBaseURL(%q) = %q, want it to contain %q", tt.in, err, tt.wantErr)
		}
	}
	// The refusal explains itself.
	err := ValidateBaseURL("http://example.com")
	for _, want := range []string{"https://", "client secret", "clear text", "localhost"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("refusal %q does not mention %q", err, want)
		}
	}
}

func TestNewRequiresCredentials(t *testing.T) {
	tests := []struct {
		cfg  Config
		want []string
	}{
		{Config{ClientSecret: "s"}, []string{"client ID"}},
		{Config{ClientID: "id"}, []string{"client secret"}},
		{Config{}, []string{"client ID", "client secret"}},
		{Config{ClientID: "  ", ClientSecret: "s"}, []string{"client ID"}},
	}
	for _, tt := range tests {
		_, err := New(tt.cfg)
		if err == nil {
			t.Fatalf("New(%+v) = nil error", tt.cfg)
		}
		for _, w := range tt.want {
			if !strings.Contains(err.Error(), w) {
				t.Errorf("New error %q does not name %q", err, w)
			}
		}
	}
	if _, err := New(Config{BaseURL: "http://example.com", ClientID: "a", ClientSecret: "b"}); err == nil {
		t.Error("New accepted a plain http base URL")
	}
}

func TestNewDefaults(t *testing.T) {
	c, err := New(Config{ClientID: "a", ClientSecret: "b", MaxRetries: -1, RetryWaitMin: time.Second, RetryWaitMax: time.Millisecond, ReadCacheTTL: -1})
	if err != nil {
		t.Fatal(err)
	}
	if c.baseURL != DefaultBaseURL {
		t.Errorf("baseURL = %q", c.baseURL)
	}
	if c.cfg.MaxRetries != 0 {
		t.Errorf("negative MaxRetries should mean no retries, got %d", c.cfg.MaxRetries)
	}
	if c.cfg.ThrottleTimeout != defaultThrottleTimeout {
		t.Errorf("ThrottleTimeout = %v, want the default", c.cfg.ThrottleTimeout)
	}
	if c.cfg.RetryWaitMax != time.Second {
		t.Errorf("RetryWaitMax should be raised to RetryWaitMin, got %v", c.cfg.RetryWaitMax)
	}
	if c.cfg.ReadCacheTTL >= 0 {
		t.Errorf("negative ReadCacheTTL must stay disabled, got %v", c.cfg.ReadCacheTTL)
	}
	if c.userAgent != "terraform-provider-elasticpath-client" {
		t.Errorf("userAgent = %q", c.userAgent)
	}

	c, err = New(Config{BaseURL: "https://example.com/", ClientID: "a", ClientSecret: "b", UserAgent: "terraform-provider-elasticpath/1.2.0 Terraform/1.11.4"})
	if err != nil {
		t.Fatal(err)
	}
	if c.baseURL != "https://example.com" {
		t.Errorf("trailing slash kept: %q", c.baseURL)
	}
	cfg := c.cfg
	if cfg.MaxRetries != 4 || cfg.RequestTimeout != 30*time.Second || cfg.RetryWaitMin != 500*time.Millisecond ||
		cfg.RetryWaitMax != 30*time.Second || cfg.RateLimit != 20 || cfg.PollInterval != 250*time.Millisecond ||
		cfg.PollMaxInterval != 10*time.Second || cfg.ReadCacheTTL != 5*time.Second {
		t.Errorf("defaults not applied: %+v", cfg)
	}
	if c.http.HTTPClient.Timeout != 30*time.Second {
		t.Errorf("per-attempt timeout = %v", c.http.HTTPClient.Timeout)
	}
	if c.userAgent != "terraform-provider-elasticpath-client terraform-provider-elasticpath/1.2.0 Terraform/1.11.4" {
		t.Errorf("userAgent = %q", c.userAgent)
	}
}

// maxInAnySecond is the most of the sorted times that fall in one half-open second [t, t+1s).
func maxInAnySecond(times []time.Time) int {
	most, first := 0, 0
	for last := range times {
		for !times[last].Before(times[first].Add(time.Second)) {
			first++
		}
		most = max(most, last-first+1)
	}
	return most
}

func startsAt(starts []time.Time, at time.Time) (n int) {
	for _, s := range starts {
		if s.Equal(at) {
			n++
		}
	}
	return n
}

// startAll starts requests on a fake clock from start until end as fast as the pacer allows, calling
// before(now) ahead of each attempt (to move the rate as the adaptation does), and returns the starts.
func startAll(p *pacer, start, end time.Time, before func(now time.Time)) []time.Time {
	var starts []time.Time
	for now := start; now.Before(end); {
		before(now)
		due, ok := p.take(now)
		if ok {
			starts = append(starts, now)
			continue
		}
		now = due
	}
	return starts
}

// TestPacerHoldsOverAnySecond starts requests on a fake clock as fast as the pacer allows, from idle, again
// after an idle spell, and while its rate rises and falls (as the rate adaptation moves it): no one second
// may hold more starts than the highest rate in force, and the throughput is the rate.
func TestPacerHoldsOverAnySecond(t *testing.T) {
	start := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	for _, perSecond := range []float64{1, 2.5, 3, 7, 10, 20, 25, 30, 100} {
		for _, windowed := range []bool{false, true} {
			if windowed && perSecond != math.Trunc(perSecond) {
				continue // only whole rates are windowed
			}
			p := newPacer(perSecond)
			p.setRate(perSecond, windowed)
			starts := startAll(p, start, start.Add(3*time.Second), func(time.Time) {})
			// Idle for 5 s, then 3 s more.
			starts = append(starts, startAll(p, start.Add(8*time.Second), start.Add(11*time.Second), func(time.Time) {})...)
			if got, want := maxInAnySecond(starts), int(math.Ceil(perSecond)); got > want {
				t.Errorf("rate %v (windowed %v): %d requests started within one second, want at most %d", perSecond, windowed, got, want)
			}
			if got, want := len(starts), int(6*perSecond); got < want {
				t.Errorf("rate %v (windowed %v): %d requests in 6 s of starts, want at least %d", perSecond, windowed, got, want)
			}
			// Windowed, a second's requests go at once after an idle spell; spaced, one at a time.
			together := 1
			if windowed {
				together = int(perSecond)
			}
			if got := startsAt(starts, start.Add(8*time.Second)); got != together {
				t.Errorf("rate %v (windowed %v): %d requests started at once after an idle spell, want %d", perSecond, windowed, got, together)
			}
		}
	}

	// 10/s, then 20/s from the first second, then 5/s from the second: a rise speeds up the next start at
	// once, and no second holds more than 20, the rate the pacer was made with.
	p := newPacer(20)
	p.setRate(10, false)
	starts := startAll(p, start, start.Add(3*time.Second), func(now time.Time) {
		switch {
		case !now.Before(start.Add(2 * time.Second)):
			p.setRate(5, false)
		case !now.Before(start.Add(time.Second)):
			p.setRate(20, false)
		}
	})
	if got := maxInAnySecond(starts); got > 20 {
		t.Errorf("%d requests started within one second around a change of rate, want at most 20", got)
	}
	// 10 in the first second, 20 in the second, 5 in the third.
	if len(starts) < 34 || len(starts) > 36 {
		t.Errorf("%d starts over 10/s, 20/s and 5/s seconds, want 35", len(starts))
	}
	// A window's burst of 20, then a cut to 14 spaced: the burst still counts, and the second holds no more
	// than 20 (spaced from the burst's last start alone, 14 more would follow within it).
	w := newPacer(20)
	w.setRate(20, true)
	burst := startAll(w, start, start.Add(time.Millisecond), func(time.Time) {})
	w.setRate(14, false)
	after := startAll(w, start.Add(time.Millisecond), start.Add(3*time.Second), func(time.Time) {})
	if len(burst) != 20 || maxInAnySecond(append(burst, after...)) > 20 {
		t.Errorf("a burst of %d, then %d in any one second once cut to 14, want 20 and at most 20",
			len(burst), maxInAnySecond(append(burst, after...)))
	}
	// A start that holds none back is not spaced from, and still counts in its second.
	u := newPacer(3)
	u.startUnspaced(start)
	unspaced := append([]time.Time{start}, startAll(u, start, start.Add(2*time.Second), func(time.Time) {})...)
	if startsAt(unspaced, start) != 2 || maxInAnySecond(unspaced) > 3 {
		t.Errorf("after an unspaced start: %d at once, %d in one second; want 2 and at most 3",
			startsAt(unspaced, start), maxInAnySecond(unspaced))
	}
	if due, ok := newPacer(-1).take(start); !ok || !due.Equal(start) {
		t.Errorf("an unlimited pacer held a request until %v", due)
	}
}

// A wait that outlasts the caller's deadline ends with the deadline's error when it comes, and takes no
// start: the start stays free for others.
func TestPacerWaitHonoursTheDeadline(t *testing.T) {
	p := newPacer(0.5) // one start every 2 s
	if err := p.wait(t.Context()); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(t.Context(), 100*time.Millisecond)
	defer cancel()
	begun := time.Now()
	if err := p.wait(ctx); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("wait past the deadline: %v, want the deadline's error", err)
	}
	if waited := time.Since(begun); waited < 90*time.Millisecond {
		t.Errorf("returned after %v, before the deadline", waited)
	}
	if n, _ := p.count(); n != 1 {
		t.Errorf("%d starts, want the first alone", n)
	}
}

// Polls keep within two fifths of rate_limit, whatever the request rate: the rate bounds them as it bounds
// every request, and they never take more than that share of the ceiling.
func TestPollsStayUnderHalfTheRate(t *testing.T) {
	c, err := New(Config{ClientID: "id", ClientSecret: "secret", RateLimit: 20})
	if err != nil {
		t.Fatal(err)
	}
	r := c.limits.requests
	if r.ceiling != 20 || r.pace.rate() != 2.5 || c.limits.polls.rate() != 8 {
		t.Errorf("ceiling %v, rate %v, polls %v: want 20, 2.5 (an eighth, at the start) and 8 (two fifths of 20)",
			r.ceiling, r.pace.rate(), c.limits.polls.rate())
	}
	r.throttled(t.Context())
	if got := c.limits.polls.rate(); got != 8 {
		t.Errorf("after a 429 polls may go at %v a second, want 8", got)
	}
	u, err := New(Config{ClientID: "id", ClientSecret: "secret", RateLimit: -1})
	if err != nil {
		t.Fatal(err)
	}
	if got := u.limits.polls.rate(); got >= 0 {
		t.Errorf("unlimited client: polls at %v a second, want unlimited", got)
	}
}

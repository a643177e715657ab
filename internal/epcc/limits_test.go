package epcc

import (
	"bytes"
	"context"
	"errors"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-log/tflogtest"
)

// The process's rate halves on a 429 (once for a burst of them), stays down through a quiet spell, climbs
// quickly back to just under the rate that was refused, then slowly up to rate_limit, and says so at INFO.
func TestAdaptiveRateHalvesAndClimbsBack(t *testing.T) {
	clock := time.Unix(1_000_000, 0)
	a := newAdaptiveRate(20, func() time.Time { return clock })
	var logs bytes.Buffer
	ctx := tflogtest.RootLogger(context.Background(), &logs)
	advance := func(d time.Duration) float64 {
		clock = clock.Add(d)
		a.mu.Lock()
		a.climb(ctx)
		a.mu.Unlock()
		return a.rate()
	}
	expect := func(what string, got, want float64) {
		t.Helper()
		if math.Abs(got-want) > 1e-9 {
			t.Errorf("%s: rate %.3f, want %.3f", what, got, want)
		}
	}

	a.throttled(ctx, 0)
	expect("after a 429", a.rate(), 10)
	clock = clock.Add(100 * time.Millisecond)
	a.throttled(ctx, 0)
	expect("a second 429 of the same burst", a.rate(), 10)
	clock = clock.Add(200 * time.Millisecond)
	a.throttled(ctx, 0)
	expect("a 429 after the burst", a.rate(), 5)
	if got := a.limiter.Limit(); float64(got) != 5 {
		t.Errorf("the limiter's limit is %v, want the adaptive rate", got)
	}

	expect("within the quiet spell", advance(1900*time.Millisecond), 5)
	// Quick: half the way back to the refused 10/s per second, up to 9/s (nearRefused).
	expect("first step", advance(100*time.Millisecond), 7.5)
	expect("second step", advance(time.Second), 8.75)
	expect("third step", advance(time.Second), 9)
	// Slow: rate_limit/200 a second past it.
	expect("slow step", advance(time.Second), 9.1)
	expect("no step before a second has passed", advance(500*time.Millisecond), 9.1)
	if strings.Contains(logs.String(), "back at the full rate") {
		t.Errorf("said it is back at the full rate at %.2f", a.rate())
	}
	expect("after a long quiet time", advance(10*time.Minute), 20)
	if !strings.Contains(logs.String(), "now at most 5.00 requests/s") ||
		!strings.Contains(logs.String(), "back at the full rate of 20.00 requests/s") {
		t.Errorf("the INFO log does not tell the slow-down and the return to full rate:\n%s", logs.String())
	}

	for range 20 {
		clock = clock.Add(time.Second)
		a.throttled(ctx, 0)
	}
	expect("after a storm", a.rate(), 0.5) // the floor: rate_limit/40
}

// A Retry-After holds every request of the process, not just the one it answered.
func TestAdaptiveRateHoldsForRetryAfter(t *testing.T) {
	clock := time.Unix(1_000_000, 0)
	a := newAdaptiveRate(20, func() time.Time { return clock })
	a.throttled(context.Background(), 3*time.Second)
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	if err := a.wait(ctx); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("a request during the hold was let through: %v", err)
	}
	clock = clock.Add(3 * time.Second)
	if err := a.wait(context.Background()); err != nil {
		t.Fatalf("a request after the hold: %v", err)
	}
	// An unlimited client (negative rate_limit) is never slowed.
	u := newAdaptiveRate(-1, time.Now)
	u.throttled(context.Background(), time.Hour)
	soon, cancelSoon := context.WithTimeout(context.Background(), time.Second)
	defer cancelSoon()
	if err := u.wait(soon); err != nil {
		t.Errorf("an unlimited client was held: %v", err)
	}
}

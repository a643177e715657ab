package epcc

import (
	"bytes"
	"context"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-log/tflogtest"
)

// The process's rate starts at an eighth of rate_limit with its first request and doubles each second it
// is used; a 429 cuts it (once for the 429s of the second after a cut); it stays down through a quiet spell,
// climbs quickly back to just under the rate that was refused, then slowly up to rate_limit, and says so at
// INFO. A rate the process does not use does not climb.
func TestAdaptiveRateCutsAndClimbsBack(t *testing.T) {
	clock := time.Unix(1_000_000, 0)
	var logs bytes.Buffer
	ctx := tflogtest.RootLogger(context.Background(), &logs)
	climbing := func(a *adaptiveRate) {
		a.mu.Lock()
		a.climb(ctx)
		a.mu.Unlock()
	}
	// busy sends at the full rate for d; idle sends nothing.
	busy := func(a *adaptiveRate, d time.Duration) float64 {
		a.pace.mu.Lock()
		a.pace.started += int(math.Ceil(a.pace.perSecond * d.Seconds()))
		a.pace.mu.Unlock()
		clock = clock.Add(d)
		climbing(a)
		return a.rate()
	}
	idle := func(a *adaptiveRate, d time.Duration) float64 {
		clock = clock.Add(d)
		climbing(a)
		return a.rate()
	}
	// holdOne starts two requests as soon as the pace lets them: the second waits for its turn.
	holdOne := func(a *adaptiveRate) {
		for range 2 {
			for {
				due, ok := a.pace.take(clock)
				if ok {
					break
				}
				clock = due
			}
		}
	}
	expect := func(what string, got, want float64) {
		t.Helper()
		if math.Abs(got-want) > 1e-9 {
			t.Errorf("%s: rate %.3f, want %.3f", what, got, want)
		}
	}

	a := newAdaptiveRate(20, func() time.Time { return clock })
	clock = clock.Add(time.Minute) // configured long before its first request
	climbing(a)
	expect("at the first request", a.rate(), 2.5)
	expect("unused for 10 s", idle(a, 10*time.Second), 2.5)
	expect("used for a second", busy(a, time.Second), 5)
	expect("used for another", busy(a, time.Second), 10)
	expect("and another", busy(a, time.Second), 20)
	if !a.pace.windowed {
		t.Error("at the full rate, requests are still spaced: a POST waits out the gap after a poll")
	}
	// A spell used for 3 s earns one doubling, not three.
	d := newAdaptiveRate(20, func() time.Time { return clock })
	climbing(d)
	expect("used for 3 s during the start", busy(d, 3*time.Second), 5)
	// A look just after a step, then one request and a look 10 ms on: a process is not busy for sending two
	// requests in a row.
	c := newAdaptiveRate(20, func() time.Time { return clock })
	climbing(c)
	expect("unused for 1.99 s", idle(c, 1990*time.Millisecond), 2.5)
	expect("one request 10 ms later", busy(c, 10*time.Millisecond), 2.5)
	if strings.Contains(logs.String(), "back at the full rate") {
		t.Errorf("the start is logged as a return to the full rate:\n%s", logs.String())
	}
	// Two requests at once, then nothing for a second: too little use to climb, but the second request had
	// to wait for its turn, and that is a need the rate did not meet.
	h := newAdaptiveRate(20, func() time.Time { return clock })
	climbing(h)
	holdOne(h)
	expect("one request held back in a second", idle(h, time.Second), 5)
	// Once the store pushed back, only use counts: processes sharing it all have requests wait.
	h.throttled(ctx)
	clock = clock.Add(quietSpell)
	holdOne(h)
	expect("one request held back after a 429", idle(h, 0), 3.5)

	a.throttled(ctx)
	expect("after a 429", a.rate(), 14)
	if a.pace.windowed {
		t.Error("cut below the full rate, requests are still let through together")
	}
	clock = clock.Add(900 * time.Millisecond)
	a.throttled(ctx)
	expect("a 429 of the second after the cut", a.rate(), 14)
	clock = clock.Add(200 * time.Millisecond)
	a.throttled(ctx)
	expect("a 429 after that second", a.rate(), 9.8)
	if got := a.pace.rate(); math.Abs(got-9.8) > 1e-9 {
		t.Errorf("the pacer's rate is %v, want the adaptive rate", got)
	}

	expect("within the quiet spell", busy(a, 1900*time.Millisecond), 9.8)
	// Quick: half the way back to the refused 14/s per second, up to 12.6/s (nearRefused).
	expect("first step", busy(a, 100*time.Millisecond), 11.9)
	expect("second step", busy(a, time.Second), 12.6)
	// Slow: rate_limit/200 a second past it.
	expect("slow step", busy(a, time.Second), 12.7)
	expect("no step before a second has passed", busy(a, 500*time.Millisecond), 12.7)
	expect("no step while unused", idle(a, 5*time.Second), 12.7)
	if strings.Contains(logs.String(), "back at the full rate") {
		t.Errorf("said it is back at the full rate at %.2f", a.rate())
	}
	expect("after a long busy time", busy(a, 10*time.Minute), 20)
	if !strings.Contains(logs.String(), "now at most 9.80 requests/s") ||
		!strings.Contains(logs.String(), "back at the full rate of 20.00 requests/s") {
		t.Errorf("the INFO log does not tell the slow-down and the return to full rate:\n%s", logs.String())
	}

	for range 20 {
		clock = clock.Add(time.Second)
		a.throttled(ctx)
	}
	expect("after a storm", a.rate(), 1) // the floor: rate_limit/20
	// A cut ends the start's doubling for good: the next climb is the slow one.
	b := newAdaptiveRate(20, func() time.Time { return clock })
	climbing(b)
	b.throttled(ctx)
	// Cut to 1.75; quick steps to 2.125 and 2.25 (nearRefused of 2.5), then seven slow ones: no doubling.
	expect("refused during the start, 10 s later", busy(b, 10*time.Second), 2.95)
}

// An unlimited client (negative rate_limit) is never slowed.
func TestAdaptiveRateUnlimited(t *testing.T) {
	u := newAdaptiveRate(-1, time.Now)
	u.throttled(context.Background())
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	for range 1000 {
		if err := u.wait(ctx); err != nil {
			t.Fatalf("an unlimited client was held: %v", err)
		}
	}
}

// A process's first request, its token, starts at once and holds back none after it: the request it was
// taken for goes right behind it, and the one after waits out the start's gap. Under rate_limit 2 the
// first request is paced as any other, as an extra one would pass rate_limit in the first second.
func TestFirstRequestHoldsNoneBack(t *testing.T) {
	clock := time.Unix(1_000_000, 0)
	a := newAdaptiveRate(20, func() time.Time { return clock })
	if !a.arrive(context.Background()) {
		t.Fatal("the first request waits for a turn")
	}
	if a.arrive(context.Background()) {
		t.Fatal("the second request skips the pace")
	}
	if _, ok := a.pace.take(clock); !ok {
		t.Error("the request right behind the token is held back")
	}
	if due, ok := a.pace.take(clock); ok || !due.Equal(clock.Add(400*time.Millisecond)) {
		t.Errorf("the third request may start at %v (ok %v), want 0.4 s on, at the start's 2.5 a second", due.Sub(clock), ok)
	}
	if started, _ := a.pace.count(); started != 2 {
		t.Errorf("%d starts counted, want the token and the request behind it", started)
	}
	if newAdaptiveRate(1.5, func() time.Time { return clock }).arrive(context.Background()) {
		t.Error("under rate_limit 2, the first request skips the pace")
	}
}

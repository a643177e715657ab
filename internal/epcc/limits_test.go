package epcc

import (
	"bytes"
	"context"
	"errors"
	"math"
	"math/rand/v2"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-log/tflogtest"
)

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

// drive starts requests on a fake clock from start until end as fast as p allows, each answered at once
// (answer(now) says whether with a 429), and returns the starts.
func drive(p pace, start, end time.Time, answer func(now time.Time)) []time.Time {
	var starts []time.Time
	for now := start; now.Before(end); {
		due, ok := p.take(now)
		if !ok {
			now = due
			continue
		}
		starts = append(starts, now)
		answer(now)
	}
	return starts
}

// A pacer never lets more requests start in any one second than its rate, from idle, after an idle spell and
// while its rate moves; its throughput is its rate; windowed, a second's requests go at once.
func TestPacerHoldsOverAnySecond(t *testing.T) {
	start := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	for _, perSecond := range []float64{0.5, 1, 2.5, 3, 7, 20, 100} {
		for _, windowed := range []bool{false, true} {
			if windowed && !isWhole(perSecond) {
				continue
			}
			p := &pacer{perSecond: perSecond, windowed: windowed}
			starts := drive(p, start, start.Add(3*time.Second), func(time.Time) {})
			starts = append(starts, drive(p, start.Add(8*time.Second), start.Add(11*time.Second), func(time.Time) {})...)
			if got, want := maxInAnySecond(starts), int(math.Ceil(perSecond)); got > want {
				t.Errorf("rate %v (windowed %v): %d starts within one second, want at most %d", perSecond, windowed, got, want)
			}
			if got, want := len(starts), int(6*perSecond); got < want {
				t.Errorf("rate %v (windowed %v): %d starts in 6 s, want at least %d", perSecond, windowed, got, want)
			}
			if windowed && !starts[int(perSecond)-1].Equal(start) {
				t.Errorf("rate %v windowed: the second's requests did not go at once", perSecond)
			}
		}
	}
	// A burst of 20, then a cut to 5: the burst counts against the new rate, and no second after the cut
	// holds more than 5 starts beyond it.
	p := newPacer(20)
	burst := drive(p, start, start.Add(time.Millisecond), func(time.Time) {})
	p.setRate(5)
	after := drive(p, start.Add(time.Millisecond), start.Add(5*time.Second), func(time.Time) {})
	if len(burst) != 20 || len(after) == 0 || after[0].Before(start.Add(time.Second)) || maxInAnySecond(after) > 5 {
		t.Errorf("a burst of %d, then the first start at %v and %d in one second after a cut to 5",
			len(burst), after[0].Sub(start), maxInAnySecond(after))
	}
	if due, ok := newPacer(-1).take(start); !ok || !due.Equal(start) {
		t.Errorf("an unlimited pacer held a request until %v", due)
	}
}

// A wait that outlasts the caller's deadline ends with the deadline's error when it comes, and takes no
// start: the start stays free for others.
func TestWaitTurnHonoursTheDeadline(t *testing.T) {
	p := newPacer(0.5) // one start every 2 s
	if err := waitTurn(t.Context(), p); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(t.Context(), 100*time.Millisecond)
	defer cancel()
	if err := waitTurn(ctx, p); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("wait past the deadline: %v, want the deadline's error", err)
	}
	if n := p.startsSince(time.Time{}); n != 1 {
		t.Errorf("%d starts, want the first alone", n)
	}
}

// Whatever the store answers, a process never starts more than rate_limit requests in any one second.
func TestAdaptiveRateNeverPassesRateLimit(t *testing.T) {
	start := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	for _, ceiling := range []float64{1, 2.5, 20, 50} {
		for _, refused := range []float64{0, 0.05, 0.5} {
			clock := start
			a := newAdaptiveRate(ceiling, func() time.Time { return clock })
			rng := rand.New(rand.NewPCG(1, uint64(ceiling*100)))
			starts := drive(a, start, start.Add(5*time.Minute), func(now time.Time) {
				clock = now
				a.done(context.Background(), rng.Float64() < refused)
			})
			if got := maxInAnySecond(starts); got > int(math.Ceil(ceiling)) {
				t.Errorf("rate_limit %v, %.0f%% answered 429: %d starts within one second", ceiling, 100*refused, got)
			}
		}
	}
}

// Alone on a store that never pushes back, a process pays no pacing beyond rate_limit: once its first
// request is answered, a second's worth of requests go at once.
func TestAdaptiveRateAloneIsNotPaced(t *testing.T) {
	clock := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	a := newAdaptiveRate(20, func() time.Time { return clock })
	starts := drive(a, clock, clock.Add(3*time.Second), func(time.Time) { a.done(context.Background(), false) })
	if len(starts) < 60 || !starts[19].Equal(clock) {
		t.Errorf("%d starts in 3 s, the 20th at %v: want 60, the first 20 at once", len(starts), starts[19].Sub(clock))
	}
}

// Until the store first answers, a process's requests wait for the answers to the ones before it: processes
// that start together do not open with a burst. Once the store has pushed back, the rate alone holds them.
func TestAdaptiveRateStartsOnAnswers(t *testing.T) {
	clock := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	a := newAdaptiveRate(20, func() time.Time { return clock })
	if _, ok := a.take(clock); !ok {
		t.Fatal("the first request is held")
	}
	if _, ok := a.take(clock); ok {
		t.Fatal("a second request started before the first was answered")
	}
	a.done(context.Background(), false)
	for i := range 2 {
		if _, ok := a.take(clock); !ok {
			t.Fatalf("request %d after one answer is held", i+2)
		}
	}
	if _, ok := a.take(clock); ok {
		t.Error("three requests unanswered after one answer")
	}
	a.done(context.Background(), true)
	clock = clock.Add(time.Second)
	for range 2 {
		if _, ok := a.take(clock); !ok {
			t.Fatal("after a 429, a request within the rate waits for answers")
		}
		clock = clock.Add(time.Second)
	}
}

// A 429 slows the process down and says so at INFO; more 429s slow it further, never to nothing; answers
// without a 429 bring it back to rate_limit, and it says so.
func TestAdaptiveRateSlowsAndComesBack(t *testing.T) {
	clock := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	var logs bytes.Buffer
	ctx := tflogtest.RootLogger(context.Background(), &logs)
	a := newAdaptiveRate(20, func() time.Time { return clock })
	// A busy second: requests answered, then a 429.
	starts := drive(a, clock, clock.Add(time.Second), func(time.Time) { a.done(ctx, false) })
	clock = starts[len(starts)-1]
	a.done(ctx, true)
	cut := a.rate()
	if cut >= 20 {
		t.Fatalf("after a 429 the rate is %v, want less than 20", cut)
	}
	if !strings.Contains(logs.String(), "asked to slow down (429)") {
		t.Errorf("the slow-down is not logged:\n%s", logs.String())
	}
	for range 100 {
		clock = clock.Add(time.Second)
		a.done(ctx, true)
	}
	if r := a.rate(); r >= cut || r <= 0 {
		t.Errorf("after a storm of 429s the rate is %v, want under %v and above nothing", r, cut)
	}
	last := a.rate()
	for range 30 * 60 {
		clock = clock.Add(time.Second)
		a.done(ctx, false)
		if a.rate() < last {
			t.Fatalf("the rate fell from %v to %v without a 429", last, a.rate())
		}
		last = a.rate()
	}
	if last != 20 || !strings.Contains(logs.String(), "back at the full rate") {
		t.Errorf("after 30 quiet minutes the rate is %v (want 20), logs:\n%s", last, logs.String())
	}
}

// An unlimited client (negative rate_limit) is never slowed.
func TestAdaptiveRateUnlimited(t *testing.T) {
	u := newAdaptiveRate(-1, time.Now)
	u.done(context.Background(), true)
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	for range 1000 {
		if err := waitTurn(ctx, u); err != nil {
			t.Fatalf("an unlimited client was held: %v", err)
		}
	}
}

// Polls keep under half of rate_limit, whatever the request rate does.
func TestPollsStayUnderHalfTheRate(t *testing.T) {
	for _, rateLimit := range []float64{1, 2.5, 20, 100} {
		start := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
		polls := drive(newBudgets(rateLimit, "").polls, start, start.Add(10*time.Second), func(time.Time) {})
		if got := maxInAnySecond(polls); float64(got) > math.Ceil(rateLimit/2) || float64(len(polls)) >= 10*rateLimit/2 {
			t.Errorf("rate_limit %v: %d polls in one second, %d in 10 s", rateLimit, got, len(polls))
		}
	}
	if _, ok := newBudgets(-1, "").polls.take(time.Now()); !ok {
		t.Error("an unlimited client's poll is held")
	}
}

// Polls that wait while a burst of other requests fills the second do not all go out when it ends: ten waits
// polling without pause keep under half of rate_limit in any one second, and still poll at that share.
func TestPollsHeldBehindABurstStayUnderHalfTheRate(t *testing.T) {
	clock := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	l := &budgets{requests: newAdaptiveRate(20, func() time.Time { return clock }), polls: newPollPacer(20)}
	for range 20 {
		if _, ok := l.requests.take(clock); !ok {
			t.Fatal("a burst of rate_limit requests was held")
		}
		l.requests.done(t.Context(), false)
	}
	// A poll that has its turn waits on the request rate, as the transport does, until it is sent.
	waiting := 0
	var sent []time.Time
	for end := clock.Add(3 * time.Second); clock.Before(end); clock = clock.Add(time.Millisecond) {
		for waiting < 10 {
			if _, ok := (pollTurn{l}).take(clock); !ok {
				break
			}
			waiting++
		}
		for ; waiting > 0; waiting-- {
			if _, ok := l.requests.take(clock); !ok {
				break
			}
			l.requests.done(t.Context(), false)
			sent = append(sent, clock)
		}
	}
	if most, least := maxInAnySecond(sent), int(2*20*pollShare)-1; most >= 10 || len(sent) < least {
		t.Errorf("%d polls in one second, %d in the two seconds after the burst's: want under half of 20 in any "+
			"second, and at least %d", most, len(sent), least)
	}
}

// The 429s that answer the overload a cut already took in, within a second of it, cut no further; a cut rate
// holds for a while before it climbs; and no second after the cut holds more starts than the cut rate.
func TestAdaptiveRateAfterACut(t *testing.T) {
	clock := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	ctx := context.Background()
	a := newAdaptiveRate(20, func() time.Time { return clock })
	takenThenRefused(t, a, clock, 10)
	cut := a.rate()
	clock = clock.Add(900 * time.Millisecond)
	a.done(ctx, true)
	if a.rate() != cut {
		t.Errorf("a 429 0.9 s after a cut moved the rate from %v to %v", cut, a.rate())
	}
	clock = clock.Add(500 * time.Millisecond)
	a.done(ctx, false)
	if a.rate() != cut {
		t.Errorf("the rate climbed from %v to %v 1.4 s after a cut", cut, a.rate())
	}
	starts := drive(a, clock, clock.Add(3*time.Second), func(time.Time) {})
	if most := maxInAnySecond(starts); float64(most) > math.Ceil(cut) {
		t.Errorf("%d starts in one second at a cut rate of %v a second", most, cut)
	}
}

// The first 429 cuts the rate below what the store took from the process in the last second: processes that
// share a store give up their overshoot at once, not over several seconds.
func TestAdaptiveRateCutsToTheShareTaken(t *testing.T) {
	clock := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	a := newAdaptiveRate(20, func() time.Time { return clock })
	takenThenRefused(t, a, clock, 4)
	if r := a.rate(); r >= 4 {
		t.Errorf("the store took 4 requests in the last second, and the rate is cut to %v", r)
	}
}

// takenThenRefused sends taken+1 requests at once, the store answering all but the last, which it answers 429.
func takenThenRefused(t *testing.T, a *adaptiveRate, at time.Time, taken int) {
	t.Helper()
	for i := range taken + 1 {
		if _, ok := a.take(at); !ok {
			t.Fatalf("request %d held", i+1)
		}
		a.done(t.Context(), i == taken)
	}
}

// A request that ends in an error still counts as answered: the first requests never wait for an answer that
// will not come.
func TestTransportErrorsDoNotHoldTheStart(t *testing.T) {
	l := newBudgets(20, "")
	tr := &attemptTransport{base: failingTransport{}, limits: l}
	ctx, cancel := context.WithTimeout(t.Context(), 5*time.Second)
	defer cancel()
	for i := range 3 {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, "http://127.0.0.1:1/", nil)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := tr.RoundTrip(req); err == nil || ctx.Err() != nil {
			t.Fatalf("request %d: %v (context %v), want the transport's error at once", i+1, err, ctx.Err())
		}
	}
}

type failingTransport struct{}

func (failingTransport) RoundTrip(*http.Request) (*http.Response, error) {
	return nil, errors.New("connection refused")
}

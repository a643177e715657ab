package epcc

import (
	"context"
	"fmt"
	"math"
	"sync"
	"time"

	"github.com/hashicorp/terraform-plugin-log/tflog"
)

// How the request rate adapts to a store that answers 429. The numbers were chosen by running make bench's
// pipelines scenario (P processes behind a limit of 25 requests in any one second) with other values:
// docs/performance.md has the figures they give.
const (
	// startShare: a process starts at this share of rate_limit and doubles its rate every second until the
	// store first answers 429 (or rate_limit is reached), so that P pipelines starting together do not open
	// with P times the store's limit.
	startShare = 1.0 / 8
	// cutFactor: what a 429 leaves of the rate.
	cutFactor = 0.7
	// cutSpacing: the 429s that answer requests already sent before the last cut took effect are one signal.
	cutSpacing = 500 * time.Millisecond
	// quietSpell: how long without a 429 before the rate climbs again.
	quietSpell = 2 * time.Second
	// raiseEvery: one step of a climb.
	raiseEvery = time.Second
	// nearRefused: the climb is quick up to this share of the rate that was last refused, and slow beyond.
	nearRefused = 0.9
)

// Limits are the request budgets of one store: every request goes through requests, and the status polls of
// waits also through polls. A provider process shares one Limits between all its clients of one store, so
// that every resource, data source, list and action keeps to one rate.
type Limits struct {
	requests *adaptiveRate
	polls    *pacer
}

// NewLimits returns the budgets for a rate limit of perSecond requests (0: the default; negative: unlimited).
func NewLimits(perSecond float64) *Limits {
	if perSecond == 0 {
		perSecond = defaultRateLimit
	}
	requests := newAdaptiveRate(perSecond, time.Now)
	return &Limits{requests: requests, polls: requests.polls}
}

// pacer lets at most perSecond requests start in any one second: it hands out start times in order, each
// 1/perSecond after the one before, at the rate in force when it is handed out (negative: unlimited).
// golang.org/x/time/rate does not fit a rate that changes: when its limit rises, the waiters it already gave
// a time keep it, and new ones are let in between them, so for a while more than the new rate passes; a
// token bucket's burst would also let burst + rate through in its first second.
type pacer struct {
	mu        sync.Mutex
	perSecond float64
	next      time.Time // the earliest free start
}

func newPacer(perSecond float64) *pacer { return &pacer{perSecond: perSecond} }

// reserve hands out the next start at or after now.
func (p *pacer) reserve(now time.Time) time.Time {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.perSecond < 0 {
		return now
	}
	start := p.next
	if start.Before(now) {
		start = now
	}
	p.next = start.Add(time.Duration(float64(time.Second) / p.perSecond))
	return start
}

// wait blocks until the caller's start. A start after ctx's deadline is not taken: the caller waits for the
// deadline and gets ctx's error, as any other wait that runs out of time.
func (p *pacer) wait(ctx context.Context) error {
	now := time.Now()
	if deadline, ok := ctx.Deadline(); ok && p.peek(now).After(deadline) {
		<-ctx.Done()
		return ctx.Err()
	}
	return sleepCtx(ctx, p.reserve(now).Sub(now))
}

func (p *pacer) peek(now time.Time) time.Time {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.perSecond < 0 || p.next.Before(now) {
		return now
	}
	return p.next
}

func (p *pacer) setRate(perSecond float64) {
	p.mu.Lock()
	p.perSecond = perSecond
	p.mu.Unlock()
}

func (p *pacer) rate() float64 {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.perSecond
}

// adaptiveRate keeps a process under a store's rate that it shares with processes it cannot see, the way TCP
// shares a link: it starts low and doubles until the store first answers 429; each 429 then cuts the rate to
// cutFactor of itself, and after a quiet spell it climbs back, quickly to just under the rate that was
// refused, then slowly past it, up to the configured ceiling. Processes that all do this settle near a fair
// share of the store's limit instead of fighting over it. Waits poll within two fifths of the current rate:
// however many wait at once, their polls stay under half of it, and creates and reads keep the rest.
type adaptiveRate struct {
	pace    *pacer  // every request
	polls   *pacer  // the polls of waits, besides
	ceiling float64 // rate_limit
	floor   float64 // the rate is never cut below this
	step    float64 // the slow climb, per raiseEvery
	now     func() time.Time

	mu        sync.Mutex
	current   float64
	refused   float64 // the rate when the last 429 came
	starting  bool    // doubling until the first 429
	slowed    bool    // cut since it was last at the ceiling, for the log
	lastCut   time.Time
	lastRaise time.Time
}

func newAdaptiveRate(ceiling float64, now func() time.Time) *adaptiveRate {
	a := &adaptiveRate{pace: newPacer(ceiling), polls: newPacer(ceiling * 2 / 5), ceiling: ceiling, current: ceiling,
		refused: ceiling, now: now}
	if ceiling > 0 {
		a.floor = math.Max(ceiling/40, 0.1)
		a.step = math.Max(ceiling/200, 0.05)
		a.starting, a.lastRaise = true, now()
		a.set(math.Max(ceiling*startShare, math.Min(ceiling, 1)))
	}
	return a
}

// wait blocks until the process may send one more request.
func (a *adaptiveRate) wait(ctx context.Context) error {
	a.mu.Lock()
	a.climb(ctx)
	a.mu.Unlock()
	return a.pace.wait(ctx)
}

// throttled takes in a 429.
func (a *adaptiveRate) throttled(ctx context.Context) {
	if a.ceiling <= 0 {
		return // unlimited by configuration
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	now := a.now()
	if now.Sub(a.lastCut) < cutSpacing {
		return
	}
	a.starting, a.slowed, a.refused = false, true, a.current
	a.set(math.Max(a.floor, a.current*cutFactor))
	// The first step of the climb is due a quiet spell after this cut.
	a.lastCut, a.lastRaise = now, now.Add(quietSpell-raiseEvery)
	tflog.Info(ctx, fmt.Sprintf("Elastic Path asked to slow down (429): now at most %.2f requests/s", a.current), map[string]any{
		"rate_limit": a.ceiling, "rate": a.current,
	})
}

// climb raises the rate by the steps that the time since the last raise allows. Called with mu held.
func (a *adaptiveRate) climb(ctx context.Context) {
	if a.current >= a.ceiling {
		return
	}
	now, before := a.now(), a.current
	for a.current < a.ceiling && now.Sub(a.lastRaise) >= raiseEvery {
		a.lastRaise = a.lastRaise.Add(raiseEvery)
		switch near := nearRefused * a.refused; {
		case a.starting:
			a.current *= 2
		case a.current < near:
			a.current = math.Min(near, a.current+math.Max(a.step, (a.refused-a.current)/2))
		default:
			a.current += a.step
		}
	}
	if a.current == before {
		return
	}
	a.set(math.Min(a.current, a.ceiling))
	if a.current == a.ceiling && a.slowed {
		a.slowed = false
		tflog.Info(ctx, fmt.Sprintf("Elastic Path requests back at the full rate of %.2f requests/s", a.ceiling), map[string]any{
			"rate_limit": a.ceiling,
		})
	}
}

func (a *adaptiveRate) set(perSecond float64) {
	a.current = perSecond
	a.pace.setRate(perSecond)
	// During the start the store has not pushed back yet: polls keep their share of rate_limit (the pace of
	// all requests bounds them anyway), so that a short job's end is not seen late for want of a poll.
	polls := perSecond
	if a.starting {
		polls = a.ceiling
	}
	a.polls.setRate(polls * 2 / 5)
}

// rate is the current limit, for tests and logs.
func (a *adaptiveRate) rate() float64 {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.current
}

package epcc

import (
	"context"
	"fmt"
	"math"
	"os"
	"sync"
	"time"

	"github.com/hashicorp/terraform-plugin-log/tflog"
)

// How the request rate adapts to a store that answers 429. make bench's pipelines rounds (P processes behind
// one store's limit) fall short without each of them: docs/performance.md has the figures.
const (
	// cutFactor: what a 429 leaves of the rate, or of what the store took from the process in the last
	// second when that is less.
	cutFactor = 0.7
	// cutSpacing: a store counts requests over a second, so the 429s of the second after a cut answer the
	// overload that cut already took in, not a new one.
	cutSpacing = time.Second
	// quietSpell: how long a cut rate holds before it climbs, one step each second after without a 429: a
	// climbShare of rate_limit, then a climbGrowth more each step. A process that others' finishing left with
	// room climbs back within seconds; one that shares the store stays near its share.
	quietSpell  = 2 * time.Second
	climbShare  = 1.0 / 200
	climbGrowth = 0.3
	// pollShare: the status polls of all waits of a process keep within this share of rate_limit, so that
	// however many jobs wait at once, their polls stay under half of it.
	pollShare = 2.0 / 5
	// answerLook: how often a request held back until an answer comes looks again.
	answerLook = 5 * time.Millisecond
)

// budgets are a client's request budgets on its store: every request goes through requests, and the status
// polls of waits also through polls. A provider process has one client, so that every resource, data source,
// list and action keeps to one rate.
type budgets struct {
	requests *adaptiveRate
	polls    *pacer
}

// newBudgets returns the budgets for a rate limit of perSecond requests (0: the default; negative: unlimited).
// With a handoff file (handoffFile), the starts another process left there in the last second count against
// the rate, and this process leaves its own there.
func newBudgets(perSecond float64, handoff string) *budgets {
	if perSecond == 0 {
		perSecond = defaultRateLimit
	}
	requests := newAdaptiveRate(perSecond, time.Now)
	requests.pace.handOff(handoff, time.Now())
	return &budgets{requests: requests, polls: newPollPacer(perSecond)}
}

// newPollPacer keeps polls within pollShare of rate_limit (negative stays negative: unlimited), spaced: polls
// that went together would leave the waits a second without a look after each burst.
func newPollPacer(rateLimit float64) *pacer {
	return &pacer{perSecond: rateLimit * pollShare}
}

// pacer lets requests start at perSecond (negative: unlimited), and never more in any one second than its
// current rate, rounded up: a burst just before a cut still counts against the rate after it. Windowed (at a
// whole rate), a request starts while fewer than perSecond started in the last second, however close
// together: a process alone on its store sends what it needs at once. Spaced (at a rate with a fraction, and
// for polls), a request starts once 1/perSecond has passed since the one before, at the rate in force when it
// looks. No turn is handed out ahead of time, so a rate that changes applies to the requests already waiting;
// golang.org/x/time/rate gives its waiters a time that its later limits do not move, and its burst lets
// burst + rate through in the first second.
type pacer struct {
	mu        sync.Mutex
	perSecond float64
	windowed  bool
	recent    []time.Time // the starts of the last second, the latest last
	handoff   *os.File    // where recent is left for the next process (handoffFile), or nil
}

func newPacer(perSecond float64) *pacer {
	return &pacer{perSecond: perSecond, windowed: isWhole(perSecond)}
}

// take starts a request at now if the pace allows it; else it says when to look again.
func (p *pacer) take(now time.Time) (time.Time, bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if due := p.due(now); due.After(now) {
		return due, false
	}
	if p.perSecond >= 0 {
		p.recent = append(p.recent, now)
		if p.handoff != nil {
			leaveStarts(p.handoff, p.recent)
		}
	}
	return now, true
}

// free says whether take would start a request at now, without starting one (it drops starts over a second
// old, as take does); else when to look again.
func (p *pacer) free(now time.Time) (time.Time, bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	due := p.due(now)
	return due, !due.After(now)
}

// due is when the next request may start (now or earlier: at once). Called with mu held.
func (p *pacer) due(now time.Time) (due time.Time) {
	if p.perSecond < 0 {
		return now
	}
	// The latest start stays, however old: a spaced rate under one a second measures from it.
	for len(p.recent) > 1 && now.Sub(p.recent[0]) >= time.Second {
		p.recent = p.recent[1:]
	}
	n := len(p.recent)
	if limit := int(math.Ceil(p.perSecond)); n >= limit {
		due = p.recent[n-limit].Add(time.Second)
	}
	if !p.windowed && n > 0 {
		// Rounded up: a gap a nanosecond short would let one start too many into a second.
		due = latest(due, p.recent[n-1].Add(time.Duration(math.Ceil(float64(time.Second)/p.perSecond))))
	}
	return due
}

func (p *pacer) startsSince(t time.Time) (n int) {
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, s := range p.recent {
		if s.After(t) {
			n++
		}
	}
	return n
}

func latest(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}

// pace is what a request waits on: a pacer, or a rate that takes in each request as it asks.
type pace interface {
	take(now time.Time) (due time.Time, ok bool)
}

// waitTurn blocks until p lets the caller start, or until ctx ends, with ctx's error.
func waitTurn(ctx context.Context, p pace) error {
	for {
		due, ok := p.take(time.Now())
		if ok {
			return nil
		}
		if err := sleepCtx(ctx, time.Until(due)); err != nil {
			return err
		}
	}
}

// pollTurn lets a poll start once the request rate would let it go at once, within the poll share: a poll that
// took its share's turn and then waited on the request rate would go out with every other poll that waited,
// and so many at once when a burst of other requests ends. It reserves nothing: a request that takes the free
// turn first leaves the poll to wait on the request rate, as any request does.
type pollTurn struct{ *budgets }

func (t pollTurn) take(now time.Time) (time.Time, bool) {
	if due, ok := t.requests.free(now); !ok {
		return due, false
	}
	return t.polls.take(now)
}

func (p *pacer) setRate(perSecond float64) {
	p.mu.Lock()
	p.perSecond, p.windowed = perSecond, isWhole(perSecond)
	p.mu.Unlock()
}

// adaptiveRate keeps a process under a store's limit that it shares with processes it cannot see, the way
// TCP shares a link. Until the store first answers 429 it sends at rate_limit, its requests together: alone on
// a store, a process pays no pacing it does not need. Meanwhile a request starts only while fewer are
// unanswered than the store has answered, plus one: a process's first requests wait for the answers to the
// ones before, so processes that start together do not all open with a burst their store refuses. The first
// 429 cuts the rate to a cutFactor of what the store took from the process in the last second (its share,
// as far as one second tells), as does each later one if that is less than the rate. After a quiet spell it
// climbs back, by steps that grow while no 429 comes. Processes that all do this settle near a fair share of
// the store's limit instead of fighting over it.
type adaptiveRate struct {
	pace    *pacer
	ceiling float64 // rate_limit
	floor   float64 // the rate is never cut below this
	now     func() time.Time

	mu                   sync.Mutex
	current              float64
	lastCut              time.Time   // zero until the first 429
	lastRaise            time.Time   // the last step of the climb
	refusedAt            []time.Time // the 429s of the last second
	step                 float64     // the climb's next step
	unanswered, answered int         // until the first 429
}

func newAdaptiveRate(ceiling float64, now func() time.Time) *adaptiveRate {
	return &adaptiveRate{pace: newPacer(ceiling), ceiling: ceiling, current: ceiling, now: now,
		floor: math.Max(ceiling/20, 0.1)}
}

// take starts a request at now if the rate allows it. A request it starts is to be ended with done.
func (a *adaptiveRate) take(now time.Time) (time.Time, bool) { return a.turn(now, true) }

// free says whether take would start a request at now, without starting one.
func (a *adaptiveRate) free(now time.Time) (time.Time, bool) { return a.turn(now, false) }

func (a *adaptiveRate) turn(now time.Time, start bool) (time.Time, bool) {
	a.mu.Lock()
	defer a.mu.Unlock()
	starting := a.ceiling > 0 && a.lastCut.IsZero()
	if starting && a.unanswered > a.answered {
		return now.Add(answerLook), false
	}
	if !start {
		return a.pace.free(now)
	}
	due, ok := a.pace.take(now)
	if ok && starting {
		a.unanswered++
	}
	return due, ok
}

// done takes in the end of a request that take started: throttled says the store answered 429.
func (a *adaptiveRate) done(ctx context.Context, throttled bool) {
	if a.ceiling <= 0 {
		return // unlimited by configuration
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	now := a.now()
	starting := a.lastCut.IsZero()
	if starting {
		a.unanswered--
	}
	if !throttled {
		a.climb(ctx, now)
		if starting {
			a.answered++
		}
		return
	}
	a.refusedAt = append(a.refusedAt, now)
	for now.Sub(a.refusedAt[0]) >= time.Second {
		a.refusedAt = a.refusedAt[1:]
	}
	if !starting && now.Sub(a.lastCut) < cutSpacing {
		return
	}
	// What the store took from the process in the last second, an unanswered request counted as taken (at
	// least one: a 429 may answer a request started before that second).
	took := float64(max(1, a.pace.startsSince(now.Add(-time.Second))-len(a.refusedAt)))
	a.lastCut, a.lastRaise, a.step = now, now.Add(quietSpell), climbShare*a.ceiling
	a.set(math.Max(a.floor, cutFactor*min(a.current, took)))
	tflog.Info(ctx, fmt.Sprintf("Elastic Path asked to slow down (429): now at most %.2f requests/s", a.current), map[string]any{
		"rate_limit": a.ceiling, "rate": a.current,
	})
}

// climb raises the rate by the steps that the time since the last one allows. Called with mu held, as an
// answer comes.
func (a *adaptiveRate) climb(ctx context.Context, now time.Time) {
	if a.current >= a.ceiling || now.Before(a.lastRaise) {
		return
	}
	steps := math.Floor(now.Sub(a.lastRaise).Seconds())
	if steps < 1 {
		return
	}
	a.lastRaise = a.lastRaise.Add(time.Duration(steps) * time.Second)
	for range int(steps) {
		a.current += a.step
		a.step *= 1 + climbGrowth
	}
	a.set(math.Min(a.ceiling, a.current))
	if a.current == a.ceiling {
		tflog.Info(ctx, fmt.Sprintf("Elastic Path requests back at the full rate of %.2f requests/s", a.ceiling), map[string]any{
			"rate_limit": a.ceiling,
		})
	}
}

func (a *adaptiveRate) set(perSecond float64) {
	a.current = perSecond
	a.pace.setRate(perSecond)
}

// isWhole says whether a pacer may be windowed at perSecond: the window holds whole requests, and a rate with a
// fraction kept to its whole part would be slower than spaced.
func isWhole(perSecond float64) bool { return perSecond >= 1 && perSecond == math.Trunc(perSecond) }

// rate is the current limit, for tests and logs.
func (a *adaptiveRate) rate() float64 {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.current
}

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
	// startShare: a process starts at this share of rate_limit and doubles its rate every second it uses
	// it, until the store first answers 429 (or rate_limit is reached), so that P pipelines starting together
	// do not open with P times the store's limit.
	startShare = 1.0 / 8
	// cutFactor: what a 429 leaves of the rate.
	cutFactor = 0.7
	// cutSpacing: a store counts requests over a second, so the 429s of the second after a cut answer the
	// overload that cut already took in, not a new one.
	cutSpacing = time.Second
	// quietSpell: how long without a 429 before the rate climbs again.
	quietSpell = 2 * time.Second
	// raiseEvery: one step of a climb.
	raiseEvery = time.Second
	// nearRefused: the climb is quick up to this share of the rate that was last refused, and slow beyond.
	nearRefused = 0.9
	// usedShare: the rate rises only after a spell in which the process sent at least this share of it or,
	// until the store first answers 429, had a request wait for its turn. A rate that goes unused says
	// nothing of what the store takes, and one that grew while the process waited on its jobs would let it
	// open at several times its share once it gets busy; a request held back, as a job's POST right after a
	// poll, is a need the rate did not meet.
	usedShare = 0.6
	// pollShare: the status polls of all waits of a process keep within this share of rate_limit, so that
	// however many jobs wait at once, their polls stay under half of it.
	pollShare = 2.0 / 5
)

// Limits are the request budgets of one store: every request goes through requests, and the status polls of
// waits also through polls; exports is what the waits learnt of how long the store's exports take. A
// provider process shares one Limits between all its clients of one store, so that every resource, data
// source, list and action keeps to one rate.
type Limits struct {
	requests *adaptiveRate
	polls    *pacer
	exports  *exportPace
}

// NewLimits returns the budgets for a rate limit of perSecond requests (0: the default; negative: unlimited).
func NewLimits(perSecond float64) *Limits {
	if perSecond == 0 {
		perSecond = defaultRateLimit
	}
	return &Limits{requests: newAdaptiveRate(perSecond, time.Now), polls: newPollPacer(perSecond), exports: &exportPace{}}
}

// newPollPacer keeps polls within pollShare of rate_limit (negative stays negative: unlimited), spaced: polls
// that went together would leave the waits a second without a look after each burst.
func newPollPacer(rateLimit float64) *pacer { return newPacer(rateLimit * pollShare) }

// pacer lets requests start at perSecond (negative: unlimited), and never more in any one second than its
// rate when made, rate_limit for the process's requests, whatever the rate since. Spaced, a request starts
// once 1/perSecond has passed since the one before, at the rate in force when it looks; this is how a rate
// below the process's full rate is kept, so that the 429s answering a burst do not all come back before the
// process could slow down. Windowed (at a whole full rate that the store never pushed back on), a request
// starts while fewer than perSecond started in the last second, however close together: a process alone on
// its store then sends a job's POST right after the poll that saw the job before it end. No turn is handed
// out ahead of time: a rate that falls holds back the requests already waiting, and one that rises lets the
// next look through sooner, where a queue of turns given out at the old rate would keep them seconds out.
// Waiters are not served in order; each looks again when the turn it saw comes. golang.org/x/time/rate does
// not fit a rate that changes: the waiters it already gave a time keep it when its limit rises, and new ones
// are let in between them, so for a while more than the new rate passes; its burst would also let burst +
// rate through in the first second.
type pacer struct {
	mu        sync.Mutex
	perSecond float64
	// most is the starts in any one second, in every mode: a rate cut right after a window's burst spaces the
	// next start from the burst's last, and the burst still counts.
	most     int
	windowed bool
	recent   []time.Time // the starts of the last second, the latest last
	unspaced bool        // the latest start holds none back
	started  int         // starts so far, for the rate's climb
	held     int         // looks told to wait, for the rate's climb
}

func newPacer(perSecond float64) *pacer {
	return &pacer{perSecond: perSecond, most: int(math.Ceil(perSecond))}
}

// take starts a request at now if the pace allows it; else it says when to look again.
func (p *pacer) take(now time.Time) (due time.Time, ok bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.perSecond < 0 {
		p.started++
		return now, true
	}
	// The latest start stays, however old: a spaced rate under one a second measures from it.
	for len(p.recent) > 1 && now.Sub(p.recent[0]) >= time.Second {
		p.recent = p.recent[1:]
	}
	n := len(p.recent)
	limit := p.most
	if p.windowed {
		limit = min(limit, int(p.perSecond))
	}
	if n >= limit {
		due = p.recent[n-limit].Add(time.Second)
	}
	if !p.windowed && n > 0 && !p.unspaced {
		// Rounded up: a gap a nanosecond short would let one start too many into a second.
		due = latest(due, p.recent[n-1].Add(time.Duration(math.Ceil(float64(time.Second)/p.perSecond))))
	}
	if due.After(now) {
		p.held++
		return due, false
	}
	p.record(now, false)
	return now, true
}

// startUnspaced starts a request at now that holds back none after it; it still counts in the second's.
func (p *pacer) startUnspaced(now time.Time) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.record(now, true)
}

func (p *pacer) record(now time.Time, unspaced bool) {
	p.recent = append(p.recent, now)
	p.unspaced = unspaced
	p.started++
}

func latest(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}

// wait blocks until the caller may start, or until ctx ends, with ctx's error.
func (p *pacer) wait(ctx context.Context) error {
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

// count says how many requests started so far, and how many looks were told to wait.
func (p *pacer) count() (started, held int) {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.started, p.held
}

func (p *pacer) setRate(perSecond float64, windowed bool) {
	p.mu.Lock()
	p.perSecond, p.windowed = perSecond, windowed
	p.mu.Unlock()
}

// isWhole says whether a pacer may be windowed at perSecond: the window holds whole requests, and a rate
// with a fraction kept to its whole part would be slower than spaced.
func isWhole(perSecond float64) bool { return perSecond >= 1 && perSecond == math.Trunc(perSecond) }

func (p *pacer) rate() float64 {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.perSecond
}

// adaptiveRate keeps a process under a store's rate that it shares with processes it cannot see, the way TCP
// shares a link: it starts low and doubles while it uses its rate, until the store first answers 429; each
// 429 then cuts the rate to cutFactor of itself, and after a quiet spell it climbs back, quickly to just
// under the rate that was refused, then slowly past it, up to the configured ceiling. Processes that all do
// this settle near a fair share of the store's limit instead of fighting over it. The rate only rises after
// a spell in which the process used it or, before any 429, held a request back (usedShare), and the start
// counts from the first request, not from when the provider was configured.
type adaptiveRate struct {
	pace    *pacer  // every request
	ceiling float64 // rate_limit
	floor   float64 // the rate is never cut below this
	step    float64 // the slow climb, per raiseEvery
	now     func() time.Time

	mu        sync.Mutex
	begun     bool // the first request came
	current   float64
	refused   float64 // the rate when the last 429 came
	starting  bool    // doubling until the first 429
	slowed    bool    // cut since it was last at the ceiling, for the log
	lastCut   time.Time
	lastRaise time.Time // the last step, or when the next one's spell began
	usedSince time.Time // what the process sent is counted from here...
	usedFrom  int       // ...where the pace had started this many requests...
	heldFrom  int       // ...and told this many looks to wait
}

func newAdaptiveRate(ceiling float64, now func() time.Time) *adaptiveRate {
	a := &adaptiveRate{pace: newPacer(ceiling), ceiling: ceiling, current: ceiling, refused: ceiling, now: now}
	if ceiling > 0 {
		a.floor = math.Max(ceiling/20, 0.1)
		a.step = math.Max(ceiling/200, 0.05)
		a.starting = true
		a.set(math.Max(ceiling*startShare, math.Min(ceiling, 1)))
	}
	return a
}

// wait blocks until the process may send one more request. A rise is taken in by the requests that come
// after it: were the ones already waiting let go at the new rate, every process would burst at the same
// second's turn.
//
// The process's first request, its token, goes at once and holds back none after it: the request it was
// taken for would otherwise wait out a gap of the start's low rate, and each terraform walk runs a process
// of its own. One request more in a process's first second stays within rate_limit from 2 a second up.
func (a *adaptiveRate) wait(ctx context.Context) error {
	if a.arrive(ctx) {
		return nil
	}
	return a.pace.wait(ctx)
}

// arrive takes in a request that asks to start: the rate climbs if it may. It says whether the request
// starts at once, unspaced, as the process's first does; else it is to wait for its turn with the pace.
func (a *adaptiveRate) arrive(ctx context.Context) (started bool) {
	a.mu.Lock()
	first := !a.begun
	a.begun = true
	a.climb(ctx)
	a.mu.Unlock()
	if first && a.ceiling >= 2 {
		a.pace.startUnspaced(a.now())
		return true
	}
	return false
}

// throttled takes in a 429.
func (a *adaptiveRate) throttled(ctx context.Context) {
	if a.ceiling <= 0 {
		return // unlimited by configuration
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	now := a.now()
	if !a.lastCut.IsZero() && now.Sub(a.lastCut) < cutSpacing {
		return
	}
	a.starting, a.slowed, a.refused = false, true, a.current
	a.set(math.Max(a.floor, a.current*cutFactor))
	// The first step of the climb is due a quiet spell after this cut, if the process used its rate.
	a.lastCut, a.lastRaise = now, now.Add(quietSpell-raiseEvery)
	a.usedSince = now
	a.usedFrom, a.heldFrom = a.pace.count()
	tflog.Info(ctx, fmt.Sprintf("Elastic Path asked to slow down (429): now at most %.2f requests/s", a.current), map[string]any{
		"rate_limit": a.ceiling, "rate": a.current,
	})
}

// climb raises the rate by the steps that the time since the last raise allows, if the process used its
// rate meanwhile. The first call, the process's first request, starts the clock. Called with mu held.
func (a *adaptiveRate) climb(ctx context.Context) {
	if a.current >= a.ceiling {
		return
	}
	now := a.now()
	if a.lastRaise.IsZero() {
		a.lastRaise, a.usedSince = now, now
		a.usedFrom, a.heldFrom = a.pace.count()
		return
	}
	steps := int(now.Sub(a.lastRaise) / raiseEvery)
	if steps < 1 || now.Sub(a.usedSince) < raiseEvery {
		return // a shorter spell would make two requests in a row look like a busy process
	}
	a.lastRaise = a.lastRaise.Add(time.Duration(steps) * raiseEvery)
	started, held := a.pace.count()
	used := float64(started-a.usedFrom) / now.Sub(a.usedSince).Seconds()
	// Until the store first pushes back, a request held back is a need the rate did not meet; after, only
	// use counts, lest processes sharing the store climb on each other's heels.
	wasHeld := a.starting && held > a.heldFrom
	a.usedSince, a.usedFrom, a.heldFrom = now, started, held
	if used < usedShare*a.current && !wasHeld {
		return
	}
	before := a.current
	for step := range steps {
		switch near := nearRefused * a.refused; {
		case a.starting && step > 0:
			// One doubling for the spell that was measured, however long it was.
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
	// Together only while the store never pushed back: a process that bursts where others share the store
	// takes the window before their spaced requests, and they are the ones answered 429.
	a.pace.setRate(perSecond, a.starting && perSecond >= a.ceiling && isWhole(perSecond))
}

// rate is the current limit, for tests and logs.
func (a *adaptiveRate) rate() float64 {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.current
}

package epcc

import (
	"context"
	"fmt"
	"math"
	"sync"
	"time"

	"github.com/hashicorp/terraform-plugin-log/tflog"
	"golang.org/x/time/rate"
)

// How the request rate adapts to a store that answers 429. The numbers were chosen by simulating P processes
// behind a limit of 25 requests in any one second; docs/performance.md has what make bench measures with them.
const (
	// cutSpacing: 429s that answer requests already in flight when the rate was cut are one signal, not many.
	cutSpacing = 250 * time.Millisecond
	// quietSpell: how long without a 429 before the rate climbs again.
	quietSpell = 2 * time.Second
	// raiseEvery: one step of the climb.
	raiseEvery = time.Second
	// nearRefused: the climb is quick up to this share of the rate that was last refused, and slow beyond.
	nearRefused = 0.9
	// maxHold bounds how long one Retry-After may hold the whole process.
	maxHold = time.Minute
)

// Limits are the request budgets of one store: every request goes through requests, and the status polls of
// waits also through polls. A provider process shares one Limits between all its clients of one store, so
// that every resource, data source and action keeps to one rate.
type Limits struct {
	requests *adaptiveRate
	polls    *rate.Limiter
}

// NewLimits returns the budgets for a rate limit of perSecond requests (0: the default; negative: unlimited).
func NewLimits(perSecond float64) *Limits {
	if perSecond == 0 {
		perSecond = defaultRateLimit
	}
	return &Limits{
		requests: newAdaptiveRate(perSecond, time.Now),
		// Waits poll within two fifths of the rate: however many wait at once, their polls stay under half of
		// it (network jitter may bunch a few), and creates and reads keep the rest.
		polls: newRateLimiter(perSecond * 2 / 5),
	}
}

// newRateLimiter lets at most perSecond requests start in any one second (one every 1/perSecond when that is
// under one a second); negative means unlimited. The burst is one request: a token bucket lets burst + rate
// requests through in its first second, so any larger burst would break the promise that rate_limit keeps
// the provider under the store's limit, which is counted over any one second.
func newRateLimiter(perSecond float64) *rate.Limiter {
	if perSecond < 0 {
		return rate.NewLimiter(rate.Inf, 1)
	}
	return rate.NewLimiter(rate.Limit(perSecond), 1)
}

// adaptiveRate keeps a process under a store's rate that it shares with processes it cannot see. It halves
// its rate on a 429 and, after a quiet spell, climbs back: quickly to just under the rate that was refused,
// then slowly past it, up to the configured ceiling. This is how TCP shares a link: processes that all do it
// settle near a fair share of the store's limit instead of fighting over it. A Retry-After holds every
// request of the process until then. The limiter itself is golang.org/x/time/rate; this only moves its limit.
type adaptiveRate struct {
	limiter *rate.Limiter
	ceiling float64 // rate_limit
	floor   float64 // the rate is never cut below this
	step    float64 // the slow climb, per raiseEvery
	now     func() time.Time

	mu        sync.Mutex
	current   float64
	refused   float64 // the rate when the last 429 came
	lastCut   time.Time
	lastRaise time.Time
	holdUntil time.Time
}

func newAdaptiveRate(ceiling float64, now func() time.Time) *adaptiveRate {
	a := &adaptiveRate{limiter: newRateLimiter(ceiling), ceiling: ceiling, current: ceiling, refused: ceiling, now: now}
	if ceiling > 0 {
		a.floor = math.Max(ceiling/40, 0.1)
		a.step = math.Max(ceiling/200, 0.05)
	}
	return a
}

// wait blocks until the process may send one more request.
func (a *adaptiveRate) wait(ctx context.Context) error {
	a.mu.Lock()
	a.climb(ctx)
	hold := a.holdUntil.Sub(a.now())
	a.mu.Unlock()
	if hold > 0 {
		if err := sleepCtx(ctx, hold); err != nil {
			return err
		}
	}
	return a.limiter.Wait(ctx)
}

// throttled takes in a 429: the rate halves, and a Retry-After (0 when none) holds every request until then.
func (a *adaptiveRate) throttled(ctx context.Context, retryAfter time.Duration) {
	if a.ceiling <= 0 {
		return // unlimited by configuration
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	now := a.now()
	if hold := now.Add(min(retryAfter, maxHold)); hold.After(a.holdUntil) {
		a.holdUntil = hold
	}
	if now.Sub(a.lastCut) < cutSpacing {
		return
	}
	a.refused = a.current
	a.set(now, math.Max(a.floor, a.current/2))
	// The first step of the climb is due a quiet spell after this cut.
	a.lastCut, a.lastRaise = now, now.Add(quietSpell-raiseEvery)
	tflog.Info(ctx, fmt.Sprintf("Elastic Path asked to slow down (429): now at most %.2f requests/s", a.current), map[string]any{
		"rate_limit": a.ceiling, "rate": a.current, "retry_after_ms": retryAfter.Milliseconds(),
	})
}

// climb raises the rate by the steps that the time since the last 429 allows. Called with mu held.
func (a *adaptiveRate) climb(ctx context.Context) {
	if a.current >= a.ceiling {
		return
	}
	now, before := a.now(), a.current
	for a.current < a.ceiling && now.Sub(a.lastRaise) >= raiseEvery {
		a.lastRaise = a.lastRaise.Add(raiseEvery)
		if near := nearRefused * a.refused; a.current < near {
			a.current = math.Min(near, a.current+math.Max(a.step, (a.refused-a.current)/2))
		} else {
			a.current += a.step
		}
	}
	if a.current == before {
		return
	}
	a.set(now, math.Min(a.current, a.ceiling))
	if a.current == a.ceiling {
		tflog.Info(ctx, fmt.Sprintf("Elastic Path requests back at the full rate of %.2f requests/s", a.ceiling), map[string]any{
			"rate_limit": a.ceiling,
		})
	}
}

func (a *adaptiveRate) set(now time.Time, perSecond float64) {
	a.current = perSecond
	a.limiter.SetLimitAt(now, rate.Limit(perSecond))
}

// rate is the current limit, for tests and logs.
func (a *adaptiveRate) rate() float64 {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.current
}

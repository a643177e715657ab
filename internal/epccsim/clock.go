package epccsim

import (
	"sync"
	"time"
)

// Clock is the simulator's notion of "now". Job progress, token expiry and
// signed file URLs are all derived from it on each request, so swapping the
// clock is enough to speed up or freeze the simulated service.
type Clock interface {
	Now() time.Time
}

type realClock struct{}

func (realClock) Now() time.Time { return time.Now() }

type scaledClock struct {
	start  time.Time
	factor float64
}

// NewScaledClock returns a clock that runs factor times faster than real time
// from the moment it is created. A factor of 1000 turns a 10-minute job into
// 600ms. A factor that is not positive is treated as 1.
func NewScaledClock(factor float64) Clock {
	if factor <= 0 {
		factor = 1
	}
	return &scaledClock{start: time.Now(), factor: factor}
}

func (c *scaledClock) Now() time.Time {
	// time.Since uses the monotonic reading, so wall-clock jumps do not leak in.
	elapsed := time.Since(c.start)
	return c.start.Add(time.Duration(float64(elapsed) * c.factor))
}

// ManualClock only moves when Advance is called. It is meant for unit tests
// that need to step a job through its lifecycle deterministically.
type ManualClock struct {
	mu  sync.Mutex
	now time.Time
}

// NewManualClock returns a ManualClock reading start.
func NewManualClock(start time.Time) *ManualClock {
	return &ManualClock{now: start}
}

// Advance moves the clock forward by d.
func (c *ManualClock) Advance(d time.Duration) {
	c.mu.Lock()
	c.now = c.now.Add(d)
	c.mu.Unlock()
}

// Now returns the current reading.
func (c *ManualClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

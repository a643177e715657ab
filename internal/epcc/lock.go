package epcc

import (
	"context"
	"fmt"
	"sync"

	"golang.org/x/sync/semaphore"
)

type promotionLock struct{ sem *semaphore.Weighted }

// LockPromotion takes the process-wide lock of one promotion, so that "start
// a job and wait for it" sequences on one promotion run one at a time (the
// API allows one active job per promotion). It waits until the lock is free
// or ctx ends. release is idempotent.
func (c *Client) LockPromotion(ctx context.Context, ref PromotionRef) (release func(), err error) {
	if err := ref.validate(); err != nil {
		return nil, err
	}
	c.lockMu.Lock()
	l, ok := c.locks[ref]
	if !ok {
		l = &promotionLock{sem: semaphore.NewWeighted(1)}
		c.locks[ref] = l
	}
	c.lockMu.Unlock()
	if !l.sem.TryAcquire(1) {
		if trace := startTraceFrom(ctx); trace.Queued != nil {
			trace.Queued()
		}
		if err := l.sem.Acquire(ctx, 1); err != nil {
			return nil, fmt.Errorf("waiting for other jobs on promotion %s: %w", ref, err)
		}
	}
	var once sync.Once
	return func() { once.Do(func() { l.sem.Release(1) }) }, nil
}

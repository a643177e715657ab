package epcc

import (
	"context"
	"fmt"
	"time"
)

// cachedListing is one promotion's unfiltered job listing, kept so that many
// GetJob calls (one per resource on a refresh) cost one listing.
type cachedListing struct {
	jobs []Job
	at   time.Time // when the listing started
	gen  uint64
}

// invalidateListing forgets the promotion's listing and makes listings that
// are in flight unusable for callers that come after a change.
func (c *Client) invalidateListing(ref PromotionRef) {
	c.cacheMu.Lock()
	c.gen[ref]++
	delete(c.cache, ref)
	c.cacheMu.Unlock()
}

// listShared lists without the cache, but concurrent identical calls made
// since the last change on the promotion share one listing.
func (c *Client) listShared(ctx context.Context, ref PromotionRef, f JobFilter) ([]Job, error) {
	c.cacheMu.Lock()
	gen := c.gen[ref]
	c.cacheMu.Unlock()
	key := fmt.Sprintf("%s|%s|%s|%d", ref, f.Type, f.Status, gen)
	v, err := shared(ctx, &c.listSF, key, func(ctx context.Context) (any, error) {
		start := c.now()
		jobs, err := c.listAllJobs(ctx, ref, f)
		if err == nil && f == (JobFilter{}) {
			c.storeListing(ref, gen, start, jobs)
		}
		return jobs, err
	})
	if err != nil {
		return nil, err
	}
	jobs, ok := v.([]Job)
	if !ok {
		return nil, fmt.Errorf("listing cache holds %T", v)
	}
	return jobs, nil
}

func (c *Client) storeListing(ref PromotionRef, gen uint64, at time.Time, jobs []Job) {
	if c.cfg.ReadCacheTTL <= 0 {
		return
	}
	c.cacheMu.Lock()
	defer c.cacheMu.Unlock()
	if c.gen[ref] != gen {
		return // the promotion changed while we listed
	}
	if old, ok := c.cache[ref]; ok && old.at.After(at) {
		return
	}
	c.cache[ref] = cachedListing{jobs: jobs, at: at, gen: gen}
}

// cachedJobs returns a listing no older than maxAge (and ReadCacheTTL), else lists. The slice is shared:
// callers copy what they hand out.
func (c *Client) cachedJobs(ctx context.Context, ref PromotionRef, maxAge time.Duration) ([]Job, error) {
	if ttl := min(maxAge, c.cfg.ReadCacheTTL); ttl > 0 {
		c.cacheMu.Lock()
		e, ok := c.cache[ref]
		fresh := ok && e.gen == c.gen[ref] && c.now().Sub(e.at) < ttl
		c.cacheMu.Unlock()
		if fresh {
			return e.jobs, nil
		}
	}
	return c.listShared(ctx, ref, JobFilter{})
}

package epcc

import (
	"context"
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/hashicorp/terraform-plugin-log/tflog"
)

// WaitJob polls the promotion's job list until the job ends. It calls
// onProgress (when non-nil) with the job whenever its status or generated
// count changes, the first observation included.
//
// It returns the job when it completed. A failed or cancelled job gives
// *JobFailedError or *JobCancelledError, and the job is returned alongside.
// A job missing from a listing is polled on: jobs cannot be deleted, so it is
// lag or a bad page (a promotion that is gone answers 404, which ends the
// wait). When ctx ends, the
// error wraps ctx.Err() and names the last status seen; the last job seen
// (possibly nil) is returned alongside.
func (c *Client) WaitJob(ctx context.Context, ref PromotionRef, id string, onProgress func(Job)) (*Job, error) {
	if err := ref.validate(); err != nil {
		return nil, err
	}
	sched := c.newPollSchedule()
	var last *Job
	unlisted := false
	for {
		jobs, err := c.listShared(ctx, ref, JobFilter{})
		if err != nil {
			if ctx.Err() != nil {
				return last, waitCtxError(ctx, ref, id, last, unlisted)
			}
			return last, fmt.Errorf("waiting for promotion job %s on %s: %w", id, ref, err)
		}
		job, err := findJob(jobs, ref, id)
		if err != nil {
			if !unlisted {
				tflog.Warn(ctx, "Elastic Path promotion job missing from its promotion's job list; polling on", map[string]any{
					"promotion": ref.String(), "job_id": id,
				})
			}
			unlisted = true
			if err := sleepCtx(ctx, sched.next()); err != nil {
				return last, waitCtxError(ctx, ref, id, last, unlisted)
			}
			continue
		}
		unlisted = false
		if last == nil || last.Status != job.Status || !sameInt(last.Generated, job.Generated) {
			fields := map[string]any{"promotion": ref.String(), "job_id": id, "status": job.Status}
			if job.Generated != nil {
				fields["generated"] = *job.Generated
			}
			tflog.Info(ctx, "Elastic Path promotion job progress", fields)
			if onProgress != nil {
				onProgress(job.clone())
			}
		}
		last = job
		switch job.Status {
		case StatusCompleted:
			return job, nil
		case StatusFailed:
			return job, &JobFailedError{Job: job.clone()}
		case StatusCancelled:
			return job, &JobCancelledError{Job: job.clone()}
		}
		if err := sleepCtx(ctx, sched.next()); err != nil {
			return last, waitCtxError(ctx, ref, id, last, unlisted)
		}
	}
}

func waitCtxError(ctx context.Context, ref PromotionRef, id string, last *Job, unlisted bool) error {
	status := "none seen yet"
	if last != nil {
		status = fmt.Sprintf("%q", last.Status)
	}
	if unlisted {
		status += ", and not listed since"
	}
	err := fmt.Errorf("stopped waiting for promotion job %s on %s (last status %s): %w", id, ref, status, ctx.Err())
	if cause := context.Cause(ctx); cause != nil && cause != ctx.Err() {
		err = fmt.Errorf("%w: %v", err, cause)
	}
	return err
}

func sameInt(a, b *int64) bool {
	if a == nil || b == nil {
		return a == b
	}
	return *a == *b
}

// pollSchedule grows the delay ×1.5 per poll up to a cap, with ±10% jitter
// so that many waiters do not poll in lockstep.
type pollSchedule struct {
	delay, max time.Duration
}

func (c *Client) newPollSchedule() *pollSchedule {
	return &pollSchedule{delay: c.cfg.PollInterval, max: c.cfg.PollMaxInterval}
}

func (s *pollSchedule) next() time.Duration {
	d := s.delay
	s.delay = s.delay * 3 / 2
	if s.delay > s.max {
		s.delay = s.max
	}
	return time.Duration(float64(d) * (0.9 + 0.2*rand.Float64()))
}

// sleepCtx sleeps d or until ctx ends, whichever comes first.
func sleepCtx(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

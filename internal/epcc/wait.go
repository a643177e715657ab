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
		jobs, err := c.pollJobs(ctx, ref)
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
			if err := sleepCtx(ctx, sched.next(c.now(), nil)); err != nil {
				return last, waitCtxError(ctx, ref, id, last, unlisted)
			}
			continue
		}
		unlisted = false
		if last == nil && IsActive(job.Status) {
			if sched.expect = expectedExport(job, jobs); sched.expect > 0 {
				tflog.Debug(ctx, "Elastic Path export expected to end from earlier exports", map[string]any{
					"promotion": ref.String(), "job_id": id, "expected_in_ms": sched.expect.Milliseconds(),
				})
			}
		}
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
		if err := sleepCtx(ctx, sched.next(c.now(), job)); err != nil {
			return last, waitCtxError(ctx, ref, id, last, unlisted)
		}
	}
}

// pollJobs lists the promotion's jobs for a wait, within the process's share of polls.
func (c *Client) pollJobs(ctx context.Context, ref PromotionRef) ([]Job, error) {
	if err := waitTurn(ctx, pollTurn{c.limits}); err != nil {
		return nil, err
	}
	return c.listShared(ctx, ref, JobFilter{})
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

// pollSchedule says when to look at a job again. Its base is a twelfth of the time waited so far, within
// [floor, ceiling]: a job that ends just after a poll is seen at most ~8% of its run time later (the aim is
// 10%), and the number of polls grows with the logarithm of the job's length, not linearly.
//
// A code_generate job that reports its progress says when it will end, and the schedule then aims at that
// moment instead: far fewer polls on long jobs, and the end seen within a fraction of the floor. It never
// extrapolates further ahead than it has watched the job progress, so a job that speeds up or a count that
// jumps costs at most one poll too early.
//
// A code_export, which reports no progress, is expected to run as long as the shortest export its promotion's
// listing shows completed (expectedExport): the polls thin out until just before that, again never further
// ahead than the time waited, so that an export that ends much sooner than expected is seen at most that
// late, and then follow the base schedule. With nothing to expect (the first export on a promotion, or a
// generate job that reports its count only at the end), the base schedule alone.
type pollSchedule struct {
	floor, ceiling time.Duration
	start          time.Time     // when the wait began
	expect         time.Duration // how long the job should run from start, from earlier exports; 0: nothing to go by
	first          *progress     // the first sight of the job generating codes
	latest         int64         // the count seen last
}

type progress struct {
	at        time.Time
	generated int64
}

func (c *Client) newPollSchedule() *pollSchedule {
	return &pollSchedule{floor: c.cfg.PollInterval, ceiling: c.cfg.PollMaxInterval, start: c.now()}
}

// next is the delay before the next poll, given the job as seen at now (nil when it was not listed). Up to
// a tenth of it is taken off at random, so that waits started together drift apart.
func (s *pollSchedule) next(now time.Time, job *Job) time.Duration {
	waited := now.Sub(s.start)
	d := min(max(waited/12, s.floor), s.ceiling)
	if left, watched, ok := s.remaining(now, job); ok {
		// The guess errs early by a code or two, so the poll after it comes sooner than the floor.
		d = min(max(left, s.floor/4), max(d, min(watched, s.ceiling)))
	} else if aim := s.expect - s.expect/10 - waited; aim > d {
		// The base schedule resumes a tenth before the expected end: an export a little quicker than the
		// one it is expected from is still seen in time.
		d = min(aim, max(d, min(waited, s.ceiling)))
	}
	return time.Duration(float64(d) * (0.9 + 0.1*rand.Float64()))
}

// remaining estimates how long a processing code_generate job has left, from the codes it made since it
// was first seen making them, and says how long that has been watched.
func (s *pollSchedule) remaining(now time.Time, job *Job) (left, watched time.Duration, ok bool) {
	if job == nil || job.Status != StatusProcessing || job.Generated == nil ||
		job.Parameters == nil || job.Parameters.NumberOfCodes == nil {
		return 0, 0, false
	}
	g, total := *job.Generated, *job.Parameters.NumberOfCodes
	if s.first == nil || g < s.latest {
		// A count that goes back (a store that recounts) starts the estimate over.
		s.first, s.latest = &progress{at: now, generated: g}, g
		return 0, 0, false
	}
	s.latest = g
	made, watched := g-s.first.generated, now.Sub(s.first.at)
	if made <= 0 || watched <= 0 {
		return 0, 0, false
	}
	// Counts are whole codes: one more than counted bounds the true rate from above, so the guess lands at
	// or before the end, never after it.
	perCode := watched / time.Duration(made+1)
	return time.Duration(max(total-g, 0)) * perCode, watched, true
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

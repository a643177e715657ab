package epcc

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"time"

	"github.com/hashicorp/terraform-plugin-log/tflog"
)

// maxAmbiguousResends bounds how often StartJob sends again after requests
// whose outcome stayed unknown and left no job behind.
const maxAmbiguousResends = 5

// maxBusyRounds bounds the rounds in which the API says "Too many jobs" while
// its list shows no active job (the two disagreeing for a moment).
const maxBusyRounds = 20

// startListingAge is how old a listing StartJob may take its "jobs before" from: the wait that just saw the
// previous job on the promotion end took one, and listing again would only cost a request. The window in
// which someone else's identical job could be taken for ours after an ambiguous attempt grows from a
// listing's round trip to at most this; jobs this client starts or cancels drop the listing anyway.
const startListingAge = time.Second

// reconcileGrace bounds the look for a job an ambiguous request made after the caller's context has ended.
const reconcileGrace = 30 * time.Second

// StartJob creates a job without ever creating two. It lists the jobs first;
// when a create attempt ends ambiguously it lists again and adopts a new job
// matching the request instead of sending again; when the promotion is busy
// with another job it waits for that job to end (within ctx) and sends again.
func (c *Client) StartJob(ctx context.Context, ref PromotionRef, req CreateJobRequest) (*Job, error) {
	job, _, err := c.startJob(ctx, ref, req, false)
	return job, err
}

// StartOrAdoptJob is StartJob for a job that is identified by what it asks for (IsSameJob): when the
// promotion already holds that job (SameJob), it is returned, with adopted true, instead of a second one.
// Every listing taken before a request is sent is looked at, so a job of the same identity that another
// process starts while this one waits for the promotion is adopted too.
func (c *Client) StartOrAdoptJob(ctx context.Context, ref PromotionRef, req CreateJobRequest) (job *Job, adopted bool, err error) {
	return c.startJob(ctx, ref, req, true)
}

func (c *Client) startJob(ctx context.Context, ref PromotionRef, req CreateJobRequest, adopt bool) (*Job, bool, error) {
	if err := ref.validate(); err != nil {
		return nil, false, err
	}
	before, err := c.cachedJobs(ctx, ref, startListingAge)
	if err != nil {
		return nil, false, fmt.Errorf("starting a %s job on %s: listing existing jobs: %w", req.Type, ref, err)
	}
	known := make(map[string]bool, len(before))
	for _, j := range before {
		known[j.ID] = true
	}
	ambiguous, busyRounds := 0, 0
	// ours finds, in a listing, the job to return instead of sending (again): one an ambiguous attempt of
	// ours made, else (adopt) one of the same identity.
	ours := func(jobs []Job) (job *Job, same bool) {
		if ambiguous > 0 {
			if j := adoptable(jobs, known, req); j != nil {
				return j, false
			}
		}
		if adopt {
			return SameJob(jobs, req), true
		}
		return nil, false
	}
	found := func(j *Job, same bool) (*Job, bool, error) {
		logAdopted(ctx, ref, j, same)
		return j, same, nil
	}
	if j, same := ours(before); j != nil {
		return found(j, same)
	}

	var lastUnknown error
	for {
		job, err := c.CreateJob(ctx, ref, req)
		if err == nil {
			return job, false, nil
		}
		var unknown *OutcomeUnknownError
		switch {
		case errors.As(err, &unknown) && unknown.Accepted:
			// The API took the request: never send it again, only wait for its job to be listed.
			job, err := c.awaitAccepted(ctx, ref, known, req, err)
			return job, false, err
		case errors.As(err, &unknown):
			ambiguous++
			lastUnknown = err
			jobs, lerr := c.listForReconcile(ctx, ref)
			if lerr != nil {
				return nil, false, fmt.Errorf("%w; and listing the jobs to find out failed: %v", err, lerr)
			}
			if j, same := ours(jobs); j != nil {
				return found(j, same)
			}
			if ctx.Err() != nil {
				return nil, false, fmt.Errorf("starting a %s job on %s: no job was found after the request was cut short: %w", req.Type, ref, err)
			}
			if ambiguous > maxAmbiguousResends {
				return nil, false, fmt.Errorf("starting a %s job on %s: %d attempts ended without a clear answer and no job was created: %w", req.Type, ref, ambiguous, lastUnknown)
			}
			tflog.Warn(ctx, "Elastic Path job request outcome unknown and no job found, sending it again", map[string]any{
				"promotion": ref.String(), "attempt": ambiguous, "error": err.Error(),
			})

		case IsTooManyJobs(err):
			jobs, lerr := c.ListJobs(ctx, ref, JobFilter{})
			if lerr != nil {
				return nil, false, fmt.Errorf("%w; and listing the jobs failed: %v", err, lerr)
			}
			// An earlier ambiguous attempt may be what keeps the promotion busy; without one, a new job
			// matching the request belongs to someone else, and is ours only if it has our identity.
			j, same, werr := c.waitUntilIdle(ctx, ref, jobs, req, ours)
			if werr != nil {
				return nil, false, werr
			}
			if j != nil {
				return found(j, same)
			}
			if !hasActive(jobs) {
				// The list showed nothing active although the API said busy:
				// give the API a moment before sending again, boundedly.
				busyRounds++
				if busyRounds > maxBusyRounds {
					return nil, false, fmt.Errorf("starting a %s job on %s: the promotion stays busy although no job is listed as active: %w", req.Type, ref, err)
				}
				if serr := sleepCtx(ctx, c.newPollSchedule().next(c.now(), nil)); serr != nil {
					return nil, false, fmt.Errorf("starting a %s job on %s: %w (while the promotion was busy: %v)", req.Type, ref, serr, err)
				}
			}

		default:
			if ambiguous > 0 && ctx.Err() == nil {
				// A clean rejection after an ambiguous attempt: no job of ours
				// was found, so the rejection stands.
				return nil, false, fmt.Errorf("%w (after %d attempt(s) without a clear answer: %w)", err, ambiguous, lastUnknown)
			}
			return nil, false, err
		}
	}
}

// awaitAccepted polls the listing for the job of a request the API accepted with an unreadable answer, until
// it shows up or ctx ends. Listings may lag behind a create, so one listing without it proves nothing.
func (c *Client) awaitAccepted(ctx context.Context, ref PromotionRef, known map[string]bool, req CreateJobRequest, cause error) (*Job, error) {
	sched := c.newPollSchedule()
	for {
		jobs, err := c.listForReconcile(ctx, ref)
		if err == nil {
			if adopted := adoptable(jobs, known, req); adopted != nil {
				logAdopted(ctx, ref, adopted, false)
				return adopted, nil
			}
		}
		if serr := sleepCtx(ctx, sched.next(c.now(), nil)); serr != nil {
			return nil, fmt.Errorf("starting a %s job on %s: the API accepted the request but its answer was "+
				"unreadable, and the job was not listed before waiting stopped (%v); no second request was sent: %w",
				req.Type, ref, serr, cause)
		}
	}
}

// listForReconcile lists the jobs an ambiguous request may have added to. When the caller's context has
// already ended (a timeout or an interrupt cut the request short), it still looks, briefly, on a context of
// its own: a job that exists but is never reported to the caller would be orphaned.
func (c *Client) listForReconcile(ctx context.Context, ref PromotionRef) ([]Job, error) {
	if ctx.Err() == nil {
		return c.ListJobs(ctx, ref, JobFilter{})
	}
	detached, cancel := context.WithTimeout(context.WithoutCancel(ctx), reconcileGrace)
	defer cancel()
	return c.ListJobs(detached, ref, JobFilter{})
}

// waitUntilIdle polls until no job on the promotion is active, and returns what ours finds in a listing
// meanwhile, or in the first one that shows the promotion idle.
func (c *Client) waitUntilIdle(ctx context.Context, ref PromotionRef, jobs []Job, req CreateJobRequest,
	ours func([]Job) (*Job, bool)) (*Job, bool, error) {
	sched := c.newPollSchedule()
	lastBusy := ""
	for {
		if j, same := ours(jobs); j != nil {
			return j, same, nil
		}
		busy := activeJob(jobs)
		if busy == nil {
			return nil, false, nil
		}
		if key := busy.ID + "/" + busy.Status; key != lastBusy {
			lastBusy = key
			tflog.Info(ctx, fmt.Sprintf("promotion %s is busy with job %s (%s), waiting", ref, busy.ID, busy.Status), map[string]any{
				"promotion": ref.String(), "busy_job_id": busy.ID, "busy_job_status": busy.Status,
			})
			if trace := startTraceFrom(ctx); trace.Busy != nil {
				trace.Busy(busy.clone())
			}
		}
		if err := sleepCtx(ctx, sched.next(c.now(), busy)); err != nil {
			return nil, false, fmt.Errorf("starting a %s job on %s: stopped waiting for job %s (%s) to finish: %w", req.Type, ref, busy.ID, busy.Status, err)
		}
		var err error
		jobs, err = c.pollJobs(ctx, ref)
		if err != nil {
			return nil, false, fmt.Errorf("starting a %s job on %s: waiting for job %s to finish: %w", req.Type, ref, busy.ID, err)
		}
	}
}

func activeJob(jobs []Job) *Job {
	for i := range jobs {
		if IsActive(jobs[i].Status) {
			return &jobs[i]
		}
	}
	return nil
}

func hasActive(jobs []Job) bool { return activeJob(jobs) != nil }

// adoptable finds a job that was not there before we started and matches
// what we asked for: it can only come from one of our ambiguous attempts.
// The oldest such job is the first one we caused.
func adoptable(jobs []Job, known map[string]bool, req CreateJobRequest) *Job {
	var candidates []Job
	for _, j := range jobs {
		if !known[j.ID] && matchesRequest(j, req) {
			candidates = append(candidates, j)
		}
	}
	if len(candidates) == 0 {
		return nil
	}
	sort.SliceStable(candidates, func(a, b int) bool { return candidates[a].CreatedAt.Before(candidates[b].CreatedAt) })
	j := candidates[0].clone()
	return &j
}

// matchesRequest: same type; same name when we sent one (the API may name
// unnamed jobs itself); every parameter we sent equal.
func matchesRequest(j Job, req CreateJobRequest) bool {
	if j.Type != req.Type {
		return false
	}
	if req.Name != "" && j.Name != req.Name {
		return false
	}
	p := req.Parameters
	if req.Type == JobTypeExport || p.empty() {
		return true
	}
	got := j.Parameters
	if got == nil {
		got = &JobParameters{}
	}
	if p.NumberOfCodes != nil && !sameInt(p.NumberOfCodes, got.NumberOfCodes) {
		return false
	}
	if p.MaxUsesPerCode != nil && !sameInt(p.MaxUsesPerCode, got.MaxUsesPerCode) {
		return false
	}
	if p.CodeLength != nil && !sameInt(p.CodeLength, got.CodeLength) {
		return false
	}
	if p.ConsumeUnit != "" && p.ConsumeUnit != got.ConsumeUnit {
		return false
	}
	if p.CodePrefix != "" && p.CodePrefix != got.CodePrefix {
		return false
	}
	return true
}

// IsSameJob tells whether job is the one req asks for, by its identity on its promotion: the same type, name
// and parameters. A parameter req leaves unset is unset on the job, or has the API's documented default.
func IsSameJob(job Job, req CreateJobRequest) bool {
	if job.Type != req.Type || job.Name != req.Name {
		return false
	}
	want, got := req.Parameters, job.Parameters
	if want == nil {
		want = &JobParameters{}
	}
	if got == nil {
		got = &JobParameters{}
	}
	return sameInt(want.NumberOfCodes, got.NumberOfCodes) && sameInt(want.MaxUsesPerCode, got.MaxUsesPerCode) &&
		want.ConsumeUnit == got.ConsumeUnit && want.CodePrefix == got.CodePrefix &&
		codeLength(want) == codeLength(got)
}

// codeLength is the length the API gives codes: code_length, 8 when unset.
func codeLength(p *JobParameters) int64 {
	if p.CodeLength == nil {
		return DefaultCodeLength
	}
	return *p.CodeLength
}

// DefaultCodeLength is the code_length the API applies when none is sent.
const DefaultCodeLength = 8

// SameJob returns the oldest job in jobs that IsSameJob as req and can still be what req asked for: one that
// runs or completed, not one that failed or was cancelled (its batch was never made whole).
func SameJob(jobs []Job, req CreateJobRequest) *Job {
	var oldest *Job
	for i := range jobs {
		j := &jobs[i]
		if !IsSameJob(*j, req) || j.Status == StatusFailed || j.Status == StatusCancelled || j.Status == StatusCancelling {
			continue
		}
		if oldest == nil || j.CreatedAt.Before(oldest.CreatedAt) {
			oldest = j
		}
	}
	if oldest == nil {
		return nil
	}
	j := oldest.clone()
	return &j
}

func logAdopted(ctx context.Context, ref PromotionRef, j *Job, same bool) {
	msg := fmt.Sprintf("adopted job %s created by an ambiguous request", j.ID)
	if same {
		msg = fmt.Sprintf("adopted job %s: the promotion already holds this job (same type, name and parameters)", j.ID)
	}
	tflog.Warn(ctx, msg, map[string]any{"promotion": ref.String(), "job_id": j.ID, "status": j.Status})
}

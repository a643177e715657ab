package epcc

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-log/tflogtest"
)

// scriptStore advances a job through steps, one per listing.
func scriptedJob(t *testing.T, steps []func(j *storeJob)) (*jobStore, *Client) {
	t.Helper()
	store := newJobStore()
	j := store.add("promo-1", JobTypeGenerate, "g", map[string]any{"number_of_codes": 20}, StatusPending)
	store.onList = func(promo string, n int) {
		if n-1 < len(steps) {
			steps[n-1](j)
		}
	}
	srv := newTestServer(t, store)
	return store, newTestClient(t, srv.URL)
}

func TestWaitJobProgressAndCompletion(t *testing.T) {
	steps := []func(j *storeJob){
		func(j *storeJob) {},
		func(j *storeJob) {}, // unchanged: no progress call
		func(j *storeJob) { j.Status = StatusProcessing; j.Generated = i64(5) },
		func(j *storeJob) { j.Generated = i64(15) },
		func(j *storeJob) { j.Status = StatusCompleted; j.Generated = i64(20) },
	}
	_, c := scriptedJob(t, steps)
	var mu sync.Mutex
	var seen []string
	job, err := c.WaitJob(testCtx(t), testRef, "job-0001", func(j Job) {
		mu.Lock()
		defer mu.Unlock()
		g := int64(-1)
		if j.Generated != nil {
			g = *j.Generated
		}
		seen = append(seen, j.Status+":"+itoa(g))
	})
	if err != nil {
		t.Fatal(err)
	}
	if job.Status != StatusCompleted || *job.Generated != 20 {
		t.Errorf("job = %+v", job)
	}
	want := "pending:-1 processing:5 processing:15 completed:20"
	if got := strings.Join(seen, " "); got != want {
		t.Errorf("progress = %q, want %q", got, want)
	}
}

func TestWaitJobFailed(t *testing.T) {
	_, c := scriptedJob(t, []func(j *storeJob){
		func(j *storeJob) { j.Status = StatusProcessing },
		func(j *storeJob) { j.Status = StatusFailed; j.Error = "codes limit exceeded" },
	})
	job, err := c.WaitJob(testCtx(t), testRef, "job-0001", nil)
	var failed *JobFailedError
	if !errors.As(err, &failed) {
		t.Fatalf("err = %v", err)
	}
	if failed.Job.Error != "codes limit exceeded" || !strings.Contains(err.Error(), "failed: codes limit exceeded") {
		t.Errorf("failed = %+v / %q", failed.Job, err)
	}
	if job == nil || job.Status != StatusFailed {
		t.Errorf("job not returned alongside: %+v", job)
	}
}

func TestWaitJobCancelled(t *testing.T) {
	_, c := scriptedJob(t, []func(j *storeJob){
		func(j *storeJob) { j.Status = StatusCancelling },
		func(j *storeJob) { j.Status = StatusCancelled; j.Generated = i64(3) },
	})
	_, err := c.WaitJob(testCtx(t), testRef, "job-0001", nil)
	var cancelled *JobCancelledError
	if !errors.As(err, &cancelled) || cancelled.Job.Status != StatusCancelled {
		t.Fatalf("err = %v", err)
	}
}

// A job missing from some listings (read-after-write lag, a bad page) is still there: jobs cannot be deleted.
// The wait polls on and sees it complete.
func TestWaitJobUnlistedForAWhile(t *testing.T) {
	store, c := scriptedJob(t, nil)
	var hidden []*storeJob
	store.mu.Lock()
	store.onList = func(promo string, n int) {
		switch n {
		case 2:
			hidden, store.jobs[promo] = store.jobs[promo], nil
		case 4:
			hidden[0].Status = StatusCompleted
			store.jobs[promo] = hidden
		}
	}
	store.mu.Unlock()
	job, err := c.WaitJob(testCtx(t), testRef, "job-0001", nil)
	if err != nil || job.Status != StatusCompleted {
		t.Fatalf("WaitJob = %+v, %v; want the job completed", job, err)
	}
	if n := store.lists.Load(); n != 4 {
		t.Errorf("listings = %d, want 4 (two without the job)", n)
	}
}

// A job that stays unlisted ends the wait only with the caller's deadline, and the error says it was unlisted.
func TestWaitJobUnlistedUntilDeadline(t *testing.T) {
	store, c := scriptedJob(t, nil)
	store.mu.Lock()
	store.onList = func(promo string, n int) {
		if n == 2 {
			store.jobs[promo] = nil
		}
	}
	store.mu.Unlock()
	ctx, cancel := context.WithTimeout(testCtx(t), 300*time.Millisecond)
	defer cancel()
	_, err := c.WaitJob(ctx, testRef, "job-0001", nil)
	if !errors.Is(err, context.DeadlineExceeded) || !strings.Contains(err.Error(), "not listed") {
		t.Fatalf("err = %v", err)
	}
}

func TestWaitJobContextCancelIsPrompt(t *testing.T) {
	store := newJobStore()
	store.add("promo-1", JobTypeGenerate, "g", nil, StatusProcessing)
	srv := newTestServer(t, store)
	c := newTestClient(t, srv.URL, func(cfg *Config) {
		cfg.PollInterval = 10 * time.Second
		cfg.PollMaxInterval = 10 * time.Second
	})
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(100*time.Millisecond, cancel)
	start := time.Now()
	job, err := c.WaitJob(ctx, testRef, "job-0001", nil)
	if el := time.Since(start); el > time.Second {
		t.Errorf("returned after %v", el)
	}
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v", err)
	}
	if !strings.Contains(err.Error(), `last status "processing"`) {
		t.Errorf("message lacks the last status: %q", err)
	}
	if job == nil || job.Status != StatusProcessing {
		t.Errorf("last job = %+v", job)
	}

	// A deadline that is already over.
	ctx2, cancel2 := context.WithTimeout(context.Background(), time.Nanosecond)
	defer cancel2()
	time.Sleep(time.Millisecond)
	_, err = c.WaitJob(ctx2, testRef, "job-0001", nil)
	if !errors.Is(err, context.DeadlineExceeded) || !strings.Contains(err.Error(), "none seen yet") {
		t.Errorf("err = %v", err)
	}
}

// With nothing to go by, the delay stays within the configured floor and ceiling (less up to a tenth, which
// sets waits started together apart) and within a tenth of the time waited: an end right after a poll is seen
// within 10% of the job's time.
func TestPollScheduleBase(t *testing.T) {
	start := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	floor, ceiling := 250*time.Millisecond, 10*time.Second
	s := &pollSchedule{floor: floor, ceiling: ceiling, start: start}
	for waited := time.Duration(0); waited <= 20*time.Minute; waited += 700 * time.Millisecond {
		d := s.next(start.Add(waited), nil)
		if d < floor*9/10 || d > ceiling {
			t.Fatalf("after %v: %v, outside [%v less a tenth, %v]", waited, d, floor, ceiling)
		}
		if d > max(floor, waited/10) {
			t.Fatalf("after %v: %v, more than a tenth of the wait", waited, d)
		}
	}
}

// A code_generate job that reports its count is polled at its end (within the floor), and never
// further ahead than it has been watched making codes: a job that slows down costs a poll, not lateness.
func TestPollScheduleAimsAtTheEnd(t *testing.T) {
	start := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	s := &pollSchedule{floor: 250 * time.Millisecond, ceiling: 10 * time.Second, start: start}
	const total, perSecond = 1000, 10
	end := 100 * time.Second
	job := func(at time.Duration) *Job {
		generated := int64(at.Seconds() * perSecond)
		return &Job{Type: JobTypeGenerate, Status: StatusProcessing, Generated: &generated,
			Parameters: &JobParameters{NumberOfCodes: int64Ptr(total)}}
	}
	firstSeen, polls := time.Second, 0
	for at := firstSeen; at < end; polls++ {
		d := s.next(start.Add(at), job(at))
		if at+d > end+s.floor {
			t.Fatalf("at %v the next poll is %v later, after the job's end at %v", at, d, end)
		}
		if watched := at - firstSeen; at > firstSeen && d > max(watched, s.floor) {
			t.Fatalf("at %v the next poll is %v later, further than the %v watched", at, d, watched)
		}
		at += d
	}
	if base, _ := simulateWait(end, false, 0); polls >= base {
		t.Errorf("%d polls with the count against %d without: the count saved nothing", polls, base)
	}
}

func int64Ptr(v int64) *int64 { return &v }

// TestPollScheduleTargets runs the schedule on a simulated clock over job lengths from 1 s to 20 min: the
// end is seen within max(0.3 s, 10% of the job's time), and a job that reports its progress, or one that
// does not but follows an earlier job of its kind as long or up to a tenth shorter, is polled at most
// length/2s + 15 times.
func TestPollScheduleTargets(t *testing.T) {
	for length := time.Second; length <= 20*time.Minute; length = length * 21 / 20 {
		for _, c := range []struct {
			progress bool
			expect   time.Duration
		}{{true, 0}, {false, 0}, {false, length}, {false, length * 9 / 10}} {
			polls, late := simulateWait(length, c.progress, c.expect)
			if limit := max(300*time.Millisecond, length/10); late > limit {
				t.Errorf("%v job (%+v): end seen %v late, want at most %v", length, c, late, limit)
			}
			if budget := int(length/(2*time.Second)) + 15; (c.progress || c.expect > 0) && polls > budget {
				t.Errorf("%v job (%+v): %d polls, want at most %d", length, c, polls, budget)
			}
		}
	}
}

// TestPollScheduleExpectedEnd: a job expected to run 10 s is polled sparsely until 9 s, never further ahead
// than it has been waited on; one that ends much sooner than expected is seen at most as late as it ran.
func TestPollScheduleExpectedEnd(t *testing.T) {
	polls, late := simulateWait(10*time.Second, false, 10*time.Second)
	if polls > 12 || late > time.Second {
		t.Errorf("10 s job expected to take 10 s: %d polls, %v late; want at most 12 and 1s", polls, late)
	}
	base, _ := simulateWait(10*time.Second, false, 0)
	if polls >= base {
		t.Errorf("expecting the end saved no poll: %d against %d", polls, base)
	}
	_, late = simulateWait(3*time.Second, false, 10*time.Second)
	if late > 3*time.Second {
		t.Errorf("3 s job expected to take 10 s: seen %v late, want at most its own run", late)
	}
	if _, late = simulateWait(3*time.Second, false, 0); late > 300*time.Millisecond {
		t.Errorf("3 s job with nothing to expect: %v late", late)
	}
}

// A wait on an export of a promotion exported before expects its end from that export and says so at DEBUG.
func TestWaitJobExpectsAnExportFromItsPromotion(t *testing.T) {
	store := newJobStore()
	earlier := store.add("promo-1", JobTypeExport, "earlier", nil, StatusCompleted)
	earlier.Updated = earlier.Created.Add(6 * time.Second)
	now := store.add("promo-1", JobTypeExport, "now", nil, StatusProcessing)
	store.onList = func(promo string, n int) {
		if n == 2 {
			now.Status = StatusCompleted
		}
	}
	c := newTestClient(t, newTestServer(t, store).URL)
	var logs bytes.Buffer
	ctx := tflogtest.RootLogger(testCtx(t), &logs)
	if _, err := c.WaitJob(ctx, testRef, now.ID, nil); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(logs.String(), `"expected_in_ms":6000`) {
		t.Errorf("the wait did not expect the end from the promotion's earlier export:\n%s", logs.String())
	}
}

// TestExpectedExportIsTheShortestCompleted: a wait on an export expects the shortest completed export of its
// promotion's listing, less what it has run already.
func TestExpectedExportIsTheShortestCompleted(t *testing.T) {
	at := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	run := func(typ, status string, d time.Duration) Job {
		return Job{Type: typ, Status: status, CreatedAt: at, UpdatedAt: at.Add(d)}
	}
	next := &Job{Type: JobTypeExport, Status: StatusPending}
	if got := expectedExport(next, nil); got != 0 {
		t.Fatalf("nothing listed: %v", got)
	}
	listing := []Job{
		run(JobTypeExport, StatusCompleted, 12*time.Second),
		run(JobTypeExport, StatusCompleted, 8*time.Second),
		run(JobTypeExport, StatusFailed, time.Second),      // a failure says nothing of a run's length
		run(JobTypeExport, StatusProcessing, time.Second),  // nor does a run not ended
		run(JobTypeGenerate, StatusCompleted, time.Second), // a generate job says how far it is itself
		{Type: JobTypeExport, Status: StatusCompleted},     // no timestamps
	}
	if got := expectedExport(next, listing); got != 8*time.Second {
		t.Errorf("export: %v, want 8s", got)
	}
	if got := expectedExport(&Job{Type: JobTypeGenerate, Status: StatusPending}, listing); got != 0 {
		t.Errorf("generate: %v, want nothing", got)
	}
	// An export first seen processing for 3 s already (since its last change of status) has 5 s left.
	processing := run(JobTypeExport, StatusProcessing, 3*time.Second)
	if got := expectedExport(&processing, listing); got != 5*time.Second {
		t.Errorf("export 3 s into its run: %v, want 5s", got)
	}
}

func TestLockPromotion(t *testing.T) {
	c := newTestClient(t, "https://example.invalid")
	ctx := testCtx(t)
	release, err := c.LockPromotion(ctx, testRef)
	if err != nil {
		t.Fatal(err)
	}
	// Another promotion is independent.
	other, err := c.LockPromotion(ctx, PromotionRef{API: PromotionsStandard, ID: "promo-1"})
	if err != nil {
		t.Fatal(err)
	}
	other()

	// The same promotion waits, says so to a start trace, and honours its context.
	queued := 0
	short, cancel := context.WithTimeout(WithStartTrace(ctx, &StartTrace{Queued: func() { queued++ }}), 50*time.Millisecond)
	defer cancel()
	if _, err := c.LockPromotion(short, testRef); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("second lock: %v", err)
	}
	if queued != 1 {
		t.Errorf("a lock that had to wait told its trace %d times, want once", queued)
	}

	got, done := make(chan time.Time), make(chan struct{})
	go func() {
		defer close(done)
		r2, err := c.LockPromotion(ctx, testRef)
		if err != nil {
			close(got)
			return
		}
		got <- time.Now()
		r2()
	}()
	time.Sleep(50 * time.Millisecond)
	released := time.Now()
	release()
	release() // idempotent: must not free a lock someone else holds
	at, ok := <-got
	if !ok || at.Before(released) {
		t.Fatalf("second holder got the lock before release (ok=%v)", ok)
	}
	<-done // the second holder has released it: the lock is free
	r3, err := c.LockPromotion(WithStartTrace(ctx, &StartTrace{Queued: func() { queued++ }}), testRef)
	if err != nil {
		t.Fatal(err)
	}
	r3()
	if queued != 1 {
		t.Errorf("a free lock told its trace it was queued")
	}
	if _, err := c.LockPromotion(ctx, PromotionRef{}); err == nil {
		t.Error("empty ref accepted")
	}
}

func TestLockSerializesStartAndWait(t *testing.T) {
	store := newJobStore()
	// Each job completes on the listing after its creation.
	store.onList = func(promo string, n int) {
		for _, j := range store.jobs[promo] {
			if j.Status == StatusPending {
				j.Status = StatusCompleted
			}
		}
	}
	srv := newTestServer(t, store)
	c := newTestClient(t, srv.URL)
	ctx := testCtx(t)
	var wg sync.WaitGroup
	errs := make(chan error, 3)
	for i := 0; i < 3; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			release, err := c.LockPromotion(ctx, testRef)
			if err != nil {
				errs <- err
				return
			}
			defer release()
			job, err := c.StartJob(ctx, testRef, CreateJobRequest{Type: JobTypeExport})
			if err != nil {
				errs <- err
				return
			}
			if _, err := c.WaitJob(ctx, testRef, job.ID, nil); err != nil {
				errs <- err
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	if store.count("promo-1") != 3 || store.posts.Load() != 3 {
		t.Errorf("jobs %d posts %d: not serialized", store.count("promo-1"), store.posts.Load())
	}
}

// Waits poll within the process's share of polls: with that share taken for the next minute, a wait makes
// no request before its deadline, and says why it stopped.
func TestWaitJobPollsWithinItsShare(t *testing.T) {
	store := newJobStore()
	store.add("promo-1", JobTypeGenerate, "g", nil, StatusProcessing)
	srv := newTestServer(t, store)
	c := newTestClient(t, srv.URL, func(cfg *Config) { cfg.RateLimit = 2 })
	c.limits.polls.setRate(1.0 / 60)
	c.limits.polls.take(time.Now()) // the poll of the minute
	ctx, cancel := context.WithTimeout(testCtx(t), 200*time.Millisecond)
	defer cancel()
	_, err := c.WaitJob(ctx, testRef, "job-0001", nil)
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("err = %v, want the deadline", err)
	}
	if n := store.lists.Load(); n != 0 {
		t.Errorf("%d listings although no poll was due", n)
	}
}

package main

import (
	"context"
	"fmt"
	"io"
	"strings"
	"sync"
	"time"

	"github.com/epcc-community/terraform-provider-elasticpath/internal/epcc"
	"github.com/epcc-community/terraform-provider-elasticpath/internal/epccsim"
)

// The pipelines scenario: P provider processes applying at once against one store, each with its own client
// (so its own rate limiter, as separate processes have) and 25 jobs on 5 promotions of its own.
const (
	pipelinePromotions       = 5
	pipelineJobsPerPromotion = 5
	// pipelineJobLength is short so that the store's limit, not the jobs, sets the pace, and 12 processes
	// finish in about a minute.
	pipelineJobLength = 600 * time.Millisecond
	// createTimeout is the resource's default timeouts.create, which bounds each job's run as under
	// terraform apply.
	createTimeout = 20 * time.Minute
	// roundBound cuts a round of P processes short, so the scenario never runs away on a shared machine:
	// whatever has not finished by then counts as failed.
	roundBound = 150 * time.Second
)

// process is the outcome of one provider process's run.
type process struct {
	completed int
	errs      []error
	took      time.Duration // from the round's start to the process's last job's end
}

func (p process) whole() bool { return p.completed == pipelinePromotions*pipelineJobsPerPromotion }

// round is P processes run at once behind one simulator.
type round struct {
	processes []process
	tally     epccsim.RequestTally // the requests of the round alone
	wall      time.Duration
	limit     int // the simulator's requests in any one second
}

func (r round) whole() (n int) {
	for _, p := range r.processes {
		if p.whole() {
			n++
		}
	}
	return n
}

func (r round) completed() (n int) {
	for _, p := range r.processes {
		n += p.completed
	}
	return n
}

// finished says when the first and the last process were done: a wide spread is a process left behind.
func (r round) finished() (first, last time.Duration) {
	for i, p := range r.processes {
		if i == 0 || p.took < first {
			first = p.took
		}
		last = max(last, p.took)
	}
	return first, last
}

func (r round) firstErr() error {
	for _, p := range r.processes {
		if len(p.errs) > 0 {
			return p.errs[0]
		}
	}
	return nil
}

// refusedShare is the share of the round's requests that the limit answered 429.
func (r round) refusedShare() float64 {
	total := r.tally.Answered + r.tally.Refused
	if total == 0 {
		return 0
	}
	return float64(r.tally.Refused) / float64(total)
}

// ideal is how long the accepted requests take at exactly the store's limit.
func (r round) ideal() time.Duration {
	if r.limit <= 0 {
		return 0
	}
	return time.Duration(float64(r.tally.Answered) / float64(r.limit) * float64(time.Second))
}

func (r round) target() string {
	t := "every run whole"
	if len(r.processes) >= 6 {
		t += "; 429s <= 10%"
	}
	return t + "; wall <= 1.5x ideal"
}

func (r round) tableRow() string {
	jobs := len(r.processes) * pipelinePromotions * pipelineJobsPerPromotion
	ratio := 0.0
	if ideal := r.ideal(); ideal > 0 {
		ratio = r.wall.Seconds() / ideal.Seconds()
	}
	return fmt.Sprintf("| %d | %d of %d | %d of %d | %d of %d (%.1f%%) | %.1f s | %.1f s: %.2fx | %s |\n",
		len(r.processes), r.whole(), len(r.processes), r.completed(), jobs,
		r.tally.Refused, r.tally.Answered+r.tally.Refused, 100*r.refusedShare(),
		r.wall.Seconds(), r.ideal().Seconds(), ratio, r.target())
}

func writePipelinesTable(out io.Writer, limit int, rounds []round) error {
	var t strings.Builder
	fmt.Fprintf(&t, "\n%d jobs a process on %d promotions of its own (5 a promotion, one after another), every process "+
		"with its own client at the default rate_limit, behind one limit of %d requests in any one second\n\n",
		pipelinePromotions*pipelineJobsPerPromotion, pipelinePromotions, limit)
	t.WriteString("| P at once | runs whole | jobs completed | requests answered 429 | wall | ideal (accepted / limit): wall against it | target |\n")
	t.WriteString("| --- | --- | --- | --- | --- | --- | --- |\n")
	for _, r := range rounds {
		t.WriteString(r.tableRow())
	}
	_, err := io.WriteString(out, t.String())
	return err
}

// pipelines runs one round of n processes on a simulator of its own, so that its 429s and its limit's window
// are its alone.
func pipelines(ctx context.Context, o options, n int) (round, error) {
	b, err := start(o)
	if err != nil {
		return round{}, err
	}
	defer b.stop()
	setup, err := b.client()
	if err != nil {
		return round{}, err
	}
	// The promotions exist before the applies, as they would in real pipelines.
	refs, err := b.promotions(ctx, setup, n*pipelinePromotions, "pipeline")
	if err != nil {
		return round{}, err
	}
	clients := make([]*epcc.Client, n)
	for i := range clients {
		if clients[i], err = b.client(); err != nil {
			return round{}, err
		}
	}
	// Let the limit's window empty of the setup's requests before the round starts.
	if err := sleep(ctx, time.Second); err != nil {
		return round{}, err
	}
	ctx, cancel := context.WithTimeout(ctx, roundBound)
	defer cancel()

	before := b.sim.Tally("", "")
	begin := time.Now()
	r := round{processes: make([]process, n), limit: o.rateLimit}
	var wg sync.WaitGroup
	for i, c := range clients {
		wg.Go(func() {
			r.processes[i] = b.runProcess(ctx, c, refs[i*pipelinePromotions:(i+1)*pipelinePromotions])
			r.processes[i].took = time.Since(begin)
		})
	}
	wg.Wait()
	r.wall = time.Since(begin)
	after := b.sim.Tally("", "")
	r.tally = epccsim.RequestTally{Answered: after.Answered - before.Answered, Refused: after.Refused - before.Refused}
	return r, nil
}

// runProcess is one apply: its promotions at once, the jobs of each one after another. A failed job does not
// stop the others, as terraform apply goes on with the resources that do not depend on it.
func (b *benchEnv) runProcess(ctx context.Context, c *epcc.Client, refs []epcc.PromotionRef) process {
	var mu sync.Mutex
	var p process
	var wg sync.WaitGroup
	for _, ref := range refs {
		wg.Go(func() {
			for range pipelineJobsPerPromotion {
				err := b.runJob(ctx, c, ref)
				mu.Lock()
				if err == nil {
					p.completed++
				} else {
					p.errs = append(p.errs, err)
				}
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	return p
}

// runJob runs one job as the resource's Create does (internal/provider/job_run.go): within the create
// timeout, take the promotion's lock, start the job, and wait for it holding the lock.
func (b *benchEnv) runJob(ctx context.Context, c *epcc.Client, ref epcc.PromotionRef) error {
	ctx, cancel := context.WithTimeout(ctx, createTimeout)
	defer cancel()
	release, err := c.LockPromotion(ctx, ref)
	if err != nil {
		return err
	}
	defer release()
	job, err := b.startJob(ctx, c, ref, pipelineJobLength)
	if err != nil {
		return err
	}
	_, err = c.WaitJob(ctx, ref, job.ID, nil)
	return err
}

func sleep(ctx context.Context, d time.Duration) error {
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-time.After(d):
		return nil
	}
}

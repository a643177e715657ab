package epcc

import (
	"container/heap"
	"context"
	"fmt"
	"math/rand/v2"
	"sort"
	"testing"
	"time"
)

// BenchmarkPipelinesModel is make bench's pipelines scenario on a simulated clock: P provider processes,
// each with the client's own adaptive rate, poll pacer and poll schedule, run 25 jobs of 0.6 s on 5
// promotions of their own (one job after another on a promotion, the promotions at once) against a store
// that takes 25 requests in any one second and answers the rest 429, with Retry-After on every other one.
// A run takes milliseconds where the real-time scenario (internal/cmd/epcc-bench) takes minutes, so a
// change to the rate adaptation can be weighed over many runs first; the real-time table is the measure.
// It reports, over its iterations, the 80th percentile of wall time against the ideal (requests accepted /
// 25 per second) and of the share of requests answered 429.
func BenchmarkPipelinesModel(b *testing.B) {
	for _, processes := range []int{1, 3, 6, 12} {
		b.Run(fmt.Sprintf("P=%d", processes), func(b *testing.B) {
			var ratios, refused []float64
			for b.Loop() {
				m := runPipelinesModel(processes)
				ratios = append(ratios, m.wall.Seconds()/(float64(m.accepted)/modelStoreLimit))
				refused = append(refused, 100*float64(m.refused)/float64(m.accepted+m.refused))
			}
			b.ReportMetric(percentile80(ratios), "wall/ideal")
			b.ReportMetric(percentile80(refused), "429-%")
			b.ReportMetric(0, "ns/op")
		})
	}
}

func percentile80(v []float64) float64 {
	sort.Float64s(v)
	return v[len(v)*4/5]
}

const (
	modelStoreLimit = 25 // requests in any one second
	modelLatency    = 3 * time.Millisecond
	modelQueue      = 100 * time.Millisecond // a job is pending this long, then makes codes at a steady pace
)

// modelJobs is the jobs' timing: a job ends length after its creation, having made codes codes.
type modelJobs struct {
	length time.Duration
	codes  int64
}

var pipelineJobs = modelJobs{length: 600 * time.Millisecond, codes: 5}

// model is the simulated clock, its events, and the store's limit.
type model struct {
	jobs              modelJobs
	now               time.Time
	events            modelEvents
	seq               int
	window            []time.Time // the requests the store took in the last second
	refusals          int
	accepted, refused int
}

type modelEvent struct {
	at  time.Time
	seq int // ties run in the order they were scheduled
	fn  func()
}

type modelEvents []*modelEvent

func (q modelEvents) Len() int { return len(q) }
func (q modelEvents) Less(i, j int) bool {
	if q[i].at.Equal(q[j].at) {
		return q[i].seq < q[j].seq
	}
	return q[i].at.Before(q[j].at)
}
func (q modelEvents) Swap(i, j int) { q[i], q[j] = q[j], q[i] }
func (q *modelEvents) Push(x any)   { *q = append(*q, x.(*modelEvent)) }
func (q *modelEvents) Pop() any {
	old := *q
	e := old[len(old)-1]
	*q = old[:len(old)-1]
	return e
}

func (m *model) at(t time.Time, fn func()) {
	m.seq++
	heap.Push(&m.events, &modelEvent{at: latest(t, m.now), seq: m.seq, fn: fn})
}

func (m *model) after(d time.Duration, fn func()) { m.at(m.now.Add(d), fn) }

// serve is the store's limit, as the simulator's (epccsim.Faults.SetRateLimit): it says whether the request
// arriving now is taken, and for a refusal whether it carries Retry-After (every other one).
func (m *model) serve() (ok, retryAfter bool) {
	cutoff := m.now.Add(-time.Second)
	i := 0
	for i < len(m.window) && !m.window[i].After(cutoff) {
		i++
	}
	m.window = m.window[i:]
	if len(m.window) < modelStoreLimit {
		m.window = append(m.window, m.now)
		m.accepted++
		return true, false
	}
	m.refused++
	m.refusals++
	return false, m.refusals%2 == 1
}

// modelProcess is one provider process: its request rate and poll pacer as newBudgets makes them.
type modelProcess struct {
	m       *model
	limits  *budgets
	running int // promotions with jobs left
	end     time.Time
}

func newModelProcess(m *model, promotions int) *modelProcess {
	return &modelProcess{m: m, running: promotions,
		limits: &budgets{requests: newAdaptiveRate(defaultRateLimit, func() time.Time { return m.now }), polls: newPollPacer(defaultRateLimit)}}
}

// run runs the model's events until none are left or, for a model that does not finish, until the limit.
func (m *model) run(begin time.Time) {
	for m.events.Len() > 0 && m.now.Sub(begin) < 10*time.Minute {
		e := heap.Pop(&m.events).(*modelEvent)
		m.now = e.at
		e.fn()
	}
}

// request sends one request as the client does: a poll first within the poll pacer, every attempt within
// the request rate (which climbs as the request comes in), a 429 taken in and the request sent again after
// Retry-After or the client's backoff.
func (p *modelProcess) request(poll bool, then func()) {
	m := p.m
	var attempt func(n int)
	attempt = func(n int) {
		sent := func() {
			m.after(modelLatency/2, func() {
				ok, retryAfter := m.serve()
				m.after(modelLatency/2, func() {
					p.limits.requests.done(context.Background(), !ok)
					if ok {
						then()
						return
					}
					wait := expBackoff(defaultRetryWaitMin, throttleWaitMax, n+1)
					if retryAfter {
						wait = time.Second
					}
					m.after(wait, func() { attempt(n + 1) })
				})
			})
		}
		whenFree(m, p.limits.requests, sent)
	}
	if poll {
		whenFree(m, pollTurn{p.limits}, func() { attempt(0) })
		return
	}
	attempt(0)
}

// whenFree runs fn once the pace lets a start through.
func whenFree(m *model, pc pace, fn func()) {
	var try func()
	try = func() {
		if due, ok := pc.take(m.now); !ok {
			m.at(due, try)
			return
		}
		fn()
	}
	try()
}

// promotion runs a promotion's jobs one after another as the resource does: the listing before a start
// (taken from the last wait's when under startListingAge old), the job's POST, then a wait on the poll
// schedule until it completes.
func (p *modelProcess) promotion(jobsLeft int, listed time.Time) {
	m := p.m
	if jobsLeft == 0 {
		if p.running--; p.running == 0 {
			p.end = m.now
		}
		return
	}
	start := func() {
		p.request(false, func() {
			created := m.now
			sched := &pollSchedule{floor: defaultPollInterval, ceiling: defaultPollMaxInterval, start: m.now}
			var poll func()
			poll = func() {
				p.request(true, func() {
					codes := m.jobs.codes
					job := &Job{Type: JobTypeGenerate, Status: StatusPending, Parameters: &JobParameters{NumberOfCodes: &codes}}
					switch age := m.now.Sub(created); {
					case age >= m.jobs.length:
						p.promotion(jobsLeft-1, m.now)
						return
					case age >= modelQueue:
						made := int64((age - modelQueue).Seconds() * float64(codes) / (m.jobs.length - modelQueue).Seconds())
						job.Status, job.Generated = StatusProcessing, &made
					}
					m.after(sched.next(m.now, job), poll)
				})
			}
			poll()
		})
	}
	if !listed.IsZero() && m.now.Sub(listed) < startListingAge {
		start()
		return
	}
	p.request(false, start)
}

type modelOutcome struct {
	wall              time.Duration
	accepted, refused int
}

// runPipelinesModel runs P processes at once (within 20 ms), each taking its token and then its 5 promotions' 25 jobs.
func runPipelinesModel(processes int) modelOutcome {
	const promotions, jobs = 5, 5
	begin := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	m := &model{now: begin, jobs: pipelineJobs}
	all := make([]*modelProcess, processes)
	for i := range all {
		p := newModelProcess(m, promotions)
		all[i] = p
		// Started within 20 ms of each other, at random: runs that all start alike would all go alike.
		m.after(time.Duration(rand.Int64N(int64(20*time.Millisecond))), func() {
			p.request(false, func() { // the token
				for range promotions {
					p.promotion(jobs, time.Time{})
				}
			})
		})
	}
	m.run(begin)
	out := modelOutcome{accepted: m.accepted, refused: m.refused}
	for _, p := range all {
		if p.end.IsZero() {
			p.end = m.now // did not finish: counted to where the model stopped
		}
		out.wall = max(out.wall, p.end.Sub(begin))
	}
	return out
}

// The model runs its scenario through: every process finishes its 25 jobs, and a lone process, which stays
// under the store's limit, meets no 429.
func TestPipelinesModelFinishes(t *testing.T) {
	lone := runPipelinesModel(1)
	if lone.refused != 0 || lone.wall <= pipelineJobs.length*5 || lone.wall >= time.Minute {
		t.Errorf("one process: %+v, want no 429 and 5 jobs' length to a minute", lone)
	}
	many := runPipelinesModel(12)
	if many.wall >= 10*time.Minute || many.accepted < 12*25*2 {
		t.Errorf("12 processes: %+v, want every job started and seen ending", many)
	}
}

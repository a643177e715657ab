package epcc

import (
	"sync"
	"time"
)

// exportPace remembers, for one store, the shortest code_export this process saw end, or saw completed in a
// listing of a promotion it waited on. An export reports no
// progress, and a schedule on elapsed time alone cannot both see every end within a tenth of the job's time
// and keep to the request budget; the run's earlier exports tell when the next one should end. The
// shortest, not the latest: a guess that errs short costs a few polls, one that errs long sees the end late.
// A code_generate job says how far it is itself (pollSchedule.remaining), whatever its size.
type exportPace struct {
	mu       sync.Mutex
	shortest time.Duration // 0: none seen
}

// record takes in a job seen ending; only a completed export counts, its run being the store's own
// created_at to updated_at.
func (p *exportPace) record(j *Job) {
	if j.Type != JobTypeExport || j.Status != StatusCompleted || j.CreatedAt.IsZero() || !j.UpdatedAt.After(j.CreatedAt) {
		return
	}
	run := j.UpdatedAt.Sub(j.CreatedAt)
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.shortest == 0 || run < p.shortest {
		p.shortest = run
	}
}

// learn takes in the completed exports of a promotion's listing: a promotion exported before, in an earlier
// run, tells how long an export takes on the store the first time this process waits on one.
func (p *exportPace) learn(jobs []Job) {
	for i := range jobs {
		p.record(&jobs[i])
	}
}

// expect is how much longer to expect an export to run from when it is first seen, or 0 (or less) when
// nothing tells. What it has run already, as far as the store's clock tells (its last change of status), is
// taken off: an export first seen well into its run, as Delete may see one, is not expected to run its whole
// length again from there.
func (p *exportPace) expect(j *Job) time.Duration {
	if j.Type != JobTypeExport {
		return 0
	}
	p.mu.Lock()
	left := p.shortest
	p.mu.Unlock()
	if left > 0 && j.UpdatedAt.After(j.CreatedAt) {
		left -= j.UpdatedAt.Sub(j.CreatedAt)
	}
	return left
}

package epcc

import (
	"sync"
	"time"
)

// exportPace remembers, for one store, the shortest code_export this process saw end. An export reports no
// progress, and a schedule on elapsed time alone cannot both see every end within a tenth of the job's time
// and keep to the request budget; the run's earlier exports, and the promotion's own, tell when the next one
// should end. The shortest, not the latest: a guess that errs short costs a few polls, one that errs long
// sees the end late. A code_generate job says how far it is itself (pollSchedule.remaining), whatever its
// size.
type exportPace struct {
	mu       sync.Mutex
	shortest time.Duration // 0: none seen
}

// exportRun is how long a completed export ran, the store's own created_at to updated_at; ok is false for
// any other job.
func exportRun(j *Job) (run time.Duration, ok bool) {
	if j.Type != JobTypeExport || j.Status != StatusCompleted || j.CreatedAt.IsZero() || !j.UpdatedAt.After(j.CreatedAt) {
		return 0, false
	}
	return j.UpdatedAt.Sub(j.CreatedAt), true
}

// record takes in a job seen ending; only a completed export counts.
func (p *exportPace) record(j *Job) {
	run, ok := exportRun(j)
	if !ok {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.shortest == 0 || run < p.shortest {
		p.shortest = run
	}
}

// expect is how much longer to expect an export to run from when it is first seen, or 0 (or less) when
// nothing tells: the shortest export this process saw end on the store, or that the promotion's listing
// shows completed, as a promotion exported in an earlier run does, whichever is shorter. The listing counts
// for this wait alone and is not remembered: another promotion's exports may be far shorter or longer. What
// the export has run already, as far as the store's clock tells (its last change of status), is taken off:
// an export first seen well into its run, as Delete may see one, is not expected to run its whole length
// again from there.
func (p *exportPace) expect(j *Job, listing []Job) time.Duration {
	if j.Type != JobTypeExport {
		return 0
	}
	p.mu.Lock()
	left := p.shortest
	p.mu.Unlock()
	for i := range listing {
		if run, ok := exportRun(&listing[i]); ok && (left == 0 || run < left) {
			left = run
		}
	}
	if left > 0 && j.UpdatedAt.After(j.CreatedAt) {
		left -= j.UpdatedAt.Sub(j.CreatedAt)
	}
	return left
}

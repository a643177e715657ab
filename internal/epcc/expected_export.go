package epcc

import "time"

// expectedExport is how much longer to expect an export to run from when it is first seen, or 0 (or less)
// when nothing tells: as long as the shortest export its promotion's listing shows completed. An export
// reports no progress, and a schedule on elapsed time alone cannot both see every end within a tenth of the
// job's time and keep to the request budget; the promotion's earlier exports tell when this one should end.
// The shortest, not the latest: a guess that errs short costs a few polls, one that errs long sees the end
// late. What the export has run already, as far as the store's clock tells (its last change of status), is
// taken off: an export first seen well into its run is not expected to run its whole length again.
func expectedExport(j *Job, listing []Job) time.Duration {
	if j.Type != JobTypeExport {
		return 0
	}
	var left time.Duration
	for _, e := range listing {
		if e.Type != JobTypeExport || e.Status != StatusCompleted || e.CreatedAt.IsZero() || !e.UpdatedAt.After(e.CreatedAt) {
			continue
		}
		if run := e.UpdatedAt.Sub(e.CreatedAt); left == 0 || run < left {
			left = run
		}
	}
	if left > 0 && j.UpdatedAt.After(j.CreatedAt) {
		left -= j.UpdatedAt.Sub(j.CreatedAt)
	}
	return left
}

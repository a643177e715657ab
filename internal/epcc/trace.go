package epcc

import "context"

// StartTrace observes the start of a job, the way httptrace observes a request: callers that report progress
// (an action's terminal lines) learn what the start is waiting for. Set it with WithStartTrace; every hook is
// optional.
type StartTrace struct {
	// Queued is called when LockPromotion has to wait for other jobs of this process on the promotion.
	Queued func()
	// Busy is called while StartJob waits for a job started elsewhere on the promotion, first and whenever that
	// job's status changes.
	Busy func(Job)
}

type startTraceKey struct{}

// WithStartTrace returns a context whose LockPromotion and StartJob calls report to trace.
func WithStartTrace(ctx context.Context, trace *StartTrace) context.Context {
	return context.WithValue(ctx, startTraceKey{}, trace)
}

// startTraceFrom returns the context's trace, or an empty one.
func startTraceFrom(ctx context.Context) *StartTrace {
	if trace, ok := ctx.Value(startTraceKey{}).(*StartTrace); ok && trace != nil {
		return trace
	}
	return &StartTrace{}
}

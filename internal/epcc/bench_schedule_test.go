package epcc

import (
	"fmt"
	"math"
	"testing"
	"time"

	"github.com/epcc-community/terraform-provider-elasticpath/internal/bench"
)

// BenchmarkPollSchedule is the schedules' arithmetic on a simulated clock (no network time), for job lengths
// up to 20 min that a real-time run cannot afford. Its iterations spread the length over the nominal one and
// up to 10% more, since a fixed schedule may happen to fit one length exactly, and it reports the worst
// (the provider's schedule also takes a random tenth off its delays): polls per job, how late the end was
// seen, and the request budget of the target (length/2s + 15) of the nominal length.
func BenchmarkPollSchedule(b *testing.B) {
	lengths := []time.Duration{time.Second, 2100 * time.Millisecond, 10100 * time.Millisecond,
		30100 * time.Millisecond, time.Minute, 5 * time.Minute, 20 * time.Minute}
	type schedule struct {
		name     string
		progress bool // whether the job reports its count (code_generate does on the simulator)
		start    func() func(at time.Duration, job *Job) time.Duration
		// expected: whether an earlier job of the kind, of the nominal length, ended in the same run.
		expected bool
	}
	schedules := []schedule{
		{"project/progress", true, nil, false},
		{"project/no-progress", false, nil, false},
		{"project/no-progress-expected", false, nil, true},
	}
	for i, c := range bench.Compared {
		name := []string{"fixed-3s", "doubling"}[i]
		schedules = append(schedules, schedule{name, false, func() func(time.Duration, *Job) time.Duration {
			next := c.Schedule()
			return func(time.Duration, *Job) time.Duration { return next() }
		}, false})
	}
	for _, length := range lengths {
		for _, s := range schedules {
			b.Run(fmt.Sprintf("length=%v/%s", length, s.name), func(b *testing.B) {
				worstPolls, worstLate, worstShare := 0, time.Duration(0), 0.0
				for i := 0; b.Loop(); i++ {
					// Golden-ratio steps spread the lengths evenly over the 10% without a common period.
					_, frac := math.Modf(float64(i) * 0.6180339887)
					l := length + time.Duration(frac*float64(length/10))
					var polls int
					var late time.Duration
					if s.start == nil {
						var expect time.Duration
						if s.expected {
							expect = length
						}
						polls, late = simulateWait(l, s.progress, expect)
					} else {
						polls, late = simulateWaitWith(l, s.progress, s.start())
					}
					worstPolls, worstLate = max(worstPolls, polls), max(worstLate, late)
					worstShare = max(worstShare, late.Seconds()/l.Seconds())
				}
				b.ReportMetric(float64(worstPolls), "polls")
				b.ReportMetric(float64(int(length/(2*time.Second))+15), "budget")
				b.ReportMetric(worstLate.Seconds(), "late-s")
				b.ReportMetric(100*worstShare, "late-%")
				b.ReportMetric(0, "ns/op")
			})
		}
	}
}

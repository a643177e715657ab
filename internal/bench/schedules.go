// Package bench holds the poll schedules that `make bench` measures the provider's own against, so that
// the Go benchmarks and the scenario driver compare with the same ones.
package bench

import "time"

// Schedule starts one wait and returns its delays, one call per poll.
type Schedule func() func() time.Duration

// Fixed polls every d, as epcc-cli does with 3 s.
func Fixed(d time.Duration) Schedule {
	return func() func() time.Duration { return func() time.Duration { return d } }
}

// Doubling starts at first and doubles the delay after each poll up to ceiling, as the AWS SDK's waiters do
// from 0.1 s to 10 s.
func Doubling(first, ceiling time.Duration) Schedule {
	return func() func() time.Duration {
		d := first
		return func() time.Duration {
			cur := d
			d = min(2*d, ceiling)
			return cur
		}
	}
}

// Compared are the schedules each table puts beside the provider's, by column title.
var Compared = []struct {
	Name     string
	Schedule Schedule
}{
	{"fixed 3 s (epcc-cli)", Fixed(3 * time.Second)},
	{"0.1 s doubling to 10 s (AWS waiter)", Doubling(100*time.Millisecond, 10*time.Second)},
}

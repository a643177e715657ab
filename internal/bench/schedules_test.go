package bench

import (
	"testing"
	"time"
)

func TestSchedules(t *testing.T) {
	ms := func(n int) time.Duration { return time.Duration(n) * time.Millisecond }
	for _, c := range []struct {
		s    Schedule
		want []time.Duration
	}{
		{Fixed(3 * time.Second), []time.Duration{ms(3000), ms(3000), ms(3000)}},
		{Doubling(ms(100), ms(1000)), []time.Duration{ms(100), ms(200), ms(400), ms(800), ms(1000), ms(1000)}},
	} {
		next := c.s()
		for i, w := range c.want {
			if d := next(); d != w {
				t.Errorf("poll %d: %v, want %v", i, d, w)
			}
		}
	}
	// Each wait starts over.
	s := Doubling(ms(100), ms(1000))
	a := s()
	a()
	a()
	if d := s()(); d != ms(100) {
		t.Errorf("a new wait starts at %v", d)
	}
}

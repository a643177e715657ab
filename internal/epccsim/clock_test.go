package epccsim

import (
	"testing"
	"time"
)

func TestManualClock(t *testing.T) {
	t.Parallel()
	c := NewManualClock(testStart)
	if !c.Now().Equal(testStart) {
		t.Fatalf("Now = %v", c.Now())
	}
	c.Advance(90 * time.Second)
	if got := c.Now().Sub(testStart); got != 90*time.Second {
		t.Errorf("advanced %v, want 90s", got)
	}
}

func TestScaledClock(t *testing.T) {
	t.Parallel()
	c := NewScaledClock(1000)
	start := c.Now()
	time.Sleep(20 * time.Millisecond)
	// 20ms of real time is at least 20s of simulated time.
	if got := c.Now().Sub(start); got < 20*time.Second || got > time.Hour {
		t.Errorf("scaled clock moved %v in 20ms", got)
	}
	if d := time.Until(NewScaledClock(0).Now()); d > time.Second || d < -time.Second {
		t.Errorf("factor 0 should behave as real time, off by %v", d)
	}
}

// A ScaledClock drives jobs with no goroutines: a 10-second job at factor
// 1000 finishes in about 10ms.
func TestScaledClockDrivesJobs(t *testing.T) {
	t.Parallel()
	h := newHarness(t, Options{Clock: NewScaledClock(1000), QueueDelay: time.Second, CodesPerSecond: 100})
	id := h.createPromotion(ruleAPI, false)
	j := h.createJob(ruleAPI, id, jobBody(jobGenerate, "", obj{"number_of_codes": 900}))
	deadline := time.Now().Add(5 * time.Second)
	for {
		got := h.job(ruleAPI, id, j["id"].(string))
		if got["status"] == statusCompleted {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("job still %v", got["status"])
		}
		time.Sleep(5 * time.Millisecond)
	}
	if n := len(h.codes(ruleAPI, id)); n != 900 {
		t.Errorf("codes = %d", n)
	}
}

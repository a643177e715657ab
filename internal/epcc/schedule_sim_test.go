package epcc

import "time"

// Timing of the simulated job in simulateWait: the simulator's default queue delay, and the speed of the
// issue's measurements (-codes-per-second 10).
const (
	simulatedQueue     = 100 * time.Millisecond
	simulatedPerSecond = 10
)

// simulateWait runs the default poll schedule against a job of the given length on a simulated clock, with
// no network time: pending for simulatedQueue, then making codes at simulatedPerSecond (reporting its count
// when progress is set), ending at length; expect is the run that earlier jobs suggest (0: none seen). It
// returns the polls made and how late the end was seen.
func simulateWait(length time.Duration, progress bool, expect time.Duration) (polls int, late time.Duration) {
	start := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	s := &pollSchedule{floor: defaultPollInterval, ceiling: defaultPollMaxInterval, start: start, expect: expect}
	return simulateWaitWith(length, progress, func(at time.Duration, job *Job) time.Duration {
		return s.next(start.Add(at), job)
	})
}

// simulateWaitWith is simulateWait with any schedule: next gets the time since the job started and the job
// as just seen.
func simulateWaitWith(length time.Duration, progress bool, next func(at time.Duration, job *Job) time.Duration) (polls int, late time.Duration) {
	codes := int64((length - simulatedQueue).Seconds() * simulatedPerSecond)
	for at := time.Duration(0); ; {
		polls++
		if at >= length {
			return polls, at - length
		}
		job := &Job{Type: JobTypeGenerate, Status: StatusPending}
		if at >= simulatedQueue {
			job.Status = StatusProcessing
			if progress {
				made := int64((at - simulatedQueue).Seconds() * simulatedPerSecond)
				job.Generated = &made
				job.Parameters = &JobParameters{NumberOfCodes: &codes}
			}
		}
		at += next(at, job)
	}
}

package main

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/epcc-community/terraform-provider-elasticpath/internal/epccsim"
)

func TestRoundSummary(t *testing.T) {
	failed := errors.New("429 Too Many Requests")
	r := round{
		processes: []process{
			{completed: 25, took: 20 * time.Second},
			{completed: 24, errs: []error{failed}, took: 30 * time.Second},
			{completed: 25, took: 18 * time.Second},
			{completed: 23, errs: []error{errors.New("later"), failed}, took: 25 * time.Second},
			{completed: 25, took: 19 * time.Second},
			{completed: 25, took: 21 * time.Second},
		},
		tally: epccsim.RequestTally{Answered: 500, Refused: 100},
		wall:  30 * time.Second,
		limit: 25,
	}
	if got := r.whole(); got != 4 {
		t.Errorf("whole = %d, want 4", got)
	}
	if got := r.completed(); got != 147 {
		t.Errorf("completed = %d, want 147", got)
	}
	if got := r.firstErr(); got != failed {
		t.Errorf("firstErr = %v, want the first process's error", got)
	}
	if got := r.refusedShare(); got < 0.1666 || got > 0.1667 {
		t.Errorf("refusedShare = %v, want 100/600", got)
	}
	if first, last := r.finished(); first != 18*time.Second || last != 30*time.Second {
		t.Errorf("finished = %v to %v, want 18s to 30s", first, last)
	}
	if got := r.ideal(); got != 20*time.Second {
		t.Errorf("ideal = %v, want 500 accepted / 25 a second = 20s", got)
	}
	want := "| 6 | 4 of 6 | 147 of 150 | 100 of 600 (16.7%) | 30.0 s | 20.0 s: 1.50x | every run whole; 429s <= 10%; wall <= 1.5x ideal |\n"
	if got := r.tableRow(); got != want {
		t.Errorf("tableRow =\n%s\nwant\n%s", got, want)
	}
}

func TestRoundEmpty(t *testing.T) {
	r := round{processes: []process{{}}}
	if r.refusedShare() != 0 || r.ideal() != 0 || r.firstErr() != nil || r.whole() != 0 {
		t.Errorf("a round without requests or jobs: %+v", r)
	}
	// Below 6 processes the 429 share has no target; a round without an ideal prints no ratio.
	if got := r.tableRow(); !strings.Contains(got, "0.00x | every run whole; wall <= 1.5x ideal |") {
		t.Errorf("tableRow = %s", got)
	}
}

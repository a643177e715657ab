package main

import (
	"io"
	"testing"
)

func TestBadArguments(t *testing.T) {
	for _, args := range [][]string{{"-no-such-flag"}, {"-only", "lateness,nothing"},
		{"-pipelines", "3,x"}, {"-pipelines", "0"}} {
		if err := run(args, io.Discard); err == nil {
			t.Errorf("run(%q) accepted", args)
		}
	}
}

func TestOptionsRuns(t *testing.T) {
	all := options{}
	some := options{only: map[string]bool{"refresh": true}}
	if !all.runs("lateness") || !some.runs("refresh") || some.runs("lateness") {
		t.Error("runs: no -only runs everything, -only runs what it names and nothing else")
	}
}

func TestMostWithin(t *testing.T) {
	for _, c := range []struct {
		samples []int
		window  int
		want    int
	}{
		{nil, 20, 0},
		{[]int{0}, 20, 0},
		{[]int{0, 1, 5, 6, 6, 9}, 2, 5},  // 0→5, 1→6, 5→6, 6→9: the most is 5
		{[]int{0, 1, 5, 6, 6, 9}, 10, 9}, // the window covers every sample
		{[]int{3, 3, 3, 4}, 1, 1},
	} {
		if got := mostWithin(c.samples, c.window); got != c.want {
			t.Errorf("mostWithin(%v, %d) = %d, want %d", c.samples, c.window, got, c.want)
		}
	}
}

package epcc

import (
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"
)

// Processes that follow each other from one directory on one store, as terraform apply's plan and apply do,
// keep together to the rate in any one second, and together still send at the rate.
func TestHandoffKeepsFollowingProcessesToTheRate(t *testing.T) {
	file := filepath.Join(t.TempDir(), "cache", "starts")
	at := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	var all []time.Time
	for range 4 {
		p := newPacer(20)
		p.handOff(file, at)
		all = append(all, drive(p, at, at.Add(700*time.Millisecond), func(time.Time) {})...)
		at = at.Add(700 * time.Millisecond)
	}
	if most := maxInAnySecond(all); most > 20 {
		t.Errorf("%d starts in one second from processes following each other, want at most 20", most)
	}
	if len(all) < 2*20 {
		t.Errorf("%d starts in 2.8 s at 20 a second, want at least 40", len(all))
	}
}

// On the real clock, as the provider makes them: a process that follows one which used its whole second is held
// until that second ends, and not after it.
func TestHandoffHoldsTheNextProcessForTheRestOfTheSecond(t *testing.T) {
	file := filepath.Join(t.TempDir(), "starts", "store")
	first := newBudgets(20, file)
	var began time.Time
	for i := range 20 {
		now := time.Now()
		if _, ok := first.requests.take(now); !ok {
			t.Fatal("the first process was held within its rate")
		}
		if i == 0 {
			began = now
		}
		first.requests.done(t.Context(), false)
	}
	next := newBudgets(20, file)
	now := time.Now()
	due, free := next.requests.free(now)
	// Within a millisecond: the file holds wall-clock times, which the process sets back on its monotonic clock.
	const slack = time.Millisecond
	elapsed := now.Sub(began)
	if free && elapsed < time.Second-slack || !free && elapsed > time.Second+slack || due.After(began.Add(time.Second+slack)) {
		t.Errorf("%v after the first process's 20 starts, the next one is free %v until %v after them", elapsed, free, due.Sub(began))
	}
}

// A file nobody wrote for a minute is removed when a process starts: the cache does not fill with one file
// for every directory, store and key ever used.
func TestHandoffRemovesStaleFiles(t *testing.T) {
	dir := t.TempDir()
	stale, fresh := filepath.Join(dir, "stale"), filepath.Join(dir, "fresh")
	for _, f := range []string{stale, fresh} {
		if err := os.WriteFile(f, nil, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	old := time.Now().Add(-time.Hour)
	if err := os.Chtimes(stale, old, old); err != nil {
		t.Fatal(err)
	}
	newPacer(20).handOff(filepath.Join(dir, "mine"), time.Now())
	if _, err := os.Stat(stale); !os.IsNotExist(err) {
		t.Errorf("a file an hour old is still there (%v)", err)
	}
	for _, f := range []string{fresh, filepath.Join(dir, "mine")} {
		if _, err := os.Stat(f); err != nil {
			t.Errorf("%s: %v", filepath.Base(f), err)
		}
	}
}

// Only starts of the last second count, and a file that does not parse costs nothing.
func TestHandoffReadsOnlyTheLastSecond(t *testing.T) {
	now := time.Date(2026, 1, 1, 0, 0, 10, 0, time.UTC)
	file := filepath.Join(t.TempDir(), "starts")
	kept := now.Add(-300 * time.Millisecond)
	lines := ""
	for _, s := range []string{"garbage", strconv.FormatInt(now.Add(-2*time.Second).UnixNano(), 10),
		strconv.FormatInt(kept.UnixNano(), 10), strconv.FormatInt(now.Add(time.Hour).UnixNano(), 10)} {
		lines += s + "\n"
	}
	if err := os.WriteFile(file, []byte(lines), 0o600); err != nil {
		t.Fatal(err)
	}
	got := loadStarts(file, now)
	if len(got) != 1 || !got[0].Equal(kept) {
		t.Errorf("loaded %v, want only %v", got, kept)
	}
	if got := loadStarts(filepath.Join(t.TempDir(), "none"), now); len(got) != 0 {
		t.Errorf("loaded %v from no file", got)
	}
}

// Processes on another store, with another key or from another directory (another pipeline) do not hold each
// other back.
func TestHandoffFileIsPerDirectoryAndStore(t *testing.T) {
	t.Setenv("XDG_CACHE_HOME", t.TempDir())
	t.Setenv("HOME", t.TempDir())
	t.Chdir(t.TempDir())
	base := handoffFile("https://euwest.api.elasticpath.com", "key")
	if base == "" {
		t.Fatal("no handoff file with a cache directory")
	}
	if again := handoffFile("https://euwest.api.elasticpath.com", "key"); again != base {
		t.Errorf("the same directory and store give %q and %q", base, again)
	}
	others := []string{handoffFile("https://useast.api.elasticpath.com", "key"), handoffFile("https://euwest.api.elasticpath.com", "other")}
	t.Chdir(t.TempDir())
	others = append(others, handoffFile("https://euwest.api.elasticpath.com", "key"))
	for _, other := range others {
		if other == base {
			t.Errorf("another store, key or directory shares %q", base)
		}
	}
}

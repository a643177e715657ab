package epcc

import (
	"crypto/sha256"
	"encoding/hex"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"
)

// A store counts requests over a second, whichever process sends them, and terraform apply plans in one
// provider process and applies in another a moment later, which plans every resource again first: the second
// process's first requests would come on top of the first's last. So each process leaves its starts in a file
// that the next one run from the same working directory on the same store reads as its window's first starts.

// handoffFile names the file where provider processes run from the working directory leave their starts on
// the store at baseURL for clientID; "" when there is no place for it. Pipelines in other directories never
// share it: they share the store's limit the way any other process does.
func handoffFile(baseURL, clientID string) string {
	cache, err := os.UserCacheDir()
	if err != nil {
		return ""
	}
	wd, err := os.Getwd()
	if err != nil {
		return ""
	}
	sum := sha256.Sum256([]byte(strings.Join([]string{wd, baseURL, clientID}, "\x00")))
	return filepath.Join(cache, "terraform-provider-elasticpath", "starts", hex.EncodeToString(sum[:16]))
}

// handOff has p start from the starts left in file, and leave its own there. Files nobody wrote for a minute
// are removed first: each directory, store and key has its own, of use only for a second after its last write.
func (p *pacer) handOff(file string, now time.Time) {
	if file == "" || p.perSecond < 0 || os.MkdirAll(filepath.Dir(file), 0o700) != nil {
		return
	}
	removeStale(filepath.Dir(file), now)
	starts := loadStarts(file, now)
	f, err := os.OpenFile(file, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if limit := int(math.Ceil(p.perSecond)); len(starts) > limit {
		starts = starts[len(starts)-limit:] // only the latest rate_limit starts can hold a request back
	}
	p.recent, p.handoff = starts, f
}

// loadStarts reads the starts left in file that fall in the second up to now, the oldest first. They are set
// on now's monotonic clock, so that a wall clock set back meanwhile holds no request longer.
func loadStarts(file string, now time.Time) []time.Time {
	data, err := os.ReadFile(file)
	if err != nil {
		return nil
	}
	var starts []time.Time
	for _, field := range strings.Fields(string(data)) {
		ns, err := strconv.ParseInt(field, 10, 64)
		if err != nil {
			continue
		}
		if age := now.Sub(time.Unix(0, ns)); age >= 0 && age < time.Second {
			starts = append(starts, now.Add(-age))
		}
	}
	slices.SortFunc(starts, time.Time.Compare)
	return starts
}

// leaveStarts writes starts over what f held. It runs at every start, because Terraform stops a provider
// process without notice; on a file kept open it costs microseconds. A failure is not reported: it costs the
// next process only what it would not have known, and a store's 429 still slows it down.
func leaveStarts(f *os.File, starts []time.Time) {
	var b []byte
	for _, t := range starts {
		b = strconv.AppendInt(b, t.UnixNano(), 10)
		b = append(b, '\n')
	}
	if _, err := f.WriteAt(b, 0); err == nil {
		_ = f.Truncate(int64(len(b)))
	}
}

func removeStale(dir string, now time.Time) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return
	}
	for _, e := range entries {
		if info, err := e.Info(); err == nil && now.Sub(info.ModTime()) > time.Minute {
			_ = os.Remove(filepath.Join(dir, e.Name()))
		}
	}
}

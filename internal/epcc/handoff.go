package epcc

import (
	"crypto/sha256"
	"encoding/hex"
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

// HandoffFile names the file where provider processes run from the working directory leave their starts on
// the store at baseURL for clientID; "" when there is no place for it. Pipelines in other directories never
// share it: they share the store's limit the way any other process does.
func HandoffFile(baseURL, clientID string) string {
	cache, err := os.UserCacheDir()
	if err != nil {
		return ""
	}
	wd, err := os.Getwd()
	if err != nil {
		return ""
	}
	sum := sha256.Sum256([]byte(strings.Join([]string{wd, baseURL, clientID}, "\x00")))
	return filepath.Join(cache, "terraform-provider-elasticpath", "starts-"+hex.EncodeToString(sum[:16]))
}

// handOff has p start from the starts left in file, and leave its own there.
func (p *pacer) handOff(file string, now time.Time) {
	if file == "" || os.MkdirAll(filepath.Dir(file), 0o700) != nil {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	p.recent, p.handoff = loadStarts(file, now), file
}

// loadStarts reads the starts left in file that fall in the second up to now, the oldest first.
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
		if t := time.Unix(0, ns); !t.After(now) && now.Sub(t) < time.Second {
			starts = append(starts, t)
		}
	}
	slices.SortFunc(starts, time.Time.Compare)
	return starts
}

// saveStarts leaves starts in file for the next process. A failure is not reported: it costs that process
// only what it would not have known, and a store's 429 still slows it down.
func saveStarts(file string, starts []time.Time) {
	var b strings.Builder
	for _, t := range starts {
		b.WriteString(strconv.FormatInt(t.UnixNano(), 10))
		b.WriteByte('\n')
	}
	_ = os.WriteFile(file, []byte(b.String()), 0o600)
}

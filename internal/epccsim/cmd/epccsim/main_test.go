package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/epcc-community/terraform-provider-elasticpath/internal/epccsim"
)

// TestCommand builds the binary, starts it on a free port, reads the
// environment lines it prints, talks to it and stops it with SIGTERM.
func TestCommand(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("relies on SIGTERM")
	}
	goBin, err := exec.LookPath("go")
	if err != nil {
		t.Fatalf("building the simulator needs go on PATH: %v", err)
	}
	bin := filepath.Join(t.TempDir(), "epccsim")
	build := exec.Command(goBin, "build", "-o", bin, ".")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}

	const secret = "s3cret-value-for-test"
	cmd := exec.Command(bin, "-listen", "127.0.0.1:0", "-client-id", "test-id", "-client-secret", secret,
		"-clock-factor", "100", "-queue-delay", "1s")
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	var stderr lockedBuffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cmd.Process.Kill() })

	env := readEnv(t, stdout, 3)
	base := env["EPCC_API_BASE_URL"]
	if !strings.HasPrefix(base, "http://127.0.0.1:") || strings.HasSuffix(base, ":0") {
		t.Fatalf("EPCC_API_BASE_URL=%q", base)
	}
	if env["EPCC_CLIENT_ID"] != "test-id" || env["EPCC_CLIENT_SECRET"] != secret {
		t.Fatalf("env = %v", env)
	}

	res, err := http.PostForm(base+"/oauth/access_token", url.Values{
		"grant_type": {"client_credentials"}, "client_id": {"test-id"}, "client_secret": {secret},
	})
	if err != nil {
		t.Fatal(err)
	}
	var tok struct {
		AccessToken string `json:"access_token"`
	}
	_ = json.NewDecoder(res.Body).Decode(&tok)
	_ = res.Body.Close()
	if res.StatusCode != http.StatusOK || tok.AccessToken == "" {
		t.Fatalf("token: %d", res.StatusCode)
	}

	req, _ := http.NewRequest(http.MethodPost, base+"/v2/rule-promotions",
		strings.NewReader(`{"data":{"type":"rule_promotion","name":"demo"}}`))
	req.Header.Set("Authorization", "Bearer "+tok.AccessToken)
	res, err = http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	_ = res.Body.Close()
	if res.StatusCode != http.StatusCreated {
		t.Fatalf("create promotion: %d", res.StatusCode)
	}

	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("exit after SIGTERM: %v\nstderr:\n%s", err, stderr.String())
		}
	case <-time.After(10 * time.Second):
		t.Fatal("did not stop after SIGTERM")
	}

	logs := stderr.String()
	for _, want := range []string{"method=POST path=/oauth/access_token status=200", "path=/v2/rule-promotions status=201"} {
		if !strings.Contains(logs, want) {
			t.Errorf("log lacks %q:\n%s", want, logs)
		}
	}
	for _, leak := range []string{secret, tok.AccessToken} {
		if strings.Contains(logs, leak) {
			t.Errorf("log leaks a credential:\n%s", logs)
		}
	}
}

func TestBadArguments(t *testing.T) {
	ctx := context.Background()
	if err := run(ctx, []string{"-no-such-flag"}, io.Discard, io.Discard); err == nil {
		t.Error("unknown flag accepted")
	}
	if err := run(ctx, []string{"-listen", "256.0.0.1:99999"}, io.Discard, io.Discard); err == nil {
		t.Error("bad listen address accepted")
	}
}

// TestRunInProcess drives run directly: env lines, a logged request, a
// reset fault logged as status 0, and a clean return when ctx ends.
func TestRunInProcess(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	outR, outW := io.Pipe()
	var logs lockedBuffer
	done := make(chan error, 1)
	go func() { done <- run(ctx, []string{"-listen", "127.0.0.1:0", "-rate-limit", "1"}, outW, &logs) }()

	env := readEnv(t, outR, 3)
	if env["EPCC_CLIENT_ID"] != "epccsim-client-id" || env["EPCC_CLIENT_SECRET"] != "epccsim-client-secret" {
		t.Errorf("defaults: %v", env)
	}
	res, err := http.Get(env["EPCC_API_BASE_URL"] + "/v2/promotions/x")
	if err != nil {
		t.Fatal(err)
	}
	_ = res.Body.Close()
	if res.StatusCode != http.StatusUnauthorized {
		t.Errorf("unauthenticated request: %d", res.StatusCode)
	}
	// -rate-limit 1: one request a second passes; of 50 sent back to back, some must be refused.
	refused := false
	for i := 0; i < 50 && !refused; i++ {
		res, err := http.Get(env["EPCC_API_BASE_URL"] + "/v2/promotions/x")
		if err != nil {
			t.Fatal(err)
		}
		_ = res.Body.Close()
		refused = res.StatusCode == http.StatusTooManyRequests
	}
	if !refused {
		t.Error("-rate-limit 1 refused none of 50 requests")
	}

	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("run: %v", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("run did not return after cancel")
	}
	if !strings.Contains(logs.String(), "method=GET path=/v2/promotions/x status=401") {
		t.Errorf("log:\n%s", logs.String())
	}
}

func TestLogRequestsRecordsDroppedConnections(t *testing.T) {
	var logs lockedBuffer
	logger := slog.New(slog.NewTextHandler(&logs, nil))
	sim := epccsim.New(epccsim.Options{})
	sim.Faults().Add(epccsim.Fault{Kind: epccsim.FaultReset, Times: 1})
	srv := httptest.NewServer(logRequests(logger, sim))
	defer srv.Close()
	if _, err := http.Get(srv.URL + "/v2/promotions"); err == nil {
		t.Fatal("want a dropped connection")
	}
	// The handler logs after closing the connection, so the client may see
	// the reset first.
	deadline := time.Now().Add(5 * time.Second)
	for !strings.Contains(logs.String(), "status=0") {
		if time.Now().After(deadline) {
			t.Fatalf("log:\n%s", logs.String())
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// readEnv reads n KEY=VALUE lines, failing if they do not arrive promptly.
func readEnv(t *testing.T, r io.Reader, n int) map[string]string {
	t.Helper()
	type result struct {
		env map[string]string
		err error
	}
	ch := make(chan result, 1)
	go func() {
		env := map[string]string{}
		sc := bufio.NewScanner(r)
		for len(env) < n && sc.Scan() {
			k, v, ok := strings.Cut(sc.Text(), "=")
			if !ok {
				ch <- result{err: errors.New("not KEY=VALUE: " + sc.Text())}
				return
			}
			env[k] = v
		}
		ch <- result{env: env, err: sc.Err()}
		_, _ = io.Copy(io.Discard, r)
	}()
	select {
	case res := <-ch:
		if res.err != nil || len(res.env) != n {
			t.Fatalf("env lines: %v %v", res.env, res.err)
		}
		return res.env
	case <-time.After(10 * time.Second):
		t.Fatal("no env lines on stdout")
	}
	return nil
}

type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

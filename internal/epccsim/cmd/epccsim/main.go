// Command epccsim serves the in-memory Elastic Path API simulator on a local
// port. On start it prints the three KEY=VALUE lines a client needs
// (EPCC_API_BASE_URL, EPCC_CLIENT_ID, EPCC_CLIENT_SECRET), ready to be
// sourced or eval'ed:
//
//	epccsim -listen 127.0.0.1:0 -clock-factor 100 >epccsim.env &
//	set -a; . ./epccsim.env; set +a
//
// It logs one line per request to stderr and stops cleanly on SIGINT or
// SIGTERM.
package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/epcc-community/terraform-provider-elasticpath/internal/epccsim"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "epccsim:", err)
		stop()
		os.Exit(1)
	}
}

// run serves until ctx is done, then shuts down gracefully.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("epccsim", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var (
		listen      = fs.String("listen", "127.0.0.1:8080", "address to listen on (port 0 picks a free port)")
		clientID    = fs.String("client-id", "epccsim-client-id", "client_id the token endpoint accepts")
		secret      = fs.String("client-secret", "epccsim-client-secret", "client_secret the token endpoint accepts")
		tokenLife   = fs.Duration("token-lifetime", time.Hour, "access token lifetime (simulated time)")
		queueDelay  = fs.Duration("queue-delay", 100*time.Millisecond, "how long a job stays pending")
		codesPerSec = fs.Float64("codes-per-second", 5000, "code_generate speed")
		exportDur   = fs.Duration("export-duration", 100*time.Millisecond, "how long a code_export processes")
		cancelDur   = fs.Duration("cancel-duration", 50*time.Millisecond, "how long a Rule Promotions job stays cancelling")
		fileURLLife = fs.Duration("file-url-lifetime", 15*time.Minute, "lifetime of signed export URLs")
		clockFactor = fs.Float64("clock-factor", 1, "how many times faster than real time the simulated clock runs")
		rateLimit   = fs.Int("rate-limit", 0, "requests allowed in any one second of real time, beyond which it answers 429 (0: no limit)")
		retryAfter  = fs.String("retry-after", "alternate", "which 429s carry Retry-After: alternate (every other one), never or always")
	)
	if err := fs.Parse(args); err != nil {
		return err
	}

	sim := epccsim.New(epccsim.Options{
		ClientID:        *clientID,
		ClientSecret:    *secret,
		TokenLifetime:   *tokenLife,
		QueueDelay:      *queueDelay,
		CodesPerSecond:  *codesPerSec,
		ExportDuration:  *exportDur,
		CancelDuration:  *cancelDur,
		FileURLLifetime: *fileURLLife,
		Clock:           epccsim.NewScaledClock(*clockFactor),
	})
	ra, err := epccsim.ParseRetryAfter(*retryAfter)
	if err != nil {
		return err
	}
	sim.Faults().SetRetryAfter(ra)
	sim.Faults().SetRateLimit(*rateLimit)

	ln, err := net.Listen("tcp", *listen)
	if err != nil {
		return err
	}
	// One unbuffered write, so the lines reach a waiting shell at once.
	if _, err := fmt.Fprintf(stdout, "EPCC_API_BASE_URL=http://%s\nEPCC_CLIENT_ID=%s\nEPCC_CLIENT_SECRET=%s\n",
		ln.Addr(), sim.ClientID(), sim.ClientSecret()); err != nil {
		_ = ln.Close()
		return err
	}

	logger := slog.New(slog.NewTextHandler(stderr, nil))
	srv := &http.Server{Handler: logRequests(logger, sim), ReadHeaderTimeout: 10 * time.Second}

	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()

	select {
	case err := <-served:
		return err
	case <-ctx.Done():
	}
	logger.Info("shutting down")
	shutdownCtx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := srv.Shutdown(shutdownCtx); err != nil {
		return err
	}
	if err := <-served; err != nil && !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

// logRequests logs method, path, status and duration. Headers and query
// strings are left out: they carry tokens and signatures.
func logRequests(logger *slog.Logger, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		rec := &statusRecorder{ResponseWriter: w}
		defer func() {
			p := recover()
			status := rec.status
			switch {
			case rec.hijacked || p != nil:
				status = 0 // connection dropped without an answer
			case status == 0:
				status = http.StatusOK
			}
			logger.Info("request", "method", r.Method, "path", r.URL.Path, "status", status, "duration", time.Since(start))
			if p != nil {
				panic(p)
			}
		}()
		next.ServeHTTP(rec, r)
	})
}

type statusRecorder struct {
	http.ResponseWriter
	status   int
	hijacked bool
}

func (r *statusRecorder) WriteHeader(code int) {
	if r.status == 0 {
		r.status = code
	}
	r.ResponseWriter.WriteHeader(code)
}

// Hijack passes through so that injected connection resets still work.
func (r *statusRecorder) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	h, ok := r.ResponseWriter.(http.Hijacker)
	if !ok {
		return nil, nil, http.ErrNotSupported
	}
	r.hijacked = true
	return h.Hijack()
}

// Unwrap lets http.ResponseController reach the underlying writer.
func (r *statusRecorder) Unwrap() http.ResponseWriter { return r.ResponseWriter }

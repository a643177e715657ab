// Command epcc-bench runs the real-time scenarios of `make bench` and prints their table: how late the end
// of a job is seen, with the provider's poll schedule beside two common ones on the same jobs; jobs on one
// promotion back to back through `terraform apply`; the job listings of a refresh-only plan; the polls of
// many waits at once; the 429s a store's rate limit answers; and several provider processes ("pipelines")
// sharing one store's limit.
//
// It serves the simulator in-process on a loopback port, with the timing of a slow store (-queue-delay,
// -codes-per-second) and a development store's rate limit (-rate-limit), and counts requests with the
// simulator's request counter. The terraform scenarios build the provider and run the terraform CLI named by
// TF_ACC_TERRAFORM_PATH (else "terraform" on PATH) through dev_overrides, offline.
//
//	go run ./internal/cmd/epcc-bench [-only lateness,exports,many-waits,plan,back-to-back,refresh,pipelines] [-pipelines 1,3,6,12]
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/epcc-community/terraform-provider-elasticpath/internal/bench"
	"github.com/epcc-community/terraform-provider-elasticpath/internal/epcc"
	"github.com/epcc-community/terraform-provider-elasticpath/internal/epccsim"
)

func main() {
	if err := run(os.Args[1:], os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "epcc-bench:", err)
		os.Exit(1)
	}
}

type options struct {
	queueDelay     time.Duration
	codesPerSecond float64
	exportDuration time.Duration
	rateLimit      int
	retryAfter     epccsim.RetryAfter
	only           map[string]bool // the scenarios to run; empty: all
	pipelines      []int           // the pipelines scenario's numbers of processes at once
}

func (o options) runs(scenario string) bool { return len(o.only) == 0 || o.only[scenario] }

func run(args []string, out io.Writer) error {
	fs := flag.NewFlagSet("epcc-bench", flag.ContinueOnError)
	var o options
	fs.DurationVar(&o.queueDelay, "queue-delay", 100*time.Millisecond, "simulator: how long a job stays pending")
	fs.Float64Var(&o.codesPerSecond, "codes-per-second", 10, "simulator: code_generate speed")
	fs.DurationVar(&o.exportDuration, "export-duration", 10*time.Second, "simulator: how long a code_export processes")
	fs.IntVar(&o.rateLimit, "rate-limit", 25, "simulator: requests allowed in any one second")
	retryAfter := fs.String("retry-after", "alternate", "simulator: which 429s carry Retry-After: alternate (every other one), never or always")
	only := fs.String("only", "", "comma-separated scenarios to run of lateness, exports, many-waits, plan, back-to-back, refresh, pipelines (default all)")
	counts := fs.String("pipelines", "1,3,6,12", "comma-separated numbers of processes at once for the pipelines scenario")
	if err := fs.Parse(args); err != nil {
		return err
	}
	var err error
	if o.retryAfter, err = epccsim.ParseRetryAfter(*retryAfter); err != nil {
		return err
	}
	for _, c := range strings.Split(*counts, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(c))
		if err != nil || n < 1 {
			return fmt.Errorf("-pipelines: %q is not a number of processes", c)
		}
		o.pipelines = append(o.pipelines, n)
	}
	o.only = map[string]bool{}
	for _, name := range strings.Split(*only, ",") {
		switch name = strings.TrimSpace(name); name {
		case "":
		case "lateness", "exports", "many-waits", "plan", "back-to-back", "refresh", "pipelines":
			o.only[name] = true
		default:
			return fmt.Errorf("-only: no scenario %q", name)
		}
	}
	// Every scenario is bounded: nothing here may run away on a shared machine. The pipelines' rounds have
	// bounds of their own within this.
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Minute)
	defer cancel()

	b, err := start(o)
	if err != nil {
		return err
	}
	defer b.stop()
	progress := func(format string, args ...any) { _, _ = fmt.Fprintf(out, "epcc-bench: "+format+"\n", args...) }
	progress("simulator at %s, -queue-delay %v -codes-per-second %v -export-duration %v -rate-limit %d -retry-after %s",
		b.baseURL, o.queueDelay, o.codesPerSecond, o.exportDuration, o.rateLimit, *retryAfter)

	var rows []row
	add := func(got ...row) {
		for _, r := range got {
			progress("%s: %s", r.measure, r.project)
		}
		rows = append(rows, got...)
	}
	if o.runs("lateness") {
		for _, length := range []time.Duration{1100 * time.Millisecond, 2100 * time.Millisecond,
			10100 * time.Millisecond, 30100 * time.Millisecond} {
			r, err := b.lateness(ctx, length)
			if err != nil {
				return err
			}
			add(r)
		}
	}
	if o.runs("exports") {
		got, err := b.exportLateness(ctx)
		if err != nil {
			return err
		}
		add(got...)
	}
	if o.runs("many-waits") {
		r, err := b.manyWaits(ctx, 10, 10100*time.Millisecond)
		if err != nil {
			return err
		}
		add(r)
	}
	if o.runs("plan") || o.runs("back-to-back") || o.runs("refresh") {
		tf, err := newTerraform(ctx, b)
		if err != nil {
			return err
		}
		defer tf.cleanup()
		for _, sc := range []struct {
			name string
			run  func(context.Context, *terraform) ([]row, error)
		}{{"plan", b.plan}, {"back-to-back", b.backToBack}, {"refresh", b.refresh}} {
			if !o.runs(sc.name) {
				continue
			}
			got, err := sc.run(ctx, tf)
			if err != nil {
				return err
			}
			add(got...)
		}
	}
	// The pipelines run last, each round on a simulator of its own: their 429s are what they measure, and
	// stay out of this simulator's count.
	var rounds []round
	if o.runs("pipelines") {
		for _, n := range o.pipelines {
			r, err := pipelines(ctx, o, n)
			if err != nil {
				return err
			}
			first, last := r.finished()
			progress("pipelines, %d at once: %d of %d runs whole, %d jobs completed, %d of %d requests answered 429, wall %.1f s "+
				"(processes done from %.1f s to %.1f s)", n, r.whole(), n, r.completed(), r.tally.Refused,
				r.tally.Answered+r.tally.Refused, r.wall.Seconds(), first.Seconds(), last.Seconds())
			if err := r.firstErr(); err != nil {
				progress("pipelines, %d at once: first failure: %v", n, err)
			}
			rounds = append(rounds, r)
		}
	}
	if len(rows) > 0 {
		if err := writeTable(out, b.sim, rows); err != nil {
			return err
		}
	}
	if len(rounds) > 0 {
		return writePipelinesTable(out, o.rateLimit, rounds)
	}
	return nil
}

// writeTable prints the rows, and the 429s of the whole run on sim beside them.
func writeTable(out io.Writer, sim *epccsim.Server, rows []row) error {
	all := sim.Tally("", "")
	rows = append(rows, row{measure: "requests answered 429 by the simulator's limit, the whole run",
		project: fmt.Sprintf("%d of %d", all.Refused, all.Answered+all.Refused), target: "0"})

	var table strings.Builder
	fmt.Fprintf(&table, "\n| measure | this provider | %s | %s | target |\n| --- | --- | --- | --- | --- |\n",
		bench.Compared[0].Name, bench.Compared[1].Name)
	for _, r := range rows {
		var cmp [2]string
		copy(cmp[:], r.compared)
		fmt.Fprintf(&table, "| %s | %s | %s | %s | %s |\n", r.measure, r.project, cmp[0], cmp[1], r.target)
	}
	_, err := io.WriteString(out, table.String())
	return err
}

type row struct {
	measure, project string
	compared         []string
	target           string
}

func (r row) withCompared(c ...string) row { r.compared = c; return r }

// benchEnv is the simulator, served on loopback, and what the scenarios share.
type benchEnv struct {
	opts    options
	sim     *epccsim.Server
	srv     *http.Server
	baseURL string
}

func start(o options) (*benchEnv, error) {
	sim := epccsim.New(epccsim.Options{QueueDelay: o.queueDelay, CodesPerSecond: o.codesPerSecond,
		ExportDuration: o.exportDuration})
	sim.Faults().SetRetryAfter(o.retryAfter)
	sim.Faults().SetRateLimit(o.rateLimit)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	srv := &http.Server{Handler: sim, ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = srv.Serve(ln) }()
	return &benchEnv{opts: o, sim: sim, srv: srv, baseURL: "http://" + ln.Addr().String()}, nil
}

func (b *benchEnv) stop() { _ = b.srv.Close() }

// client is a new API client as the provider configures it by default: each scenario's waits get their own.
func (b *benchEnv) client() (*epcc.Client, error) {
	return epcc.New(epcc.Config{BaseURL: b.baseURL, ClientID: b.sim.ClientID(), ClientSecret: b.sim.ClientSecret(),
		UserAgent: "epcc-bench"})
}

func (b *benchEnv) promotions(ctx context.Context, c *epcc.Client, n int, name string) ([]epcc.PromotionRef, error) {
	var refs []epcc.PromotionRef
	for i := range n {
		ref, err := c.CreatePromotion(ctx, epcc.RulePromotions, epcc.NewPromotion{Name: fmt.Sprintf("%s %d", name, i)})
		if err != nil {
			return nil, err
		}
		refs = append(refs, ref)
	}
	// A second's pause, so that the store's window holds none of these requests when a measured run starts:
	// each row measures its run alone on the store.
	return refs, sleep(ctx, time.Second)
}

// promotionIDs makes 10 promotions named for a scenario and returns their ids, quoted for a configuration.
func (b *benchEnv) promotionIDs(ctx context.Context, name string) ([]string, error) {
	c, err := b.client()
	if err != nil {
		return nil, err
	}
	refs, err := b.promotions(ctx, c, 10, name)
	if err != nil {
		return nil, err
	}
	ids := make([]string, len(refs))
	for i, ref := range refs {
		ids[i] = fmt.Sprintf("%q", ref.ID)
	}
	return ids, nil
}

// clientAndPromotion is a new client and a promotion of its own.
func (b *benchEnv) clientAndPromotion(ctx context.Context, name string) (*epcc.Client, epcc.PromotionRef, error) {
	c, err := b.client()
	if err != nil {
		return nil, epcc.PromotionRef{}, err
	}
	refs, err := b.promotions(ctx, c, 1, name)
	if err != nil {
		return nil, epcc.PromotionRef{}, err
	}
	return c, refs[0], nil
}

// schedulesCompared is the provider's schedule (nil: WaitJob's own) and the compared ones, in the table's order.
func schedulesCompared() []bench.Schedule {
	schedules := []bench.Schedule{nil}
	for _, c := range bench.Compared {
		schedules = append(schedules, c.Schedule)
	}
	return schedules
}

// codesFor is the number of codes whose job takes length, queue included.
func (b *benchEnv) codesFor(length time.Duration) int64 {
	return int64((length - b.opts.queueDelay).Seconds() * b.opts.codesPerSecond)
}

func (b *benchEnv) listings(ref epcc.PromotionRef) int {
	return b.sim.RequestCount(http.MethodGet, "/v2/"+string(ref.API)+"/"+ref.ID+"/jobs")
}

// waited is one wait on one job: how late its end was seen, and the polls it took.
type waited struct {
	job   epcc.Job
	late  time.Duration
	polls int
}

func (w waited) String() string {
	length := w.job.UpdatedAt.Sub(w.job.CreatedAt)
	return fmt.Sprintf("%.2f s (%.0f%%), %d polls", w.late.Seconds(), 100*w.late.Seconds()/length.Seconds(), w.polls)
}

// startJob starts a job of the given length on ref as the provider does.
func (b *benchEnv) startJob(ctx context.Context, c *epcc.Client, ref epcc.PromotionRef, length time.Duration) (*epcc.Job, error) {
	codes := b.codesFor(length)
	return c.StartJob(ctx, ref, epcc.CreateJobRequest{Type: epcc.JobTypeGenerate, Name: "bench",
		Parameters: &epcc.JobParameters{NumberOfCodes: &codes}})
}

// startExport starts a code_export on ref as the provider does: it takes the simulator's -export-duration.
func startExport(ctx context.Context, c *epcc.Client, ref epcc.PromotionRef) (*epcc.Job, error) {
	return c.StartJob(ctx, ref, epcc.CreateJobRequest{Type: epcc.JobTypeExport, Name: "bench export"})
}

// wait waits for the job as the provider does (WaitJob), or with schedule when it is not nil, polling the
// same listing.
func (b *benchEnv) wait(ctx context.Context, c *epcc.Client, job *epcc.Job, schedule bench.Schedule) (waited, error) {
	before := b.listings(job.Promotion)
	var final *epcc.Job
	var err error
	if schedule == nil {
		final, err = c.WaitJob(ctx, job.Promotion, job.ID, nil)
	} else {
		final, err = waitWith(ctx, c, job.Promotion, job.ID, schedule())
	}
	noticed := time.Now()
	if err != nil {
		return waited{}, err
	}
	return waited{job: *final, late: noticed.Sub(final.UpdatedAt), polls: b.listings(job.Promotion) - before}, nil
}

func (b *benchEnv) startAndWait(ctx context.Context, c *epcc.Client, ref epcc.PromotionRef, length time.Duration, schedule bench.Schedule) (waited, error) {
	job, err := b.startJob(ctx, c, ref, length)
	if err != nil {
		return waited{}, err
	}
	return b.wait(ctx, c, job, schedule)
}

// waitWith polls the promotion's listing on a compared schedule until the job ends.
func waitWith(ctx context.Context, c *epcc.Client, ref epcc.PromotionRef, id string, next func() time.Duration) (*epcc.Job, error) {
	for {
		jobs, err := c.ListJobs(ctx, ref, epcc.JobFilter{})
		if err != nil {
			return nil, err
		}
		for i := range jobs {
			if jobs[i].ID == id && epcc.IsTerminal(jobs[i].Status) {
				return &jobs[i], nil
			}
		}
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-time.After(next()):
		}
	}
}

// lateness starts one job of the given length for each schedule, at once and each on its own promotion
// and client, and reports how late each saw the end.
func (b *benchEnv) lateness(ctx context.Context, length time.Duration) (row, error) {
	schedules := schedulesCompared()
	results := make([]waited, len(schedules))
	errs := make([]error, len(schedules))
	var wg sync.WaitGroup
	for i, s := range schedules {
		c, ref, err := b.clientAndPromotion(ctx, "lateness")
		if err != nil {
			return row{}, err
		}
		wg.Go(func() { results[i], errs[i] = b.startAndWait(ctx, c, ref, length, s) })
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return row{}, err
	}
	measured := results[0].job.UpdatedAt.Sub(results[0].job.CreatedAt)
	return row{
		measure: fmt.Sprintf("end seen late, %.1f s job", measured.Seconds()),
		project: results[0].String(),
		target:  latenessTarget(measured),
	}.withCompared(results[1].String(), results[2].String()), nil
}

// latenessTarget is the target for a job that ran measured: its end seen within max(0.3 s, 10%),
// with at most measured/2s + 15 polls.
func latenessTarget(measured time.Duration) string {
	return fmt.Sprintf("<= %.2f s, <= %d polls", max(300*time.Millisecond, measured/10).Seconds(),
		int(measured/(2*time.Second))+15)
}

// exportLateness waits on code_exports, which report no progress: the first of the process's run on the
// store, with the compared schedules on the same jobs at once, then a second one through the same client,
// which expects its end from the first, then one through a new client on a promotion exported before, which
// expects its end from the promotion's listing.
func (b *benchEnv) exportLateness(ctx context.Context) ([]row, error) {
	schedules := schedulesCompared()
	clients := make([]*epcc.Client, len(schedules))
	refs := make([]epcc.PromotionRef, len(schedules))
	for i := range schedules {
		var err error
		if clients[i], refs[i], err = b.clientAndPromotion(ctx, "exports"); err != nil {
			return nil, err
		}
	}
	first := make([]waited, len(schedules))
	errs := make([]error, len(schedules))
	var wg sync.WaitGroup
	for i, s := range schedules {
		wg.Go(func() {
			job, err := startExport(ctx, clients[i], refs[i])
			if err == nil {
				first[i], err = b.wait(ctx, clients[i], job, s)
			}
			errs[i] = err
		})
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	job, err := startExport(ctx, clients[0], refs[0])
	if err != nil {
		return nil, err
	}
	next, err := b.wait(ctx, clients[0], job, nil)
	if err != nil {
		return nil, err
	}
	// A process of its own on a promotion exported before, as a later terraform run re-exporting it is.
	again, err := b.client()
	if err != nil {
		return nil, err
	}
	if job, err = startExport(ctx, again, refs[1]); err != nil {
		return nil, err
	}
	exportedBefore, err := b.wait(ctx, again, job, nil)
	if err != nil {
		return nil, err
	}
	exportRow := func(w waited, which string) row {
		measured := w.job.UpdatedAt.Sub(w.job.CreatedAt)
		return row{
			measure: fmt.Sprintf("end seen late, %.1f s code_export (no progress), %s", measured.Seconds(), which),
			project: w.String(),
			target:  latenessTarget(measured),
		}
	}
	return []row{
		exportRow(first[0], "the first of the run").withCompared(first[1].String(), first[2].String()),
		exportRow(next, "after one like it"),
		exportRow(exportedBefore, "the first of the run, on a promotion exported before"),
	}, nil
}

// manyWaits starts n jobs on n promotions through one client, as one provider process does, and reports
// the most status polls the simulator saw in any one second and the latest end seen.
func (b *benchEnv) manyWaits(ctx context.Context, n int, length time.Duration) (row, error) {
	c, err := b.client()
	if err != nil {
		return row{}, err
	}
	refs, err := b.promotions(ctx, c, n, "many waits")
	if err != nil {
		return row{}, err
	}
	jobs := make([]*epcc.Job, n)
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i, ref := range refs {
		wg.Go(func() { jobs[i], errs[i] = b.startJob(ctx, c, ref, length) })
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return row{}, err
	}
	// Only the waits' polls are counted: the listing each start makes first is not one.
	stop := b.sampleListings(refs)
	results := make([]waited, n)
	for i, job := range jobs {
		wg.Go(func() { results[i], errs[i] = b.wait(ctx, c, job, nil) })
	}
	wg.Wait()
	most := stop()
	if err := errors.Join(errs...); err != nil {
		return row{}, err
	}
	worst, polls := results[0], 0
	for _, r := range results {
		polls = max(polls, r.polls)
		if r.late > worst.late {
			worst = r
		}
	}
	return row{
		measure: fmt.Sprintf("%d jobs of %.0f s on %d promotions waiting at once (one process)", n, length.Seconds(), n),
		project: fmt.Sprintf("at most %d listings in any one second; latest end seen %s; at most %d polls a job",
			most, worst, polls),
		target: "< 10 a second (half of rate_limit 20)",
	}, nil
}

// sampleListings reads the request counter every 50 ms until the returned stop is called, which gives the
// most listings of refs that arrived within any one second (within a sample).
func (b *benchEnv) sampleListings(refs []epcc.PromotionRef) (stop func() int) {
	count := func() int {
		n := 0
		for _, ref := range refs {
			n += b.listings(ref)
		}
		return n
	}
	const step = 50 * time.Millisecond
	done := make(chan struct{})
	result := make(chan int)
	go func() {
		samples := []int{count()}
		tick := time.NewTicker(step)
		defer tick.Stop()
		for {
			select {
			case <-done:
				result <- mostWithin(samples, int(time.Second/step))
				return
			case <-tick.C:
				samples = append(samples, count())
			}
		}
	}()
	return func() int { close(done); return <-result }
}

// mostWithin is the largest rise of a running count over window samples (fewer at the end).
func mostWithin(samples []int, window int) int {
	most := 0
	for i := range samples {
		most = max(most, samples[min(i+window, len(samples)-1)]-samples[i])
	}
	return most
}

// ---- terraform scenarios ------------------------------------------------

type terraform struct {
	bin, dir string
	env      []string
}

// newTerraform builds the provider into a temporary directory and points a CLI configuration's
// dev_overrides at it.
func newTerraform(ctx context.Context, b *benchEnv) (*terraform, error) {
	bin := os.Getenv("TF_ACC_TERRAFORM_PATH")
	if bin == "" {
		bin = "terraform"
	}
	dir, err := os.MkdirTemp("", "epcc-bench-")
	if err != nil {
		return nil, err
	}
	tf := &terraform{bin: bin, dir: dir}
	build := exec.CommandContext(ctx, "go", "build", "-o", filepath.Join(dir, "bin", "terraform-provider-elasticpath"), ".")
	build.Stderr = os.Stderr
	if err := build.Run(); err != nil {
		tf.cleanup()
		return nil, fmt.Errorf("building the provider: %w", err)
	}
	rc := fmt.Sprintf(`provider_installation {
  dev_overrides {
    "registry.terraform.io/epcc-community/elasticpath" = %q
  }
  direct {}
}
`, filepath.Join(dir, "bin"))
	if err := os.WriteFile(filepath.Join(dir, "terraformrc"), []byte(rc), 0o600); err != nil {
		tf.cleanup()
		return nil, err
	}
	tf.env = append(os.Environ(), "TF_CLI_CONFIG_FILE="+filepath.Join(dir, "terraformrc"), "TF_IN_AUTOMATION=1",
		"CHECKPOINT_DISABLE=1", "EPCC_API_BASE_URL="+b.baseURL, "EPCC_CLIENT_ID="+b.sim.ClientID(),
		"EPCC_CLIENT_SECRET="+b.sim.ClientSecret())
	return tf, nil
}

func (tf *terraform) cleanup() { _ = os.RemoveAll(tf.dir) }

// workspace writes a configuration into a directory of its own.
func (tf *terraform) workspace(name, config string) (string, error) {
	dir := filepath.Join(tf.dir, name)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return "", err
	}
	const providers = `terraform {
  required_providers {
    elasticpath = { source = "epcc-community/elasticpath" }
  }
}
`
	return dir, os.WriteFile(filepath.Join(dir, "main.tf"), []byte(providers+config), 0o600)
}

// run runs one terraform command in dir and says how long it took.
func (tf *terraform) run(ctx context.Context, dir string, args ...string) (time.Duration, error) {
	return tf.runWith(ctx, dir, nil, args...)
}

// runWith is run with env added to the CLI's environment.
func (tf *terraform) runWith(ctx context.Context, dir string, env []string, args ...string) (time.Duration, error) {
	cmd := exec.CommandContext(ctx, tf.bin, append(args, "-input=false", "-no-color")...)
	cmd.Dir, cmd.Env = dir, append(slices.Clone(tf.env), env...)
	var outBuf strings.Builder
	cmd.Stdout, cmd.Stderr = &outBuf, &outBuf
	start := time.Now()
	err := cmd.Run()
	took := time.Since(start)
	if err != nil {
		return took, fmt.Errorf("terraform %s: %w\n%s", strings.Join(args, " "), err, outBuf.String())
	}
	return took, nil
}

// plan times a plan of 10 new jobs on 10 promotions with a data source each, alone on the store, at the
// default rate_limit and at 1000 (where no pacing binds), five times each, alternated: what the pacing costs a
// drift-alarm plan.
func (b *benchEnv) plan(ctx context.Context, tf *terraform) ([]row, error) {
	ids, err := b.promotionIDs(ctx, "plan")
	if err != nil {
		return nil, err
	}
	dir, err := tf.workspace("plan", fmt.Sprintf(`
locals {
  promotions = [%s]
}

resource "elasticpath_promotion_job" "codes" {
  count             = length(local.promotions)
  rule_promotion_id = local.promotions[count.index]
  job_type          = "code_generate"
  name              = "plan"
  parameters = {
    number_of_codes = 10
  }
}

data "elasticpath_promotion_jobs" "completed" {
  count             = length(local.promotions)
  rule_promotion_id = local.promotions[count.index]
  status            = "completed"
}
`, strings.Join(ids, ", ")))
	if err != nil {
		return nil, err
	}
	if _, err := tf.run(ctx, dir, "plan"); err != nil { // a first plan warms the caches terraform keeps on disk
		return nil, err
	}
	// The store's limit is lifted for the row: at rate_limit 1000 the plan would otherwise meet it, and the row
	// measures the provider's own pacing, which 20 a second keeps under the limit anyway.
	b.sim.Faults().SetRateLimit(0)
	defer b.sim.Faults().SetRateLimit(b.opts.rateLimit)
	// Three plans a round, alternated: the default rate_limit, one above the plan's requests (what is left of
	// the pacing beside rate_limit's own window), and 1000.
	const rounds = 5
	limits := [][]string{{"EPCC_RATE_LIMIT=20"}, {"EPCC_RATE_LIMIT=40"}, {"EPCC_RATE_LIMIT=1000"}}
	took := make([][]time.Duration, len(limits))
	requests := 0
	for range rounds {
		for i, limit := range limits {
			before := b.sim.Tally("", "")
			d, err := tf.runWith(ctx, dir, limit, "plan")
			if err != nil {
				return nil, err
			}
			after := b.sim.Tally("", "")
			requests = after.Answered + after.Refused - before.Answered - before.Refused
			took[i] = append(took[i], d)
			// A second apart, so that no plan meets the window of the one before.
			if err := sleep(ctx, time.Second); err != nil {
				return nil, err
			}
		}
	}
	paced, above, unpaced := median(took[0]), median(took[1]), median(took[2])
	return []row{{
		measure: fmt.Sprintf("terraform plan of 10 new jobs on 10 promotions with a data source each (%d requests), alone on the store: "+
			"rate_limit 20 (default), 40 and 1000, median of %d alternated", requests, rounds),
		project: fmt.Sprintf("%.2f s, %.2f s and %.2f s: %.1fx and %.1fx the plan at 1000", paced.Seconds(), above.Seconds(),
			unpaced.Seconds(), paced.Seconds()/unpaced.Seconds(), above.Seconds()/unpaced.Seconds()),
		target: "<= 2.5x",
	}}, nil
}

func median(d []time.Duration) time.Duration {
	s := slices.Clone(d)
	slices.Sort(s)
	return s[len(s)/2]
}

// backToBack applies 20 jobs of 2 s on one promotion with for_each and compares the apply's wall time with
// the jobs' own durations (created_at to updated_at), and each job's start with the previous job's end.
func (b *benchEnv) backToBack(ctx context.Context, tf *terraform) ([]row, error) {
	c, ref, err := b.clientAndPromotion(ctx, "back to back")
	if err != nil {
		return nil, err
	}
	const jobs = 20
	length := 2100 * time.Millisecond
	dir, err := tf.workspace("back-to-back", fmt.Sprintf(`
resource "elasticpath_promotion_job" "codes" {
  for_each          = toset([for i in range(%d) : format("job-%%02d", i)])
  rule_promotion_id = %q
  job_type          = "code_generate"
  name              = each.key
  parameters = {
    number_of_codes = %d
  }
}
`, jobs, ref.ID, b.codesFor(length)))
	if err != nil {
		return nil, err
	}
	wall, err := tf.run(ctx, dir, "apply", "-auto-approve")
	if err != nil {
		return nil, err
	}
	listed, err := c.ListJobs(ctx, ref, epcc.JobFilter{})
	if err != nil {
		return nil, err
	}
	if len(listed) != jobs {
		return nil, fmt.Errorf("back to back: %d jobs on the promotion, want %d", len(listed), jobs)
	}
	sort.Slice(listed, func(i, j int) bool { return listed[i].CreatedAt.Before(listed[j].CreatedAt) })
	var sum, gap time.Duration
	for i, j := range listed {
		sum += j.UpdatedAt.Sub(j.CreatedAt)
		if i > 0 {
			gap = max(gap, j.CreatedAt.Sub(listed[i-1].UpdatedAt))
		}
	}
	span := listed[jobs-1].UpdatedAt.Sub(listed[0].CreatedAt)
	return []row{{
		measure: fmt.Sprintf("%d jobs of 2 s on one promotion (for_each, terraform apply)", jobs),
		project: fmt.Sprintf("wall %.1f s for %.1f s of jobs: %.2fx (first start to last end %.1f s: %.2fx); "+
			"largest gap between one job's end and the next one's start %.2f s",
			wall.Seconds(), sum.Seconds(), wall.Seconds()/sum.Seconds(), span.Seconds(), span.Seconds()/sum.Seconds(), gap.Seconds()),
		target: "<= 1.10x; gap <= 0.3 s",
	}}, nil
}

// refresh applies 50 and then 100 one-code jobs on 10 promotions with one data source each, counting the
// 429s the simulator's limit answered, then counts the job listings of a refresh-only plan.
func (b *benchEnv) refresh(ctx context.Context, tf *terraform) ([]row, error) {
	ids, err := b.promotionIDs(ctx, "refresh")
	if err != nil {
		return nil, err
	}
	config := func(perPromotion int) string {
		return fmt.Sprintf(`
locals {
  promotions = [%s]
  jobs = { for pair in setproduct(range(length(local.promotions)), range(%d)) :
    format("p%%02d-j%%02d", pair[0], pair[1]) => local.promotions[pair[0]] }
}

resource "elasticpath_promotion_job" "codes" {
  for_each          = local.jobs
  rule_promotion_id = each.value
  job_type          = "code_generate"
  name              = each.key
  parameters = {
    number_of_codes = 1
  }
}

data "elasticpath_promotion_jobs" "completed" {
  count             = length(local.promotions)
  rule_promotion_id = local.promotions[count.index]
  status            = "completed"
  depends_on        = [elasticpath_promotion_job.codes]
}
`, strings.Join(ids, ", "), perPromotion)
	}
	var rows []row
	var dir string
	for _, perPromotion := range []int{5, 10} {
		if dir, err = tf.workspace("refresh", config(perPromotion)); err != nil {
			return nil, err
		}
		before := b.sim.Tally("", "")
		wall, err := tf.run(ctx, dir, "apply", "-auto-approve")
		if err != nil {
			return nil, err
		}
		after := b.sim.Tally("", "")
		added := 5 * len(ids) // each apply adds five jobs a promotion
		rows = append(rows, row{
			measure: fmt.Sprintf("terraform apply adding %d jobs on 10 promotions (now %d), rate_limit 20, behind a limit of %d requests in any one second",
				added, perPromotion*len(ids), b.opts.rateLimit),
			project: fmt.Sprintf("%d of %d requests answered 429; wall %.1f s", after.Refused-before.Refused,
				after.Answered+after.Refused-before.Answered-before.Refused, wall.Seconds()),
			target: "0 429s",
		})
	}
	listings := func() int { return b.sim.RequestCount(http.MethodGet, "/v2/rule-promotions/*/jobs") }
	tokens := func() int { return b.sim.RequestCount(http.MethodPost, "/oauth/access_token") }
	l0, t0 := listings(), tokens()
	if _, err := tf.run(ctx, dir, "plan", "-refresh-only"); err != nil {
		return nil, err
	}
	rows = append(rows, row{
		measure: "refresh-only plan, 100 jobs on 10 promotions + one data source each",
		project: fmt.Sprintf("%d job listings + %d token requests", listings()-l0, tokens()-t0),
		target:  "<= 10 listings",
	})
	return rows, nil
}

package provider

import (
	"regexp"
	"strings"
	"testing"

	"github.com/epcc-community/terraform-provider-elasticpath/internal/epcc"
	"github.com/epcc-community/terraform-provider-elasticpath/internal/epccsim"
)

// An export action triggered after a codes job is created, then a generate action invoked on demand: each
// makes one job that completes, and the terminal shows their progress.
func TestAccPromotionCodeActions_triggerAndInvoke(t *testing.T) {
	t.Parallel()
	env := newAccEnv(t, epccsim.Options{CodesPerSecond: 250})
	promo, ref := env.rulePromotion(t)
	cli := newTerraformCLI(t)
	cli.write("main.tf", env.config(`
resource "elasticpath_promotion_job" "codes" {
  rule_promotion_id = %[1]q
  job_type          = "code_generate"
  name              = "codes"
  parameters = {
    number_of_codes = 500
  }
  lifecycle {
    action_trigger {
      events  = [after_create]
      actions = [action.elasticpath_export_promotion_codes.fresh_export]
    }
  }
}

action "elasticpath_export_promotion_codes" "fresh_export" {
  config {
    rule_promotion_id = %[1]q
    name              = "fresh-export"
  }
}

action "elasticpath_generate_promotion_codes" "more" {
  config {
    rule_promotion_id = %[1]q
    name              = "more"
    number_of_codes   = 300
    code_prefix       = "MORE-"
    consume_unit      = "per_checkout"
  }
}
`, promo))
	cli.must("init")

	out := cli.must("apply", "-auto-approve")
	export := onlyJob(t, env.jobs(t, ref), "fresh-export")
	if export.Type != epcc.JobTypeExport || export.Status != epcc.StatusCompleted {
		t.Fatalf("the triggered export is %s %s, want a completed code_export", export.Type, export.Status)
	}
	expectLine(t, out, `Action action\.elasticpath_export_promotion_codes\.fresh_export.*: job `+export.ID+` completed: export file ready`)
	if codes := onlyJob(t, env.jobs(t, ref), "codes"); export.CreatedAt.Before(codes.UpdatedAt) {
		t.Errorf("the export started at %s, before the codes job it follows ended at %s", export.CreatedAt, codes.UpdatedAt)
	}

	out = cli.must("apply", "-auto-approve", "-invoke=action.elasticpath_generate_promotion_codes.more")
	more := onlyJob(t, env.jobs(t, ref), "more")
	if more.Status != epcc.StatusCompleted || derefInt(more.Generated) != 300 {
		t.Fatalf("the invoked job is %s with %d codes, want completed with 300", more.Status, derefInt(more.Generated))
	}
	expectLine(t, out, `Action action\.elasticpath_generate_promotion_codes\.more.*: starting a code_generate job on rule-promotions/`+promo)
	if env.sim != nil { // the simulator's speed makes the job last long enough to be seen processing
		expectLine(t, out, `Action action\.elasticpath_generate_promotion_codes\.more.*: job `+more.ID+` processing: \d+ of 300 codes`)
	}
	expectLine(t, out, `Action action\.elasticpath_generate_promotion_codes\.more.*: job `+more.ID+` completed: 300 codes generated`)
	if jobs := env.jobs(t, ref); len(jobs) != 3 {
		t.Errorf("the promotion has %d jobs, want 3 (codes, fresh-export, more)", len(jobs))
	}
	codes, err := env.client.ListPromotionCodes(t.Context(), ref)
	if err != nil {
		t.Fatal(err)
	}
	if prefixed := countPrefixed(codes, "MORE-"); prefixed != 300 {
		t.Errorf("%d codes start with MORE-, want 300", prefixed)
	}
	// Invoking an action changes no resource: the next plan is empty.
	if out, err := cli.run("plan", "-detailed-exitcode"); err != nil {
		t.Errorf("plan after the actions is not empty: %v\n%s", err, out)
	}
}

// Codes asked of an automatic promotion: refused at plan when its id is known then, and with the API's own
// message at apply when it is known only then. Neither leaves a job behind.
func TestAccPromotionCodeActions_automaticPromotion(t *testing.T) {
	t.Parallel()
	env := newAccEnv(t, epccsim.Options{})
	promo := env.promotion(t, epcc.RulePromotions, true)
	ref := epcc.PromotionRef{API: epcc.RulePromotions, ID: promo}
	cli := newTerraformCLI(t)
	cli.write("main.tf", env.config(`
action "elasticpath_generate_promotion_codes" "known" {
  config {
    rule_promotion_id = %[1]q
    number_of_codes   = 10
  }
}

# The id reaches the action only at apply, so plan cannot check the promotion: the API refuses the job.
resource "terraform_data" "promotion" {
  input = %[1]q
  lifecycle {
    action_trigger {
      events  = [after_create]
      actions = [action.elasticpath_generate_promotion_codes.late]
    }
  }
}

action "elasticpath_generate_promotion_codes" "late" {
  config {
    rule_promotion_id = terraform_data.promotion.output
    number_of_codes   = 10
  }
}
`, promo))
	cli.must("init")

	out, err := cli.run("apply", "-auto-approve", "-invoke=action.elasticpath_generate_promotion_codes.known")
	if err == nil {
		t.Fatalf("invoking codes on an automatic promotion succeeded:\n%s", out)
	}
	expectLine(t, wrapLines(out), `Automatic promotion takes no codes`)

	out, err = cli.run("apply", "-auto-approve")
	if err == nil {
		t.Fatalf("codes on an automatic promotion, known at apply, succeeded:\n%s", out)
	}
	expectLine(t, wrapLines(out), `Elastic Path refused the job on rule-promotions/`+promo+`: .*No codes allowed`)
	if jobs := env.jobs(t, ref); len(jobs) != 0 {
		t.Errorf("the automatic promotion has %d jobs, want none", len(jobs))
	}
}

// A job that fails makes the action fail with the job's own message; one that outlasts the action's timeout
// makes it fail naming the job, which may still be running.
func TestAccPromotionCodeActions_failedAndTimedOut(t *testing.T) {
	t.Parallel()
	env := newAccEnv(t, epccsim.Options{CodesPerSecond: 20})
	env.needsSim(t)
	full := env.promotion(t, epcc.RulePromotions, false)
	fullRef := epcc.PromotionRef{API: epcc.RulePromotions, ID: full}
	slow := env.promotion(t, epcc.RulePromotions, false)
	slowRef := epcc.PromotionRef{API: epcc.RulePromotions, ID: slow}
	env.generate(t, fullRef, 40, "")
	cli := newTerraformCLI(t)
	// The provider is told promotions hold more codes than the store allows, so plan lets the job through and
	// the store fails it.
	cli.write("main.tf", env.configWith("max_codes_per_promotion = 5000", `
action "elasticpath_generate_promotion_codes" "over_limit" {
  config {
    rule_promotion_id = %q
    name              = "over-limit"
    number_of_codes   = 980
  }
}

action "elasticpath_generate_promotion_codes" "slow" {
  config {
    rule_promotion_id = %q
    name              = "slow"
    number_of_codes   = 1000
    timeout           = "2s"
  }
}
`, full, slow))
	cli.must("init")

	out, err := cli.run("apply", "-auto-approve", "-invoke=action.elasticpath_generate_promotion_codes.over_limit")
	if err == nil {
		t.Fatalf("a failing job's action succeeded:\n%s", out)
	}
	failed := onlyJob(t, env.jobs(t, fullRef), "over-limit")
	expectLine(t, wrapLines(out), `Promotion job failed.*Job `+failed.ID+` on rule-promotions/`+full+` ended with status failed: "codes limit exceeded"`)

	out, err = cli.run("apply", "-auto-approve", "-invoke=action.elasticpath_generate_promotion_codes.slow")
	if err == nil {
		t.Fatalf("an action whose job outlasts its timeout succeeded:\n%s", out)
	}
	running := onlyJob(t, env.jobs(t, slowRef), "slow")
	expectLine(t, wrapLines(out), `Timed out waiting for promotion job.*Job `+running.ID+` on rule-promotions/`+slow+` was still processing when the action's timeout \(2s\) ran out: it may still be running`)
	if epcc.IsTerminal(running.Status) {
		t.Errorf("the slow job already ended (%s): the timeout was not what stopped the action", running.Status)
	}
}

func TestProgressMessage(t *testing.T) {
	n := func(v int64) *int64 { return &v }
	for _, tc := range []struct {
		job  epcc.Job
		want string
	}{
		{epcc.Job{ID: "j", Type: epcc.JobTypeGenerate, Status: epcc.StatusPending}, "job j pending"},
		{epcc.Job{ID: "j", Type: epcc.JobTypeGenerate, Status: epcc.StatusProcessing, Generated: n(300),
			Parameters: &epcc.JobParameters{NumberOfCodes: n(500)}}, "job j processing: 300 of 500 codes"},
		{epcc.Job{ID: "j", Type: epcc.JobTypeGenerate, Status: epcc.StatusProcessing, Generated: n(7)}, "job j processing: 7 codes so far"},
		{epcc.Job{ID: "j", Type: epcc.JobTypeGenerate, Status: epcc.StatusCompleted, Generated: n(500),
			Parameters: &epcc.JobParameters{NumberOfCodes: n(500)}}, "job j completed: 500 codes generated"},
		{epcc.Job{ID: "j", Type: epcc.JobTypeExport, Status: epcc.StatusProcessing}, "job j processing"},
		{epcc.Job{ID: "j", Type: epcc.JobTypeExport, Status: epcc.StatusCompleted}, "job j completed: export file ready"},
		{epcc.Job{ID: "j", Type: epcc.JobTypeGenerate, Status: epcc.StatusFailed, Error: "codes limit exceeded"},
			`job j failed ("codes limit exceeded")`},
	} {
		if got := progressMessage(tc.job); got != tc.want {
			t.Errorf("progressMessage(%+v) = %q, want %q", tc.job, got, tc.want)
		}
	}
}

// onlyJob finds the one job of the given name.
func onlyJob(t *testing.T, jobs []epcc.Job, name string) epcc.Job {
	t.Helper()
	var found []epcc.Job
	for _, j := range jobs {
		if j.Name == name {
			found = append(found, j)
		}
	}
	if len(found) != 1 {
		t.Fatalf("%d jobs named %q, want exactly 1 (all jobs: %+v)", len(found), name, jobs)
	}
	return found[0]
}

// expectLine fails unless out matches pattern.
func expectLine(t *testing.T, out, pattern string) {
	t.Helper()
	if !regexp.MustCompile(pattern).MatchString(out) {
		t.Errorf("output does not match %q:\n%s", pattern, out)
	}
}

// wrapLines joins Terraform's wrapped diagnostic lines, so that a pattern can span them.
func wrapLines(out string) string {
	var b strings.Builder
	for _, line := range strings.Split(out, "\n") {
		b.WriteString(strings.TrimSpace(strings.TrimLeft(line, "│╷╵ ")))
		b.WriteString(" ")
	}
	return b.String()
}

func countPrefixed(codes []epcc.Code, prefix string) int {
	n := 0
	for _, c := range codes {
		if strings.HasPrefix(strings.ToUpper(c.Code), prefix) {
			n++
		}
	}
	return n
}

// An action on a promotion busy with a job started elsewhere waits for that job to end, then runs its own:
// no "Too many jobs", and never two active jobs at once.
func TestAccPromotionCodeActions_waitsForJobStartedElsewhere(t *testing.T) {
	t.Parallel()
	// The job started elsewhere lasts 4 s: long enough for terraform to start, plan and invoke while it runs.
	env := newAccEnv(t, epccsim.Options{CodesPerSecond: 150})
	env.needsSim(t)
	promo := env.promotion(t, epcc.PromotionsStandard, false)
	ref := epcc.PromotionRef{API: epcc.PromotionsStandard, ID: promo}
	cli := newTerraformCLI(t)
	cli.write("main.tf", env.config(`
action "elasticpath_generate_promotion_codes" "after" {
  config {
    promotion_id    = %q
    name            = "after"
    number_of_codes = 50
    consume_unit    = "per_item"
  }
}
`, promo))
	cli.must("init")
	n := int64(600)
	elsewhere, err := env.client.StartJob(t.Context(), ref, epcc.CreateJobRequest{Type: epcc.JobTypeGenerate, Name: "elsewhere",
		Parameters: &epcc.JobParameters{NumberOfCodes: &n}})
	if err != nil {
		t.Fatal(err)
	}

	out := cli.must("apply", "-auto-approve", "-invoke=action.elasticpath_generate_promotion_codes.after")
	expectLine(t, out, `Action action\.elasticpath_generate_promotion_codes\.after.*: waiting for job `+elsewhere.ID+
		` \((pending|processing)\), started elsewhere, to end`)
	jobs := env.jobs(t, ref)
	first, after := onlyJob(t, jobs, "elsewhere"), onlyJob(t, jobs, "after")
	if first.ID != elsewhere.ID || first.Status != epcc.StatusCompleted || after.Status != epcc.StatusCompleted {
		t.Fatalf("jobs: %+v", jobs)
	}
	if after.CreatedAt.Before(first.UpdatedAt) {
		t.Errorf("the action's job was created at %s, before the job it had to wait for ended at %s", after.CreatedAt, first.UpdatedAt)
	}
	if len(jobs) != 2 {
		t.Errorf("the promotion has %d jobs, want 2", len(jobs))
	}
}

// The actions take the resource's plan-time rules: consume_unit by API, and one code budget per promotion that
// resources and actions of the run share. A refused plan sends no job request.
func TestAccPromotionCodeActions_planChecks(t *testing.T) {
	t.Parallel()
	env := newAccEnv(t, epccsim.Options{})
	promo := env.promotion(t, epcc.RulePromotions, false)
	cli := newTerraformCLI(t)
	cli.must("init")
	plan := func(config string) string {
		t.Helper()
		cli.write("main.tf", env.config(config, promo))
		out, err := cli.run("plan")
		if err == nil {
			t.Fatalf("plan succeeded:\n%s", out)
		}
		return wrapLines(out)
	}

	out := plan(`
action "elasticpath_generate_promotion_codes" "wrong_unit" {
  config {
    rule_promotion_id = %q
    number_of_codes   = 10
    consume_unit      = "per_item"
  }
}`)
	expectLine(t, out, `Invalid consume_unit for this promotion API .*consume_unit "per_item" is not accepted on a promotion named by rule_promotion_id; use one of: per_application, per_checkout`)

	out = plan(`
resource "elasticpath_promotion_job" "codes" {
  rule_promotion_id = %[1]q
  job_type          = "code_generate"
  parameters = {
    number_of_codes = 600
  }
  lifecycle {
    action_trigger {
      events  = [after_create]
      actions = [action.elasticpath_generate_promotion_codes.more]
    }
  }
}

action "elasticpath_generate_promotion_codes" "more" {
  config {
    rule_promotion_id = %[1]q
    number_of_codes   = 500
  }
}`)
	expectLine(t, out, `Too many codes for one promotion .* holds 0 codes, and the code_generate jobs planned on it in this run ask for at least 1100 more`)

	out = plan(`
import {
  to = elasticpath_promotion_job.adopted
  identity = {
    promotion_id      = %q
    rule_promotion_id = "4a1b9c7e-2f3d-4e5a-8b6c-0d1e2f3a4b5c"
    job_id            = "0d1e2f3a-4b5c-4a1b-9c7e-2f3d4e5a8b6c"
  }
}

resource "elasticpath_promotion_job" "adopted" {
  rule_promotion_id = "4a1b9c7e-2f3d-4e5a-8b6c-0d1e2f3a4b5c"
  job_type          = "code_export"
}`)
	expectLine(t, out, `Invalid import identity .*set exactly one of promotion_id \(Promotions Standard\) and rule_promotion_id`)
	if env.sim != nil {
		if n := env.sim.RequestCount("POST", "/v2/rule-promotions/*/jobs"); n != 0 {
			t.Errorf("%d job requests reached the API from refused plans", n)
		}
	}
}

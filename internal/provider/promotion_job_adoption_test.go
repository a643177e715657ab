package provider

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfversion"

	"github.com/epcc-community/terraform-provider-elasticpath/internal/epcc"
	"github.com/epcc-community/terraform-provider-elasticpath/internal/epccsim"
)

// A run that dies after its job was made must not cost a second batch when the pipeline applies again. Each
// test reproduces one way of dying against the simulator and counts the jobs and codes it holds after.

// summerJob is the job the tests apply: 150 codes, named, so that its name and parameters identify it.
const summerJob = `
resource "elasticpath_promotion_job" "test" {
  rule_promotion_id = %q
  job_type          = "code_generate"
  name              = "summer-2026"
  parameters = {
    number_of_codes = 150
    code_prefix     = "SUMMER-"
  }
  %s
}`

// summerRequest is summerJob as the API is asked for it.
func summerRequest() epcc.CreateJobRequest {
	n := int64(150)
	return epcc.CreateJobRequest{Type: epcc.JobTypeGenerate, Name: "summer-2026",
		Parameters: &epcc.JobParameters{NumberOfCodes: &n, CodePrefix: "SUMMER-"}}
}

// checkOneBatch checks that the promotion holds one job, completed, with its 150 codes, and that it is the
// job in the state.
func checkOneBatch(env *accEnv, ref epcc.PromotionRef) resource.TestCheckFunc {
	return resource.ComposeAggregateTestCheckFunc(
		checkJobCount(env, ref, 1),
		checkCodes(env, ref, 150, nil),
		resource.TestCheckResourceAttr(jobAddr, "status", epcc.StatusCompleted),
		resource.TestCheckResourceAttr(jobAddr, "generated_codes", "150"),
		func(s *terraform.State) error {
			jobs, err := env.client.ListJobs(context.Background(), ref, epcc.JobFilter{})
			if err != nil {
				return err
			}
			if got := s.RootModule().Resources[jobAddr].Primary.ID; len(jobs) == 1 && got != jobs[0].ID {
				return fmt.Errorf("the state holds job %s, the store job %s", got, jobs[0].ID)
			}
			return nil
		},
	)
}

// waitForStatus polls the store until the promotion's only job has the status, for at most a minute.
func waitForStatus(t *testing.T, env *accEnv, ref epcc.PromotionRef, status string) epcc.Job {
	t.Helper()
	deadline := time.Now().Add(time.Minute)
	for {
		jobs := env.jobs(t, ref)
		if len(jobs) == 1 && jobs[0].Status == status {
			return jobs[0]
		}
		if time.Now().After(deadline) {
			t.Fatalf("the promotion's jobs never came to one %s job: %+v", status, jobs)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// Killed (SIGKILL) after the job was made: the store holds the job, the state does not. The next apply adopts
// the job, still running, and waits for it.
func TestAccPromotionJob_killedRunIsAdopted(t *testing.T) {
	t.Parallel()
	env := newAccEnv(t, epccsim.Options{CodesPerSecond: 100})
	promo, ref := env.rulePromotion(t)
	var left *epcc.Job
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProviders,
		Steps: []resource.TestStep{{
			PreConfig: func() {
				var err error
				if left, err = env.client.CreateJob(context.Background(), ref, summerRequest()); err != nil {
					t.Fatalf("the job of the killed run: %v", err)
				}
			},
			Config: env.config(summerJob, promo, ""),
			Check: resource.ComposeAggregateTestCheckFunc(
				checkOneBatch(env, ref),
				func(s *terraform.State) error { return resource.TestCheckResourceAttr(jobAddr, "id", left.ID)(s) },
			),
		}},
	})
}

// The same job with other parameters, or under another name, is another batch: it is never adopted.
func TestAccPromotionJob_otherJobsAreNotAdopted(t *testing.T) {
	t.Parallel()
	env := newAccEnv(t, epccsim.Options{})
	promo, ref := env.rulePromotion(t)
	other := summerRequest()
	n := int64(20)
	other.Parameters.NumberOfCodes = &n
	env.startAndWait(t, ref, other)
	renamed := summerRequest()
	renamed.Name = "summer-2025"
	env.startAndWait(t, ref, renamed)
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProviders,
		Steps: []resource.TestStep{{
			Config: env.config(summerJob, promo, ""),
			Check: resource.ComposeAggregateTestCheckFunc(
				checkJobCount(env, ref, 3),
				checkCodes(env, ref, 320, nil),
				resource.TestCheckResourceAttr(jobAddr, "generated_codes", "150"),
			),
		}},
	})
}

// Without a name a job cannot be told from another batch: the plan stops, naming the job and how to adopt it,
// and sends nothing. The import it names then adopts it, and the plan is empty.
func TestAccPromotionJob_unnamedJobAlreadyHeldStopsThePlan(t *testing.T) {
	t.Parallel()
	env := newAccEnv(t, epccsim.Options{})
	promo, ref := env.rulePromotion(t)
	req := summerRequest()
	req.Name = ""
	held := env.startAndWait(t, ref, req)
	config := env.config(strings.Replace(summerJob, `name              = "summer-2026"`, "", 1), promo, "")
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProviders,
		Steps: []resource.TestStep{
			{
				Config: config,
				ExpectError: wrapped(fmt.Sprintf(`The promotion already holds this job.*job %s, completed with 150 codes.*`+
					`terraform import ADDRESS rule-promotions/%s/%s.*give this job a name`, held.ID, promo, held.ID)),
			},
			{
				Config:             config,
				ResourceName:       jobAddr,
				ImportState:        true,
				ImportStatePersist: true,
				ImportStateId:      importID(ref, held.ID),
			},
			{
				Config:           config,
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()}},
				Check:            checkOneBatch(env, ref),
			},
		},
	})
}

// Two jobs of one plan with one identity on one promotion would be one batch: a plan error, nothing sent.
func TestAccPromotionJob_sameJobTwiceInOnePlan(t *testing.T) {
	t.Parallel()
	env := newAccEnv(t, epccsim.Options{})
	env.needsSim(t)
	promo := env.promotion(t, epcc.RulePromotions, false)
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProviders,
		Steps: []resource.TestStep{{
			Config:      env.config(summerJob, promo, "count = 2"),
			PlanOnly:    true,
			ExpectError: wrapped(`Two jobs of this plan are the same job.*"summer-2026".*count.index`),
		}},
	})
	if n := env.sim.RequestCount(http.MethodPost, "/v2/*/*/jobs"); n != 0 {
		t.Errorf("%d job POSTs, want none", n)
	}
}

// timeouts.create runs out: the job is tainted in the state and goes on in the store. Applied again while it
// still runs, the replacement adopts it: the replaced object's destroy does not cancel it.
func TestAccPromotionJob_timedOutJobStillRunningIsAdopted(t *testing.T) {
	t.Parallel()
	env := newAccEnv(t, epccsim.Options{CodesPerSecond: 30})
	env.needsSim(t)
	promo, ref := env.rulePromotion(t)
	config := env.config(summerJob, promo, `timeouts = { create = "2s" }`)
	again := env.config(summerJob, promo, "")
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProviders,
		Steps: []resource.TestStep{
			{
				Config:      config,
				ExpectError: wrapped(`Timed out waiting for promotion job.*tainted.*The next apply adopts job`),
			},
			{
				// The job needs 5 s: it still runs when the next apply starts.
				PreConfig: func() {
					if j := env.jobs(t, ref); len(j) != 1 || !epcc.IsActive(j[0].Status) {
						t.Fatalf("want the one job still running, got %+v", j)
					}
				},
				Config: again,
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(jobAddr, plancheck.ResourceActionDestroyBeforeCreate),
				}},
				Check: checkOneBatch(env, ref),
			},
			{Config: again, PlanOnly: true},
		},
	})
}

// timeouts.create runs out, then the job completes before the next apply, which adopts it.
func TestAccPromotionJob_timedOutJobCompletedIsAdopted(t *testing.T) {
	t.Parallel()
	env := newAccEnv(t, epccsim.Options{CodesPerSecond: 50})
	env.needsSim(t)
	promo, ref := env.rulePromotion(t)
	config := env.config(summerJob, promo, `timeouts = { create = "1s" }`)
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProviders,
		Steps: []resource.TestStep{
			{
				Config:      config,
				ExpectError: wrapped(`Timed out waiting for promotion job`),
			},
			{
				PreConfig: func() { waitForStatus(t, env, ref, epcc.StatusCompleted) },
				Config:    config,
				Check:     checkOneBatch(env, ref),
			},
			{Config: config, PlanOnly: true},
		},
	})
}

// Interrupted (SIGINT, as a CI runner's cancel sends): terraform stops the provider's wait, the job is
// tainted in the state and completes in the store. The next apply adopts it.
func TestAccPromotionJob_interruptedRunIsAdopted(t *testing.T) {
	t.Parallel()
	env := newAccEnv(t, epccsim.Options{CodesPerSecond: 50})
	env.needsSim(t)
	promo, ref := env.rulePromotion(t)
	cli := newTerraformCLIFrom(t, tfversion.Version1_5_0, "this test needs")
	cli.write("main.tf", env.config(summerJob, promo, ""))
	cli.must("init")

	apply, out := cli.command("apply", "-auto-approve")
	if err := apply.Start(); err != nil {
		t.Fatal(err)
	}
	first := waitForStatus(t, env, ref, epcc.StatusProcessing)
	if err := apply.Process.Signal(os.Interrupt); err != nil {
		t.Fatal(err)
	}
	if err := apply.Wait(); err == nil {
		t.Fatalf("the interrupted apply succeeded:\n%s", out)
	}
	if !strings.Contains(out.String(), "Interrupted while waiting for promotion job") {
		t.Fatalf("the apply did not stop waiting on the interrupt:\n%s", out)
	}
	waitForStatus(t, env, ref, epcc.StatusCompleted)

	second := cli.must("apply", "-auto-approve")
	if !strings.Contains(second, "tainted") || !strings.Contains(second, "Adopting a job the promotion already holds") {
		t.Errorf("the plan does not say it adopts the tainted job:\n%s", second)
	}
	jobs := env.jobs(t, ref)
	if len(jobs) != 1 || jobs[0].ID != first.ID {
		t.Fatalf("the store holds %d jobs after the second apply, want only job %s: %+v", len(jobs), first.ID, jobs)
	}
	if err := checkCodes(env, ref, 150, nil)(nil); err != nil {
		t.Error(err)
	}
	if state := cli.read("terraform.tfstate"); !strings.Contains(state, `"id": "`+first.ID+`"`) {
		t.Errorf("the state does not hold job %s:\n%s", first.ID, state)
	}
	if out, err := cli.run("plan", "-detailed-exitcode"); err != nil {
		t.Errorf("the plan after adopting is not empty: %v\n%s", err, out)
	}
}

// New parameters under the same name are a new batch, replacing the old job in the state; going back to the
// old parameters adopts the old job again rather than generating its codes a third time.
func TestAccPromotionJob_newParametersMakeANewBatch(t *testing.T) {
	t.Parallel()
	env := newAccEnv(t, epccsim.Options{})
	promo, ref := env.rulePromotion(t)
	summer := env.config(summerJob, promo, "")
	autumn := env.config(strings.Replace(summerJob, "SUMMER-", "AUTUMN-", 1), promo, "")
	var first string
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProviders,
		Steps: []resource.TestStep{
			{
				Config: summer,
				Check: resource.ComposeAggregateTestCheckFunc(checkOneBatch(env, ref), func(s *terraform.State) error {
					first = s.RootModule().Resources[jobAddr].Primary.ID
					return nil
				}),
			},
			{
				Config: autumn,
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(jobAddr, plancheck.ResourceActionDestroyBeforeCreate),
				}},
				Check: resource.ComposeAggregateTestCheckFunc(checkJobCount(env, ref, 2), checkCodes(env, ref, 300, nil)),
			},
			{
				Config: summer,
				Check: resource.ComposeAggregateTestCheckFunc(
					checkJobCount(env, ref, 2),
					checkCodes(env, ref, 300, nil),
					func(s *terraform.State) error { return resource.TestCheckResourceAttr(jobAddr, "id", first)(s) },
				),
			},
		},
	})
}

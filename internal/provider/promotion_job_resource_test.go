package provider

import (
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"maps"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-testing/config"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfversion"

	"github.com/epcc-community/terraform-provider-elasticpath/internal/epcc"
	"github.com/epcc-community/terraform-provider-elasticpath/internal/epccsim"
)

const jobAddr = "elasticpath_promotion_job.test"

func TestAccPromotionJob_generateRule(t *testing.T) {
	t.Parallel()
	env := newAccEnv(t, epccsim.Options{})
	promo, ref := env.rulePromotion(t)

	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProviders,
		Steps: []resource.TestStep{{
			Config: env.config(`
resource "elasticpath_promotion_job" "test" {
  rule_promotion_id = %q
  job_type          = "code_generate"
  name              = "summer-2026"
  parameters = {
    number_of_codes   = 500
    max_uses_per_code = 1
    consume_unit      = "per_checkout"
    code_prefix       = "SUMMER-"
    code_length       = 10
  }
}`, promo),
			Check: resource.ComposeAggregateTestCheckFunc(
				resource.TestCheckResourceAttrSet(jobAddr, "id"),
				resource.TestCheckResourceAttr(jobAddr, "status", "completed"),
				resource.TestCheckResourceAttr(jobAddr, "generated_codes", "500"),
				resource.TestCheckNoResourceAttr(jobAddr, "error"),
				resource.TestCheckNoResourceAttr(jobAddr, "file_url"),
				resource.TestCheckResourceAttrSet(jobAddr, "created_at"),
				resource.TestCheckResourceAttrSet(jobAddr, "updated_at"),
				checkCodes(env, ref, 500, regexp.MustCompile(`^SUMMER-[a-z0-9]{4}-[a-z0-9]{4}-[a-z0-9]{2}$`)),
			),
		}},
	})
}

func TestAccPromotionJob_generateStandard(t *testing.T) {
	t.Parallel()
	env := newAccEnv(t, epccsim.Options{})
	promo := env.promotion(t, epcc.PromotionsStandard, false)
	ref := epcc.PromotionRef{API: epcc.PromotionsStandard, ID: promo}

	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProviders,
		Steps: []resource.TestStep{{
			Config: env.config(`
resource "elasticpath_promotion_job" "test" {
  promotion_id = %q
  job_type     = "code_generate"
  parameters = {
    number_of_codes = 120
    consume_unit    = "per_cart"
  }
}`, promo),
			Check: resource.ComposeAggregateTestCheckFunc(
				resource.TestCheckResourceAttr(jobAddr, "promotion_id", promo),
				resource.TestCheckNoResourceAttr(jobAddr, "rule_promotion_id"),
				resource.TestCheckResourceAttr(jobAddr, "status", "completed"),
				resource.TestCheckResourceAttr(jobAddr, "generated_codes", "120"),
				resource.TestCheckResourceAttr(jobAddr, "parameters.code_length", "8"),
				checkCodes(env, ref, 120, regexp.MustCompile(`^[a-z0-9]{4}-[a-z0-9]{4}$`)),
			),
		}},
	})
}

func TestAccPromotionJob_export(t *testing.T) {
	t.Parallel()
	env := newAccEnv(t, epccsim.Options{})
	promo := env.promotion(t, epcc.RulePromotions, false)

	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProviders,
		Steps: []resource.TestStep{{
			Config: env.config(`
resource "elasticpath_promotion_job" "codes" {
  rule_promotion_id = %[1]q
  job_type          = "code_generate"
  parameters = {
    number_of_codes = 40
  }
}

resource "elasticpath_promotion_job" "test" {
  rule_promotion_id = %[1]q
  job_type          = "code_export"
  name              = "export"
  depends_on        = [elasticpath_promotion_job.codes]
}`, promo),
			Check: resource.ComposeAggregateTestCheckFunc(
				resource.TestCheckResourceAttr(jobAddr, "status", "completed"),
				resource.TestCheckNoResourceAttr(jobAddr, "parameters"),
				resource.TestCheckResourceAttrWith(jobAddr, "file_url", checkExportFile(40)),
			),
		}},
	})
}

func TestAccPromotionJob_countOnOnePromotion(t *testing.T) {
	t.Parallel()
	env := newAccEnv(t, epccsim.Options{QueueDelay: 200 * time.Millisecond, CodesPerSecond: 100})
	promo, ref := env.rulePromotion(t)
	steps := []resource.TestStep{{
		Config: env.config(`
resource "elasticpath_promotion_job" "test" {
  count             = 3
  rule_promotion_id = %q
  job_type          = "code_generate"
  name              = "batch-${count.index}"
  parameters = {
    number_of_codes = 20
  }
}`, promo),
		Check: resource.ComposeAggregateTestCheckFunc(
			resource.TestCheckResourceAttr(jobAddr+".0", "status", "completed"),
			resource.TestCheckResourceAttr(jobAddr+".1", "status", "completed"),
			resource.TestCheckResourceAttr(jobAddr+".2", "status", "completed"),
			checkCodes(env, ref, 60, nil),
			checkJobCount(env, ref, 3),
		),
	}}
	if env.sim != nil {
		// Three jobs of one promotion refreshed together cost one listing, not one each.
		var listings int
		const jobsRoute = "/v2/rule-promotions/*/jobs"
		steps = append(steps, resource.TestStep{
			PreConfig:    func() { listings = env.sim.RequestCount(http.MethodGet, jobsRoute) },
			RefreshState: true,
			Check: func(*terraform.State) error {
				if n := env.sim.RequestCount(http.MethodGet, jobsRoute) - listings; n != 1 {
					return fmt.Errorf("refreshing 3 jobs listed the promotion's jobs %d times, want 1", n)
				}
				return nil
			},
		})
	}
	resource.Test(t, resource.TestCase{ProtoV6ProviderFactories: testAccProviders, Steps: steps})
}

func TestAccPromotionJob_failedJobIsTainted(t *testing.T) {
	// Not parallel: it sets an EPCC_ variable. The plan check would refuse 1200 codes on one promotion; a
	// store that claims to allow more gets past plan, and the job then fails at apply.
	t.Setenv(EnvMaxCodesPerPromotion, "2000")
	env := newAccEnv(t, epccsim.Options{})
	promo := env.promotion(t, epcc.RulePromotions, false)
	config := env.config(`
resource "elasticpath_promotion_job" "first" {
  rule_promotion_id = %[1]q
  job_type          = "code_generate"
  name              = "first"
  parameters = {
    number_of_codes = 600
  }
}

resource "elasticpath_promotion_job" "test" {
  rule_promotion_id = %[1]q
  job_type          = "code_generate"
  name              = "second"
  parameters = {
    number_of_codes = 600
  }
  depends_on = [elasticpath_promotion_job.first]
}`, promo)

	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProviders,
		Steps: []resource.TestStep{
			{
				Config:      config,
				ExpectError: wrapped(`Promotion job failed.*codes limit exceeded`),
			},
			{
				// The failed job is in the state, tainted: the next plan replaces it.
				Config: config,
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(jobAddr, plancheck.ResourceActionDestroyBeforeCreate),
					plancheck.ExpectResourceAction("elasticpath_promotion_job.first", plancheck.ResourceActionNoop),
				}},
				ExpectError: wrapped(`codes limit exceeded`),
			},
		},
	})
}

func TestAccPromotionJob_invalidInputsRejectedAtPlan(t *testing.T) {
	t.Parallel()
	env := newAccEnv(t, epccsim.Options{})
	job := func(body string) string {
		return env.config("resource \"elasticpath_promotion_job\" \"test\" {\n%s\n}\n", body)
	}
	cases := []struct {
		body string
		want string
	}{
		{`job_type = "code_export"`, `Exactly one of these attributes must be configured: \[promotion_id,rule_promotion_id\]`},
		{`promotion_id = "00000000-0000-4000-8000-00000000000a"
rule_promotion_id = "00000000-0000-4000-8000-00000000000b"
job_type = "code_export"`, `Invalid Attribute Combination.*Exactly one of these attributes must be configured`},
		{`rule_promotion_id = "00000000-0000-4000-8000-00000000000a"
job_type = "code_delete"`, `(?s)job_type.*value must be one of`},
		{`rule_promotion_id = "00000000-0000-4000-8000-00000000000a"
job_type = "code_generate"`, `(?s)Missing parameters.*code_generate job needs parameters`},
		{`rule_promotion_id = "00000000-0000-4000-8000-00000000000a"
job_type = "code_export"
parameters = { number_of_codes = 5 }`, `(?s)Parameters not allowed`},
		{`rule_promotion_id = "00000000-0000-4000-8000-00000000000a"
job_type = "code_generate"
parameters = { number_of_codes = 0 }`, `(?s)number_of_codes.*between 1 and 1000`},
		{`rule_promotion_id = "00000000-0000-4000-8000-00000000000a"
job_type = "code_generate"
parameters = { number_of_codes = 1001 }`, `(?s)number_of_codes.*between 1 and 1000`},
		{`rule_promotion_id = "00000000-0000-4000-8000-00000000000a"
job_type = "code_generate"
parameters = {
  number_of_codes = 5
  code_length = 7
}`, `(?s)code_length.*between 8 and 16`},
		{`rule_promotion_id = "00000000-0000-4000-8000-00000000000a"
job_type = "code_generate"
parameters = {
  number_of_codes = 5
  code_length = 17
}`, `(?s)code_length.*between 8 and 16`},
		{`rule_promotion_id = "00000000-0000-4000-8000-00000000000a"
job_type = "code_generate"
parameters = {
  number_of_codes = 5
  max_uses_per_code = -1
}`, `(?s)max_uses_per_code.*at least 0`},
		{`rule_promotion_id = "00000000-0000-4000-8000-00000000000a"
job_type = "code_generate"
parameters = {
  number_of_codes = 5
  consume_unit = "per_cart"
}`, `(?s)consume_unit "per_cart" is not accepted.*rule_promotion_id.*per_application, per_checkout`},
		{`promotion_id = "00000000-0000-4000-8000-00000000000a"
job_type = "code_generate"
parameters = {
  number_of_codes = 5
  consume_unit = "per_checkout"
}`, `(?s)consume_unit "per_checkout" is not accepted.*promotion_id.*per_item, per_cart`},
		{`rule_promotion_id = "00000000-0000-4000-8000-00000000000a"
job_type = "code_generate"
parameters = {
  number_of_codes = 5
  consume_unit = "per_order"
}`, `(?s)consume_unit.*value must be one of`},
		{`rule_promotion_id = "00000000-0000-4000-8000-00000000000a"
job_type = "code_export"
name = "` + strings.Repeat("n", 51) + `"`, `(?s)name.*character count must be between 1 and 50`},
		{`rule_promotion_id = "00000000-0000-4000-8000-00000000000a"
job_type = "code_export"
timeouts = { create = "soon" }`, `Time Duration.*"soon" must be a string`},
	}
	steps := make([]resource.TestStep, 0, len(cases)+1)
	for _, c := range cases {
		steps = append(steps, resource.TestStep{Config: job(c.body), PlanOnly: true, ExpectError: wrapped(c.want)})
	}
	steps = append(steps, resource.TestStep{
		Config: providerSource + `
provider "elasticpath" {
  api_base_url  = "http://api.example.com"
  client_id     = "id"
  client_secret = "secret"
}
data "elasticpath_promotion_jobs" "test" {
  rule_promotion_id = "00000000-0000-4000-8000-00000000000a"
}`,
		PlanOnly:    true,
		ExpectError: wrapped(`Invalid Elastic Path API base URL.*http`),
	})
	resource.Test(t, resource.TestCase{ProtoV6ProviderFactories: testAccProviders, Steps: steps})
}

func TestAccPromotionJob_importBothShapes(t *testing.T) {
	t.Parallel()
	env := newAccEnv(t, epccsim.Options{})
	rule := env.promotion(t, epcc.RulePromotions, false)
	standard := env.promotion(t, epcc.PromotionsStandard, false)
	config := env.config(`
resource "elasticpath_promotion_job" "rule" {
  rule_promotion_id = %q
  job_type          = "code_generate"
  name              = "imported"
  parameters = {
    number_of_codes   = 15
    max_uses_per_code = 3
    consume_unit      = "per_application"
    code_prefix       = "IMP-"
    code_length       = 12
  }
}

resource "elasticpath_promotion_job" "standard" {
  promotion_id = %q
  job_type     = "code_export"
}`, rule, standard)
	importStep := func(addr, api, idAttr string) resource.TestStep {
		return resource.TestStep{
			ResourceName: addr,
			ImportState:  true,
			ImportStateIdFunc: func(s *terraform.State) (string, error) {
				rs, ok := s.RootModule().Resources[addr]
				if !ok {
					return "", fmt.Errorf("%s not in state", addr)
				}
				return api + "/" + rs.Primary.Attributes[idAttr] + "/" + rs.Primary.ID, nil
			},
			ImportStateVerify: true,
			// file_url is a signed link: each read returns a fresh one.
			ImportStateVerifyIgnore: []string{"timeouts", "file_url"},
		}
	}
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProviders,
		Steps: []resource.TestStep{
			{Config: config},
			importStep("elasticpath_promotion_job.rule", "rule-promotions", "rule_promotion_id"),
			importStep("elasticpath_promotion_job.standard", "promotions", "promotion_id"),
			{
				ResourceName:  "elasticpath_promotion_job.rule",
				ImportState:   true,
				ImportStateId: "rule-promotions/" + rule,
				ExpectError:   wrapped(`is not an import ID.*rule-promotions/<rule_promotion_id>/<job_id>`),
			},
		},
	})
}

// A job made outside Terraform is adopted by import, and its configuration then plans no change.
func TestAccPromotionJob_importJobMadeElsewhere(t *testing.T) {
	t.Parallel()
	env := newAccEnv(t, epccsim.Options{})
	promo := env.promotion(t, epcc.PromotionsStandard, false)
	ref := epcc.PromotionRef{API: epcc.PromotionsStandard, ID: promo}
	n, maxUses := int64(12), int64(2)
	job, err := env.client.StartJob(context.Background(), ref, epcc.CreateJobRequest{
		Type: epcc.JobTypeGenerate, Name: "made elsewhere",
		Parameters: &epcc.JobParameters{NumberOfCodes: &n, MaxUsesPerCode: &maxUses, ConsumeUnit: "per_item", CodePrefix: "EXT-"},
	})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := env.client.WaitJob(context.Background(), ref, job.ID, nil); err != nil {
		t.Fatal(err)
	}
	config := env.config(`
resource "elasticpath_promotion_job" "test" {
  promotion_id = %q
  job_type     = "code_generate"
  name         = "made elsewhere"
  parameters = {
    number_of_codes   = 12
    max_uses_per_code = 2
    consume_unit      = "per_item"
    code_prefix       = "EXT-"
  }
}`, promo)
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProviders,
		Steps: []resource.TestStep{
			{
				Config:             config,
				ResourceName:       jobAddr,
				ImportState:        true,
				ImportStateId:      "promotions/" + promo + "/" + job.ID,
				ImportStatePersist: true,
				ImportStateCheck: func(states []*terraform.InstanceState) error {
					if len(states) != 1 || states[0].Attributes["generated_codes"] != "12" || states[0].Attributes["parameters.code_length"] != "8" {
						return fmt.Errorf("unexpected imported state: %v", states)
					}
					return nil
				},
			},
			{Config: config, PlanOnly: true},
		},
	})
}

func TestAccPromotionJob_createTimeoutThenDestroyCancels(t *testing.T) {
	t.Parallel()
	env := newAccEnv(t, epccsim.Options{CodesPerSecond: 5})
	env.needsSim(t)
	promo, ref := env.rulePromotion(t)

	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProviders,
		Steps: []resource.TestStep{
			{
				Config: env.config(`
resource "elasticpath_promotion_job" "test" {
  rule_promotion_id = %q
  job_type          = "code_generate"
  parameters = {
    number_of_codes = 1000
  }
  timeouts = {
    create = "2s"
  }
}`, promo),
				ExpectError: wrapped(`Timed out waiting for promotion job.*may still be\s+running.*tainted.*no name.*To keep job [0-9a-f-]+, run "terraform untaint ADDRESS"`),
			},
			{
				// The timed-out job is in the state with its id; removing it from the configuration cancels it.
				Config: env.provider,
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(jobAddr, plancheck.ResourceActionDestroy),
				}},
				Check: func(*terraform.State) error {
					jobs := env.jobs(t, ref)
					if len(jobs) != 1 {
						return fmt.Errorf("want exactly the one job, got %d", len(jobs))
					}
					if jobs[0].Status != epcc.StatusCancelled {
						return fmt.Errorf("job %s is %s, want cancelled", jobs[0].ID, jobs[0].Status)
					}
					return nil
				},
			},
		},
	})
}

func TestAccPromotionJob_waitsForJobStartedOutsideTerraform(t *testing.T) {
	t.Parallel()
	env := newAccEnv(t, epccsim.Options{CodesPerSecond: 50})
	env.needsSim(t)
	promo, ref := env.rulePromotion(t)
	var outside *epcc.Job

	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProviders,
		Steps: []resource.TestStep{{
			PreConfig: func() {
				n := int64(100) // two seconds of work at 50 codes/s
				job, err := env.client.CreateJob(context.Background(), ref, epcc.CreateJobRequest{
					Type: epcc.JobTypeGenerate, Name: "outside", Parameters: &epcc.JobParameters{NumberOfCodes: &n},
				})
				if err != nil {
					t.Fatalf("start the outside job: %v", err)
				}
				outside = job
			},
			Config: env.config(`
resource "elasticpath_promotion_job" "test" {
  rule_promotion_id = %q
  job_type          = "code_generate"
  parameters = {
    number_of_codes = 10
  }
}`, promo),
			Check: resource.ComposeAggregateTestCheckFunc(
				resource.TestCheckResourceAttr(jobAddr, "status", "completed"),
				checkJobCount(env, ref, 2),
				func(*terraform.State) error {
					for _, j := range env.jobs(t, ref) {
						if j.ID == outside.ID && j.Status != epcc.StatusCompleted {
							return fmt.Errorf("outside job is %s", j.Status)
						}
					}
					return nil
				},
			),
		}},
	})
}

func TestAccPromotionJob_ambiguousCreateMakesNoDuplicate(t *testing.T) {
	t.Parallel()
	env := newAccEnv(t, epccsim.Options{})
	env.needsSim(t)
	promo, ref := env.rulePromotion(t)

	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProviders,
		Steps: []resource.TestStep{{
			PreConfig: func() {
				// The job is created, but the answer is lost: first a gateway error, then a dropped connection.
				env.sim.Faults().Add(
					epccsim.Fault{Method: http.MethodPost, Path: "/v2/rule-promotions/*/jobs", Kind: epccsim.FaultCommitThenStatus, Status: http.StatusBadGateway, Times: 1},
				)
			},
			Config: env.config(`
resource "elasticpath_promotion_job" "test" {
  rule_promotion_id = %q
  job_type          = "code_generate"
  parameters = {
    number_of_codes = 25
  }
}`, promo),
			Check: resource.ComposeAggregateTestCheckFunc(
				resource.TestCheckResourceAttr(jobAddr, "status", "completed"),
				checkJobCount(env, ref, 1),
				checkCodes(env, ref, 25, nil),
			),
		}},
	})
}

func TestAccPromotionJob_tokenExpiresDuringLongWait(t *testing.T) {
	t.Parallel()
	// The simulator's clock runs 1000 times faster: its one-hour tokens die after 3.6 s while the client still
	// believes them good, and the job takes 5 s, so the wait must recover from a 401 with a new token.
	env := newAccEnv(t, epccsim.Options{Clock: epccsim.NewScaledClock(1000), CodesPerSecond: 0.05, QueueDelay: time.Second})
	env.needsSim(t)
	promo := env.promotion(t, epcc.RulePromotions, false)

	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProviders,
		Steps: []resource.TestStep{{
			Config: env.config(`
resource "elasticpath_promotion_job" "test" {
  rule_promotion_id = %q
  job_type          = "code_generate"
  parameters = {
    number_of_codes = 250
  }
}`, promo),
			Check: resource.ComposeAggregateTestCheckFunc(
				resource.TestCheckResourceAttr(jobAddr, "status", "completed"),
				resource.TestCheckResourceAttr(jobAddr, "generated_codes", "250"),
				func(*terraform.State) error {
					if n := env.sim.RequestCount(http.MethodPost, "/oauth/access_token"); n < 3 {
						return fmt.Errorf("want a token for the test client, the first and a renewed one for the provider; got %d token requests", n)
					}
					return nil
				},
			),
		}},
	})
}

func TestAccPromotionJob_vanishedJobIsRemovedFromState(t *testing.T) {
	t.Parallel()
	env := newAccEnv(t, epccsim.Options{})
	ref, err := env.client.CreatePromotion(context.Background(), epcc.RulePromotions, epcc.NewPromotion{Name: testPrefix + "vanishing"})
	if err != nil {
		t.Fatal(err)
	}
	config := env.config(`
resource "elasticpath_promotion_job" "test" {
  rule_promotion_id = %q
  job_type          = "code_generate"
  parameters = {
    number_of_codes = 5
  }
}`, ref.ID)

	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProviders,
		Steps: []resource.TestStep{
			{Config: config},
			{
				PreConfig: func() {
					if err := env.client.DeletePromotion(context.Background(), ref); err != nil {
						t.Fatalf("delete promotion: %v", err)
					}
				},
				// The refresh drops the job with its promotion; planning it anew, plan finds no promotion.
				Config:      config,
				PlanOnly:    true,
				ExpectError: wrapped(`Promotion not found`),
			},
			// Nothing is left to destroy: the promotion and its job are gone.
			{Config: env.provider},
		},
	})
}

// A listing that answers an empty job list once, for a promotion that still exists, keeps every job in the
// state: the next plan adds nothing, so no second batch of codes is made.
func TestAccPromotionJob_emptyListingKeepsJobs(t *testing.T) {
	t.Parallel()
	env := newAccEnv(t, epccsim.Options{})
	env.needsSim(t)
	promo := env.promotion(t, epcc.RulePromotions, false)
	config := env.config(`
resource "elasticpath_promotion_job" "test" {
  count             = 3
  rule_promotion_id = %q
  job_type          = "code_generate"
  name              = "batch-${count.index}"
  parameters = {
    number_of_codes = 5
  }
}`, promo)
	ref := epcc.PromotionRef{API: epcc.RulePromotions, ID: promo}
	ids := map[string]string{}
	keep := func(s *terraform.State) error {
		for i := 0; i < 3; i++ {
			addr := fmt.Sprintf("elasticpath_promotion_job.test.%d", i)
			r, ok := s.RootModule().Resources[addr]
			if !ok {
				return fmt.Errorf("%s left the state", addr)
			}
			if ids[addr] == "" {
				ids[addr] = r.Primary.ID
			} else if ids[addr] != r.Primary.ID {
				return fmt.Errorf("%s is now job %s, was %s", addr, r.Primary.ID, ids[addr])
			}
		}
		return nil
	}
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProviders,
		Steps: []resource.TestStep{
			{Config: config, Check: keep},
			{
				PreConfig: func() {
					env.sim.Faults().Add(epccsim.Fault{Method: http.MethodGet, Path: "/v2/rule-promotions/*/jobs",
						Kind: epccsim.FaultBody, Body: `{"data": [], "meta": {"results": {"total": 0}}}`, Times: 1})
				},
				RefreshState: true,
				Check: resource.ComposeTestCheckFunc(keep, func(*terraform.State) error {
					if n := env.sim.Faults().Pending(); n != 0 {
						return fmt.Errorf("the empty listing was never answered (%d faults pending)", n)
					}
					return nil
				}),
			},
			{
				Config:           config,
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()}},
				Check:            resource.ComposeTestCheckFunc(keep, checkJobCount(env, ref, 3)),
			},
		},
	})
}

// A job the provider has just started and then misses from one listing (read-after-write lag) is not declared
// gone: the create polls on and the job completes, once.
func TestAccPromotionJob_startedJobMissingFromOneListing(t *testing.T) {
	t.Parallel()
	env := newAccEnv(t, epccsim.Options{})
	env.needsSim(t)
	promo := env.promotion(t, epcc.RulePromotions, false)
	listing := "/v2/rule-promotions/" + promo + "/jobs"
	env.sim.Faults().Add(
		// The listing before the create is answered as usual; the first one after it lacks the new job.
		epccsim.Fault{Method: http.MethodGet, Path: listing, Kind: epccsim.FaultDelay, Times: 1},
		epccsim.Fault{Method: http.MethodGet, Path: listing, Kind: epccsim.FaultBody, Body: `{"data": [], "meta": {"results": {"total": 0}}}`, Times: 1},
	)
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProviders,
		Steps: []resource.TestStep{{
			Config: env.config(`
resource "elasticpath_promotion_job" "test" {
  rule_promotion_id = %q
  job_type          = "code_generate"
  parameters = {
    number_of_codes = 7
  }
}`, promo),
			Check: resource.ComposeTestCheckFunc(
				resource.TestCheckResourceAttr(jobAddr, "status", "completed"),
				resource.TestCheckResourceAttr(jobAddr, "generated_codes", "7"),
				checkJobCount(env, epcc.PromotionRef{API: epcc.RulePromotions, ID: promo}, 1),
				func(*terraform.State) error {
					if n := env.sim.Faults().Pending(); n != 0 {
						return fmt.Errorf("the listing without the job was never answered (%d faults pending)", n)
					}
					return nil
				},
			),
		}},
	})
}

func TestAccPromotionJob_automaticPromotionRefusesCodes(t *testing.T) {
	t.Parallel()
	env := newAccEnv(t, epccsim.Options{})
	promo := env.promotion(t, epcc.PromotionsStandard, true)
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProviders,
		Steps: []resource.TestStep{{
			Config: env.config(`
resource "elasticpath_promotion_job" "test" {
  promotion_id = %q
  job_type     = "code_generate"
  parameters = {
    number_of_codes = 5
  }
}`, promo),
			ExpectError: wrapped(`Automatic promotion takes no codes.*is automatic.*No codes allowed`),
		}},
		CheckDestroy: noJobPosts(env),
	})
}

// A failure before any job-creating request is no refusal: the diagnostic says what failed, and that no job
// exists.
func TestAccPromotionJob_listingFailureIsNoRefusal(t *testing.T) {
	t.Parallel()
	env := newAccEnv(t, epccsim.Options{})
	env.needsSim(t)
	promo := env.promotion(t, epcc.RulePromotions, false)
	env.sim.Faults().Add(epccsim.Fault{Method: http.MethodGet, Path: "/v2/rule-promotions/*/jobs", Kind: epccsim.FaultStatus, Status: 503})
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProviders,
		Steps: []resource.TestStep{{
			Config: env.config(`
resource "elasticpath_promotion_job" "test" {
  rule_promotion_id = %q
  job_type          = "code_export"
}`, promo),
			ExpectError: regexp.MustCompile(`(?s)could\s+not\s+be\s+started.*listing\s+existing\s+jobs.*503.*No\s+job\s+was\s+created`),
		}},
		CheckDestroy: func(*terraform.State) error {
			if n := env.sim.RequestCount(http.MethodPost, "/v2/rule-promotions/*/jobs"); n != 0 {
				return fmt.Errorf("%d job POSTs reached the API, want none", n)
			}
			return nil
		},
	})
}

// Only the API's own 4xx to the job POST reads "refused"; a 429 asks to slow down and refuses nothing.
func TestStartFailureNeverSaysRefusedWithoutAPOST(t *testing.T) {
	ref := epcc.PromotionRef{API: epcc.RulePromotions, ID: "p"}
	listing := fmt.Errorf("listing existing jobs: %w", &epcc.APIError{Method: http.MethodGet, Path: "/v2/rule-promotions/p/jobs", StatusCode: 404})
	slowDown := &epcc.APIError{Method: http.MethodPost, Path: "/v2/rule-promotions/p/jobs", StatusCode: 429}
	refused := &epcc.APIError{Method: http.MethodPost, Path: "/v2/rule-promotions/p/jobs", StatusCode: 422}
	for _, c := range []struct {
		err     error
		refused bool
	}{{listing, false}, {slowDown, false}, {refused, true}, {errors.New("token: connection refused"), false}} {
		got := startFailureDetail(ref, jobDeadline{attr: "timeouts.create", timeout: time.Minute}, c.err)
		if strings.HasPrefix(got, "Elastic Path refused") != c.refused {
			t.Errorf("%v: %q", c.err, got)
		}
	}
}

func TestAccProvider_missingCredentials(t *testing.T) {
	// Not parallel: it empties the credential variables for its duration.
	t.Setenv(EnvClientID, "")
	t.Setenv(EnvClientSecret, "")
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProviders,
		Steps: []resource.TestStep{{
			Config: providerSource + `
provider "elasticpath" {
  api_base_url = "http://127.0.0.1:1"
}
data "elasticpath_promotion_jobs" "test" {
  rule_promotion_id = "00000000-0000-4000-8000-00000000000a"
}`,
			ExpectError: wrapped(`Missing Elastic Path client ID.*client_id.*EPCC_CLIENT_ID.*Missing Elastic Path client secret.*client_secret.*EPCC_CLIENT_SECRET`),
		}},
	})
}

// checkCodes counts the codes that now exist in the promotion, straight from the API, and checks their shape.
func checkCodes(env *accEnv, ref epcc.PromotionRef, want int, shape *regexp.Regexp) resource.TestCheckFunc {
	return func(*terraform.State) error {
		codes, err := codeStrings(env.client.ListPromotionCodes(context.Background(), ref))
		if err != nil {
			return err
		}
		if len(codes) != want {
			return fmt.Errorf("promotion %s has %d codes, want %d", ref, len(codes), want)
		}
		seen := map[string]bool{}
		for _, c := range codes {
			if shape != nil && !shape.MatchString(c) {
				return fmt.Errorf("code %q does not match %s", c, shape)
			}
			if seen[c] {
				return fmt.Errorf("code %q is not unique", c)
			}
			seen[c] = true
		}
		return nil
	}
}

func checkJobCount(env *accEnv, ref epcc.PromotionRef, want int) resource.TestCheckFunc {
	return func(*terraform.State) error {
		jobs, err := env.client.ListJobs(context.Background(), ref, epcc.JobFilter{})
		if err != nil {
			return err
		}
		if len(jobs) != want {
			return fmt.Errorf("promotion %s has %d jobs, want %d", ref, len(jobs), want)
		}
		return nil
	}
}

// checkExportFile downloads the export and counts its data rows.
func checkExportFile(wantRows int) resource.CheckResourceAttrWithFunc {
	return func(url string) error {
		resp, err := http.Get(url)
		if err != nil {
			return err
		}
		defer func() { _ = resp.Body.Close() }()
		if resp.StatusCode != http.StatusOK {
			return fmt.Errorf("GET export file: %s", resp.Status)
		}
		rows, err := csv.NewReader(resp.Body).ReadAll()
		if err != nil {
			return fmt.Errorf("export file is not CSV: %w", err)
		}
		if got := len(rows) - 1; got != wantRows {
			return fmt.Errorf("export file has %s data rows, want %d", strconv.Itoa(got), wantRows)
		}
		return nil
	}
}

// The provider's configuration may depend on a value known only after apply: the plan still works and the
// apply creates the job once the value is known.
func TestAccProvider_configUnknownAtPlan(t *testing.T) {
	t.Parallel()
	env := newAccEnv(t, epccsim.Options{})
	env.needsSim(t)
	promo := env.promotion(t, epcc.RulePromotions, false)
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProviders,
		Steps: []resource.TestStep{{
			Config: providerSource + fmt.Sprintf(`
resource "terraform_data" "client_id" {
  input = %q
}

provider "elasticpath" {
  api_base_url  = %q
  client_id     = terraform_data.client_id.output
  client_secret = %q
}

resource "elasticpath_promotion_job" "test" {
  rule_promotion_id = %q
  job_type          = "code_generate"
  parameters = {
    number_of_codes = 5
  }
}`, env.sim.ClientID(), env.baseURL, env.sim.ClientSecret(), promo),
			Check: resource.TestCheckResourceAttr(jobAddr, "generated_codes", "5"),
		}},
	})
}

func TestAccPromotionJob_unknownPromotion(t *testing.T) {
	t.Parallel()
	env := newAccEnv(t, epccsim.Options{})
	rule := env.promotion(t, epcc.RulePromotions, false)
	steps := []resource.TestStep{{
		Config: env.config(`
resource "elasticpath_promotion_job" "test" {
  rule_promotion_id = "00000000-0000-4000-8000-000000000000"
  job_type          = "code_export"
}`),
		ExpectError: wrapped(`Promotion not found.*rule_promotion_id "00000000-0000-4000-8000-000000000000" names no promotion of the rule-promotions API`),
	}, {
		// The id of a Rule Promotion given as a Promotions Standard id.
		Config: env.config(`
resource "elasticpath_promotion_job" "test" {
  promotion_id = %q
  job_type     = "code_export"
}`, rule),
		ExpectError: wrapped(`Promotion not found.*promotion_id "` + rule + `" names no promotion of the promotions API.*other API \(rule_promotion_id\)`),
	}}
	resource.Test(t, resource.TestCase{ProtoV6ProviderFactories: testAccProviders, Steps: steps, CheckDestroy: noJobPosts(env)})
}

// noJobPosts checks that no job-creating request reached the simulator: plan refused what apply would fail.
func noJobPosts(env *accEnv) resource.TestCheckFunc {
	return func(*terraform.State) error {
		if env.sim == nil {
			return nil
		}
		if n := env.sim.RequestCount(http.MethodPost, "/v2/*/*/jobs"); n != 0 {
			return fmt.Errorf("%d job POSTs reached the API, want none", n)
		}
		return nil
	}
}

// The seasonal campaign example, with its export_url output, settles: after apply, a plan is empty and a
// refresh changes nothing, the signed file URL included. Drift alarms (plan -detailed-exitcode) stay quiet.
func TestAccPromotionJob_seasonalCampaignPlanSettles(t *testing.T) {
	// Not parallel: the example configures the provider from EPCC_* variables.
	env := newAccEnv(t, epccsim.Options{})
	if env.sim != nil {
		t.Setenv(EnvAPIBaseURL, env.baseURL)
		t.Setenv(EnvClientID, env.sim.ClientID())
		t.Setenv(EnvClientSecret, env.sim.ClientSecret())
	}
	env.deleteRulePromotionsAfter(t)
	vars := config.Variables{"campaign_name": config.StringVariable(testPrefix + t.Name()), "number_of_codes": config.IntegerVariable(30)}
	example := config.StaticFile("../../examples/seasonal-campaign/main.tf")
	const export = "elasticpath_promotion_job.summer_export"
	before := map[string]map[string]string{}
	// The example names its provider source, so the framework wants the provider given per step.
	resource.Test(t, resource.TestCase{
		// The example reads the codes ephemerally too: ephemeral blocks came with Terraform 1.10.
		TerraformVersionChecks: []tfversion.TerraformVersionCheck{tfversion.SkipBelow(tfversion.Version1_14_0)},
		Steps: []resource.TestStep{
			{
				ConfigFile: example, ConfigVariables: vars, ProtoV6ProviderFactories: testAccProviders,
				Check: resource.ComposeTestCheckFunc(
					// The 30 generated codes and the hand-made VIP code.
					resource.TestCheckResourceAttrWith(export, "file_url", checkExportFile(31)),
					func(s *terraform.State) error {
						for addr, r := range s.RootModule().Resources {
							if !strings.HasPrefix(addr, "data.") { // a refresh without configuration reads no data source
								before[addr] = maps.Clone(r.Primary.Attributes)
							}
						}
						return nil
					},
				),
			},
			{
				ConfigFile: example, ConfigVariables: vars, ProtoV6ProviderFactories: testAccProviders,
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()}},
			},
			{
				// A refresh (what "apply -refresh-only" saves) of the unchanged jobs leaves every attribute as it was.
				// The framework plans after a refresh without the step's configuration file, so that plan would
				// destroy everything: the next step plans with the configuration instead.
				ProtoV6ProviderFactories: testAccProviders,
				RefreshState:             true,
				ExpectNonEmptyPlan:       true,
				Check: func(s *terraform.State) error {
					for addr, want := range before {
						r, ok := s.RootModule().Resources[addr]
						if !ok {
							return fmt.Errorf("a refresh dropped %s from the state", addr)
						}
						if got := r.Primary.Attributes; !maps.Equal(got, want) {
							return fmt.Errorf("a refresh changed %s:\nbefore %v\nafter  %v", addr, want, got)
						}
					}
					return nil
				},
			},
			{
				ConfigFile: example, ConfigVariables: vars, ProtoV6ProviderFactories: testAccProviders,
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()}},
			},
		},
	})
}

// Input users are entitled to write passes plan (a 50-character name in a non-Latin script: 150 bytes); input
// that cannot be an Elastic Path id is refused at plan on every face, naming the attribute, and sends nothing.
func TestAccPromotionJob_idsAndNamesAtPlan(t *testing.T) {
	t.Parallel()
	env := newAccEnv(t, epccsim.Options{})
	someID := env.promotion(t, epcc.RulePromotions, false)
	name := strings.Repeat("夏のキャンペーン", 6) + "コード" // 51 characters
	name = string([]rune(name)[:50])
	steps := []resource.TestStep{{
		Config: env.config(`
resource "elasticpath_promotion_job" "test" {
  rule_promotion_id = %q
  job_type          = "code_export"
  name              = %q
}`, someID, name),
		PlanOnly:           true,
		ExpectNonEmptyPlan: true,
	}, {
		Config: env.config(`
resource "elasticpath_promotion_job" "test" {
  rule_promotion_id = %q
  job_type          = "code_export"
  name              = %q
}`, someID, name+"夏"),
		PlanOnly:    true,
		ExpectError: wrapped(`Attribute name UTF-8 character count must be between 1 and 50, got: 51`),
	}}
	for _, bad := range []string{"..", "a/b", " " + someID, someID + "?x=1", "not-a-uuid", someID + "0"} {
		for _, face := range []struct{ attr, block string }{
			{"rule_promotion_id", `resource "elasticpath_promotion_job" "test" {
  rule_promotion_id = %q
  job_type          = "code_export"
}`},
			{"promotion_id", `resource "elasticpath_promotion_job" "test" {
  promotion_id = %q
  job_type     = "code_export"
}`},
			{"rule_promotion_id", `data "elasticpath_promotion_jobs" "test" {
  rule_promotion_id = %q
}`},
			{"promotion_id", `data "elasticpath_promotion_jobs" "test" {
  promotion_id = %q
}`},
		} {
			steps = append(steps, resource.TestStep{
				Config:      env.config(face.block, bad),
				PlanOnly:    true,
				ExpectError: wrapped(`Attribute ` + face.attr + ` must be an Elastic Path promotion id`),
			})
		}
	}
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProviders,
		Steps:                    steps,
		CheckDestroy: func(*terraform.State) error {
			if env.sim == nil {
				return nil
			}
			if n := env.sim.RequestCount("", "/v2/*/*/jobs"); n != 0 {
				return fmt.Errorf("%d job requests reached the API during plan, want none", n)
			}
			return nil
		},
	})
}

// Plan refuses what the API would refuse at apply, counting the codes of the whole plan per promotion, and
// sends no job request when it does. Unknown ids skip the checks; an unreachable API makes them warnings.
func TestAccPromotionJob_planChecksCodeBudget(t *testing.T) {
	t.Parallel()
	env := newAccEnv(t, epccsim.Options{})
	env.needsSim(t)
	empty := env.promotion(t, epcc.RulePromotions, false)
	nearlyFull := env.promotion(t, epcc.RulePromotions, false)
	env.generate(t, epcc.PromotionRef{API: epcc.RulePromotions, ID: nearlyFull}, 990, "")
	jobs := func(promo string, count, codes int) string {
		return env.config(`
resource "elasticpath_promotion_job" "test" {
  count             = %d
  rule_promotion_id = %q
  job_type          = "code_generate"
  name              = "batch-${count.index}"
  parameters = {
    number_of_codes = %d
  }
}`, count, promo, codes)
	}
	promotionReads := func() int { return env.sim.RequestCount(http.MethodGet, "/v2/rule-promotions/"+empty) }
	readsBeforeOutage := 0
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProviders,
		Steps: []resource.TestStep{
			{
				Config: jobs(nearlyFull, 1, 20), PlanOnly: true,
				ExpectError: wrapped(`Too many codes for one promotion.*holds 990 codes.*ask for at least 20 more.*at least 1010 in all, over the 1000.*max_codes_per_promotion`),
			},
			{
				Config: jobs(empty, 3, 400), PlanOnly: true,
				ExpectError: wrapped(`holds 0 codes, and the code_generate jobs planned on it in this run ask for at least 1200 more`),
			},
			{Config: jobs(empty, 3, 300), PlanOnly: true, ExpectNonEmptyPlan: true},
			{
				// The promotion id is known only after apply: the checks are skipped, silently.
				Config: env.config(`
resource "terraform_data" "promotion" {
  input = %q
}
resource "elasticpath_promotion_job" "test" {
  rule_promotion_id = terraform_data.promotion.output
  job_type          = "code_generate"
  parameters = {
    number_of_codes = 900
  }
}`, nearlyFull),
				PlanOnly: true, ExpectNonEmptyPlan: true,
			},
			{
				// The API answers 503 to the promotion read: plan goes on, with a warning.
				PreConfig: func() {
					readsBeforeOutage = promotionReads()
					env.sim.Faults().Add(epccsim.Fault{Method: http.MethodGet, Path: "/v2/rule-promotions/" + empty, Kind: epccsim.FaultStatus, Status: 503})
				},
				Config: jobs(empty, 1, 5), PlanOnly: true, ExpectNonEmptyPlan: true,
			},
		},
	})
	// (A PlanOnly step runs no Check: the counts are asserted here.)
	if n := env.sim.RequestCount(http.MethodPost, "/v2/*/*/jobs"); n != 1 {
		t.Errorf("%d job POSTs in all, want only the one that filled the promotion: plan sends none", n)
	}
	if n := promotionReads() - readsBeforeOutage; n < 5 {
		t.Errorf("the outage step read the promotion %d times, want it retried (at least 5): did the fault apply?", n)
	}
}

// A plan of 10 jobs on each of 10 promotions reads each promotion once, counts its codes once and lists its
// jobs once (for a job to adopt): at most 30 check requests.
func TestAccPromotionJob_planCheckRequests(t *testing.T) {
	t.Parallel()
	env := newAccEnv(t, epccsim.Options{})
	env.needsSim(t)
	var blocks strings.Builder
	for i := 0; i < 10; i++ {
		fmt.Fprintf(&blocks, `
resource "elasticpath_promotion_job" "p%d" {
  count             = 10
  rule_promotion_id = %q
  job_type          = "code_generate"
  name              = "batch-${count.index}"
  parameters = {
    number_of_codes = 10
  }
}
`, i, env.promotion(t, epcc.RulePromotions, false))
	}
	checkRequests := func() int {
		return env.sim.RequestCount(http.MethodGet, "/v2/rule-promotions/*") + env.sim.RequestCount(http.MethodGet, "/v2/rule-promotions/*/codes") +
			env.sim.RequestCount(http.MethodGet, "/v2/rule-promotions/*/jobs")
	}
	before := checkRequests()
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProviders,
		Steps: []resource.TestStep{{
			Config:             env.config("%s", blocks.String()),
			PlanOnly:           true,
			ExpectNonEmptyPlan: true,
		}},
	})
	// (A PlanOnly step runs no Check.) The step plans twice: a refresh plan, then the plan it checks.
	if n := checkRequests() - before; n > 2*30 || n < 30 {
		t.Errorf("two plans over 10 promotions with 10 jobs each made %d check requests, want 30 to 2 x 30", n)
	} else {
		t.Logf("two plans over 10 promotions with 10 jobs each: %d check requests", n)
	}
}

// Other pipelines share the store's rate limit: a storm of 429s, longer than the retry budget (max_retries 4),
// on the job POST and on every listing while the job runs, ends in one completed job, not a tainted one.
func TestAccPromotionJob_throttledThroughout(t *testing.T) {
	t.Parallel()
	env := newAccEnv(t, epccsim.Options{CodesPerSecond: 200})
	env.needsSim(t)
	promo, ref := env.rulePromotion(t)
	jobs := "/v2/rule-promotions/*/jobs"
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProviders,
		Steps: []resource.TestStep{{
			PreConfig: func() {
				env.sim.Faults().Add(
					epccsim.Fault{Method: http.MethodPost, Path: jobs, Kind: epccsim.FaultStatus, Status: http.StatusTooManyRequests, RetryAfter: "0", Times: 8},
					// The listing before the start passes; the storm meets the wait's polls.
					epccsim.Fault{Method: http.MethodGet, Path: jobs, Kind: epccsim.FaultDelay, Times: 1},
					epccsim.Fault{Method: http.MethodGet, Path: jobs, Kind: epccsim.FaultStatus, Status: http.StatusTooManyRequests, RetryAfter: "0", Times: 15},
				)
			},
			// A high rate_limit keeps the slow-down short: the floor it falls to is a twentieth of it.
			Config: env.configWith("rate_limit = 1000", `
resource "elasticpath_promotion_job" "test" {
  rule_promotion_id = %q
  job_type          = "code_generate"
  parameters = {
    number_of_codes = 300
  }
}`, promo),
			Check: resource.ComposeAggregateTestCheckFunc(
				resource.TestCheckResourceAttr(jobAddr, "status", "completed"),
				resource.TestCheckResourceAttr(jobAddr, "generated_codes", "300"),
				checkJobCount(env, ref, 1),
				func(*terraform.State) error {
					if n := env.sim.Faults().Pending(); n != 0 {
						return fmt.Errorf("%d of the scripted 429 storms were not used up", n)
					}
					return nil
				},
			),
		}},
	})
}

// A start that the store kept refusing with 429 until the timeout says so, and what to do, not "another job".
func TestStartFailureWhenThrottledUntilTimeout(t *testing.T) {
	ref := epcc.PromotionRef{API: epcc.RulePromotions, ID: "p"}
	err := fmt.Errorf("POST /v2/rule-promotions/p/jobs: request not sent: %w, while %w", context.DeadlineExceeded, epcc.ErrThrottled)
	got := startFailureDetail(ref, jobDeadline{attr: "timeouts.create", timeout: time.Minute}, err)
	for _, want := range []string{"kept asking to slow down (429)", "timeouts.create (1m0s) ran out", "No job was created", "Raise timeouts.create"} {
		if !strings.Contains(got, want) {
			t.Errorf("detail %q lacks %q", got, want)
		}
	}
	if strings.Contains(got, "another job") {
		t.Errorf("detail blames another job: %q", got)
	}
}

// Codes split with count over a promotion's budget: one plan, one error, naming the least the run asks for.
func TestAccPromotionJob_oneBudgetErrorPerPromotion(t *testing.T) {
	t.Parallel()
	env := newAccEnv(t, epccsim.Options{})
	env.needsSim(t)
	promo, ref := env.rulePromotion(t)
	env.generate(t, ref, 200, "HELD-")
	cli := newTerraformCLIFrom(t, tfversion.Version1_5_0, "this test needs")
	cli.write("main.tf", env.config(`
resource "elasticpath_promotion_job" "test" {
  count             = 2
  rule_promotion_id = %q
  job_type          = "code_generate"
  name              = "batch-${count.index}"
  parameters = {
    number_of_codes = 1000
  }
}`, promo))
	cli.must("init")
	out, err := cli.run("plan")
	if err == nil {
		t.Fatalf("the plan passed:\n%s", out)
	}
	flat := strings.Join(strings.Fields(out), " ")
	if n := strings.Count(flat, "Too many codes for one promotion"); n != 1 {
		t.Errorf("%d budget errors, want one:\n%s", n, out)
	}
	if !strings.Contains(flat, "holds 200 codes") || !strings.Contains(flat, "at least 1200 in all") {
		t.Errorf("the error does not say what the promotion holds and the least asked:\n%s", out)
	}
}

package provider

import (
	"fmt"
	"net/http"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/terraform"

	"github.com/epcc-community/terraform-provider-elasticpath/internal/epcc"
	"github.com/epcc-community/terraform-provider-elasticpath/internal/epccsim"
)

func TestAccPromotionJobsDataSource_filters(t *testing.T) {
	t.Parallel()
	env := newAccEnv(t, epccsim.Options{})
	rule := env.promotion(t, epcc.RulePromotions, false)
	standard := env.promotion(t, epcc.PromotionsStandard, false)

	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProviders,
		Steps: []resource.TestStep{{
			Config: env.config(`
resource "elasticpath_promotion_job" "codes" {
  rule_promotion_id = %[1]q
  job_type          = "code_generate"
  name              = "codes"
  parameters = {
    number_of_codes = 30
    code_prefix     = "DS-"
  }
}

resource "elasticpath_promotion_job" "export" {
  rule_promotion_id = %[1]q
  job_type          = "code_export"
  name              = "export"
  depends_on        = [elasticpath_promotion_job.codes]
}

resource "elasticpath_promotion_job" "standard" {
  promotion_id = %[2]q
  job_type     = "code_generate"
  parameters = {
    number_of_codes = 3
  }
}

data "elasticpath_promotion_jobs" "all" {
  rule_promotion_id = %[1]q
  depends_on        = [elasticpath_promotion_job.export]
}

data "elasticpath_promotion_jobs" "generated" {
  rule_promotion_id = %[1]q
  job_type          = "code_generate"
  status            = "completed"
  depends_on        = [elasticpath_promotion_job.export]
}

data "elasticpath_promotion_jobs" "exports" {
  rule_promotion_id = %[1]q
  job_type          = "code_export"
  depends_on        = [elasticpath_promotion_job.export]
}

data "elasticpath_promotion_jobs" "failed" {
  rule_promotion_id = %[1]q
  status            = "failed"
  depends_on        = [elasticpath_promotion_job.export]
}

data "elasticpath_promotion_jobs" "by_name" {
  rule_promotion_id = %[1]q
  name              = "export"
  depends_on        = [elasticpath_promotion_job.export]
}

data "elasticpath_promotion_jobs" "standard" {
  promotion_id = %[2]q
  depends_on   = [elasticpath_promotion_job.standard]
}`, rule, standard),
			Check: resource.ComposeAggregateTestCheckFunc(
				resource.TestCheckResourceAttr("data.elasticpath_promotion_jobs.all", "ids.#", "2"),
				resource.TestCheckResourceAttr("data.elasticpath_promotion_jobs.generated", "ids.#", "1"),
				resource.TestCheckResourceAttrPair("data.elasticpath_promotion_jobs.generated", "ids.0", "elasticpath_promotion_job.codes", "id"),
				resource.TestCheckResourceAttr("data.elasticpath_promotion_jobs.generated", "jobs.0.generated_codes", "30"),
				resource.TestCheckResourceAttr("data.elasticpath_promotion_jobs.generated", "jobs.0.parameters.code_prefix", "DS-"),
				resource.TestCheckResourceAttr("data.elasticpath_promotion_jobs.generated", "jobs.0.rule_promotion_id", rule),
				resource.TestCheckResourceAttr("data.elasticpath_promotion_jobs.exports", "ids.#", "1"),
				resource.TestCheckResourceAttrPair("data.elasticpath_promotion_jobs.exports", "ids.0", "elasticpath_promotion_job.export", "id"),
				resource.TestCheckResourceAttrWith("data.elasticpath_promotion_jobs.exports", "jobs.0.file_url", checkExportFile(30)),
				resource.TestCheckNoResourceAttr("data.elasticpath_promotion_jobs.exports", "jobs.0.parameters"),
				resource.TestCheckResourceAttr("data.elasticpath_promotion_jobs.failed", "ids.#", "0"),
				resource.TestCheckResourceAttr("data.elasticpath_promotion_jobs.by_name", "ids.#", "1"),
				resource.TestCheckResourceAttr("data.elasticpath_promotion_jobs.by_name", "jobs.0.job_type", "code_export"),
				resource.TestCheckResourceAttr("data.elasticpath_promotion_jobs.standard", "ids.#", "1"),
				resource.TestCheckResourceAttr("data.elasticpath_promotion_jobs.standard", "jobs.0.promotion_id", standard),
				resource.TestCheckResourceAttr("data.elasticpath_promotion_jobs.standard", "jobs.0.status", "completed"),
			),
		}, refreshListsOnce(env)},
	})
}

// refreshListsOnce is a refresh step that wants each promotion's jobs listed once, however many job
// resources and data sources read them.
func refreshListsOnce(env *accEnv) resource.TestStep {
	var before [2]int
	count := func() [2]int {
		return [2]int{env.sim.RequestCount(http.MethodGet, "/v2/rule-promotions/*/jobs"),
			env.sim.RequestCount(http.MethodGet, "/v2/promotions/*/jobs")}
	}
	return resource.TestStep{
		SkipFunc:     func() (bool, error) { return env.sim == nil, nil },
		PreConfig:    func() { before = count() },
		RefreshState: true,
		Check: func(*terraform.State) error {
			after := count()
			if rule, standard := after[0]-before[0], after[1]-before[1]; rule != 1 || standard != 1 {
				return fmt.Errorf("refreshing listed the rule promotion's jobs %d times and the standard one's %d, want 1 each", rule, standard)
			}
			return nil
		},
	}
}

func TestAccPromotionJobsDataSource_invalidFilters(t *testing.T) {
	t.Parallel()
	env := newAccEnv(t, epccsim.Options{})
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProviders,
		Steps: []resource.TestStep{
			{
				Config: env.config(`
data "elasticpath_promotion_jobs" "test" {
  rule_promotion_id = "00000000-0000-4000-8000-00000000000a"
  status            = "complete"
}`),
				ExpectError: wrapped(`status.*value must be one of`),
			},
			{
				Config:      env.config(`data "elasticpath_promotion_jobs" "test" { job_type = "code_export" }`),
				ExpectError: wrapped(`Exactly one of these attributes must be configured`),
			},
		},
	})
}

// One export link that cannot be fetched does not fail a read of many jobs: that export's file_url is null
// (with a warning) and the others have theirs.
func TestAccPromotionJobsDataSource_oneLinkFails(t *testing.T) {
	t.Parallel()
	env := newAccEnv(t, epccsim.Options{})
	env.needsSim(t)
	promo, ref := env.rulePromotion(t)
	for _, name := range []string{"first", "second"} {
		env.startAndWait(t, ref, epcc.CreateJobRequest{Type: epcc.JobTypeExport, Name: name})
	}
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProviders,
		Steps: []resource.TestStep{{
			PreConfig: func() {
				env.sim.Faults().Add(epccsim.Fault{Method: http.MethodGet, Path: "/v2/rule-promotions/*/jobs/*/file",
					Kind: epccsim.FaultStatus, Status: http.StatusNotFound, Times: 1})
			},
			Config: env.configWith("max_retries = 0", `
data "elasticpath_promotion_jobs" "exports" {
  rule_promotion_id = %q
  job_type          = "code_export"
}

output "links" {
  value     = length([for j in data.elasticpath_promotion_jobs.exports.jobs : j if j.file_url != null])
  sensitive = true
}`, promo),
			Check: resource.ComposeAggregateTestCheckFunc(
				resource.TestCheckResourceAttr("data.elasticpath_promotion_jobs.exports", "jobs.#", "2"),
				resource.TestCheckOutput("links", "1"),
			),
			// The next read fetches the link that failed: the output then changes.
			ExpectNonEmptyPlan: true,
		}},
	})
}

package provider

import (
	"context"
	"fmt"
	"regexp"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/querycheck"
	"github.com/hashicorp/terraform-plugin-testing/querycheck/queryfilter"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"
	"github.com/hashicorp/terraform-plugin-testing/tfversion"

	"github.com/epcc-community/terraform-provider-elasticpath/internal/epcc"
	"github.com/epcc-community/terraform-provider-elasticpath/internal/epccsim"
)

var uuidValue = knownvalue.StringRegexp(elasticPathID)

// terraform query finds a promotion's jobs, those Terraform made and one made elsewhere, with the data
// source's filters; the resource carries its identity and imports by it.
func TestAccPromotionJobList_query(t *testing.T) {
	t.Parallel()
	env := newAccEnv(t, epccsim.Options{})
	promo, ref := env.rulePromotion(t)
	outside := env.startAndWait(t, ref, epcc.CreateJobRequest{Type: epcc.JobTypeExport, Name: "outside"})
	identity := func(jobID knownvalue.Check) map[string]knownvalue.Check {
		return map[string]knownvalue.Check{
			"promotion_id":      knownvalue.Null(),
			"rule_promotion_id": knownvalue.StringExact(promo),
			"job_id":            jobID,
		}
	}
	display := func(name, jobType, status string) knownvalue.Check {
		return knownvalue.StringRegexp(regexp.MustCompile(`^` + regexp.QuoteMeta(name) + ` \(` + jobType + `, ` + status +
			`, created \d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ\)$`))
	}
	list := func(name, filters string) string {
		return fmt.Sprintf(`
list "elasticpath_promotion_job" %q {
  provider         = elasticpath
  include_resource = true
  config {
    rule_promotion_id = %q
%s
  }
}
`, name, promo, filters)
	}
	// Identities and display names only, and at most two of them.
	short := fmt.Sprintf(`
list "elasticpath_promotion_job" "first_two" {
  provider = elasticpath
  limit    = 2
  config {
    rule_promotion_id = %q
  }
}
`, promo)

	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProviders,
		TerraformVersionChecks:   []tfversion.TerraformVersionCheck{tfversion.SkipBelow(tfversion.Version1_14_0)},
		Steps: []resource.TestStep{
			{
				Config: env.config(`
resource "elasticpath_promotion_job" "small" {
  rule_promotion_id = %[1]q
  job_type          = "code_generate"
  name              = "small"
  parameters = {
    number_of_codes = 10
  }
}

resource "elasticpath_promotion_job" "test" {
  rule_promotion_id = %[1]q
  job_type          = "code_generate"
  name              = "large"
  parameters = {
    number_of_codes = 20
    code_prefix     = "Q-"
  }
  depends_on = [elasticpath_promotion_job.small]
}`, promo),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectIdentity(jobAddr, identity(uuidValue)),
				},
			},
			{
				// Import by identity (an import block with identity = {...}) finds the same job.
				ResourceName:    jobAddr,
				ImportState:     true,
				ImportStateKind: resource.ImportBlockWithResourceIdentity,
			},
			{
				Query: true,
				Config: list("all", "") + list("generated", `    job_type = "code_generate"
    status   = "completed"`) + list("named", `    name = "large"`) + list("none", `    status = "failed"`) + short,
				QueryResultChecks: []querycheck.QueryResultCheck{
					querycheck.ExpectLength("elasticpath_promotion_job.all", 3),
					querycheck.ExpectLength("elasticpath_promotion_job.generated", 2),
					querycheck.ExpectLength("elasticpath_promotion_job.named", 1),
					querycheck.ExpectLength("elasticpath_promotion_job.none", 0),
					querycheck.ExpectLength("elasticpath_promotion_job.first_two", 2),
					querycheck.ExpectIdentity("elasticpath_promotion_job.first_two", identity(uuidValue)),
					querycheck.ExpectIdentity("elasticpath_promotion_job.named", identity(uuidValue)),
					querycheck.ExpectResourceDisplayName("elasticpath_promotion_job.all",
						queryfilter.ByResourceIdentity(identity(knownvalue.StringExact(outside.ID))),
						display("outside", "code_export", "completed")),
					querycheck.ExpectResourceDisplayName("elasticpath_promotion_job.generated",
						queryfilter.ByDisplayName(knownvalue.StringRegexp(regexp.MustCompile(`^small `))),
						display("small", "code_generate", "completed")),
					querycheck.ExpectResourceKnownValues("elasticpath_promotion_job.named",
						queryfilter.ByDisplayName(display("large", "code_generate", "completed")),
						[]querycheck.KnownValueCheck{
							{Path: tfjsonpath.New("rule_promotion_id"), KnownValue: knownvalue.StringExact(promo)},
							{Path: tfjsonpath.New("generated_codes"), KnownValue: knownvalue.Int64Exact(20)},
							{Path: tfjsonpath.New("parameters").AtMapKey("code_prefix"), KnownValue: knownvalue.StringExact("Q-")},
							{Path: tfjsonpath.New("parameters").AtMapKey("code_length"), KnownValue: knownvalue.Int64Exact(8)},
						}),
				},
			},
		},
	})
}

// terraform query -generate-config-out writes import and resource blocks for jobs made elsewhere; they plan as
// imports only, apply without making a job, and leave an empty plan.
func TestAccPromotionJobList_generateConfigThenImport(t *testing.T) {
	t.Parallel()
	env := newAccEnv(t, epccsim.Options{})
	promo := env.promotion(t, epcc.PromotionsStandard, false)
	ref := epcc.PromotionRef{API: epcc.PromotionsStandard, ID: promo}
	n, maxUses, length := int64(25), int64(3), int64(12)
	env.startAndWait(t, ref, epcc.CreateJobRequest{Type: epcc.JobTypeGenerate, Name: "spring", Parameters: &epcc.JobParameters{
		NumberOfCodes: &n, MaxUsesPerCode: &maxUses, ConsumeUnit: "per_cart", CodePrefix: "SPRING-", CodeLength: &length}})
	env.startAndWait(t, ref, epcc.CreateJobRequest{Type: epcc.JobTypeGenerate, Parameters: &epcc.JobParameters{NumberOfCodes: &n}})
	env.startAndWait(t, ref, epcc.CreateJobRequest{Type: epcc.JobTypeExport, Name: "spring export"})

	cli := newTerraformCLI(t)
	cli.write("main.tf", env.config(""))
	cli.write("jobs.tfquery.hcl", fmt.Sprintf(`
list "elasticpath_promotion_job" "spring" {
  provider = elasticpath
  config {
    promotion_id = %q
  }
}
`, promo))
	cli.must("init")
	cli.must("query", "-generate-config-out=generated.tf")
	generated := cli.read("generated.tf")
	if got := strings.Count(generated, "import {"); got != 3 {
		t.Fatalf("generated.tf holds %d import blocks, want 3:\n%s", got, generated)
	}
	if got := strings.Count(generated, `resource "elasticpath_promotion_job"`); got != 3 {
		t.Fatalf("generated.tf holds %d resource blocks, want 3:\n%s", got, generated)
	}
	for _, want := range []string{`promotion_id\s+= "` + promo + `"`, `code_prefix\s+= "SPRING-"`, `name\s+= "spring export"`} {
		expectLine(t, generated, want)
	}

	cli.must("plan", "-out=import.tfplan")
	expectLine(t, cli.last, `Plan: 3 to import, 0 to add, 0 to change, 0 to destroy\.`)
	cli.must("apply", "import.tfplan")
	expectLine(t, cli.last, `Apply complete! Resources: 3 imported, 0 added, 0 changed, 0 destroyed\.`)
	if out, err := cli.run("plan", "-detailed-exitcode"); err != nil {
		t.Errorf("plan after the import is not empty: %v\n%s", err, out)
	}
	if jobs := env.jobs(t, ref); len(jobs) != 3 {
		t.Errorf("the promotion has %d jobs after the import, want the 3 it had", len(jobs))
	}
	state := cli.must("show", "-json")
	for _, want := range []string{`"generated_codes":25`, `"max_uses_per_code":3`, `"code_length":12`} {
		if !strings.Contains(state, want) {
			t.Errorf("imported state lacks %s", want)
		}
	}
	if strings.Count(state, `"file_url":"http`) != 1 {
		t.Errorf("the imported export job has no file_url in the state")
	}
}

// startAndWait runs one job straight through the API.
func (e *accEnv) startAndWait(t *testing.T, ref epcc.PromotionRef, req epcc.CreateJobRequest) epcc.Job {
	t.Helper()
	ctx := context.Background()
	job, err := e.client.StartJob(ctx, ref, req)
	if err == nil {
		job, err = e.client.WaitJob(ctx, ref, job.ID, nil)
	}
	if err != nil {
		t.Fatalf("running a %s job on %s: %v", req.Type, ref, err)
	}
	return *job
}

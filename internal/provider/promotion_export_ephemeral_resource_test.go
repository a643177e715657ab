package provider

import (
	"fmt"
	"io"
	"net/http"
	"regexp"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"
	"github.com/hashicorp/terraform-plugin-testing/tfversion"

	"github.com/epcc-community/terraform-provider-elasticpath/internal/epcc"
	"github.com/epcc-community/terraform-provider-elasticpath/internal/epccsim"
)

// The ephemeral export hands out a fresh, working link to the newest completed export (or the one named) and
// the CSV itself; with no completed export it says what to run.
func TestAccPromotionExportEphemeral(t *testing.T) {
	t.Parallel()
	env := newAccEnv(t, epccsim.Options{})
	promo, ref := env.rulePromotion(t)
	env.generate(t, ref, 12, "EXP-")
	old := env.startAndWait(t, ref, epcc.CreateJobRequest{Type: epcc.JobTypeExport, Name: "old"})
	newest := env.startAndWait(t, ref, epcc.CreateJobRequest{Type: epcc.JobTypeExport, Name: "newest"})
	_, empty := env.rulePromotion(t)
	echo := func(name, args string) string {
		return withEcho(env.config(`
ephemeral "elasticpath_promotion_export" "test" {
  %s
}
provider "echo" {
  data = ephemeral.elasticpath_promotion_export.test
}
resource "echo" %q {}
`, args, name))
	}
	works := statecheck.ExpectKnownValue("echo.latest", tfjsonpath.New("data").AtMapKey("url"),
		knownvalue.StringFunc(func(url string) error {
			resp, err := http.Get(url)
			if err != nil {
				return err
			}
			defer func() { _ = resp.Body.Close() }()
			body, _ := io.ReadAll(resp.Body)
			if resp.StatusCode != http.StatusOK || strings.Count(string(body), "EXP-") != 12 {
				return fmt.Errorf("the link answered %d with %q", resp.StatusCode, body)
			}
			return nil
		}))
	resource.Test(t, resource.TestCase{
		TerraformVersionChecks:   []tfversion.TerraformVersionCheck{tfversion.SkipBelow(tfversion.Version1_10_0)},
		ProtoV6ProviderFactories: echoProviders,
		Steps: []resource.TestStep{
			{
				Config:      echo("none", fmt.Sprintf("rule_promotion_id = %q", empty.ID)),
				ExpectError: wrapped(`No export to read.*no code_export job has completed yet`),
			},
			{
				Config: echo("latest", fmt.Sprintf("rule_promotion_id = %q\n  include_csv = true", promo)),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue("echo.latest", tfjsonpath.New("data").AtMapKey("job_id"), knownvalue.StringExact(newest.ID)),
					statecheck.ExpectKnownValue("echo.latest", tfjsonpath.New("data").AtMapKey("csv"),
						knownvalue.StringRegexp(regexp.MustCompile(`(?s)^code,max_uses,consume_unit,uses,created_at\n.*EXP-`))),
					works,
				},
			},
			{
				Config: echo("named", fmt.Sprintf("rule_promotion_id = %q\n  job_id = %q", promo, old.ID)),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue("echo.named", tfjsonpath.New("data").AtMapKey("job_id"), knownvalue.StringExact(old.ID)),
					statecheck.ExpectKnownValue("echo.named", tfjsonpath.New("data").AtMapKey("csv"), knownvalue.Null()),
				},
			},
		},
	})
}

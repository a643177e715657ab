package provider

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-testing/echoprovider"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"
	"github.com/hashicorp/terraform-plugin-testing/tfversion"

	"github.com/epcc-community/terraform-provider-elasticpath/internal/epcc"
	"github.com/epcc-community/terraform-provider-elasticpath/internal/epccsim"
)

// withEcho adds the test framework's echo provider, which copies its configuration into an echo resource's
// state: the way to see an ephemeral value in a test.
func withEcho(config string) string {
	return strings.Replace(config, "    elasticpath = {",
		"    echo        = { source = \""+providerNamespace+"/echo\" }\n    elasticpath = {", 1)
}

var echoProviders = map[string]func() (tfprotov6.ProviderServer, error){
	"elasticpath": testAccProviders["elasticpath"],
	"echo":        echoprovider.NewProviderServer(),
}

// noneOf fails when the JSON of a plan or state holds any of the codes.
func noneOf(what string, v any, codes []string) error {
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	for _, c := range codes {
		if strings.Contains(string(b), c) {
			return fmt.Errorf("the %s holds code %q", what, c)
		}
	}
	return nil
}

type stateWithout struct{ codes func() []string }

func (s stateWithout) CheckState(_ context.Context, req statecheck.CheckStateRequest, resp *statecheck.CheckStateResponse) {
	resp.Error = noneOf("state", req.State, s.codes())
}

type planWithout struct{ codes func() []string }

func (p planWithout) CheckPlan(_ context.Context, req plancheck.CheckPlanRequest, resp *plancheck.CheckPlanResponse) {
	resp.Error = noneOf("saved plan", req.Plan, p.codes())
}

// sameCodesAs checks that the echoed codes are exactly the promotion's, in the API's order.
type sameCodesAs struct {
	env *accEnv
	ref epcc.PromotionRef
}

func (c sameCodesAs) CheckState(_ context.Context, req statecheck.CheckStateRequest, resp *statecheck.CheckStateResponse) {
	want, err := codeStrings(c.env.client.ListPromotionCodes(context.Background(), c.ref))
	if err != nil {
		resp.Error = err
		return
	}
	for _, r := range req.State.Values.RootModule.Resources {
		if r.Address != "echo.test" {
			continue
		}
		data, _ := r.AttributeValues["data"].(map[string]any)
		list, _ := data["codes"].([]any)
		if len(list) != len(want) {
			resp.Error = fmt.Errorf("echoed %d codes, the API holds %d", len(list), len(want))
			return
		}
		for i, item := range list {
			if code, _ := item.(map[string]any)["code"].(string); code != want[i] {
				resp.Error = fmt.Errorf("code %d is %q, want %q", i, code, want[i])
				return
			}
		}
		return
	}
	resp.Error = fmt.Errorf("no echo.test in the state")
}

func TestAccPromotionCodesEphemeral(t *testing.T) {
	t.Parallel()
	env := newAccEnv(t, epccsim.Options{})
	full := epcc.PromotionRef{API: epcc.RulePromotions, ID: env.promotion(t, epcc.RulePromotions, false)}
	env.generate(t, full, 700, "WINTER-")
	env.generate(t, full, 300, "other-")
	empty := env.promotion(t, epcc.PromotionsStandard, false)
	codes := func() []string {
		c, err := codeStrings(env.client.ListPromotionCodes(context.Background(), full))
		if err != nil || len(c) != 1000 {
			t.Fatalf("the promotion's codes: %d, %v", len(c), err)
		}
		return c
	}
	// Each step echoes into a resource of its own: an echo resource keeps what it copied when it was made.
	echo := func(name, args string) string {
		return withEcho(env.config(`
ephemeral "elasticpath_promotion_codes" "test" {
  %s
}
provider "echo" {
  data = ephemeral.elasticpath_promotion_codes.test
}
resource "echo" %q {}
`, args, name))
	}
	resource.Test(t, resource.TestCase{
		TerraformVersionChecks:   []tfversion.TerraformVersionCheck{tfversion.SkipBelow(tfversion.Version1_10_0)},
		ProtoV6ProviderFactories: echoProviders,
		Steps: []resource.TestStep{
			{
				// First: the post-test destroy plans the last step's configuration again.
				Config:      echo("missing", fmt.Sprintf("promotion_id = %q", full.ID)),
				ExpectError: wrapped(`Promotion not found.*promotion_id "` + full.ID + `" names no promotion of the promotions API`),
			},
			{
				Config: echo("test", fmt.Sprintf("rule_promotion_id = %q", full.ID)),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue("echo.test", tfjsonpath.New("data").AtMapKey("total"), knownvalue.Int64Exact(1000)),
					sameCodesAs{env, full},
				},
			},
			{
				Config: echo("winter", fmt.Sprintf("rule_promotion_id = %q\n  prefix = \"winter-\"", full.ID)),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue("echo.winter", tfjsonpath.New("data").AtMapKey("total"), knownvalue.Int64Exact(700)),
				},
			},
			{
				Config: echo("none", fmt.Sprintf("promotion_id = %q", empty)),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue("echo.none", tfjsonpath.New("data").AtMapKey("total"), knownvalue.Int64Exact(0)),
				},
			},
		},
	})

	// Used where nothing stores it, the ephemeral value reaches neither the saved plan nor the state.
	reads := env.sim.RequestCount(http.MethodGet, "/v2/rule-promotions/*/codes")
	resource.Test(t, resource.TestCase{
		TerraformVersionChecks:   []tfversion.TerraformVersionCheck{tfversion.SkipBelow(tfversion.Version1_10_0)},
		ProtoV6ProviderFactories: testAccProviders,
		Steps: []resource.TestStep{{
			Config: env.config(`
ephemeral "elasticpath_promotion_codes" "test" {
  rule_promotion_id = %q
}
resource "terraform_data" "campaign" {
  input = "summer"
  lifecycle {
    precondition {
      condition     = ephemeral.elasticpath_promotion_codes.test.total == 1000
      error_message = "the campaign needs its 1000 codes"
    }
  }
}`, full.ID),
			ConfigPlanChecks:  resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{planWithout{codes}}},
			ConfigStateChecks: []statecheck.StateCheck{stateWithout{codes}},
		}},
	})
	if n := env.sim.RequestCount(http.MethodGet, "/v2/rule-promotions/*/codes") - reads; n < 10 {
		t.Errorf("the ephemeral resource read %d pages of codes, want at least the 10 of one read: was it opened?", n)
	}
}

package provider

import (
	"context"
	"encoding/json"
	"fmt"
	"testing"

	"github.com/epcc-community/terraform-provider-elasticpath/internal/epcc"
	"github.com/epcc-community/terraform-provider-elasticpath/internal/epccsim"
)

// A store's promotions and hand-made codes, made outside Terraform, are adopted with terraform query
// -generate-config-out: the generated configuration plans as imports only, applies without a request that
// makes anything, and then plans no change.
func TestAccPromotionLists_generateConfigThenImport(t *testing.T) {
	t.Parallel()
	env := newAccEnv(t, epccsim.Options{})
	env.needsSim(t) // the store must hold only what the test made: a real store holds other promotions
	ctx := context.Background()
	rule, err := env.client.AddPromotion(ctx, epcc.Promotion{Ref: epcc.PromotionRef{API: epcc.RulePromotions},
		Name: "Summer 2026", Description: "15% off", Enabled: true, Start: "2026-06-01", End: "2026-09-01",
		RuleSet: json.RawMessage(`{"currencies":["USD"],"rules":{"strategy":"cart_total","operator":"gte","args":[10000]},"actions":[{"strategy":"cart_discount","args":["percent",15]}]}`)})
	if err != nil {
		t.Fatal(err)
	}
	standard, err := env.client.AddPromotion(ctx, epcc.Promotion{Ref: epcc.PromotionRef{API: epcc.PromotionsStandard},
		Name: "$9 off", PromotionType: "fixed_discount", Start: "2026-06-01T00:00:00Z", End: "2026-09-01T00:00:00Z",
		Schema: json.RawMessage(`{"currencies":[{"currency":"USD","amount":900}]}`)})
	if err != nil {
		t.Fatal(err)
	}
	hundred, one := int64(100), int64(1)
	if _, err := env.client.CreateCode(ctx, rule.Ref, epcc.NewCode{Code: "VIP-Summer", Uses: &hundred, ConsumeUnit: "per_checkout",
		MaxUsesPerShopper: &one}); err != nil {
		t.Fatal(err)
	}
	env.generate(t, rule.Ref, 5, "GEN-") // codes a job made: the prefix leaves them out

	cli := newTerraformCLI(t)
	cli.write("main.tf", env.config(""))
	cli.write("store.tfquery.hcl", fmt.Sprintf(`
list "elasticpath_rule_promotion" "all" {
  provider = elasticpath
}

list "elasticpath_promotion" "legacy" {
  provider = elasticpath
  config {
    name = "$9 off"
  }
}

list "elasticpath_promotion_code" "vip" {
  provider = elasticpath
  config {
    rule_promotion_id = %q
    prefix            = "vip-"
  }
}
`, rule.Ref.ID))
	cli.must("init")
	out := cli.must("query")
	for _, want := range []string{`Summer 2026 \(enabled, 2026-06-01T00:00:00Z to 2026-09-01T00:00:00Z\)`, `\$9 off \(disabled`,
		`VIP-Summer \(100 of 100 uses left\)`} {
		expectLine(t, out, want)
	}
	cli.must("query", "-generate-config-out=generated.tf")
	generated := cli.read("generated.tf")
	for _, want := range []string{`resource "elasticpath_rule_promotion"`, `resource "elasticpath_promotion"`,
		`resource "elasticpath_promotion_code"`, `id\s+= "` + standard.Ref.ID + `"`, `code\s+= "VIP-Summer"`} {
		expectLine(t, generated, want)
	}
	cli.must("plan", "-out=import.tfplan")
	expectLine(t, cli.last, `Plan: 3 to import, 0 to add, 0 to change, 0 to destroy\.`)
	posts := env.sim.RequestCount("POST", "/v2/*") + env.sim.RequestCount("POST", "/v2/*/*/codes")
	cli.must("apply", "import.tfplan")
	expectLine(t, cli.last, `Apply complete! Resources: 3 imported, 0 added, 0 changed, 0 destroyed\.`)
	if n := env.sim.RequestCount("POST", "/v2/*") + env.sim.RequestCount("POST", "/v2/*/*/codes") - posts; n != 0 {
		t.Errorf("the import sent %d creating requests", n)
	}
	if out, err := cli.run("plan", "-detailed-exitcode"); err != nil {
		t.Errorf("plan after the import is not empty: %v\n%s", err, out)
	}
}

package provider

import (
	"context"
	"encoding/json"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"

	"github.com/epcc-community/terraform-provider-elasticpath/internal/epcc"
	"github.com/epcc-community/terraform-provider-elasticpath/internal/epccsim"
)

// A promotion a configuration does not manage is found by its id or its exact name; a name that matches
// none, or several, is an error that says so.
func TestAccPromotionDataSources(t *testing.T) {
	t.Parallel()
	env := newAccEnv(t, epccsim.Options{})
	unique, twice := testPrefix+t.Name(), testPrefix+t.Name()+" twice"
	env.deletePromotionsAfter(t, epcc.RulePromotions, unique)
	env.deletePromotionsAfter(t, epcc.RulePromotions, twice)
	env.deletePromotionsAfter(t, epcc.PromotionsStandard, unique)
	add := func(api epcc.API, name string) string {
		p := epcc.Promotion{Ref: epcc.PromotionRef{API: api}, Name: name, Enabled: true,
			Start: "2026-06-01T00:00:00Z", End: "2026-09-01T00:00:00Z"}
		if api == epcc.RulePromotions {
			p.RuleSet = json.RawMessage(`{"rules":{"strategy":"cart_total","operator":"gte","args":[10000]}}`)
		} else {
			p.PromotionType, p.Schema = "fixed_discount", json.RawMessage(`{"currencies":[{"currency":"USD","amount":900}]}`)
		}
		made, err := env.client.AddPromotion(context.Background(), p)
		if err != nil {
			t.Fatal(err)
		}
		return made.Ref.ID
	}
	rule := add(epcc.RulePromotions, unique)
	add(epcc.RulePromotions, twice)
	add(epcc.RulePromotions, twice)
	standard := add(epcc.PromotionsStandard, unique)
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProviders,
		Steps: []resource.TestStep{
			{
				Config: env.config(`
data "elasticpath_rule_promotion" "by_name" {
  name = %[1]q
}
data "elasticpath_rule_promotion" "by_id" {
  id = %[2]q
}
data "elasticpath_promotion" "by_name" {
  name = %[1]q
}
output "threshold" {
  value = jsondecode(data.elasticpath_rule_promotion.by_name.rule_set).rules.args[0]
}`, unique, rule),
				Check: resource.ComposeAggregateTestCheckFunc(
					resource.TestCheckResourceAttr("data.elasticpath_rule_promotion.by_name", "id", rule),
					resource.TestCheckResourceAttr("data.elasticpath_rule_promotion.by_id", "name", unique),
					resource.TestCheckResourceAttr("data.elasticpath_rule_promotion.by_id", "enabled", "true"),
					resource.TestCheckResourceAttr("data.elasticpath_promotion.by_name", "id", standard),
					resource.TestCheckResourceAttr("data.elasticpath_promotion.by_name", "promotion_type", "fixed_discount"),
					resource.TestCheckOutput("threshold", "10000"),
				),
			},
			{
				Config:      env.config(`data "elasticpath_rule_promotion" "x" { name = %q }`, twice),
				ExpectError: wrapped(`Several promotions have this name.*2 Rule Promotions are named`),
			},
			{
				Config:      env.config(`data "elasticpath_promotion" "x" { name = "no such promotion, surely" }`),
				ExpectError: wrapped(`Promotion not found.*No Promotions Standard promotion is named`),
			},
			{
				Config:      env.config(`data "elasticpath_rule_promotion" "x" { id = %q }`, standard),
				ExpectError: wrapped(`Promotion not found.*No Rule Promotion has the id`),
			},
		},
	})
}

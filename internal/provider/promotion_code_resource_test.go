package provider

import (
	"context"
	"fmt"
	"net/http"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/epcc-community/terraform-provider-elasticpath/internal/epcc"
	"github.com/epcc-community/terraform-provider-elasticpath/internal/epccsim"
)

const codeAddr = "elasticpath_promotion_code.vip"

// checkHeldCode checks what the promotion holds for code, straight from the API: nil want means none.
func checkHeldCode(env *accEnv, ref epcc.PromotionRef, code string, wantMaxUses *int64) resource.TestCheckFunc {
	return func(*terraform.State) error {
		held, err := env.client.FindCode(context.Background(), ref, code)
		switch {
		case err != nil:
			return err
		case wantMaxUses == nil && held != nil:
			return fmt.Errorf("%s still holds code %q", ref, held.Code)
		case wantMaxUses == nil:
			return nil
		case held == nil:
			return fmt.Errorf("%s holds no code %q", ref, code)
		case derefInt(held.MaxUses) != *wantMaxUses:
			return fmt.Errorf("code %q allows %d uses, want %d", held.Code, derefInt(held.MaxUses), *wantMaxUses)
		}
		return nil
	}
}

// A hand-made code on a Rule Promotion: made, redeemed by shoppers and written in another case with no change,
// imported by ID and identity, replaced when its uses change, deleted on destroy.
func TestAccPromotionCode_rulePromotion(t *testing.T) {
	t.Parallel()
	env := newAccEnv(t, epccsim.Options{})
	promo, ref := env.rulePromotion(t)
	code := func(code string, uses int) string {
		return env.config(`
resource "elasticpath_promotion_code" "vip" {
  rule_promotion_id = %q
  code              = %q
  uses              = %d
  consume_unit      = "per_checkout"
  max_uses_per_shopper = {
    max_uses        = 1
    includes_guests = true
  }
}`, promo, code, uses)
	}
	steps := []resource.TestStep{
		{
			Config: code("SUMMER-VIP", 100),
			Check: resource.ComposeAggregateTestCheckFunc(
				checkHeldCode(env, ref, "summer-vip", ptr(int64(100))),
				resource.TestCheckResourceAttr(codeAddr, "id", "rule-promotions/"+promo+"/SUMMER-VIP"),
				resource.TestCheckResourceAttrSet(codeAddr, "code_id"),
			),
			ConfigStateChecks: identityChecks(t, statecheck.ExpectIdentityValueMatchesState(codeAddr, tfjsonpath.New("code"))),
		},
	}
	if env.sim != nil {
		steps = append(steps, resource.TestStep{
			// Shoppers redeem it: the uses left go down, and nothing is to change.
			PreConfig: func() {
				if err := env.sim.Redeem(promo, "summer-vip", 3); err != nil {
					t.Fatal(err)
				}
			},
			Config:           code("SUMMER-VIP", 100),
			ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()}},
		})
	}
	steps = append(steps,
		resource.TestStep{
			Config:           code("summer-vip", 100),
			ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()}},
		},
		resource.TestStep{
			Config: code("SUMMER-VIP", 100), ResourceName: codeAddr, ImportState: true, ImportStateVerify: true,
			ImportStateId: "rule-promotions/" + promo + "/SUMMER-VIP",
		},
	)
	steps = append(steps, identityImport(t, resource.TestStep{Config: code("SUMMER-VIP", 100), ResourceName: codeAddr})...)
	steps = append(steps,
		resource.TestStep{
			Config: code("SUMMER-VIP", 50),
			ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
				plancheck.ExpectResourceAction(codeAddr, plancheck.ResourceActionDestroyBeforeCreate),
			}},
			Check: checkHeldCode(env, ref, "SUMMER-VIP", ptr(int64(50))),
		},
	)
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProviders,
		Steps:                    steps,
		CheckDestroy:             checkHeldCode(env, ref, "SUMMER-VIP", nil),
	})
}

// A hand-made code on a Promotions Standard promotion, where the API counts the uses left in `uses` itself.
func TestAccPromotionCode_standardPromotion(t *testing.T) {
	t.Parallel()
	env := newAccEnv(t, epccsim.Options{})
	env.needsSim(t)
	promo := env.promotion(t, epcc.PromotionsStandard, false)
	ref := epcc.PromotionRef{API: epcc.PromotionsStandard, ID: promo}
	config := env.config(`
resource "elasticpath_promotion_code" "vip" {
  promotion_id = %q
  code         = "LEGACY-9"
  uses         = 10
  consume_unit = "per_cart"
  user         = "customer-1"
}`, promo)
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProviders,
		Steps: []resource.TestStep{
			{Config: config, Check: checkHeldCode(env, ref, "legacy-9", ptr(int64(10)))},
			{
				PreConfig: func() {
					if err := env.sim.Redeem(promo, "LEGACY-9", 4); err != nil {
						t.Fatal(err)
					}
				},
				Config:           config,
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()}},
			},
			{Config: config, ResourceName: codeAddr, ImportState: true, ImportStateVerify: true, ImportStateId: "promotions/" + promo + "/LEGACY-9"},
			{
				// Deleted outside Terraform: the refresh drops it and the apply makes it again.
				PreConfig: func() {
					if err := env.client.DeleteCode(context.Background(), ref, epcc.Code{Code: "LEGACY-9"}); err != nil {
						t.Fatal(err)
					}
				},
				Config: config,
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(codeAddr, plancheck.ResourceActionCreate),
				}},
				Check: checkHeldCode(env, ref, "LEGACY-9", ptr(int64(10))),
			},
			{
				// The promotion deleted outside Terraform took its code with it: the refresh drops the code, so
				// that a configuration without it has nothing left to destroy.
				PreConfig: func() {
					if err := env.client.DeletePromotion(context.Background(), ref); err != nil {
						t.Fatal(err)
					}
				},
				Config:           env.provider,
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()}},
			},
		},
	})
}

// What the API documents it refuses is refused at plan, naming the attribute, with nothing sent.
func TestAccPromotionCode_refusedAtPlan(t *testing.T) {
	t.Parallel()
	env := newAccEnv(t, epccsim.Options{})
	env.needsSim(t)
	rule, _ := env.rulePromotion(t)
	standard := env.promotion(t, epcc.PromotionsStandard, false)
	automatic := env.promotion(t, epcc.RulePromotions, true)
	code := func(promotionAttr, promo, fields string) string {
		return env.config(`
resource "elasticpath_promotion_code" "vip" {
  %s = %q
  code = "VIP"
  %s
}`, promotionAttr, promo, fields)
	}
	cases := []struct{ config, pattern string }{
		{code("rule_promotion_id", rule, `consume_unit = "per_cart"`), `Invalid consume_unit for this promotion API`},
		{code("rule_promotion_id", rule, `consume_unit = "per_application"
  max_uses_per_shopper = { max_uses = 1 }`), `Per-shopper limit with per_application`},
		{code("rule_promotion_id", rule, `max_uses_per_shopper = { includes_guests = true }`), `(?s)max_uses_per_shopper.*attribute "max_uses" is required`},
		{code("rule_promotion_id", rule, `user = ""`), `(?s)Attribute user string length must be at least 1`},
		{env.config(`
resource "elasticpath_promotion_code" "vip" {
  rule_promotion_id = %q
  code              = "VIP"
}
resource "elasticpath_promotion_code" "again" {
  rule_promotion_id = %q
  code              = "vip"
}`, rule, rule), `(?s)Two codes of this plan are the same code`},
		{code("rule_promotion_id", rule, `is_for_new_shopper = true
  uses = 1`), `(?s)Not with is_for_new_shopper.*remove uses`},
		{code("promotion_id", standard, `is_for_new_shopper = true`), `(?s)Not on Promotions Standard.*is_for_new_shopper`},
		{code("rule_promotion_id", automatic, ""), `Automatic promotion takes no codes`},
		{env.config(`
resource "elasticpath_promotion_code" "vip" {
  code = "VIP"
}`), `(?s)Missing Attribute Configuration.*promotion_id,rule_promotion_id`},
	}
	var steps []resource.TestStep
	for _, c := range cases {
		steps = append(steps, resource.TestStep{Config: c.config, PlanOnly: true, ExpectError: wrapped(c.pattern)})
	}
	resource.Test(t, resource.TestCase{ProtoV6ProviderFactories: testAccProviders, Steps: steps})
}

// A code the promotion already holds: with the same fields (a run that died made it) it is adopted; with
// other fields the plan stops, naming the code and the import command. A code that another promotion holds
// is made, with the API's message as a warning.
func TestAccPromotionCode_alreadyHeld(t *testing.T) {
	t.Parallel()
	env := newAccEnv(t, epccsim.Options{})
	env.needsSim(t)
	promo, ref := env.rulePromotion(t)
	_, elsewhere := env.rulePromotion(t)
	ten := int64(10)
	for _, r := range []epcc.PromotionRef{ref, elsewhere} {
		if _, err := env.client.CreateCode(context.Background(), r, epcc.NewCode{Code: "Left-Behind", Uses: &ten, ConsumeUnit: "per_checkout"}); err != nil {
			t.Fatal(err)
		}
	}
	config := func(code string, uses int) string {
		return env.config(`
resource "elasticpath_promotion_code" "vip" {
  rule_promotion_id = %q
  code              = %q
  uses              = %d
  consume_unit      = "per_checkout"
}`, promo, code, uses)
	}
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProviders,
		Steps: []resource.TestStep{
			{
				Config:      config("LEFT-BEHIND", 5),
				ExpectError: wrapped(`The promotion already holds this code.*"Left-Behind".*terraform import ADDRESS rule-promotions/` + promo + `/Left-Behind`),
			},
			{
				Config: config("left-behind", 10),
				Check: resource.ComposeAggregateTestCheckFunc(
					checkHeldCode(env, ref, "left-behind", ptr(int64(10))),
					func(*terraform.State) error {
						if n := env.sim.RequestCount(http.MethodPost, "/v2/rule-promotions/"+promo+"/codes"); n != 1 {
							return fmt.Errorf("%d code POSTs on the promotion, want only the run that died's", n)
						}
						return nil
					},
				),
			},
		},
	})
}

// A refresh reads a hand-made code with one request, however many codes its promotion holds.
func TestAccPromotionCode_refreshIsOneRequest(t *testing.T) {
	t.Parallel()
	env := newAccEnv(t, epccsim.Options{CodesPerSecond: 10000})
	env.needsSim(t)
	promo, ref := env.rulePromotion(t)
	env.generate(t, ref, 500, "GEN-")
	codes := "/v2/rule-promotions/*/codes"
	var before int
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProviders,
		Steps: []resource.TestStep{
			{Config: env.config(`
resource "elasticpath_promotion_code" "vip" {
  rule_promotion_id = %q
  code              = "VIP"
}`, promo)},
			{
				PreConfig:    func() { before = env.sim.RequestCount(http.MethodGet, codes) },
				RefreshState: true,
				Check: func(*terraform.State) error {
					if n := env.sim.RequestCount(http.MethodGet, codes) - before; n != 1 {
						return fmt.Errorf("the refresh read the codes with %d requests, want 1", n)
					}
					return nil
				},
			},
		},
	})
}

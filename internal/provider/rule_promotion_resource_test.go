package provider

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/epcc-community/terraform-provider-elasticpath/internal/epcc"
	"github.com/epcc-community/terraform-provider-elasticpath/internal/epccsim"
)

const rulePromotionAddr = "elasticpath_rule_promotion.test"

// rulePromotionConfig is a Rule Promotion named for the test (names are identities: each test has its own),
// with the fields given as HCL lines.
func (e *accEnv) rulePromotionConfig(t *testing.T, fields string) string {
	return e.config(`
resource "elasticpath_rule_promotion" "test" {
  name = %q
%s
}`, testPrefix+t.Name(), fields)
}

// deleteRulePromotionsAfter removes, when the test ends, the Rule Promotions named for the test that
// Terraform left (a failed step leaves some).
func (e *accEnv) deleteRulePromotionsAfter(t *testing.T) {
	e.deletePromotionsAfter(t, epcc.RulePromotions, testPrefix+t.Name())
}

// deletePromotionsAfter removes, when the test ends, the API's promotions of that name.
func (e *accEnv) deletePromotionsAfter(t *testing.T, api epcc.API, name string) {
	t.Cleanup(func() {
		found, err := e.client.FindPromotions(context.Background(), api, name)
		if err != nil {
			t.Errorf("looking for promotions left behind: %v", err)
		}
		for _, p := range found {
			if err := e.client.DeletePromotion(context.Background(), p.Ref); err != nil {
				t.Errorf("delete %s: %v", p.Ref, err)
			}
		}
	})
}

// rulePromotionOf reads the promotion in the state straight from the API.
func (e *accEnv) rulePromotionOf(s *terraform.State) (*epcc.Promotion, error) {
	rs, ok := s.RootModule().Resources[rulePromotionAddr]
	if !ok {
		return nil, fmt.Errorf("%s not in the state", rulePromotionAddr)
	}
	return e.client.GetPromotion(context.Background(), epcc.PromotionRef{API: epcc.RulePromotions, ID: rs.Primary.ID})
}

const summerFields = `
  description = "15% off carts over $100"
  enabled     = true
  start       = "2026-06-01"
  end         = "2026-09-01T00:00:00Z"
  rule_set = jsonencode({
    currencies = ["USD"]
    rules      = { strategy = "cart_total", operator = "gte", args = [10000] }
    actions    = [{ strategy = "cart_discount", args = ["percent", 15] }]
  })`

// Create, update in place, the same document and dates written otherwise, import by id and by identity.
func TestAccRulePromotion_lifecycle(t *testing.T) {
	t.Parallel()
	env := newAccEnv(t, epccsim.Options{})
	env.deleteRulePromotionsAfter(t)
	created := env.rulePromotionConfig(t, summerFields)
	updated := env.rulePromotionConfig(t, strings.NewReplacer(`"percent", 15`, `"percent", 20`, "enabled     = true", "enabled     = false").Replace(summerFields))
	// The updated promotion, its document in another key order and layout, its dates in other forms.
	rewritten := env.rulePromotionConfig(t, `
  description = "15% off carts over $100"
  enabled     = false
  start       = "2026-06-01T02:00:00+02:00"
  end         = "2026-09-01"
  rule_set    = <<-JSON
    {
      "actions": [ { "args": [ "percent", 20.0 ], "strategy": "cart_discount" } ],
      "rules": { "args": [ 10000 ], "operator": "gte", "strategy": "cart_total" },
      "currencies": [ "USD" ]
    }
  JSON`)
	var id string
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProviders,
		Steps: append([]resource.TestStep{
			{
				Config: created,
				Check: resource.ComposeAggregateTestCheckFunc(
					resource.TestCheckResourceAttr(rulePromotionAddr, "start", "2026-06-01"),
					resource.TestCheckResourceAttr(rulePromotionAddr, "automatic", "false"),
					resource.TestCheckResourceAttrSet(rulePromotionAddr, "stackable"),
					resource.TestCheckResourceAttrSet(rulePromotionAddr, "created_at"),
					func(s *terraform.State) error {
						p, err := env.rulePromotionOf(s)
						if err != nil {
							return err
						}
						id = p.Ref.ID
						if !p.Enabled || !strings.Contains(string(p.RuleSet), `"percent",15`) {
							return fmt.Errorf("the store holds %+v (rule_set %s)", p, p.RuleSet)
						}
						return nil
					},
				),
				ConfigStateChecks: identityChecks(t, statecheck.ExpectIdentityValueMatchesState(rulePromotionAddr, tfjsonpath.New("id"))),
			},
			{
				Config: updated,
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(rulePromotionAddr, plancheck.ResourceActionUpdate),
				}},
				Check: func(s *terraform.State) error {
					p, err := env.rulePromotionOf(s)
					if err != nil {
						return err
					}
					if p.Ref.ID != id || p.Enabled || !strings.Contains(string(p.RuleSet), `"percent",20`) {
						return fmt.Errorf("the store holds %+v (rule_set %s), want promotion %s updated", p, p.RuleSet, id)
					}
					return nil
				},
			},
			{
				Config:           rewritten,
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()}},
			},
			{
				Config:            updated,
				ResourceName:      rulePromotionAddr,
				ImportState:       true,
				ImportStateVerify: true,
				// The configuration writes the start as a date; the API, and so an import, as RFC 3339.
				ImportStateVerifyIgnore: []string{"start"},
			},
		}, identityImport(t, resource.TestStep{Config: updated, ResourceName: rulePromotionAddr})...),
	})
}

// Changes made outside Terraform show in the plan and are set back; a promotion deleted outside leaves the
// state and is created again.
func TestAccRulePromotion_driftAndDeletedOutside(t *testing.T) {
	t.Parallel()
	env := newAccEnv(t, epccsim.Options{})
	env.deleteRulePromotionsAfter(t)
	config := env.rulePromotionConfig(t, summerFields)
	var id string
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProviders,
		Steps: []resource.TestStep{
			{
				Config: config,
				Check: func(s *terraform.State) error {
					p, err := env.rulePromotionOf(s)
					if err == nil {
						id = p.Ref.ID
					}
					return err
				},
			},
			{
				PreConfig: func() {
					p, err := env.client.GetPromotion(context.Background(), epcc.PromotionRef{API: epcc.RulePromotions, ID: id})
					if err != nil {
						t.Fatal(err)
					}
					p.RuleSet = json.RawMessage(`{"currencies":["USD"],"catalog_ids":["11111111-1111-4111-8111-111111111111"],"rules":{"strategy":"cart_total","operator":"gte","args":[5000]},"actions":[{"strategy":"cart_discount","args":["percent",15]}]}`)
					p.Enabled = false
					if _, err := env.client.UpdatePromotion(context.Background(), *p); err != nil {
						t.Fatal(err)
					}
				},
				Config: config,
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(rulePromotionAddr, plancheck.ResourceActionUpdate),
					plancheck.ExpectKnownValue(rulePromotionAddr, tfjsonpath.New("enabled"), knownvalue.Bool(true)),
				}},
				Check: func(s *terraform.State) error {
					p, err := env.rulePromotionOf(s)
					if err != nil {
						return err
					}
					if strings.Contains(string(p.RuleSet), "11111111-") || !strings.Contains(string(p.RuleSet), "10000") {
						return fmt.Errorf("the drift was not set back: %s", p.RuleSet)
					}
					return nil
				},
			},
			{
				PreConfig: func() {
					if err := env.client.DeletePromotion(context.Background(), epcc.PromotionRef{API: epcc.RulePromotions, ID: id}); err != nil {
						t.Fatal(err)
					}
				},
				Config: config,
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(rulePromotionAddr, plancheck.ResourceActionCreate),
				}},
				Check: func(s *terraform.State) error {
					p, err := env.rulePromotionOf(s)
					if err == nil && p.Ref.ID == id {
						return fmt.Errorf("still promotion %s", id)
					}
					return err
				},
			},
		},
	})
}

// A run killed after its create left the promotion in the store and not in the state: the next apply adopts
// it. A promotion of the same name with other fields is a plan error naming it and the import command.
func TestAccRulePromotion_sameNameInStore(t *testing.T) {
	t.Parallel()
	env := newAccEnv(t, epccsim.Options{})
	env.needsSim(t)
	env.deleteRulePromotionsAfter(t)
	left := epcc.Promotion{
		Ref: epcc.PromotionRef{API: epcc.RulePromotions}, Name: testPrefix + t.Name(), Description: "15% off carts over $100", Enabled: true,
		Start: "2026-06-01", End: "2026-09-01T00:00:00Z",
		RuleSet: json.RawMessage(`{"currencies":["USD"],"rules":{"strategy":"cart_total","operator":"gte","args":[10000]},"actions":[{"strategy":"cart_discount","args":["percent",15]}]}`),
	}
	var leftID string
	other := strings.Replace(summerFields, "enabled     = true", "enabled     = false", 1)
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProviders,
		Steps: []resource.TestStep{
			{
				PreConfig: func() {
					p, err := env.client.AddPromotion(context.Background(), left)
					if err != nil {
						t.Fatal(err)
					}
					leftID = p.Ref.ID
				},
				Config: env.rulePromotionConfig(t, other),
				ExpectError: wrapped(`A promotion of this name already exists.*with other fields.*` +
					`terraform import ADDRESS [0-9a-f-]{36}`),
			},
			{
				Config: env.rulePromotionConfig(t, summerFields),
				Check: resource.ComposeAggregateTestCheckFunc(
					func(s *terraform.State) error {
						return resource.TestCheckResourceAttr(rulePromotionAddr, "id", leftID)(s)
					},
					func(*terraform.State) error {
						if n := env.sim.RequestCount(http.MethodPost, "/v2/rule-promotions"); n != 1 {
							return fmt.Errorf("%d promotion POSTs, want only the killed run's", n)
						}
						return nil
					},
				),
			},
		},
	})
}

// What the configuration alone tells is refused at plan, with nothing sent; a strategy the provider does not
// know reaches the API, whose refusal the apply quotes.
func TestAccRulePromotion_refusedAtPlan(t *testing.T) {
	t.Parallel()
	env := newAccEnv(t, epccsim.Options{})
	env.needsSim(t)
	env.deleteRulePromotionsAfter(t)
	cases := map[string]string{
		`(?s)end.*must be after start`:                                     strings.Replace(summerFields, `"2026-09-01T00:00:00Z"`, `"2026-05-01"`, 1),
		`(?s)Invalid JSON String Value`:                                    `rule_set = "{rules:"`,
		`(?s)rule_set is not an object`:                                    `rule_set = jsonencode([1, 2])`,
		`(?s)"2026-13-01" is not a date`:                                   `start = "2026-13-01"` + "\n" + `rule_set = jsonencode({})`,
		`(?s)Creating Rule Promotion.*strategy "moon_phase" is not one of`: `rule_set = jsonencode({ rules = { strategy = "moon_phase" } })`,
	}
	var steps []resource.TestStep
	for pattern, fields := range cases {
		steps = append(steps, resource.TestStep{Config: env.rulePromotionConfig(t, fields), ExpectError: wrapped(pattern)})
	}
	resource.Test(t, resource.TestCase{ProtoV6ProviderFactories: testAccProviders, Steps: steps})
	if n := env.sim.RequestCount(http.MethodPost, "/v2/rule-promotions"); n != 1 {
		t.Errorf("%d promotion POSTs, want the one the API refused", n)
	}
}

// A new priority replaces the promotion: the API cannot change it.
func TestAccRulePromotion_priorityReplaces(t *testing.T) {
	t.Parallel()
	env := newAccEnv(t, epccsim.Options{})
	env.deleteRulePromotionsAfter(t)
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProviders,
		Steps: []resource.TestStep{
			{Config: env.rulePromotionConfig(t, summerFields+"\n  priority = 11")},
			{
				Config: env.rulePromotionConfig(t, summerFields+"\n  priority = 12"),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(rulePromotionAddr, plancheck.ResourceActionDestroyBeforeCreate),
				}},
				Check: resource.TestCheckResourceAttr(rulePromotionAddr, "priority", "12"),
			},
		},
	})
}

// An unknown strategy is a warning naming it and the known ones, never an error.
func TestUnknownStrategiesWarn(t *testing.T) {
	var set map[string]any
	if err := json.Unmarshal([]byte(`{"rules":{"strategy":"and","children":[{"strategy":"cart_total"},{"strategy":"moon_phase"}]},"actions":[{"strategy":"free_lunch"},{"strategy":"cart_discount"}]}`), &set); err != nil {
		t.Fatal(err)
	}
	diags := unknownStrategies(set)
	if diags.HasError() || diags.WarningsCount() != 2 {
		t.Fatalf("diagnostics %v, want two warnings", diags)
	}
	for i, want := range []string{`rule strategy "moon_phase"`, `action strategy "free_lunch"`} {
		if d := diags.Warnings()[i]; !strings.Contains(d.Detail(), want) || !strings.Contains(d.Detail(), "cart_total") && i == 0 {
			t.Errorf("warning %d: %s", i, d.Detail())
		}
	}
}

// Fields left unset are not sent: two promotions without a priority do not collide on one, and take Elastic
// Path's defaults.
func TestAccRulePromotion_unsetFieldsAreNotSent(t *testing.T) {
	t.Parallel()
	env := newAccEnv(t, epccsim.Options{})
	env.deleteRulePromotionsAfter(t)
	config := env.rulePromotionConfig(t, summerFields) + fmt.Sprintf(`
resource "elasticpath_rule_promotion" "other" {
  name     = %q
  rule_set = jsonencode({ rules = { strategy = "cart_total", operator = "gte", args = [1] } })
}`, testPrefix+t.Name()+" other")
	env.deletePromotionsAfter(t, epcc.RulePromotions, testPrefix+t.Name()+" other")
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProviders,
		Steps: []resource.TestStep{{
			Config: config,
			Check: resource.ComposeAggregateTestCheckFunc(
				resource.TestCheckResourceAttr(rulePromotionAddr, "stackable", "true"),
				resource.TestCheckNoResourceAttr(rulePromotionAddr, "priority"),
				resource.TestCheckNoResourceAttr("elasticpath_rule_promotion.other", "priority"),
			),
		}},
	})
}

// What Elastic Path refuses of a Rule Promotion for the others the store holds is refused at plan: a priority
// a running or scheduled promotion has, and an automatic promotion over the 50 a store may hold.
func TestAccRulePromotion_storeRulesAtPlan(t *testing.T) {
	t.Parallel()
	env := newAccEnv(t, epccsim.Options{})
	env.needsSim(t) // a real store holds promotions of its own
	ctx := context.Background()
	seven := int64(7)
	if _, err := env.client.AddPromotion(ctx, epcc.Promotion{Ref: epcc.PromotionRef{API: epcc.RulePromotions},
		Name: testPrefix + t.Name() + " seven", Priority: &seven, Start: "2026-01-01", End: "2030-01-01",
		RuleSet: json.RawMessage(`{"rules":{"strategy":"cart_total","operator":"gte","args":[1]}}`)}); err != nil {
		t.Fatal(err)
	}
	env.deletePromotionsAfter(t, epcc.RulePromotions, testPrefix+t.Name()+" seven")
	env.deletePromotionsAfter(t, epcc.RulePromotions, testPrefix+t.Name()+" automatic")
	for i := 0; i < 50; i++ {
		if _, err := env.client.CreatePromotion(ctx, epcc.RulePromotions, epcc.NewPromotion{Name: testPrefix + t.Name() + " automatic", Automatic: true}); err != nil {
			t.Fatal(err)
		}
	}
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProviders,
		Steps: []resource.TestStep{
			{
				Config:      env.rulePromotionConfig(t, summerFields+"\n  priority = 7"),
				PlanOnly:    true,
				ExpectError: wrapped(`Priority taken.*tf-acc TestAccRulePromotion_storeRulesAtPlan seven.*priority 7`),
			},
			{
				Config:      env.rulePromotionConfig(t, summerFields+"\n  automatic = true"),
				PlanOnly:    true,
				ExpectError: wrapped(`Too many automatic Rule Promotions.*holds 50`),
			},
			{Config: env.rulePromotionConfig(t, summerFields+"\n  priority = 8"), PlanOnly: true, ExpectNonEmptyPlan: true},
		},
	})
}

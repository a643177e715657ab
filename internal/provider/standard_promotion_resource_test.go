package provider

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/epcc-community/terraform-provider-elasticpath/internal/epcc"
	"github.com/epcc-community/terraform-provider-elasticpath/internal/epccsim"
)

const standardAddr = "elasticpath_promotion.test"

// standardConfig is a Promotions Standard promotion named for the test, with the fields given as HCL lines.
func (e *accEnv) standardConfig(t *testing.T, fields string) string {
	return e.config(`
resource "elasticpath_promotion" "test" {
  name = %q
%s
}`, testPrefix+t.Name(), fields)
}

// standardOf reads the promotion in the state straight from the API.
func (e *accEnv) standardOf(s *terraform.State) (*epcc.Promotion, error) {
	rs, ok := s.RootModule().Resources[standardAddr]
	if !ok {
		return nil, fmt.Errorf("%s not in the state", standardAddr)
	}
	return e.client.GetPromotion(context.Background(), epcc.PromotionRef{API: epcc.PromotionsStandard, ID: rs.Primary.ID})
}

const nineOff = `
  enabled        = true
  promotion_type = "fixed_discount"
  schema         = jsonencode({ currencies = [{ currency = "USD", amount = 900 }] })
  start          = "2026-06-01T00:00:00Z"
  end            = "2026-09-01T00:00:00Z"`

// Create, update in place (the schema too, and the type with it), the same schema and dates written
// otherwise, import by id and by identity, and a promotion deleted outside Terraform made again.
func TestAccStandardPromotion_lifecycle(t *testing.T) {
	t.Parallel()
	env := newAccEnv(t, epccsim.Options{})
	env.deletePromotionsAfter(t, epcc.PromotionsStandard, testPrefix+t.Name())
	created := env.standardConfig(t, nineOff)
	tenPercent := env.standardConfig(t, `
  description    = "10% off two SKUs"
  enabled        = true
  promotion_type = "item_percent_discount"
  schema         = jsonencode({ targets = ["sku1", "sku2"], percent = 10 })
  start          = "2026-06-01T00:00:00Z"
  end            = "2026-09-01T00:00:00Z"`)
	rewritten := env.standardConfig(t, `
  description    = "10% off two SKUs"
  enabled        = true
  promotion_type = "item_percent_discount"
  schema         = "{ \"percent\": 10.0,  \"targets\": [\"sku1\", \"sku2\"] }"
  start          = "2026-06-01"
  end            = "2026-09-01T02:00:00+02:00"`)
	var id string
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProviders,
		Steps: append(append([]resource.TestStep{
			{
				Config: created,
				Check: func(s *terraform.State) error {
					p, err := env.standardOf(s)
					if err != nil {
						return err
					}
					id = p.Ref.ID
					if p.PromotionType != "fixed_discount" || !strings.Contains(string(p.Schema), "900") {
						return fmt.Errorf("the store holds %+v", p)
					}
					return nil
				},
				ConfigStateChecks: identityChecks(t, statecheck.ExpectIdentityValueMatchesState(standardAddr, tfjsonpath.New("id"))),
			},
			{
				Config: tenPercent,
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(standardAddr, plancheck.ResourceActionUpdate),
				}},
				Check: func(s *terraform.State) error {
					p, err := env.standardOf(s)
					if err != nil {
						return err
					}
					if p.Ref.ID != id || p.PromotionType != "item_percent_discount" || !strings.Contains(string(p.Schema), "sku2") {
						return fmt.Errorf("the store holds %+v, want promotion %s updated", p, id)
					}
					return nil
				},
			},
			{
				Config:           rewritten,
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()}},
			},
			{Config: tenPercent, ResourceName: standardAddr, ImportState: true, ImportStateVerify: true},
		}, identityImport(t, resource.TestStep{Config: tenPercent, ResourceName: standardAddr})...), resource.TestStep{
			PreConfig: func() {
				if err := env.client.DeletePromotion(context.Background(), epcc.PromotionRef{API: epcc.PromotionsStandard, ID: id}); err != nil {
					t.Fatal(err)
				}
			},
			Config: tenPercent,
			ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
				plancheck.ExpectResourceAction(standardAddr, plancheck.ResourceActionCreate),
			}},
		}),
	})
}

// What the configuration alone tells is refused at plan.
func TestAccStandardPromotion_refusedAtPlan(t *testing.T) {
	t.Parallel()
	env := newAccEnv(t, epccsim.Options{})
	cases := map[string]string{
		`(?s)promotion_type value must be one of`: strings.Replace(nineOff, `"fixed_discount"`, `"free_lunch"`, 1),
		`(?s)end.*must be after start`:            strings.Replace(nineOff, `end            = "2026-09-01T00:00:00Z"`, `end = "2026-05-01"`, 1),
		`(?s)schema is not an object`:             strings.Replace(nineOff, `jsonencode({ currencies = [{ currency = "USD", amount = 900 }] })`, `jsonencode("900")`, 1),
	}
	var steps []resource.TestStep
	for pattern, fields := range cases {
		steps = append(steps, resource.TestStep{Config: env.standardConfig(t, fields), PlanOnly: true, ExpectError: wrapped(pattern)})
	}
	resource.Test(t, resource.TestCase{ProtoV6ProviderFactories: testAccProviders, Steps: steps})
}

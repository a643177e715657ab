package provider

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/terraform"

	"github.com/epcc-community/terraform-provider-elasticpath/internal/epcc"
	"github.com/epcc-community/terraform-provider-elasticpath/internal/epccsim"
)

// The codes data source reads a full promotion (1000 codes, ten pages) and returns exactly the codes the API
// holds; the prefix filter and an empty promotion work; a missing promotion names the attribute.
func TestAccPromotionCodesDataSource(t *testing.T) {
	t.Parallel()
	env := newAccEnv(t, epccsim.Options{})
	full := epcc.PromotionRef{API: epcc.RulePromotions, ID: env.promotion(t, epcc.RulePromotions, false)}
	env.generate(t, full, 600, "SPRING-")
	env.generate(t, full, 400, "autumn-")
	empty := env.promotion(t, epcc.PromotionsStandard, false)
	const addr = "data.elasticpath_promotion_codes.test"

	sameCodes := func(s *terraform.State) error {
		want, err := codeStrings(env.client.ListPromotionCodes(context.Background(), full))
		if err != nil {
			return err
		}
		got := s.RootModule().Resources[addr].Primary.Attributes
		if got["codes.#"] != strconv.Itoa(len(want)) {
			return fmt.Errorf("codes.# = %s, the API holds %d", got["codes.#"], len(want))
		}
		for i, code := range want {
			if got[fmt.Sprintf("codes.%d.code", i)] != code {
				return fmt.Errorf("codes.%d.code = %q, want %q", i, got[fmt.Sprintf("codes.%d.code", i)], code)
			}
		}
		return nil
	}
	allPrefixed := func(prefix string) resource.TestCheckFunc {
		return func(s *terraform.State) error {
			got := s.RootModule().Resources[addr].Primary.Attributes
			for k, v := range got {
				if strings.HasSuffix(k, ".code") && !strings.HasPrefix(strings.ToLower(v), prefix) {
					return fmt.Errorf("%s = %q lacks the prefix %q", k, v, prefix)
				}
			}
			return nil
		}
	}
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProviders,
		Steps: []resource.TestStep{
			{
				Config: env.config(`data "elasticpath_promotion_codes" "test" { rule_promotion_id = %q }`, full.ID),
				Check: resource.ComposeTestCheckFunc(
					resource.TestCheckResourceAttr(addr, "total", "1000"),
					resource.TestCheckResourceAttrSet(addr, "codes.999.consume_unit"),
					resource.TestCheckResourceAttrSet(addr, "codes.0.created_at"),
					sameCodes,
				),
			},
			{
				// Codes are case-insensitive: the prefix is too.
				Config: env.config(`data "elasticpath_promotion_codes" "test" {
  rule_promotion_id = %q
  prefix            = "AUTUMN-"
}`, full.ID),
				Check: resource.ComposeTestCheckFunc(resource.TestCheckResourceAttr(addr, "total", "400"), allPrefixed("autumn-")),
			},
			{
				Config: env.config(`data "elasticpath_promotion_codes" "test" { promotion_id = %q }`, empty),
				Check:  resource.ComposeTestCheckFunc(resource.TestCheckResourceAttr(addr, "total", "0"), resource.TestCheckResourceAttr(addr, "codes.#", "0")),
			},
			{
				Config:      env.config(`data "elasticpath_promotion_codes" "test" { promotion_id = %q }`, full.ID),
				ExpectError: wrapped(`Promotion not found.*promotion_id "` + full.ID + `" names no promotion of the promotions API`),
			},
		},
	})
}

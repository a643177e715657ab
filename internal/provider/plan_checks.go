package provider

import (
	"context"
	"fmt"
	"sync"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/epcc-community/terraform-provider-elasticpath/internal/epcc"
)

// planChecks holds what plan learns about promotions during one run of the provider, so that a plan fails on
// what the API would refuse at apply: a promotion that does not exist, codes on an automatic promotion, more
// codes than a promotion may hold. Terraform configures the provider anew for each walk (plan, then apply), so
// the tally never counts an instance of one walk twice.
type planChecks struct {
	client *epcc.Client
	budget int64 // most codes one promotion may hold

	mu     sync.Mutex
	promos map[epcc.PromotionRef]*promotionFacts
}

// promotionFacts is read once per promotion per run and shared by every resource planned on it.
type promotionFacts struct {
	once      sync.Once
	promotion *epcc.Promotion
	codes     int64 // held before this run
	err       error
	asked     int64 // codes asked for by the jobs planned so far in this run
}

func newPlanChecks(client *epcc.Client, budget int64) *planChecks {
	return &planChecks{client: client, budget: budget, promos: map[epcc.PromotionRef]*promotionFacts{}}
}

func (c *planChecks) facts(ref epcc.PromotionRef) *promotionFacts {
	c.mu.Lock()
	defer c.mu.Unlock()
	f, ok := c.promos[ref]
	if !ok {
		f = &promotionFacts{}
		c.promos[ref] = f
	}
	return f
}

// checkNewJob checks a job this plan will create on ref; numberOfCodes is nil for jobs that make no codes or
// whose count is unknown until apply. Diagnostics are attached to the attribute naming the promotion.
func (c *planChecks) checkNewJob(ctx context.Context, ref epcc.PromotionRef, jobType string, numberOfCodes *int64) diag.Diagnostics {
	var diags diag.Diagnostics
	f := c.facts(ref)
	f.once.Do(func() {
		f.promotion, f.err = c.client.GetPromotion(ctx, ref)
		if f.err == nil && !f.promotion.Automatic {
			f.codes, f.err = c.client.CountCodes(ctx, ref)
		}
	})
	idAttr := promotionIDAttr(ref.API)
	at := path.Root(idAttr)
	switch {
	case epcc.IsNotFound(f.err):
		other := "rule_promotion_id"
		if idAttr == other {
			other = "promotion_id"
		}
		diags.AddAttributeError(at, "Promotion not found",
			fmt.Sprintf("%s %q names no promotion of the %s API (GET %s answered 404). Check the id, and whether it "+
				"belongs to the other API (%s).", idAttr, ref.ID, ref.API, "/v2/"+string(ref.API)+"/"+ref.ID, other))
		return diags
	case f.err != nil && f.promotion == nil:
		diags.AddAttributeWarning(at, "Promotion not checked at plan",
			fmt.Sprintf("Could not read %s to check that it exists and takes codes; the check is skipped and apply "+
				"will tell: %s", ref, f.err))
		return diags
	case jobType != epcc.JobTypeGenerate:
		return diags
	case f.promotion.Automatic:
		diags.AddAttributeError(at, "Automatic promotion takes no codes",
			fmt.Sprintf("%s (%q) is automatic: Elastic Path refuses code_generate jobs on it (422 \"No codes "+
				"allowed\"). Use a promotion that customers redeem with codes.", ref, f.promotion.Name))
		return diags
	case f.err != nil:
		diags.AddAttributeWarning(at, "Code budget not checked at plan",
			fmt.Sprintf("Could not count the codes of %s; the check against max_codes_per_promotion is skipped: %s", ref, f.err))
		return diags
	case numberOfCodes == nil:
		return diags
	}

	c.mu.Lock()
	f.asked += *numberOfCodes
	asked := f.asked
	c.mu.Unlock()
	tflog.Debug(ctx, "planned codes on promotion", map[string]any{
		"promotion": ref.String(), "codes_held": f.codes, "codes_asked": asked, "budget": c.budget,
	})
	if f.codes+asked > c.budget {
		diags.AddAttributeError(at, "Too many codes for one promotion",
			fmt.Sprintf("%s holds %d codes, and the code_generate jobs planned on it in this run ask for %d more: %d in "+
				"all, over the %d codes a promotion may hold. Ask for fewer codes, or use another promotion. If your "+
				"store allows more codes per promotion, raise the provider's max_codes_per_promotion (or %s).",
				ref, f.codes, asked, f.codes+asked, c.budget, EnvMaxCodesPerPromotion))
	}
	return diags
}

package provider

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"time"

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

	// The store's Rule Promotions, read once per run for the rules that span them (priorities, the
	// automatic limit), and the automatic ones this run plans.
	ruleOnce       sync.Once
	rulePromotions []epcc.Promotion
	ruleErr        error
	plannedAuto    int
}

// promotionFacts is read once per promotion per run and shared by every resource planned on it.
type promotionFacts struct {
	once      sync.Once
	promotion *epcc.Promotion
	codes     int64 // held before this run
	err       error
	asked     int64 // codes asked for by the jobs planned so far in this run
	over      bool  // the budget error was given: one per promotion and run

	handMade map[string]bool // hand-made codes this run plans to create, lower-cased

	listOnce sync.Once
	jobs     []epcc.Job // the promotion's jobs, read for the first code_generate job planned on it
	listErr  error
	claimed  []epcc.CreateJobRequest // the code_generate jobs this run plans to create or adopt
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

// checkNewJob checks a job this plan will create on ref. With identified, req is the resource's whole job
// (type, name, parameters), which is its identity on the promotion: a code_generate job the promotion already
// holds is returned, to be adopted instead of made again, and two planned jobs of one identity are an error.
// Diagnostics are attached to the attribute naming the promotion.
func (c *planChecks) checkNewJob(ctx context.Context, ref epcc.PromotionRef, req epcc.CreateJobRequest, identified bool) (*epcc.Job, diag.Diagnostics) {
	f, ok, diags := c.checkPromotion(ctx, ref, req.Type == epcc.JobTypeGenerate)
	if !ok || req.Type != epcc.JobTypeGenerate {
		return nil, diags
	}
	at := path.Root(promotionIDAttr(ref.API))
	var held *epcc.Job
	if identified {
		var stop bool
		held, stop = c.checkIdentity(ctx, ref, f, req, &diags)
		if stop {
			return nil, diags
		}
	}
	var numberOfCodes *int64 // nil while unknown
	if req.Parameters != nil {
		numberOfCodes = req.Parameters.NumberOfCodes
	}
	switch {
	case held != nil && epcc.IsActive(held.Status) && numberOfCodes != nil:
		// The codes it has yet to generate are not among those the promotion holds.
		left := *numberOfCodes - derefInt(held.Generated)
		numberOfCodes = &left
	case held != nil:
		return held, diags // its codes are among those the promotion holds
	}
	switch {
	case f.err != nil:
		diags.AddAttributeWarning(at, "Code budget not checked at plan",
			fmt.Sprintf("Could not count the codes of %s; the check against max_codes_per_promotion is skipped: %s", ref, f.err))
		return held, diags
	case numberOfCodes == nil:
		return held, diags
	}

	c.mu.Lock()
	f.asked += *numberOfCodes
	asked := f.asked
	// One error per promotion: the jobs planned after the one that crosses the budget only add to it.
	report := f.codes+asked > c.budget && !f.over
	f.over = f.over || report
	c.mu.Unlock()
	tflog.Debug(ctx, "planned codes on promotion", map[string]any{
		"promotion": ref.String(), "codes_held": f.codes, "codes_asked": asked, "budget": c.budget,
	})
	if report {
		diags.AddAttributeError(at, "Too many codes for one promotion",
			fmt.Sprintf("%s holds %d codes, and the code_generate jobs planned on it in this run ask for at least %d "+
				"more (this one and those planned before it): at least %d in all, over the %d codes a promotion may "+
				"hold. Ask for fewer codes, or spread them over other promotions. If your store allows more codes per "+
				"promotion, raise the provider's max_codes_per_promotion (or %s).",
				ref, f.codes, asked, f.codes+asked, c.budget, EnvMaxCodesPerPromotion))
	}
	return held, diags
}

// claimCode records a hand-made code this run plans on ref, and tells whether it is the first to: codes are
// case-insensitive, and a promotion holds a code once.
func (c *planChecks) claimCode(ref epcc.PromotionRef, code string) bool {
	f := c.facts(ref)
	c.mu.Lock()
	defer c.mu.Unlock()
	if f.handMade == nil {
		f.handMade = map[string]bool{}
	}
	key := strings.ToLower(code)
	if f.handMade[key] {
		return false
	}
	f.handMade[key] = true
	return true
}

// checkPromotion reads ref (once per run) and refuses at plan what the API would: a promotion that does not
// exist and, when the plan puts codes on it, an automatic one. ok is false when nothing more can be checked
// on the promotion: an error, or a read that failed (a warning: apply will tell).
func (c *planChecks) checkPromotion(ctx context.Context, ref epcc.PromotionRef, codes bool) (f *promotionFacts, ok bool, diags diag.Diagnostics) {
	f = c.facts(ref)
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
		return f, false, diags
	case f.err != nil && f.promotion == nil:
		diags.AddAttributeWarning(at, "Promotion not checked at plan",
			fmt.Sprintf("Could not read %s to check that it exists and takes codes; the check is skipped and apply "+
				"will tell: %s", ref, f.err))
		return f, false, diags
	case codes && f.promotion.Automatic:
		diags.AddAttributeError(at, "Automatic promotion takes no codes",
			fmt.Sprintf("%s (%q) is automatic: Elastic Path refuses codes on it (422 \"No codes allowed\"). Use a "+
				"promotion that customers redeem with codes.", ref, f.promotion.Name))
		return f, false, diags
	}
	return f, true, diags
}

// checkIdentity looks for a code_generate job of req's identity among the promotion's jobs and among the jobs
// planned so far in this run. It returns the job the promotion holds, to adopt, and stop when an error says
// the plan cannot go on.
func (c *planChecks) checkIdentity(ctx context.Context, ref epcc.PromotionRef, f *promotionFacts, req epcc.CreateJobRequest,
	diags *diag.Diagnostics) (held *epcc.Job, stop bool) {
	at := path.Root(promotionIDAttr(ref.API))
	c.mu.Lock()
	for _, other := range f.claimed {
		if epcc.IsSameJob(epcc.Job{Type: other.Type, Name: other.Name, Parameters: other.Parameters}, req) {
			c.mu.Unlock()
			diags.AddAttributeError(at, "Two jobs of this plan are the same job",
				fmt.Sprintf("Another elasticpath_promotion_job of this plan asks %s for the same code_generate job: "+
					"the same name (%q) and parameters. A job's name and parameters are its identity on its promotion, "+
					"so both would hold one batch of codes. Give each job its own name, e.g. with count.index or "+
					"each.key.", ref, req.Name))
			return nil, true
		}
	}
	f.claimed = append(f.claimed, req)
	c.mu.Unlock()

	f.listOnce.Do(func() { f.jobs, f.listErr = c.client.ReadJobs(ctx, ref) })
	if f.listErr != nil {
		diags.AddAttributeWarning(at, "Existing jobs not checked at plan",
			fmt.Sprintf("Could not list the jobs of %s to find one this job would adopt; apply looks again before "+
				"it starts one: %s", ref, f.listErr))
		return nil, false
	}
	held = epcc.SameJob(f.jobs, req)
	switch {
	case held == nil:
		return nil, false
	case req.Name == "":
		diags.AddAttributeError(at, "The promotion already holds this job",
			fmt.Sprintf("%s already holds %s, an unnamed code_generate job with the same parameters. Without a name "+
				"the provider cannot tell whether it is this resource's own job, left by a run that died, or another "+
				"batch, so it neither adopts it nor generates a second batch. To adopt it, run \"terraform import "+
				"ADDRESS %s\" (or \"terraform untaint ADDRESS\" when ADDRESS is tainted with that job), with ADDRESS "+
				"the address this message is shown with. To generate a new batch beside it, give this job a name.",
				ref, describeJob(*held), importID(ref, held.ID)))
		return nil, true
	}
	diags.AddAttributeWarning(at, "Adopting a job the promotion already holds",
		fmt.Sprintf("%s already holds %s, with this job's name and parameters, so apply adopts it (waiting for it "+
			"if it still runs) instead of generating a second batch: a run that died leaves such a job behind. To "+
			"generate a new batch, give this job a new name.", ref, describeJob(*held)))
	return held, false
}

// describeJob names a job with its name, status and codes, for messages.
func describeJob(job epcc.Job) string {
	s := fmt.Sprintf("job %s", job.ID)
	if job.Name != "" {
		s += fmt.Sprintf(" (%q)", job.Name)
	}
	s += ", " + job.Status
	if job.Generated != nil {
		s += fmt.Sprintf(" with %d codes generated", *job.Generated)
	}
	return s
}

// maxAutomaticRulePromotions is how many active and future automatic Rule Promotions a store may hold.
const maxAutomaticRulePromotions = 50

// checkRulePromotion refuses at plan what Elastic Path refuses of a Rule Promotion for the others it holds:
// a priority that a running or scheduled promotion has, and one automatic promotion over 50 active and future
// ones. self is the promotion's id (empty for a create); newAuto is true when the plan makes it automatic.
func (c *planChecks) checkRulePromotion(ctx context.Context, self string, priority *int64, newAuto bool) diag.Diagnostics {
	var diags diag.Diagnostics
	if priority == nil && !newAuto {
		return diags
	}
	c.ruleOnce.Do(func() { c.rulePromotions, c.ruleErr = c.client.FindPromotions(ctx, epcc.RulePromotions, "") })
	if c.ruleErr != nil {
		diags.AddWarning("Rule Promotions not checked at plan",
			fmt.Sprintf("Could not list the store's Rule Promotions to check priorities and the automatic limit; apply will tell: %s", c.ruleErr))
		return diags
	}
	now := time.Now()
	automatic := 0
	for _, p := range c.rulePromotions {
		if p.Ref.ID == self || ended(p, now) {
			continue
		}
		if p.Automatic {
			automatic++
		}
		if priority != nil && p.Priority != nil && *p.Priority == *priority {
			diags.AddAttributeError(path.Root("priority"), "Priority taken",
				fmt.Sprintf("Rule Promotion %s (%q) runs or is scheduled with priority %d: Elastic Path refuses a second "+
					"(422 \"Duplicate Priority\"). Choose another priority.", p.Ref.ID, p.Name, *priority))
		}
	}
	if !newAuto {
		return diags
	}
	c.mu.Lock()
	c.plannedAuto++
	planned := c.plannedAuto
	c.mu.Unlock()
	if automatic+planned > maxAutomaticRulePromotions {
		diags.AddAttributeError(path.Root("automatic"), "Too many automatic Rule Promotions",
			fmt.Sprintf("The store holds %d active and future automatic Rule Promotions and this plan makes %d more "+
				"automatic: Elastic Path allows %d. Make this promotion take codes (automatic = false), or end another.",
				automatic, planned, maxAutomaticRulePromotions))
	}
	return diags
}

// ended tells whether a promotion's end has passed.
func ended(p epcc.Promotion, now time.Time) bool {
	end, ok := parseInstant(p.End)
	return ok && end.Before(now)
}

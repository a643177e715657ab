package provider

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/booldefault"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/boolplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/int64planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/epcc-community/terraform-provider-elasticpath/internal/epcc"
)

var (
	_ resource.ResourceWithConfigure      = (*rulePromotionResource)(nil)
	_ resource.ResourceWithImportState    = (*rulePromotionResource)(nil)
	_ resource.ResourceWithValidateConfig = (*rulePromotionResource)(nil)
	_ resource.ResourceWithModifyPlan     = (*rulePromotionResource)(nil)
	_ resource.ResourceWithIdentity       = (*rulePromotionResource)(nil)
)

// NewRulePromotionResource is the elasticpath_rule_promotion resource: one Rule Promotion.
func NewRulePromotionResource() resource.Resource {
	return &rulePromotionResource{promotionCore[rulePromotionModel]{
		api: epcc.RulePromotions, kind: "Rule Promotion",
		fromAPI: func(p epcc.Promotion, before rulePromotionModel) rulePromotionModel {
			m := rulePromotionOf(p)
			m.keepFields(before.promotionFields)
			keepForm(&m.RuleSet, before.RuleSet)
			return m
		},
		// Only the priority cannot change in place.
		replaces: func(plan, state rulePromotionModel) bool { return !plan.Priority.Equal(state.Priority) },
		check: func(ctx context.Context, checks *planChecks, plan, state rulePromotionModel, replacing bool) diag.Diagnostics {
			priority := int64Ptr(plan.Priority)
			if replacing && plan.Priority.Equal(state.Priority) {
				priority = nil // held already
			}
			newAuto := plan.Automatic.ValueBool() && (!replacing || !state.Automatic.ValueBool())
			return checks.checkRulePromotion(ctx, state.ID.ValueString(), priority, newAuto)
		},
	}}
}

type rulePromotionResource struct {
	promotionCore[rulePromotionModel]
}

type rulePromotionModel struct {
	promotionFields
	Stackable        types.Bool   `tfsdk:"stackable"`
	OverrideStacking types.Bool   `tfsdk:"override_stacking"`
	Priority         types.Int64  `tfsdk:"priority"`
	RuleSet          jsonDocument `tfsdk:"rule_set"`
}

func (r *rulePromotionResource) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_rule_promotion"
}

func (r *rulePromotionResource) Schema(_ context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	keepBool := []planmodifier.Bool{boolplanmodifier.UseStateForUnknown()}
	attrs := promotionAttributes("Rule Promotion")
	maps.Copy(attrs, map[string]schema.Attribute{
		"stackable": schema.BoolAttribute{
			MarkdownDescription: "Whether the promotion stacks with others. Elastic Path's default when unset.",
			Optional:            true,
			Computed:            true,
			PlanModifiers:       keepBool,
		},
		"override_stacking": schema.BoolAttribute{
			MarkdownDescription: "Whether the promotion stacks even with a non-stackable one. Elastic Path's default when unset.",
			Optional:            true,
			Computed:            true,
			PlanModifiers:       keepBool,
		},
		"priority": schema.Int64Attribute{
			MarkdownDescription: "The promotion's priority; larger applies first. No two running or scheduled " +
				"promotions share one. The API cannot change it: a new value **replaces** the promotion.",
			Optional: true,
			Computed: true,
			PlanModifiers: []planmodifier.Int64{
				int64planmodifier.UseStateForUnknown(), int64planmodifier.RequiresReplace(),
			},
		},
		"start": schema.StringAttribute{
			MarkdownDescription: "When the promotion starts: RFC 3339 (`2026-06-01T00:00:00Z`) or a date " +
				"(`2026-06-01`, midnight UTC). The same instant in another form is no change. Once set, removing " +
				"it from the configuration keeps the promotion's start.",
			CustomType:    instantType{},
			Optional:      true,
			Computed:      true,
			PlanModifiers: []planmodifier.String{sameAsState(instantSame), stringplanmodifier.UseStateForUnknown()},
		},
		"end": schema.StringAttribute{
			MarkdownDescription: "When the promotion ends, in the forms `start` takes; after `start`. Once set, " +
				"removing it from the configuration keeps the promotion's end.",
			CustomType:    instantType{},
			Optional:      true,
			Computed:      true,
			PlanModifiers: []planmodifier.String{sameAsState(instantSame), stringplanmodifier.UseStateForUnknown()},
		},
		"rule_set": schema.StringAttribute{
			MarkdownDescription: "The promotion's conditions and benefits, as a JSON object (write it with " +
				"`jsonencode`): `rules` (a condition, e.g. `cart_total`), `actions` (e.g. `cart_discount`), and " +
				"optionally `currencies` and `catalog_ids`. Amounts are in the currency's smallest unit (cents). " +
				"It is compared as JSON: key order, whitespace and the defaults Elastic Path fills in are no change.",
			CustomType:    jsonDocumentType{},
			Required:      true,
			PlanModifiers: []planmodifier.String{sameAsState(jsonSame)},
		},
	})
	attrs["automatic"] = schema.BoolAttribute{
		MarkdownDescription: "Whether the promotion applies without a code (default `false`). An automatic " +
			"promotion takes no codes; a store holds at most 50 active and future automatic Rule Promotions.",
		Optional: true,
		Computed: true,
		Default:  booldefault.StaticBool(false),
	}
	resp.Schema = schema.Schema{
		MarkdownDescription: "A Rule Promotion (Promotions Builder): a discount whose conditions and benefits are a " +
			"`rule_set` document. Its fields are changed in place; `priority` cannot be changed and replaces it, " +
			"and a replaced or destroyed promotion takes its codes and jobs with it.",
		Attributes: attrs,
	}
}

// ValidateConfig checks what the API would refuse and can be known from the configuration alone: the end
// before the start, and a rule_set that is not an object. A strategy the provider does not know is only a
// warning: the API may be newer than the provider's copy of its specification.
func (r *rulePromotionResource) ValidateConfig(ctx context.Context, req resource.ValidateConfigRequest, resp *resource.ValidateConfigResponse) {
	var cfg rulePromotionModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &cfg)...)
	if resp.Diagnostics.HasError() {
		return
	}
	resp.Diagnostics.Append(checkDates(cfg.Start, cfg.End)...)
	set, ok := jsonObject(cfg.RuleSet, "rule_set", "with rules and actions, e.g. jsonencode({ rules = {...}, actions = [...] }).", &resp.Diagnostics)
	if ok {
		resp.Diagnostics.Append(unknownStrategies(set)...)
	}
}

// The strategies the vendored Rule Promotions specification lists.
var (
	ruleStrategies = []string{
		"account_tags", "and", "cart_custom_attribute", "cart_total", "item_attribute", "item_category",
		"item_identifier", "item_price", "item_product_id", "item_quantity", "items_bundle", "item_sku", "or",
	}
	actionStrategies = []string{"cart_discount", "item_discount", "shipping_discount", "items_bundle_discount"}
)

// unknownStrategies warns of each strategy in a rule_set that the specification does not list.
func unknownStrategies(set map[string]any) diag.Diagnostics {
	var diags diag.Diagnostics
	warn := func(kind, strategy string, known []string) {
		diags.AddAttributeWarning(path.Root("rule_set"), "Unknown "+kind+" strategy",
			fmt.Sprintf("rule_set names the %s strategy %q, which this provider does not know (it knows %s). The API "+
				"may be newer than the provider: the apply goes on, and fails quoting the API if it refuses it.",
				kind, strategy, strings.Join(known, ", ")))
	}
	var walk func(any)
	walk = func(v any) {
		cond, ok := v.(map[string]any)
		if !ok {
			return
		}
		if s, ok := cond["strategy"].(string); ok && !slices.Contains(ruleStrategies, s) {
			warn("rule", s, ruleStrategies)
		}
		children, _ := cond["children"].([]any)
		for _, c := range children {
			walk(c)
		}
	}
	walk(set["rules"])
	actions, _ := set["actions"].([]any)
	for _, a := range actions {
		if act, ok := a.(map[string]any); ok {
			if s, ok := act["strategy"].(string); ok && !slices.Contains(actionStrategies, s) {
				warn("action", s, actionStrategies)
			}
		}
	}
	return diags
}

func (m rulePromotionModel) known() bool { return m.knownFields() && !m.RuleSet.IsUnknown() }

func (m rulePromotionModel) plannedAs(p epcc.Promotion) bool {
	got := rulePromotionOf(p)
	return m.sameFields(got.promotionFields) &&
		sameBool(m.Stackable, got.Stackable) && sameBool(m.OverrideStacking, got.OverrideStacking) &&
		sameInt64(m.Priority, got.Priority) && sameAs(context.Background(), m.RuleSet, got.RuleSet)
}

// rulePromotionOf is the model of a promotion as the API answers it.
func rulePromotionOf(p epcc.Promotion) rulePromotionModel {
	m := rulePromotionModel{
		Stackable: types.BoolPointerValue(p.Stackable), OverrideStacking: types.BoolPointerValue(p.OverrideStacking),
		Priority: types.Int64PointerValue(p.Priority), RuleSet: newJSONDocument(p.RuleSet),
	}
	m.setFields(p)
	return m
}

func (m rulePromotionModel) request() epcc.Promotion {
	p := m.requestFields()
	p.Stackable, p.OverrideStacking, p.Priority = boolPtr(m.Stackable), boolPtr(m.OverrideStacking), int64Ptr(m.Priority)
	p.RuleSet = json.RawMessage(m.RuleSet.ValueString())
	return p
}

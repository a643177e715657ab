package provider

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"sort"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/identityschema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/booldefault"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/boolplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/int64planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringdefault"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-framework/types/basetypes"
	"github.com/hashicorp/terraform-plugin-log/tflog"

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
	return &rulePromotionResource{}
}

type rulePromotionResource struct {
	client *epcc.Client
}

type rulePromotionModel struct {
	ID               types.String `tfsdk:"id"`
	Name             types.String `tfsdk:"name"`
	Description      types.String `tfsdk:"description"`
	Enabled          types.Bool   `tfsdk:"enabled"`
	Automatic        types.Bool   `tfsdk:"automatic"`
	Stackable        types.Bool   `tfsdk:"stackable"`
	OverrideStacking types.Bool   `tfsdk:"override_stacking"`
	Priority         types.Int64  `tfsdk:"priority"`
	Start            instant      `tfsdk:"start"`
	End              instant      `tfsdk:"end"`
	RuleSet          jsonDocument `tfsdk:"rule_set"`
	CreatedAt        types.String `tfsdk:"created_at"`
}

type rulePromotionIdentityModel struct {
	ID types.String `tfsdk:"id"`
}

func (r *rulePromotionResource) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_rule_promotion"
}

func (r *rulePromotionResource) Schema(_ context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	keepBool := []planmodifier.Bool{boolplanmodifier.UseStateForUnknown()}
	resp.Schema = schema.Schema{
		MarkdownDescription: "A Rule Promotion (Promotions Builder): a discount whose conditions and benefits are a " +
			"`rule_set` document. Its fields are changed in place; `priority` cannot be changed and replaces it, " +
			"and a replaced or destroyed promotion takes its codes and jobs with it.",
		Attributes: map[string]schema.Attribute{
			"id": schema.StringAttribute{
				MarkdownDescription: "The promotion's id (a UUID).",
				Computed:            true,
				PlanModifiers:       []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
			},
			"name": schema.StringAttribute{
				MarkdownDescription: "The promotion's name. It is also its identity in the store: a create that finds a " +
					"Rule Promotion of this name with the same fields adopts it (a run that died leaves one behind); one " +
					"with other fields is a plan error naming it.",
				Required:   true,
				Validators: []validator.String{stringvalidator.LengthAtLeast(1)},
			},
			"description": schema.StringAttribute{
				MarkdownDescription: "What the promotion offers (default empty).",
				Optional:            true,
				Computed:            true,
				Default:             stringdefault.StaticString(""),
			},
			"enabled": schema.BoolAttribute{
				MarkdownDescription: "Whether the promotion applies (default `false`).",
				Optional:            true,
				Computed:            true,
				Default:             booldefault.StaticBool(false),
			},
			"automatic": schema.BoolAttribute{
				MarkdownDescription: "Whether the promotion applies without a code (default `false`). An automatic " +
					"promotion takes no codes; a store holds at most 50 active and future automatic Rule Promotions.",
				Optional: true,
				Computed: true,
				Default:  booldefault.StaticBool(false),
			},
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
			"created_at": schema.StringAttribute{
				MarkdownDescription: "When the promotion was created (RFC 3339).",
				Computed:            true,
				PlanModifiers:       []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
			},
		},
	}
}

func (r *rulePromotionResource) IdentitySchema(_ context.Context, _ resource.IdentitySchemaRequest, resp *resource.IdentitySchemaResponse) {
	resp.IdentitySchema = identityschema.Schema{Attributes: map[string]identityschema.Attribute{
		"id": identityschema.StringAttribute{RequiredForImport: true, Description: "The promotion's id (a UUID)."},
	}}
}

func (r *rulePromotionResource) Configure(_ context.Context, req resource.ConfigureRequest, resp *resource.ConfigureResponse) {
	r.client = clientFromProviderData(req.ProviderData, &resp.Diagnostics)
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
	start, ok1 := cfg.Start.time()
	end, ok2 := cfg.End.time()
	if ok1 && ok2 && !start.Before(end) {
		resp.Diagnostics.AddAttributeError(path.Root("end"), "End not after start",
			fmt.Sprintf("end (%s) must be after start (%s).", cfg.End.ValueString(), cfg.Start.ValueString()))
	}
	if cfg.RuleSet.IsNull() || cfg.RuleSet.IsUnknown() {
		return
	}
	var set map[string]any
	if err := json.Unmarshal([]byte(cfg.RuleSet.ValueString()), &set); err != nil || set == nil {
		if json.Valid([]byte(cfg.RuleSet.ValueString())) {
			resp.Diagnostics.AddAttributeError(path.Root("rule_set"), "rule_set is not an object",
				"rule_set must be a JSON object with rules and actions, e.g. jsonencode({ rules = {...}, actions = [...] }).")
		}
		return
	}
	resp.Diagnostics.Append(unknownStrategies(set)...)
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

// ModifyPlan looks, for a promotion this plan creates, for one of the same name the store already holds: the
// same promotion is adopted (a run that died left it), another is a plan error naming it. As for jobs,
// Terraform plans a replacement twice, the second time without the prior state: the first one looks.
func (r *rulePromotionResource) ModifyPlan(ctx context.Context, req resource.ModifyPlanRequest, resp *resource.ModifyPlanResponse) {
	if req.Plan.Raw.IsNull() || r.client == nil {
		return
	}
	var plan, state rulePromotionModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	replacing := !req.State.Raw.IsNull()
	if replacing {
		resp.Diagnostics.Append(clearPlanNotes(ctx, resp.Private)...)
		resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
		// Whatever this plan is, its second pass (a replacement's, without the prior state) must not look:
		// it would find this very promotion.
		resp.Diagnostics.Append(resp.Private.SetKey(ctx, privatePlanChecked, []byte(`true`))...)
		if plan.Priority.Equal(state.Priority) {
			return // an update in place, or no change: only a new priority replaces
		}
	} else if checked, _ := req.Private.GetKey(ctx, privatePlanChecked); len(checked) > 0 {
		return
	}
	if resp.Diagnostics.HasError() || plan.Name.IsUnknown() {
		return
	}
	found, err := r.client.FindRulePromotions(ctx, plan.Name.ValueString())
	if err != nil {
		resp.Diagnostics.AddAttributeWarning(path.Root("name"), "Existing promotions not checked at plan",
			fmt.Sprintf("Could not look for Rule Promotions named %q: %s. Apply looks again, and adopts one with "+
				"this resource's fields rather than create a second.", plan.Name.ValueString(), err))
		return
	}
	same, other := samePromotion(plan, found, state.ID.ValueString())
	switch {
	case same != nil:
		resp.Diagnostics.AddAttributeWarning(path.Root("name"), "Adopting a promotion the store already holds",
			fmt.Sprintf("Rule Promotion %s is named %q and has this resource's fields, so apply adopts it instead of "+
				"creating a second one: a run that died leaves such a promotion behind.", same.ID, same.Name))
	case other != nil && planKnown(plan):
		resp.Diagnostics.AddAttributeError(path.Root("name"), "A Rule Promotion of this name already exists",
			fmt.Sprintf("Rule Promotion %s is already named %q, with other fields. A promotion's name is its identity "+
				"here, so this plan neither changes it nor creates a second one. To manage it, import it: "+
				"\"terraform import ADDRESS %s\", with ADDRESS the address this message is shown with; or give this "+
				"promotion another name.", other.ID, other.Name, other.ID))
	}
}

// samePromotion sorts the promotions found by name into the oldest with the planned fields (to adopt) and
// the oldest with others; except is the id this plan replaces.
func samePromotion(plan rulePromotionModel, found []epcc.RulePromotion, except string) (same, other *epcc.RulePromotion) {
	sort.SliceStable(found, func(i, j int) bool { return found[i].CreatedAt.Before(found[j].CreatedAt) })
	for i := range found {
		p := &found[i]
		switch {
		case p.ID == except:
		case same == nil && plannedAs(plan, *p):
			same = p
		case other == nil:
			other = p
		}
	}
	return same, other
}

// planKnown tells whether every field of the plan that a promotion is compared on is known.
func planKnown(m rulePromotionModel) bool {
	return !m.Description.IsUnknown() && !m.Enabled.IsUnknown() && !m.Automatic.IsUnknown() &&
		!m.Start.IsUnknown() && !m.End.IsUnknown() && !m.RuleSet.IsUnknown()
}

// plannedAs tells whether the promotion has every field the plan sets, as the plan sets it.
func plannedAs(plan rulePromotionModel, p epcc.RulePromotion) bool {
	if !planKnown(plan) {
		return false
	}
	got := rulePromotionModel{}
	got.set(p)
	ctx := context.Background()
	sameString := func(want basetypes.StringValuable, have basetypes.StringValuableWithSemanticEquals) bool {
		w, _ := want.ToStringValue(ctx)
		if w.IsNull() || w.IsUnknown() {
			return true
		}
		eq, _ := have.StringSemanticEquals(ctx, want)
		return eq
	}
	sameBool := func(want, have types.Bool) bool { return want.IsNull() || want.IsUnknown() || want.Equal(have) }
	return plan.Name.Equal(got.Name) && plan.Description.Equal(got.Description) &&
		sameBool(plan.Enabled, got.Enabled) && sameBool(plan.Automatic, got.Automatic) &&
		sameBool(plan.Stackable, got.Stackable) && sameBool(plan.OverrideStacking, got.OverrideStacking) &&
		(plan.Priority.IsNull() || plan.Priority.IsUnknown() || plan.Priority.Equal(got.Priority)) &&
		sameString(plan.Start, got.Start) && sameString(plan.End, got.End) && sameString(plan.RuleSet, got.RuleSet)
}

// set copies the promotion as the API answers it.
func (m *rulePromotionModel) set(p epcc.RulePromotion) {
	m.ID = types.StringValue(p.ID)
	m.Name = types.StringValue(p.Name)
	m.Description = types.StringValue(p.Description)
	m.Enabled = types.BoolValue(p.Enabled != nil && *p.Enabled)
	m.Automatic = types.BoolValue(p.Automatic != nil && *p.Automatic)
	m.Stackable = types.BoolPointerValue(p.Stackable)
	m.OverrideStacking = types.BoolPointerValue(p.OverrideStacking)
	m.Priority = types.Int64PointerValue(p.Priority)
	m.Start = newInstant(p.Start)
	m.End = newInstant(p.End)
	m.RuleSet = newJSONDocument(p.RuleSet)
	m.CreatedAt = timeValue(p.CreatedAt)
}

// request is the promotion the plan asks for.
func (m rulePromotionModel) request() epcc.RulePromotion {
	return epcc.RulePromotion{
		Name:             m.Name.ValueString(),
		Description:      m.Description.ValueString(),
		Enabled:          boolPtr(m.Enabled),
		Automatic:        boolPtr(m.Automatic),
		Stackable:        boolPtr(m.Stackable),
		OverrideStacking: boolPtr(m.OverrideStacking),
		Priority:         int64Ptr(m.Priority),
		Start:            m.Start.ValueString(),
		End:              m.End.ValueString(),
		RuleSet:          json.RawMessage(m.RuleSet.ValueString()),
	}
}

func (r *rulePromotionResource) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	var plan rulePromotionModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	if resp.Diagnostics.HasError() || !requireClient(r.client, &resp.Diagnostics) {
		return
	}
	// The store may hold this promotion already, left by a run that died: it is adopted, not made twice.
	found, err := r.client.FindRulePromotions(ctx, plan.Name.ValueString())
	got, _ := samePromotion(plan, found, "")
	switch {
	case err != nil:
	case got != nil:
		tflog.Info(ctx, "adopting the Rule Promotion the store already holds", map[string]any{"promotion_id": got.ID})
	default:
		got, err = r.client.CreateRulePromotion(ctx, plan.request())
		var unknown *epcc.OutcomeUnknownError
		if errors.As(err, &unknown) {
			got, err = r.findCreated(ctx, plan, err)
		}
	}
	if err != nil {
		resp.Diagnostics.AddError("Rule Promotion not created", fmt.Sprintf("Creating Rule Promotion %q failed: %s", plan.Name.ValueString(), err))
		return
	}
	r.setState(ctx, plan, *got, &resp.State, resp.Identity, &resp.Diagnostics)
}

// findCreated resolves a create whose answer was lost: the promotion it may have made is looked for by name
// and fields, so that a second one is never made.
func (r *rulePromotionResource) findCreated(ctx context.Context, plan rulePromotionModel, cause error) (*epcc.RulePromotion, error) {
	found, err := r.client.FindRulePromotions(ctx, plan.Name.ValueString())
	if err != nil {
		return nil, fmt.Errorf("%w; and looking for the promotion it may have made failed: %v", cause, err)
	}
	if same, _ := samePromotion(plan, found, ""); same != nil {
		tflog.Warn(ctx, "adopted the Rule Promotion made by a create whose answer was lost", map[string]any{"promotion_id": same.ID})
		return same, nil
	}
	return nil, fmt.Errorf("%w; no promotion it made was found yet: apply again, which looks for it before it "+
		"creates one", cause)
}

// setState stores what the API answered, in the forms the plan wrote where they say the same.
func (r *rulePromotionResource) setState(ctx context.Context, plan rulePromotionModel, got epcc.RulePromotion,
	state stateSetter, identity identitySetter, diags *diag.Diagnostics) {
	var m rulePromotionModel
	m.set(got)
	keepForm(ctx, plan, &m)
	diags.Append(state.Set(ctx, m)...)
	diags.Append(identity.Set(ctx, rulePromotionIdentityModel{ID: m.ID})...)
}

// keepForm keeps the planned (or stored) form of a date or document the API answered in a form of its own.
func keepForm(ctx context.Context, before rulePromotionModel, after *rulePromotionModel) {
	if eq, _ := before.Start.StringSemanticEquals(ctx, after.Start); eq {
		after.Start = before.Start
	}
	if eq, _ := before.End.StringSemanticEquals(ctx, after.End); eq {
		after.End = before.End
	}
	if eq, _ := before.RuleSet.StringSemanticEquals(ctx, after.RuleSet); eq {
		after.RuleSet = before.RuleSet
	}
}

func (r *rulePromotionResource) Read(ctx context.Context, req resource.ReadRequest, resp *resource.ReadResponse) {
	var state rulePromotionModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() || !requireClient(r.client, &resp.Diagnostics) {
		return
	}
	got, err := r.client.GetRulePromotion(ctx, state.ID.ValueString())
	switch {
	case epcc.IsNotFound(err):
		resp.Diagnostics.AddWarning("Rule Promotion no longer exists",
			fmt.Sprintf("Rule Promotion %s (%q) was not found, so it is removed from the state, with its codes and "+
				"jobs; the next apply creates it again.", state.ID.ValueString(), state.Name.ValueString()))
		resp.State.RemoveResource(ctx)
		return
	case err != nil:
		resp.Diagnostics.AddError("Could not read Rule Promotion", err.Error())
		return
	}
	r.setState(ctx, state, *got, &resp.State, resp.Identity, &resp.Diagnostics)
}

func (r *rulePromotionResource) Update(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	var plan rulePromotionModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	if resp.Diagnostics.HasError() || !requireClient(r.client, &resp.Diagnostics) {
		return
	}
	got, err := r.client.UpdateRulePromotion(ctx, plan.ID.ValueString(), plan.request())
	if err != nil {
		resp.Diagnostics.AddError("Rule Promotion not updated", fmt.Sprintf("Updating Rule Promotion %s failed: %s", plan.ID.ValueString(), err))
		return
	}
	r.setState(ctx, plan, *got, &resp.State, resp.Identity, &resp.Diagnostics)
}

func (r *rulePromotionResource) Delete(ctx context.Context, req resource.DeleteRequest, resp *resource.DeleteResponse) {
	var state rulePromotionModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() || !requireClient(r.client, &resp.Diagnostics) {
		return
	}
	if err := r.client.DeleteRulePromotion(ctx, state.ID.ValueString()); err != nil {
		resp.Diagnostics.AddError("Rule Promotion not deleted", err.Error())
	}
}

// ImportState takes the promotion's id, from an import ID or the resource identity.
func (r *rulePromotionResource) ImportState(ctx context.Context, req resource.ImportStateRequest, resp *resource.ImportStateResponse) {
	id := req.ID
	if id == "" {
		var identity rulePromotionIdentityModel
		resp.Diagnostics.Append(req.Identity.Get(ctx, &identity)...)
		id = identity.ID.ValueString()
	}
	if !elasticPathID.MatchString(id) {
		resp.Diagnostics.AddError("Invalid import ID", fmt.Sprintf("%q is not a Rule Promotion id: use the promotion's UUID.", id))
		return
	}
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("id"), id)...)
	resp.Diagnostics.Append(resp.Identity.Set(ctx, rulePromotionIdentityModel{ID: types.StringValue(id)})...)
}

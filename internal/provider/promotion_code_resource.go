package provider

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework-validators/int64validator"
	"github.com/hashicorp/terraform-plugin-framework-validators/resourcevalidator"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/identityschema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/booldefault"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/boolplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/int64planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/objectplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-framework/types/basetypes"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/epcc-community/terraform-provider-elasticpath/internal/epcc"
)

var (
	_ resource.ResourceWithConfigure        = (*promotionCodeResource)(nil)
	_ resource.ResourceWithImportState      = (*promotionCodeResource)(nil)
	_ resource.ResourceWithConfigValidators = (*promotionCodeResource)(nil)
	_ resource.ResourceWithValidateConfig   = (*promotionCodeResource)(nil)
	_ resource.ResourceWithModifyPlan       = (*promotionCodeResource)(nil)
	_ resource.ResourceWithIdentity         = (*promotionCodeResource)(nil)
)

// NewPromotionCodeResource is the elasticpath_promotion_code resource: one hand-made code on a promotion.
func NewPromotionCodeResource() resource.Resource {
	return &promotionCodeResource{}
}

type promotionCodeResource struct {
	client *epcc.Client
	checks *planChecks
}

type promotionCodeModel struct {
	ID                types.String `tfsdk:"id"`
	PromotionID       types.String `tfsdk:"promotion_id"`
	RulePromotionID   types.String `tfsdk:"rule_promotion_id"`
	Code              types.String `tfsdk:"code"`
	Uses              types.Int64  `tfsdk:"uses"`
	ConsumeUnit       types.String `tfsdk:"consume_unit"`
	User              types.String `tfsdk:"user"`
	MaxUsesPerShopper types.Object `tfsdk:"max_uses_per_shopper"`
	IsForNewShopper   types.Bool   `tfsdk:"is_for_new_shopper"`
	CodeID            types.String `tfsdk:"code_id"`
}

type perShopperModel struct {
	MaxUses        types.Int64 `tfsdk:"max_uses"`
	IncludesGuests types.Bool  `tfsdk:"includes_guests"`
}

var perShopperAttrTypes = map[string]attr.Type{"max_uses": types.Int64Type, "includes_guests": types.BoolType}

// promotionCodeIdentityModel names a code as the resource does: exactly one of the promotion ids, and the code.
type promotionCodeIdentityModel struct {
	PromotionID     types.String `tfsdk:"promotion_id"`
	RulePromotionID types.String `tfsdk:"rule_promotion_id"`
	Code            types.String `tfsdk:"code"`
}

func (r *promotionCodeResource) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_promotion_code"
}

func (r *promotionCodeResource) Schema(_ context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	replaceString := []planmodifier.String{stringplanmodifier.RequiresReplace()}
	resp.Schema = schema.Schema{
		MarkdownDescription: "One hand-made promotion code, such as `SUMMER-VIP`, on a Rule Promotion or a Promotions " +
			"Standard promotion. A code cannot be changed: any change replaces it. Destroy deletes it.",
		Attributes: map[string]schema.Attribute{
			"id": schema.StringAttribute{
				MarkdownDescription: "`rule-promotions/<rule_promotion_id>/<code>` or `promotions/<promotion_id>/<code>`: the import ID.",
				Computed:            true,
				PlanModifiers:       []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
			},
			"promotion_id": schema.StringAttribute{
				MarkdownDescription: "ID of the Promotions Standard promotion (`elasticpath_promotion`) the code belongs to. Exactly one of `promotion_id` and `rule_promotion_id` is set.",
				Optional:            true,
				PlanModifiers:       replaceString,
				Validators:          promotionIDValidators,
			},
			"rule_promotion_id": schema.StringAttribute{
				MarkdownDescription: "ID of the Rule Promotion (`elasticpath_rule_promotion`) the code belongs to. Exactly one of `promotion_id` and `rule_promotion_id` is set.",
				Optional:            true,
				PlanModifiers:       replaceString,
				Validators:          promotionIDValidators,
			},
			"code": schema.StringAttribute{
				MarkdownDescription: "The code shoppers enter. Codes are case-insensitive: `SUMMER-VIP` and `summer-vip` " +
					"are one code, and changing only the case is no change.",
				Required:      true,
				Validators:    []validator.String{stringvalidator.LengthAtLeast(1)},
				PlanModifiers: []planmodifier.String{sameAsState(sameCode), stringplanmodifier.RequiresReplace()},
			},
			"uses": schema.Int64Attribute{
				MarkdownDescription: "How many times the code can be used in all; unset means unlimited. Redemptions " +
					"never change it (Elastic Path counts the uses left apart from it).",
				Optional:      true,
				Validators:    []validator.Int64{int64validator.AtLeast(0)},
				PlanModifiers: []planmodifier.Int64{int64planmodifier.RequiresReplace()},
			},
			"consume_unit": schema.StringAttribute{
				MarkdownDescription: "What one use is: `per_application` or `per_checkout` on a Rule Promotion, " +
					"`per_item` or `per_cart` on Promotions Standard. Elastic Path's default when unset.",
				Optional: true,
				Computed: true,
				PlanModifiers: []planmodifier.String{
					stringplanmodifier.UseStateForUnknown(), stringplanmodifier.RequiresReplaceIfConfigured(),
				},
			},
			"user": schema.StringAttribute{
				MarkdownDescription: "The only shopper (customer ID) who may use the code.",
				Optional:            true,
				PlanModifiers:       replaceString,
				Validators:          []validator.String{stringvalidator.LengthAtLeast(1)},
			},
			"max_uses_per_shopper": schema.SingleNestedAttribute{
				MarkdownDescription: "Rule Promotions only: how often one shopper may use the code. Not with " +
					"`consume_unit = \"per_application\"`.",
				Optional:      true,
				PlanModifiers: []planmodifier.Object{objectplanmodifier.RequiresReplace()},
				Attributes: map[string]schema.Attribute{
					"max_uses": schema.Int64Attribute{
						MarkdownDescription: "Uses per shopper.",
						Required:            true,
						Validators:          []validator.Int64{int64validator.AtLeast(1)},
					},
					"includes_guests": schema.BoolAttribute{
						MarkdownDescription: "Whether guest shoppers (with an email on their cart) may use it too (default `false`).",
						Optional:            true,
						Computed:            true,
						Default:             booldefault.StaticBool(false),
					},
				},
			},
			"is_for_new_shopper": schema.BoolAttribute{
				MarkdownDescription: "Rule Promotions only: the code applies only to a shopper's first paid order " +
					"(default `false`). Not with `uses` or `user`.",
				Optional:      true,
				Computed:      true,
				Default:       booldefault.StaticBool(false),
				PlanModifiers: []planmodifier.Bool{boolplanmodifier.RequiresReplace()},
			},
			"code_id": schema.StringAttribute{
				MarkdownDescription: "Rule Promotions only: the code's own id in Elastic Path.",
				Computed:            true,
				PlanModifiers:       []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
			},
		},
	}
}

func (r *promotionCodeResource) IdentitySchema(_ context.Context, _ resource.IdentitySchemaRequest, resp *resource.IdentitySchemaResponse) {
	resp.IdentitySchema = identityschema.Schema{Attributes: map[string]identityschema.Attribute{
		"promotion_id": identityschema.StringAttribute{OptionalForImport: true,
			Description: "The id of the Promotions Standard promotion the code belongs to. Exactly one of `promotion_id` and `rule_promotion_id` is set."},
		"rule_promotion_id": identityschema.StringAttribute{OptionalForImport: true,
			Description: "The id of the Rule Promotion the code belongs to. Exactly one of `promotion_id` and `rule_promotion_id` is set."},
		"code": identityschema.StringAttribute{RequiredForImport: true, Description: "The code."},
	}}
}

func (r *promotionCodeResource) ConfigValidators(context.Context) []resource.ConfigValidator {
	return []resource.ConfigValidator{
		resourcevalidator.ExactlyOneOf(path.MatchRoot("promotion_id"), path.MatchRoot("rule_promotion_id")),
	}
}

func (r *promotionCodeResource) Configure(_ context.Context, req resource.ConfigureRequest, resp *resource.ConfigureResponse) {
	if pd := fromProviderData(req.ProviderData, &resp.Diagnostics); pd != nil {
		r.client, r.checks = pd.client, pd.checks
	}
}

func (m promotionCodeModel) promotionRef() (epcc.PromotionRef, bool) {
	return promotionRefOf(m.PromotionID, m.RulePromotionID)
}

func (m promotionCodeModel) perShopper(ctx context.Context) (perShopperModel, diag.Diagnostics) {
	var p perShopperModel
	if m.MaxUsesPerShopper.IsNull() || m.MaxUsesPerShopper.IsUnknown() {
		return perShopperModel{MaxUses: types.Int64Null(), IncludesGuests: types.BoolNull()}, nil
	}
	return p, m.MaxUsesPerShopper.As(ctx, &p, objectAsOptions)
}

// ValidateConfig refuses what the API documents it refuses, naming the attribute: a consume_unit of the other
// API, Rule Promotions' shopper fields on Standard, a per-shopper limit with per_application, includes_guests
// without max_uses, and a first-time-shopper code with uses or a user.
func (r *promotionCodeResource) ValidateConfig(ctx context.Context, req resource.ValidateConfigRequest, resp *resource.ValidateConfigResponse) {
	var cfg promotionCodeModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &cfg)...)
	if resp.Diagnostics.HasError() {
		return
	}
	ref, known := cfg.promotionRef()
	if known {
		resp.Diagnostics.Append(checkConsumeUnit(ref, cfg.ConsumeUnit, path.Root("consume_unit"))...)
	}
	if known && ref.API == epcc.PromotionsStandard {
		for _, attr := range []struct {
			name string
			set  bool
		}{{"max_uses_per_shopper", !cfg.MaxUsesPerShopper.IsNull()}, {"is_for_new_shopper", cfg.IsForNewShopper.ValueBool()}} {
			if attr.set {
				resp.Diagnostics.AddAttributeError(path.Root(attr.name), "Not on Promotions Standard",
					attr.name+" is a Rule Promotions feature: use it with rule_promotion_id.")
			}
		}
	}
	if !cfg.MaxUsesPerShopper.IsNull() && cfg.ConsumeUnit.ValueString() == "per_application" {
		resp.Diagnostics.AddAttributeError(path.Root("max_uses_per_shopper"), "Per-shopper limit with per_application",
			"Elastic Path refuses max_uses_per_shopper with consume_unit \"per_application\" (422 \"Unsupported consume unit\"): use \"per_checkout\".")
	}
	if cfg.IsForNewShopper.ValueBool() {
		for _, attr := range []struct {
			name string
			set  bool
		}{{"uses", !cfg.Uses.IsNull()}, {"user", !cfg.User.IsNull()}} {
			if attr.set {
				resp.Diagnostics.AddAttributeError(path.Root(attr.name), "Not with is_for_new_shopper",
					"A code for first-time shoppers cannot limit its uses or name a user: remove "+attr.name+" or is_for_new_shopper.")
			}
		}
	}
}

// ModifyPlan checks, for a code this plan creates on a promotion known at plan, what the API would refuse:
// the promotion must exist and take codes, and must not hold the code already. The same code with the same
// fields (left by a run that died) is adopted; one with other fields is an error naming the import command.
func (r *promotionCodeResource) ModifyPlan(ctx context.Context, req resource.ModifyPlanRequest, resp *resource.ModifyPlanResponse) {
	if req.Plan.Raw.IsNull() || r.checks == nil {
		return // a destroy
	}
	var plan, state promotionCodeModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	if replacing := !req.State.Raw.IsNull(); replacing {
		resp.Diagnostics.Append(clearPlanNotes(ctx, resp.Private)...)
		resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
		// A replacement is planned a second time without the prior state: that pass must not look, as it
		// would find the very code this plan replaces.
		resp.Diagnostics.Append(resp.Private.SetKey(ctx, privatePlanChecked, []byte(`true`))...)
		if plan.PromotionID.Equal(state.PromotionID) && plan.RulePromotionID.Equal(state.RulePromotionID) &&
			strings.EqualFold(plan.Code.ValueString(), state.Code.ValueString()) {
			return // the same code on the same promotion: the one replaced, or no change
		}
	} else if checked, _ := req.Private.GetKey(ctx, privatePlanChecked); len(checked) > 0 {
		return
	}
	ref, ok := plan.promotionRef()
	if resp.Diagnostics.HasError() || !ok {
		return
	}
	_, ok, diags := r.checks.checkPromotion(ctx, ref, true)
	resp.Diagnostics.Append(diags...)
	if !ok || plan.Code.IsUnknown() {
		return
	}
	if !r.checks.claimCode(ref, plan.Code.ValueString()) {
		resp.Diagnostics.AddAttributeError(path.Root("code"), "Two codes of this plan are the same code",
			fmt.Sprintf("Another elasticpath_promotion_code of this plan makes code %q on %s (codes are "+
				"case-insensitive, and a promotion holds a code once): give each its own code.", plan.Code.ValueString(), ref))
		return
	}
	held, err := r.client.FindCode(ctx, ref, plan.Code.ValueString())
	switch {
	case err == nil && held != nil && !plan.known():
		resp.Diagnostics.AddAttributeWarning(path.Root("code"), "The promotion already holds this code",
			fmt.Sprintf("%s already holds code %q. Some of this resource's arguments are known only at apply: if "+
				"they are the code's, apply adopts it; otherwise it fails, naming the import command.", ref, held.Code))
	case err != nil:
		resp.Diagnostics.AddAttributeWarning(path.Root("code"), "Existing codes not checked at plan",
			fmt.Sprintf("Could not look for code %q on %s: %s. Apply looks again before it creates it.", plan.Code.ValueString(), ref, err))
	case held == nil:
	case r.sameCode(ctx, plan, *held):
		resp.Diagnostics.AddAttributeWarning(path.Root("code"), "Adopting a code the promotion already holds",
			fmt.Sprintf("%s already holds code %q with this resource's fields, so apply adopts it instead of creating it: "+
				"a run that died leaves such a code behind.", ref, held.Code))
	default:
		resp.Diagnostics.AddAttributeError(path.Root("code"), "The promotion already holds this code",
			fmt.Sprintf("%s already holds code %q, with other fields (codes are case-insensitive, and one promotion "+
				"holds a code once). To manage it, import it: \"terraform import ADDRESS %s\", with ADDRESS the address "+
				"this message is shown with; or choose another code.", ref, held.Code, codeImportID(ref, held.Code)))
	}
}

// known tells whether every argument a code is compared on is known.
func (m promotionCodeModel) known() bool {
	return !m.Uses.IsUnknown() && !m.ConsumeUnit.IsUnknown() && !m.User.IsUnknown() &&
		!m.MaxUsesPerShopper.IsUnknown() && !m.IsForNewShopper.IsUnknown()
}

// sameCode tells whether the promotion's code is the one the plan asks for.
func (r *promotionCodeResource) sameCode(ctx context.Context, plan promotionCodeModel, held epcc.Code) bool {
	var got promotionCodeModel
	got.set(held, plan)
	return strings.EqualFold(plan.Code.ValueString(), held.Code) && plan.Uses.Equal(got.Uses) &&
		(plan.ConsumeUnit.IsUnknown() || plan.ConsumeUnit.Equal(got.ConsumeUnit)) && plan.User.Equal(got.User) &&
		plan.MaxUsesPerShopper.Equal(got.MaxUsesPerShopper) && plan.IsForNewShopper.Equal(got.IsForNewShopper)
}

// set copies the code as the API reports it, in the form before (the plan, or the state) wrote its code in.
func (m *promotionCodeModel) set(c epcc.Code, before promotionCodeModel) {
	m.Code = types.StringValue(c.Code)
	if strings.EqualFold(before.Code.ValueString(), c.Code) {
		m.Code = before.Code
	}
	// The API counts the uses left down in `uses` as shoppers redeem the code and keeps the limit in max_uses;
	// codes made before max_uses existed report only `uses`, so the limit held before is kept.
	switch {
	case c.MaxUses != nil:
		m.Uses = types.Int64PointerValue(c.MaxUses)
	case c.Uses != nil:
		m.Uses = before.Uses
	default:
		m.Uses = types.Int64Null()
	}
	m.ConsumeUnit = optionalString(c.ConsumeUnit)
	m.User = optionalString(c.User)
	// A false the API leaves out is false: both default to it.
	m.IsForNewShopper = types.BoolValue(c.IsForNewShopper != nil && *c.IsForNewShopper)
	m.MaxUsesPerShopper = types.ObjectNull(perShopperAttrTypes)
	if c.MaxUsesPerShopper != nil {
		m.MaxUsesPerShopper = types.ObjectValueMust(perShopperAttrTypes, map[string]attr.Value{
			"max_uses":        types.Int64PointerValue(c.MaxUsesPerShopper),
			"includes_guests": types.BoolValue(c.IncludesGuests != nil && *c.IncludesGuests),
		})
	}
	m.CodeID = optionalString(c.ID)
}

// request is the code the plan asks for.
func (m promotionCodeModel) request(ctx context.Context) (epcc.NewCode, diag.Diagnostics) {
	shopper, diags := m.perShopper(ctx)
	return epcc.NewCode{
		Code:              m.Code.ValueString(),
		Uses:              m.Uses.ValueInt64Pointer(),
		User:              m.User.ValueString(),
		ConsumeUnit:       m.ConsumeUnit.ValueString(),
		MaxUsesPerShopper: shopper.MaxUses.ValueInt64Pointer(),
		IncludesGuests:    shopper.IncludesGuests.ValueBoolPointer(),
		IsForNewShopper:   m.IsForNewShopper.ValueBoolPointer(),
	}, diags
}

func (r *promotionCodeResource) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	var plan promotionCodeModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	if resp.Diagnostics.HasError() || !requireClient(r.client, &resp.Diagnostics) {
		return
	}
	ref, _ := plan.promotionRef()
	newCode, diags := plan.request(ctx)
	resp.Diagnostics.Append(diags...)
	if diags.HasError() {
		return
	}
	// The promotion may hold this code already, left by a run that died: it is adopted, not made twice.
	held, err := r.client.FindCode(ctx, ref, newCode.Code)
	switch {
	case err != nil:
	case held != nil && r.sameCode(ctx, plan, *held):
		tflog.Info(ctx, "adopting the code the promotion already holds", map[string]any{"code": held.Code})
	case held != nil:
		err = fmt.Errorf("%s already holds code %q with other arguments; to manage it, import it: \"terraform "+
			"import ADDRESS %s\"", ref, held.Code, codeImportID(ref, held.Code))
	default:
		held, err = r.makeCode(ctx, ref, plan, newCode, &resp.Diagnostics)
	}
	if err != nil {
		resp.Diagnostics.AddError("Promotion code not created", fmt.Sprintf("Creating code %q on %s failed: %s", newCode.Code, ref, err))
		return
	}
	r.setState(ctx, ref, *held, plan, resp.State.Set, resp.Identity.Set, &resp.Diagnostics)
}

// makeCode creates the code and reads it back (the answer holds it on Rule Promotions only), which also
// resolves a create whose answer was lost: a code found then with the plan's arguments is the one it made.
func (r *promotionCodeResource) makeCode(ctx context.Context, ref epcc.PromotionRef, plan promotionCodeModel,
	newCode epcc.NewCode, diags *diag.Diagnostics) (*epcc.Code, error) {
	messages, err := r.client.CreateCode(ctx, ref, newCode)
	for _, m := range messages {
		diags.AddAttributeWarning(path.Root("code"), "Elastic Path made the code with a message", m)
	}
	var unknown *epcc.OutcomeUnknownError
	if err != nil && !errors.As(err, &unknown) {
		return nil, err
	}
	held, ferr := r.client.FindCode(ctx, ref, newCode.Code)
	switch {
	case ferr == nil && held != nil && r.sameCode(ctx, plan, *held):
		return held, nil
	case err != nil:
		return nil, fmt.Errorf("%w; and the code it may have made was not found: apply again, which looks for it first", err)
	case ferr != nil:
		return nil, fmt.Errorf("the code was made, but reading it back failed: %w", ferr)
	}
	return nil, fmt.Errorf("the code was made, but is not listed with the arguments asked for")
}

func (r *promotionCodeResource) setState(ctx context.Context, ref epcc.PromotionRef, c epcc.Code, before promotionCodeModel,
	setState, setIdentity setter, diags *diag.Diagnostics) {
	m := promotionCodeModel{PromotionID: before.PromotionID, RulePromotionID: before.RulePromotionID}
	m.set(c, before)
	m.ID = types.StringValue(codeImportID(ref, m.Code.ValueString()))
	diags.Append(setState(ctx, m)...)
	diags.Append(setIdentity(ctx, codeIdentity(ref, m.Code))...)
}

func (r *promotionCodeResource) Read(ctx context.Context, req resource.ReadRequest, resp *resource.ReadResponse) {
	var state promotionCodeModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() || !requireClient(r.client, &resp.Diagnostics) {
		return
	}
	ref, ok := state.promotionRef()
	if !ok {
		resp.Diagnostics.AddError("Invalid state", "The code's state names no promotion; re-import it.")
		return
	}
	// The identity follows from the state alone; it is set first, as a read that ends the resource needs one
	// too (Terraform before 1.12 sends none to begin with).
	resp.Diagnostics.Append(resp.Identity.Set(ctx, codeIdentity(ref, state.Code))...)
	held, err := r.client.FindCode(ctx, ref, state.Code.ValueString())
	switch {
	case epcc.IsPromotionGone(err, ref):
		resp.Diagnostics.AddWarning("Promotion no longer exists",
			fmt.Sprintf("%s was not found, so its code %q is removed from the state.", ref, state.Code.ValueString()))
		resp.State.RemoveResource(ctx)
		return
	case err != nil:
		resp.Diagnostics.AddError("Could not read promotion code", err.Error())
		return
	case held == nil && state.ID.IsNull(): // an import
		resp.Diagnostics.AddError("Promotion code not found",
			fmt.Sprintf("%s holds no code %q, so it cannot be imported.", ref, state.Code.ValueString()))
		return
	case held == nil:
		resp.Diagnostics.AddWarning("Promotion code no longer exists",
			fmt.Sprintf("%s no longer holds code %q: it is removed from the state, and the next apply creates it again.",
				ref, state.Code.ValueString()))
		resp.State.RemoveResource(ctx)
		return
	}
	r.setState(ctx, ref, *held, state, resp.State.Set, resp.Identity.Set, &resp.Diagnostics)
}

// Update is never called with a change the API must make: every input replaces the code.
func (r *promotionCodeResource) Update(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	var plan promotionCodeModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	resp.Diagnostics.Append(resp.State.Set(ctx, plan)...)
}

func (r *promotionCodeResource) Delete(ctx context.Context, req resource.DeleteRequest, resp *resource.DeleteResponse) {
	var state promotionCodeModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() || !requireClient(r.client, &resp.Diagnostics) {
		return
	}
	ref, ok := state.promotionRef()
	if !ok {
		return
	}
	// The code is deleted as the API spells it and names it (by id on Rule Promotions).
	held, err := r.client.FindCode(ctx, ref, state.Code.ValueString())
	if err == nil && held != nil {
		err = r.client.DeleteCode(ctx, ref, *held)
	}
	if err != nil && !epcc.IsPromotionGone(err, ref) {
		resp.Diagnostics.AddError("Promotion code not deleted", err.Error())
	}
}

// ImportState takes rule-promotions/<id>/<code> or promotions/<id>/<code>, or the identity.
func (r *promotionCodeResource) ImportState(ctx context.Context, req resource.ImportStateRequest, resp *resource.ImportStateResponse) {
	api, promo, code := "", "", ""
	if req.ID != "" {
		if parts := strings.SplitN(req.ID, "/", 3); len(parts) == 3 {
			api, promo, code = parts[0], parts[1], parts[2]
		}
	} else {
		var identity promotionCodeIdentityModel
		resp.Diagnostics.Append(req.Identity.Get(ctx, &identity)...)
		if ref, ok := promotionRefOf(identity.PromotionID, identity.RulePromotionID); ok && identity.PromotionID.IsNull() != identity.RulePromotionID.IsNull() {
			api, promo = string(ref.API), ref.ID
		}
		code = identity.Code.ValueString()
	}
	ref, _, ok := jobAddress(api, promo, exampleID)
	if !ok || code == "" {
		resp.Diagnostics.AddError("Invalid import ID", fmt.Sprintf("%q names no code: use rule-promotions/<rule_promotion_id>/<code> "+
			"or promotions/<promotion_id>/<code>, the promotion id a UUID (or an identity with exactly one of "+
			"promotion_id and rule_promotion_id, and the code).", req.ID))
		return
	}
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root(promotionIDAttr(ref.API)), ref.ID)...)
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("code"), code)...)
}

// codeIdentity is a code's resource identity.
func codeIdentity(ref epcc.PromotionRef, code types.String) promotionCodeIdentityModel {
	standard, rule := promotionIDs(ref)
	return promotionCodeIdentityModel{PromotionID: standard, RulePromotionID: rule, Code: code}
}

// codeImportID is a code's composite import ID.
func codeImportID(ref epcc.PromotionRef, code string) string {
	return ref.String() + "/" + code
}

// sameCode is codes' case-insensitive sameness, for sameAsState.
func sameCode(_ context.Context, state, config basetypes.StringValue) bool {
	return strings.EqualFold(state.ValueString(), config.ValueString())
}

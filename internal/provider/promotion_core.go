package provider

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sort"

	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/booldefault"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringdefault"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/identityschema"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-framework/types/basetypes"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/epcc-community/terraform-provider-elasticpath/internal/epcc"
)

// promotionFields are the attributes both promotion APIs have, embedded in each resource's model.
type promotionFields struct {
	ID          types.String `tfsdk:"id"`
	Name        types.String `tfsdk:"name"`
	Description types.String `tfsdk:"description"`
	Enabled     types.Bool   `tfsdk:"enabled"`
	Automatic   types.Bool   `tfsdk:"automatic"`
	Start       instant      `tfsdk:"start"`
	End         instant      `tfsdk:"end"`
	CreatedAt   types.String `tfsdk:"created_at"`
}

func (f promotionFields) nameValue() types.String { return f.Name }

func (f promotionFields) idValue() types.String { return f.ID }

// knownFields tells whether the shared fields a promotion is compared on are known.
func (f promotionFields) knownFields() bool {
	return !f.Description.IsUnknown() && !f.Enabled.IsUnknown() && !f.Automatic.IsUnknown() &&
		!f.Start.IsUnknown() && !f.End.IsUnknown()
}

// sameFields tells whether got (as the API answered) has the shared fields f (a plan) sets, as it sets them.
func (f promotionFields) sameFields(got promotionFields) bool {
	ctx := context.Background()
	return f.Name.Equal(got.Name) && f.Description.Equal(got.Description) &&
		sameBool(f.Enabled, got.Enabled) && sameBool(f.Automatic, got.Automatic) &&
		sameAs(ctx, f.Start, got.Start) && sameAs(ctx, f.End, got.End)
}

// setFields copies the shared fields as the API answers them.
func (f *promotionFields) setFields(p epcc.Promotion) {
	f.ID = types.StringValue(p.Ref.ID)
	f.Name = types.StringValue(p.Name)
	f.Description = types.StringValue(p.Description)
	f.Enabled = types.BoolValue(p.Enabled)
	f.Automatic = types.BoolValue(p.Automatic)
	f.Start = newInstant(p.Start)
	f.End = newInstant(p.End)
	f.CreatedAt = timeValue(p.CreatedAt)
}

// keepFields keeps the forms before wrote the dates in, where the API's answer says the same.
func (f *promotionFields) keepFields(before promotionFields) {
	keepForm(&f.Start, before.Start)
	keepForm(&f.End, before.End)
}

// requestFields is the shared part of the promotion f asks for.
func (f promotionFields) requestFields() epcc.Promotion {
	return epcc.Promotion{
		Name: f.Name.ValueString(), Description: f.Description.ValueString(), Enabled: f.Enabled.ValueBool(),
		Automatic: f.Automatic.ValueBool(), Start: f.Start.ValueString(), End: f.End.ValueString(),
	}
}

// promotionAttributes are the schema of the fields both promotion resources have (promotionFields but start
// and end, which each API takes its own way); kind names the promotion in descriptions.
func promotionAttributes(kind string) map[string]schema.Attribute {
	return map[string]schema.Attribute{
		"id": schema.StringAttribute{
			MarkdownDescription: "The promotion's id (a UUID).",
			Computed:            true,
			PlanModifiers:       []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
		},
		"name": schema.StringAttribute{
			MarkdownDescription: "The promotion's name. It is also its identity in the store: a create that finds a " +
				kind + " of this name with the same fields adopts it (a run that died leaves one behind); one with " +
				"other fields is a plan error naming it.",
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
			MarkdownDescription: "Whether the promotion applies without a code (default `false`). An automatic promotion takes no codes.",
			Optional:            true,
			Computed:            true,
			Default:             booldefault.StaticBool(false),
		},
		"created_at": schema.StringAttribute{
			MarkdownDescription: "When the promotion was created (RFC 3339).",
			Computed:            true,
			PlanModifiers:       []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
		},
	}
}

// jsonObject reads a document that must be a JSON object, as rule_set and schema must; one that is valid JSON
// but no object is an error on attr, with hint saying what it should look like. ok is false when there is no
// object to read (unknown, null, not JSON: the type's own validation speaks of the last).
func jsonObject(doc jsonDocument, attr, hint string, diags *diag.Diagnostics) (obj map[string]any, ok bool) {
	if doc.IsNull() || doc.IsUnknown() || !json.Valid([]byte(doc.ValueString())) {
		return nil, false
	}
	if err := json.Unmarshal([]byte(doc.ValueString()), &obj); err != nil || obj == nil {
		diags.AddAttributeError(path.Root(attr), attr+" is not an object", attr+" must be a JSON object: "+hint)
		return nil, false
	}
	return obj, true
}

// promotionModel is what the two promotion resources' models (Rule Promotions, Promotions Standard) offer the
// lifecycle they share.
type promotionModel interface {
	nameValue() types.String
	idValue() types.String
	// known tells whether every field a promotion is compared on is known.
	known() bool
	// plannedAs tells whether the promotion has every field the receiver (a plan) sets, as it sets it.
	plannedAs(epcc.Promotion) bool
	// request is the promotion the receiver asks for.
	request() epcc.Promotion
}

// promotionCore is the lifecycle both promotion resources share: a promotion's name is its identity in the
// store, so a create adopts a promotion of the same name and fields (a run that died left it) and refuses,
// at plan, one of the same name with other fields; a promotion deleted outside Terraform leaves the state.
type promotionCore[M promotionModel] struct {
	client *epcc.Client
	checks *planChecks
	api    epcc.API
	kind   string // how messages name the promotion
	// fromAPI is the model of a promotion as the API answers it, in before's forms where they say the same.
	fromAPI func(p epcc.Promotion, before M) M
	// replaces tells whether a plan with a prior state replaces the promotion (an input the API cannot change).
	replaces func(plan, state M) bool
	// check, when set, refuses at plan what the API refuses of the promotion for the others the store holds;
	// replacing tells whether state is a prior state.
	check func(ctx context.Context, checks *planChecks, plan, state M, replacing bool) diag.Diagnostics
}

type promotionIdentityModel struct {
	ID types.String `tfsdk:"id"`
}

func (c *promotionCore[M]) IdentitySchema(_ context.Context, _ resource.IdentitySchemaRequest, resp *resource.IdentitySchemaResponse) {
	resp.IdentitySchema = identityschema.Schema{Attributes: map[string]identityschema.Attribute{
		"id": identityschema.StringAttribute{RequiredForImport: true, Description: "The promotion's id (a UUID)."},
	}}
}

func (c *promotionCore[M]) Configure(_ context.Context, req resource.ConfigureRequest, resp *resource.ConfigureResponse) {
	if pd := fromProviderData(req.ProviderData, &resp.Diagnostics); pd != nil {
		c.client, c.checks = pd.client, pd.checks
	}
}

// ModifyPlan looks, for a promotion this plan creates, for one of the same name the store already holds: the
// same promotion is adopted, another is a plan error naming it. Terraform plans a replacement twice, the
// second time without the prior state: only the first looks, as the second would find the promotion replaced.
func (c *promotionCore[M]) ModifyPlan(ctx context.Context, req resource.ModifyPlanRequest, resp *resource.ModifyPlanResponse) {
	if req.Plan.Raw.IsNull() || c.client == nil {
		return
	}
	var plan, state M
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	replacing := !req.State.Raw.IsNull()
	if replacing {
		resp.Diagnostics.Append(clearPlanNotes(ctx, resp.Private)...)
		resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
		resp.Diagnostics.Append(resp.Private.SetKey(ctx, privatePlanChecked, []byte(`true`))...)
	} else if checked, _ := req.Private.GetKey(ctx, privatePlanChecked); len(checked) > 0 {
		return
	}
	if c.check != nil && c.checks != nil && !resp.Diagnostics.HasError() {
		resp.Diagnostics.Append(c.check(ctx, c.checks, plan, state, replacing)...)
	}
	if resp.Diagnostics.HasError() || replacing && !c.replaces(plan, state) {
		return // an update in place, or no change
	}
	if resp.Diagnostics.HasError() || plan.nameValue().IsUnknown() {
		return
	}
	name := plan.nameValue().ValueString()
	found, err := c.client.FindPromotions(ctx, c.api, name)
	if err != nil {
		resp.Diagnostics.AddAttributeWarning(path.Root("name"), "Existing promotions not checked at plan",
			fmt.Sprintf("Could not look for %ss named %q: %s. Apply looks again, and adopts one with this "+
				"resource's fields rather than create a second.", c.kind, name, err))
		return
	}
	same, other := samePromotion(plan, found, state.idValue().ValueString())
	switch {
	case same != nil:
		resp.Diagnostics.AddAttributeWarning(path.Root("name"), "Adopting a promotion the store already holds",
			fmt.Sprintf("%s %s is named %q and has this resource's fields, so apply adopts it instead of creating "+
				"a second one: a run that died leaves such a promotion behind.", c.kind, same.Ref.ID, same.Name))
	case other != nil && plan.known():
		resp.Diagnostics.AddAttributeError(path.Root("name"), "A promotion of this name already exists",
			fmt.Sprintf("%s %s is already named %q, with other fields. A promotion's name is its identity here, so "+
				"this plan neither changes it nor creates a second one. To manage it, import it: \"terraform import "+
				"ADDRESS %s\", with ADDRESS the address this message is shown with; or give this promotion another "+
				"name.", c.kind, other.Ref.ID, other.Name, other.Ref.ID))
	}
}

// samePromotion sorts the promotions found by name into the oldest with the planned fields (to adopt) and
// the oldest with others; except is the id this plan replaces.
func samePromotion[M promotionModel](plan M, found []epcc.Promotion, except string) (same, other *epcc.Promotion) {
	sort.SliceStable(found, func(i, j int) bool { return found[i].CreatedAt.Before(found[j].CreatedAt) })
	for i := range found {
		p := &found[i]
		switch {
		case p.Ref.ID == except:
		case same == nil && plan.known() && plan.plannedAs(*p):
			same = p
		case other == nil:
			other = p
		}
	}
	return same, other
}

func (c *promotionCore[M]) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	var plan M
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	if resp.Diagnostics.HasError() || !requireClient(c.client, &resp.Diagnostics) {
		return
	}
	name := plan.nameValue().ValueString()
	// The store may hold this promotion already, left by a run that died: it is adopted, not made twice.
	found, err := c.client.FindPromotions(ctx, c.api, name)
	got, _ := samePromotion(plan, found, "")
	switch {
	case err != nil:
	case got != nil:
		tflog.Info(ctx, "adopting the promotion the store already holds", map[string]any{"promotion_id": got.Ref.ID})
	default:
		want := plan.request()
		want.Ref = epcc.PromotionRef{API: c.api}
		got, err = c.client.AddPromotion(ctx, want)
		var unknown *epcc.OutcomeUnknownError
		if errors.As(err, &unknown) {
			got, err = c.findCreated(ctx, plan, err)
		}
	}
	if err != nil {
		resp.Diagnostics.AddError("Promotion not created", fmt.Sprintf("Creating %s %q failed: %s", c.kind, name, err))
		return
	}
	c.setState(ctx, *got, plan, resp.State.Set, resp.Identity.Set, &resp.Diagnostics)
}

// findCreated resolves a create whose answer was lost: the promotion it may have made is looked for by name
// and fields, so that a second one is never made.
func (c *promotionCore[M]) findCreated(ctx context.Context, plan M, cause error) (*epcc.Promotion, error) {
	found, err := c.client.FindPromotions(ctx, c.api, plan.nameValue().ValueString())
	if err != nil {
		return nil, fmt.Errorf("%w; and looking for the promotion it may have made failed: %v", cause, err)
	}
	if same, _ := samePromotion(plan, found, ""); same != nil {
		tflog.Warn(ctx, "adopted the promotion made by a create whose answer was lost", map[string]any{"promotion_id": same.Ref.ID})
		return same, nil
	}
	return nil, fmt.Errorf("%w; no promotion it made was found yet: apply again, which looks for it before it "+
		"creates one", cause)
}

// setState stores what the API answered, in the forms before (the plan, or the state) wrote where they say
// the same.
func (c *promotionCore[M]) setState(ctx context.Context, got epcc.Promotion, before M,
	setState, setIdentity setter, diags *diag.Diagnostics) {
	m := c.fromAPI(got, before)
	diags.Append(setState(ctx, m)...)
	diags.Append(setIdentity(ctx, promotionIdentityModel{ID: m.idValue()})...)
}

func (c *promotionCore[M]) Read(ctx context.Context, req resource.ReadRequest, resp *resource.ReadResponse) {
	var state M
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() || !requireClient(c.client, &resp.Diagnostics) {
		return
	}
	ref := epcc.PromotionRef{API: c.api, ID: state.idValue().ValueString()}
	// The identity follows from the state alone; it is set first, as a read that ends the resource needs one
	// too (Terraform before 1.12 sends none to begin with).
	resp.Diagnostics.Append(resp.Identity.Set(ctx, promotionIdentityModel{ID: state.idValue()})...)
	got, err := c.client.GetPromotion(ctx, ref)
	switch {
	case epcc.IsNotFound(err):
		resp.Diagnostics.AddWarning("Promotion no longer exists",
			fmt.Sprintf("%s %s (%q) was not found, so it is removed from the state, with its codes and jobs; the "+
				"next apply creates it again.", c.kind, ref.ID, state.nameValue().ValueString()))
		resp.State.RemoveResource(ctx)
		return
	case err != nil:
		resp.Diagnostics.AddError("Could not read promotion", err.Error())
		return
	}
	c.setState(ctx, *got, state, resp.State.Set, resp.Identity.Set, &resp.Diagnostics)
}

func (c *promotionCore[M]) Update(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	var plan M
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	if resp.Diagnostics.HasError() || !requireClient(c.client, &resp.Diagnostics) {
		return
	}
	want := plan.request()
	want.Ref = epcc.PromotionRef{API: c.api, ID: plan.idValue().ValueString()}
	got, err := c.client.UpdatePromotion(ctx, want)
	if err != nil {
		resp.Diagnostics.AddError("Promotion not updated", fmt.Sprintf("Updating %s %s failed: %s", c.kind, want.Ref.ID, err))
		return
	}
	c.setState(ctx, *got, plan, resp.State.Set, resp.Identity.Set, &resp.Diagnostics)
}

func (c *promotionCore[M]) Delete(ctx context.Context, req resource.DeleteRequest, resp *resource.DeleteResponse) {
	var state M
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() || !requireClient(c.client, &resp.Diagnostics) {
		return
	}
	if err := c.client.DeletePromotion(ctx, epcc.PromotionRef{API: c.api, ID: state.idValue().ValueString()}); err != nil {
		resp.Diagnostics.AddError("Promotion not deleted", err.Error())
	}
}

// ImportState takes the promotion's id, from an import ID or the resource identity.
func (c *promotionCore[M]) ImportState(ctx context.Context, req resource.ImportStateRequest, resp *resource.ImportStateResponse) {
	id := req.ID
	if id == "" {
		var identity promotionIdentityModel
		resp.Diagnostics.Append(req.Identity.Get(ctx, &identity)...)
		id = identity.ID.ValueString()
	}
	if !elasticPathID.MatchString(id) {
		resp.Diagnostics.AddError("Invalid import ID", fmt.Sprintf("%q is not a %s id: use the promotion's UUID.", id, c.kind))
		return
	}
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("id"), id)...)
	resp.Diagnostics.Append(resp.Identity.Set(ctx, promotionIdentityModel{ID: types.StringValue(id)})...)
}

// sameAs tells whether a value the API answered says what a planned one says; a planned value left unset or
// unknown says nothing.
func sameAs(ctx context.Context, planned basetypes.StringValuable, answered basetypes.StringValuableWithSemanticEquals) bool {
	w, _ := planned.ToStringValue(ctx)
	if w.IsNull() || w.IsUnknown() {
		return true
	}
	eq, _ := answered.StringSemanticEquals(ctx, planned)
	return eq
}

// sameBool is sameAs for booleans.
func sameBool(planned, answered types.Bool) bool {
	return planned.IsNull() || planned.IsUnknown() || planned.Equal(answered)
}

// sameInt64 is sameAs for integers.
func sameInt64(planned, answered types.Int64) bool {
	return planned.IsNull() || planned.IsUnknown() || planned.Equal(answered)
}

package provider

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"

	"github.com/hashicorp/terraform-plugin-framework-validators/int64validator"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/int64planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/epcc-community/terraform-provider-elasticpath/internal/epcc"
)

var (
	_ resource.ResourceWithConfigure      = (*standardPromotionResource)(nil)
	_ resource.ResourceWithImportState    = (*standardPromotionResource)(nil)
	_ resource.ResourceWithValidateConfig = (*standardPromotionResource)(nil)
	_ resource.ResourceWithModifyPlan     = (*standardPromotionResource)(nil)
	_ resource.ResourceWithIdentity       = (*standardPromotionResource)(nil)
)

// standardPromotionTypes are the promotion types of Promotions Standard.
var standardPromotionTypes = []string{
	"fixed_discount", "percent_discount", "item_fixed_discount", "item_percent_discount",
	"x_for_y", "x_for_amount", "bundle_fixed_discount", "bundle_gift",
}

// NewStandardPromotionResource is the elasticpath_promotion resource: one Promotions Standard promotion.
func NewStandardPromotionResource() resource.Resource {
	return &standardPromotionResource{promotionCore[standardPromotionModel]{
		api: epcc.PromotionsStandard, kind: "Promotions Standard promotion",
		fromAPI: func(p epcc.Promotion, before standardPromotionModel) standardPromotionModel {
			m := standardPromotionOf(p)
			m.keepFields(before.promotionFields)
			keepForm(&m.Schema, before.Schema)
			return m
		},
		// Every field changes in place.
		replaces: func(standardPromotionModel, standardPromotionModel) bool { return false },
	}}
}

type standardPromotionResource struct {
	promotionCore[standardPromotionModel]
}

type standardPromotionModel struct {
	promotionFields
	PromotionType          types.String `tfsdk:"promotion_type"`
	Schema                 jsonDocument `tfsdk:"schema"`
	MaxApplicationsPerCart types.Int64  `tfsdk:"max_applications_per_cart"`
}

func (r *standardPromotionResource) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_promotion"
}

func (r *standardPromotionResource) Schema(_ context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	attrs := promotionAttributes("promotion")
	maps.Copy(attrs, map[string]schema.Attribute{
		"promotion_type": schema.StringAttribute{
			MarkdownDescription: "The kind of discount, which says what `schema` holds: `fixed_discount`, " +
				"`percent_discount`, `item_fixed_discount`, `item_percent_discount`, `x_for_y`, `x_for_amount`, " +
				"`bundle_fixed_discount` or `bundle_gift`.",
			Required:   true,
			Validators: []validator.String{stringvalidator.OneOf(standardPromotionTypes...)},
		},
		"schema": schema.StringAttribute{
			MarkdownDescription: "The discount's details as a JSON object (write it with `jsonencode`), in the shape " +
				"its `promotion_type` takes: e.g. `currencies` of `{ currency, amount }` for `fixed_discount`, " +
				"`targets` and `percent` for `item_percent_discount`. Amounts are in the currency's smallest unit " +
				"(cents). It is compared as JSON: key order, whitespace and the defaults Elastic Path fills in are no change.",
			CustomType:    jsonDocumentType{},
			Required:      true,
			PlanModifiers: []planmodifier.String{sameAsState(jsonSame)},
		},
		"start": schema.StringAttribute{
			MarkdownDescription: "When the promotion starts: RFC 3339 (`2026-06-01T00:00:00Z`) or a date " +
				"(`2026-06-01`, midnight UTC). The same instant in another form is no change.",
			CustomType:    instantType{},
			Required:      true,
			PlanModifiers: []planmodifier.String{sameAsState(instantSame)},
		},
		"end": schema.StringAttribute{
			MarkdownDescription: "When the promotion ends, in the forms `start` takes; after `start`.",
			CustomType:          instantType{},
			Required:            true,
			PlanModifiers:       []planmodifier.String{sameAsState(instantSame)},
		},
		"max_applications_per_cart": schema.Int64Attribute{
			MarkdownDescription: "How many times the promotion applies in one cart. Elastic Path's default when unset.",
			Optional:            true,
			Computed:            true,
			Validators:          []validator.Int64{int64validator.AtLeast(0)},
			PlanModifiers:       []planmodifier.Int64{int64planmodifier.UseStateForUnknown()},
		},
	})
	resp.Schema = schema.Schema{
		MarkdownDescription: "A Promotions Standard promotion: a discount of one of eight `promotion_type`s, whose " +
			"details are a `schema` document. Every field changes in place; a destroyed promotion takes its codes and " +
			"jobs with it.",
		Attributes: attrs,
	}
}

// ValidateConfig refuses an end before the start and a schema that is not a JSON object.
func (r *standardPromotionResource) ValidateConfig(ctx context.Context, req resource.ValidateConfigRequest, resp *resource.ValidateConfigResponse) {
	var cfg standardPromotionModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &cfg)...)
	if resp.Diagnostics.HasError() {
		return
	}
	resp.Diagnostics.Append(checkDates(cfg.Start, cfg.End)...)
	jsonObject(cfg.Schema, "schema", fmt.Sprintf("in the shape promotion_type %s takes, e.g. jsonencode({ currencies = [...] }).",
		cfg.PromotionType.ValueString()), &resp.Diagnostics)
}

func (m standardPromotionModel) known() bool {
	return m.knownFields() && !m.PromotionType.IsUnknown() && !m.Schema.IsUnknown()
}

func (m standardPromotionModel) plannedAs(p epcc.Promotion) bool {
	got := standardPromotionOf(p)
	return m.sameFields(got.promotionFields) && m.PromotionType.Equal(got.PromotionType) &&
		sameInt64(m.MaxApplicationsPerCart, got.MaxApplicationsPerCart) && sameAs(context.Background(), m.Schema, got.Schema)
}

// standardPromotionOf is the model of a promotion as the API answers it.
func standardPromotionOf(p epcc.Promotion) standardPromotionModel {
	m := standardPromotionModel{
		PromotionType: types.StringValue(p.PromotionType), Schema: newJSONDocument(p.Schema),
		MaxApplicationsPerCart: types.Int64PointerValue(p.MaxApplicationsPerCart),
	}
	m.setFields(p)
	return m
}

func (m standardPromotionModel) request() epcc.Promotion {
	p := m.requestFields()
	p.PromotionType, p.Schema = m.PromotionType.ValueString(), json.RawMessage(m.Schema.ValueString())
	p.MaxApplicationsPerCart = int64Ptr(m.MaxApplicationsPerCart)
	return p
}

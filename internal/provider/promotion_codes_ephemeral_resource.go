package provider

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework-validators/ephemeralvalidator"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/ephemeral"
	"github.com/hashicorp/terraform-plugin-framework/ephemeral/schema"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"

	"github.com/epcc-community/terraform-provider-elasticpath/internal/epcc"
)

var (
	_ ephemeral.EphemeralResourceWithConfigure        = (*promotionCodesEphemeralResource)(nil)
	_ ephemeral.EphemeralResourceWithConfigValidators = (*promotionCodesEphemeralResource)(nil)
)

// NewPromotionCodesEphemeralResource is the ephemeral face of elasticpath_promotion_codes: the same codes,
// read during a run and never written to a plan or the state.
func NewPromotionCodesEphemeralResource() ephemeral.EphemeralResource {
	return &promotionCodesEphemeralResource{}
}

type promotionCodesEphemeralResource struct {
	client *epcc.Client
}

func (e *promotionCodesEphemeralResource) Metadata(_ context.Context, req ephemeral.MetadataRequest, resp *ephemeral.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_promotion_codes"
}

func (e *promotionCodesEphemeralResource) Schema(_ context.Context, _ ephemeral.SchemaRequest, resp *ephemeral.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "Reads the codes of one promotion (every page) during a run, without storing them in " +
			"a plan or the state: for handing codes to a provider configuration or a write-only argument " +
			"(Terraform 1.11+), such as a secret manager's secret version.",
		Attributes: map[string]schema.Attribute{
			"promotion_id":      schema.StringAttribute{MarkdownDescription: descCodesPromotionID, Optional: true, Validators: promotionIDValidators},
			"rule_promotion_id": schema.StringAttribute{MarkdownDescription: descCodesRulePromotionID, Optional: true, Validators: promotionIDValidators},
			"prefix": schema.StringAttribute{
				MarkdownDescription: descCodesPrefix,
				Optional:            true,
				Validators:          []validator.String{stringvalidator.LengthAtLeast(1)},
			},
			"total": schema.Int64Attribute{MarkdownDescription: descCodesTotal, Computed: true},
			"codes": schema.ListNestedAttribute{
				MarkdownDescription: descCodes,
				Computed:            true,
				Sensitive:           true,
				NestedObject: schema.NestedAttributeObject{Attributes: map[string]schema.Attribute{
					"code":         schema.StringAttribute{MarkdownDescription: descCode, Computed: true},
					"max_uses":     schema.Int64Attribute{MarkdownDescription: descCodeMaxUses, Computed: true},
					"uses":         schema.Int64Attribute{MarkdownDescription: descCodeUses, Computed: true},
					"consume_unit": schema.StringAttribute{MarkdownDescription: descCodeConsumeUnit, Computed: true},
					"created_at":   schema.StringAttribute{MarkdownDescription: descCodeCreatedAt, Computed: true},
				}},
			},
		},
	}
}

func (e *promotionCodesEphemeralResource) ConfigValidators(context.Context) []ephemeral.ConfigValidator {
	return []ephemeral.ConfigValidator{
		ephemeralvalidator.ExactlyOneOf(path.MatchRoot("promotion_id"), path.MatchRoot("rule_promotion_id")),
	}
}

func (e *promotionCodesEphemeralResource) Configure(_ context.Context, req ephemeral.ConfigureRequest, resp *ephemeral.ConfigureResponse) {
	e.client = clientFromProviderData(req.ProviderData, &resp.Diagnostics)
}

func (e *promotionCodesEphemeralResource) Open(ctx context.Context, req ephemeral.OpenRequest, resp *ephemeral.OpenResponse) {
	var cfg promotionCodesModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &cfg)...)
	if resp.Diagnostics.HasError() || !requireClient(e.client, &resp.Diagnostics) {
		return
	}
	resp.Diagnostics.Append(readPromotionCodes(ctx, e.client, &cfg)...)
	if !resp.Diagnostics.HasError() {
		resp.Diagnostics.Append(resp.Result.Set(ctx, &cfg)...)
	}
}

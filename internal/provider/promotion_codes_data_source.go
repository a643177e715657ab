package provider

import (
	"context"
	"fmt"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework-validators/datasourcevalidator"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/epcc-community/terraform-provider-elasticpath/internal/epcc"
)

var (
	_ datasource.DataSourceWithConfigure        = (*promotionCodesDataSource)(nil)
	_ datasource.DataSourceWithConfigValidators = (*promotionCodesDataSource)(nil)
)

// NewPromotionCodesDataSource is the elasticpath_promotion_codes data source: a promotion's codes themselves,
// for handing on to another tool.
func NewPromotionCodesDataSource() datasource.DataSource {
	return &promotionCodesDataSource{}
}

type promotionCodesDataSource struct {
	client *epcc.Client
}

type promotionCodesModel struct {
	PromotionID     types.String `tfsdk:"promotion_id"`
	RulePromotionID types.String `tfsdk:"rule_promotion_id"`
	Prefix          types.String `tfsdk:"prefix"`
	Codes           []codeModel  `tfsdk:"codes"`
	Total           types.Int64  `tfsdk:"total"`
}

type codeModel struct {
	Code        types.String `tfsdk:"code"`
	MaxUses     types.Int64  `tfsdk:"max_uses"`
	Uses        types.Int64  `tfsdk:"uses"`
	ConsumeUnit types.String `tfsdk:"consume_unit"`
	CreatedAt   types.String `tfsdk:"created_at"`
}

func (d *promotionCodesDataSource) Metadata(_ context.Context, req datasource.MetadataRequest, resp *datasource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_promotion_codes"
}

func (d *promotionCodesDataSource) Schema(_ context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "Reads the codes of one promotion (every page), for handing them to an email or " +
			"loyalty tool. The codes are sensitive: a leaked code is a free discount. Like every data source, the " +
			"result is stored in the state: the `elasticpath_promotion_codes` ephemeral resource reads the same " +
			"without storing it.",
		Attributes: codesReadAttributes(),
	}
}

// codesReadAttributes are the attributes of a read of a promotion's codes. The data source and the ephemeral
// resource return the same, so they are written once, here, and spelled for the ephemeral resource's schema by
// ephemeralAttributes.
func codesReadAttributes() map[string]schema.Attribute {
	return map[string]schema.Attribute{
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
	}
}

func (d *promotionCodesDataSource) ConfigValidators(context.Context) []datasource.ConfigValidator {
	return []datasource.ConfigValidator{
		datasourcevalidator.ExactlyOneOf(path.MatchRoot("promotion_id"), path.MatchRoot("rule_promotion_id")),
	}
}

func (d *promotionCodesDataSource) Configure(_ context.Context, req datasource.ConfigureRequest, resp *datasource.ConfigureResponse) {
	d.client = clientFromProviderData(req.ProviderData, &resp.Diagnostics)
}

func (d *promotionCodesDataSource) Read(ctx context.Context, req datasource.ReadRequest, resp *datasource.ReadResponse) {
	var cfg promotionCodesModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &cfg)...)
	if resp.Diagnostics.HasError() || !requireClient(d.client, &resp.Diagnostics) {
		return
	}
	resp.Diagnostics.Append(readPromotionCodes(ctx, d.client, &cfg)...)
	if !resp.Diagnostics.HasError() {
		resp.Diagnostics.Append(resp.State.Set(ctx, &cfg)...)
	}
}

// readPromotionCodes fills m's codes and total from the API: the one reading path of the data source and the
// ephemeral resource.
func readPromotionCodes(ctx context.Context, client *epcc.Client, m *promotionCodesModel) diag.Diagnostics {
	var diags diag.Diagnostics
	ref, _ := promotionRefOf(m.PromotionID, m.RulePromotionID)
	codes, err := client.ListPromotionCodes(ctx, ref)
	if err != nil {
		attr := "promotion_id"
		if ref.API == epcc.RulePromotions {
			attr = "rule_promotion_id"
		}
		if epcc.IsNotFound(err) {
			diags.AddAttributeError(path.Root(attr), "Promotion not found",
				fmt.Sprintf("%s %q names no promotion of the %s API: %s", attr, ref.ID, ref.API, err))
			return diags
		}
		diags.AddError("Could not list promotion codes", fmt.Sprintf("Listing the codes of %s: %s", ref, err))
		return diags
	}
	prefix := strings.ToLower(m.Prefix.ValueString())
	m.Codes = []codeModel{}
	for _, c := range codes {
		if !strings.HasPrefix(strings.ToLower(c.Code), prefix) {
			continue
		}
		m.Codes = append(m.Codes, codeModel{
			Code:        types.StringValue(c.Code),
			MaxUses:     types.Int64PointerValue(c.MaxUses),
			Uses:        types.Int64PointerValue(c.Uses),
			ConsumeUnit: optionalString(c.ConsumeUnit),
			CreatedAt:   timeValue(c.CreatedAt),
		})
	}
	m.Total = types.Int64Value(int64(len(m.Codes)))
	return diags
}

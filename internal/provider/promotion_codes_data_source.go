package provider

import (
	"context"
	"fmt"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework-validators/datasourcevalidator"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
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
			"result is stored in the state.",
		Attributes: map[string]schema.Attribute{
			"promotion_id":      schema.StringAttribute{MarkdownDescription: descPromotionID, Optional: true, Validators: promotionIDValidators},
			"rule_promotion_id": schema.StringAttribute{MarkdownDescription: descRulePromotionID, Optional: true, Validators: promotionIDValidators},
			"prefix": schema.StringAttribute{
				MarkdownDescription: "Only codes that start with this text, compared without regard to case (codes are " +
					"case-insensitive in Elastic Path).",
				Optional:   true,
				Validators: []validator.String{stringvalidator.LengthAtLeast(1)},
			},
			"total": schema.Int64Attribute{MarkdownDescription: "How many codes `codes` holds.", Computed: true},
			"codes": schema.ListNestedAttribute{
				MarkdownDescription: "The codes, in the order the API lists them.",
				Computed:            true,
				Sensitive:           true,
				NestedObject: schema.NestedAttributeObject{Attributes: map[string]schema.Attribute{
					"code":         schema.StringAttribute{MarkdownDescription: "The code customers enter.", Computed: true},
					"max_uses":     schema.Int64Attribute{MarkdownDescription: "How often the code may be used; null when unlimited.", Computed: true},
					"uses":         schema.Int64Attribute{MarkdownDescription: "The uses the API reports for the code (the uses left).", Computed: true},
					"consume_unit": schema.StringAttribute{MarkdownDescription: "What one use is: `per_checkout`, `per_application`, `per_cart` or `per_item`.", Computed: true},
					"created_at":   schema.StringAttribute{MarkdownDescription: "When the code was made (RFC 3339).", Computed: true},
				}},
			},
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
	ref, _ := jobModel{PromotionID: cfg.PromotionID, RulePromotionID: cfg.RulePromotionID}.promotionRef()
	codes, err := d.client.ListPromotionCodes(ctx, ref)
	if err != nil {
		attr := "promotion_id"
		if ref.API == epcc.RulePromotions {
			attr = "rule_promotion_id"
		}
		if epcc.IsNotFound(err) {
			resp.Diagnostics.AddAttributeError(path.Root(attr), "Promotion not found",
				fmt.Sprintf("%s %q names no promotion of the %s API: %s", attr, ref.ID, ref.API, err))
			return
		}
		resp.Diagnostics.AddError("Could not list promotion codes", fmt.Sprintf("Listing the codes of %s: %s", ref, err))
		return
	}
	prefix := strings.ToLower(cfg.Prefix.ValueString())
	cfg.Codes = []codeModel{}
	for _, c := range codes {
		if !strings.HasPrefix(strings.ToLower(c.Code), prefix) {
			continue
		}
		cfg.Codes = append(cfg.Codes, codeModel{
			Code:        types.StringValue(c.Code),
			MaxUses:     types.Int64PointerValue(c.MaxUses),
			Uses:        types.Int64PointerValue(c.Uses),
			ConsumeUnit: optionalString(c.ConsumeUnit),
			CreatedAt:   timeValue(c.CreatedAt),
		})
	}
	cfg.Total = types.Int64Value(int64(len(cfg.Codes)))
	resp.Diagnostics.Append(resp.State.Set(ctx, &cfg)...)
}

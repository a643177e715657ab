package provider

import (
	"context"
	"fmt"
	"maps"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework-validators/datasourcevalidator"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/path"

	"github.com/epcc-community/terraform-provider-elasticpath/internal/epcc"
)

// NewRulePromotionDataSource is the elasticpath_rule_promotion data source: a Rule Promotion found by id or
// by exact name.
func NewRulePromotionDataSource() datasource.DataSource {
	return &promotionDataSource[rulePromotionModel]{
		typeName: "_rule_promotion", api: epcc.RulePromotions, kind: "Rule Promotion",
		fromAPI: rulePromotionOf,
		attributes: promotionDataAttributes(map[string]schema.Attribute{
			"stackable":         schema.BoolAttribute{MarkdownDescription: "Whether the promotion stacks with others.", Computed: true},
			"override_stacking": schema.BoolAttribute{MarkdownDescription: "Whether it stacks even with a non-stackable promotion.", Computed: true},
			"priority":          schema.Int64Attribute{MarkdownDescription: "The promotion's priority; larger applies first.", Computed: true},
			"rule_set":          schema.StringAttribute{MarkdownDescription: "The promotion's conditions and benefits, a JSON document (`jsondecode` reads it).", Computed: true, CustomType: jsonDocumentType{}},
		}),
	}
}

// NewStandardPromotionDataSource is the elasticpath_promotion data source: a Promotions Standard promotion
// found by id or by exact name.
func NewStandardPromotionDataSource() datasource.DataSource {
	return &promotionDataSource[standardPromotionModel]{
		typeName: "_promotion", api: epcc.PromotionsStandard, kind: "Promotions Standard promotion",
		fromAPI: standardPromotionOf,
		attributes: promotionDataAttributes(map[string]schema.Attribute{
			"promotion_type":            schema.StringAttribute{MarkdownDescription: "The kind of discount, which says what `schema` holds.", Computed: true},
			"schema":                    schema.StringAttribute{MarkdownDescription: "The discount's details, a JSON document (`jsondecode` reads it).", Computed: true, CustomType: jsonDocumentType{}},
			"max_applications_per_cart": schema.Int64Attribute{MarkdownDescription: "How many times the promotion applies in one cart.", Computed: true},
		}),
	}
}

// promotionDataSource finds one promotion of an API by id or by exact name. Its model is the resource's, so
// what it returns reads as the resource would hold it.
type promotionDataSource[M promotionModel] struct {
	client     *epcc.Client
	typeName   string
	api        epcc.API
	kind       string
	fromAPI    func(epcc.Promotion) M
	attributes map[string]schema.Attribute // besides id and name
}

func (d *promotionDataSource[M]) Metadata(_ context.Context, req datasource.MetadataRequest, resp *datasource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + d.typeName
}

func (d *promotionDataSource[M]) Schema(_ context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	attrs := map[string]schema.Attribute{
		"id": schema.StringAttribute{
			MarkdownDescription: "The promotion's id. Exactly one of `id` and `name` is set.",
			Optional:            true,
			Computed:            true,
			Validators:          promotionIDValidators,
		},
		"name": schema.StringAttribute{
			MarkdownDescription: "The promotion's exact name (case matters). It must name exactly one promotion: none, " +
				"or several, is an error that says which. Exactly one of `id` and `name` is set.",
			Optional: true,
			Computed: true,
		},
	}
	for k, v := range d.attributes {
		attrs[k] = v
	}
	resp.Schema = schema.Schema{
		MarkdownDescription: fmt.Sprintf("Finds one %s by its id or its exact name, so that a configuration that "+
			"does not manage the promotion can name it instead of pasting its id.", d.kind),
		Attributes: attrs,
	}
}

func (d *promotionDataSource[M]) ConfigValidators(context.Context) []datasource.ConfigValidator {
	return []datasource.ConfigValidator{
		datasourcevalidator.ExactlyOneOf(path.MatchRoot("id"), path.MatchRoot("name")),
	}
}

func (d *promotionDataSource[M]) Configure(_ context.Context, req datasource.ConfigureRequest, resp *datasource.ConfigureResponse) {
	d.client = clientFromProviderData(req.ProviderData, &resp.Diagnostics)
}

func (d *promotionDataSource[M]) Read(ctx context.Context, req datasource.ReadRequest, resp *datasource.ReadResponse) {
	var cfg M
	resp.Diagnostics.Append(req.Config.Get(ctx, &cfg)...)
	if resp.Diagnostics.HasError() || !requireClient(d.client, &resp.Diagnostics) {
		return
	}
	var found *epcc.Promotion
	if id := cfg.idValue(); !id.IsNull() {
		p, err := d.client.GetPromotion(ctx, epcc.PromotionRef{API: d.api, ID: id.ValueString()})
		switch {
		case epcc.IsNotFound(err):
			resp.Diagnostics.AddAttributeError(path.Root("id"), "Promotion not found",
				fmt.Sprintf("No %s has the id %s.", d.kind, id.ValueString()))
			return
		case err != nil:
			resp.Diagnostics.AddError("Could not read promotion", err.Error())
			return
		}
		found = p
	} else {
		name := cfg.nameValue().ValueString()
		all, err := d.client.FindPromotions(ctx, d.api, name)
		if err != nil {
			resp.Diagnostics.AddError("Could not look for promotions", err.Error())
			return
		}
		switch len(all) {
		case 0:
			resp.Diagnostics.AddAttributeError(path.Root("name"), "Promotion not found",
				fmt.Sprintf("No %s is named %q (names are compared exactly, case included).", d.kind, name))
			return
		case 1:
			found = &all[0]
		default:
			ids := make([]string, len(all))
			for i, p := range all {
				ids[i] = p.Ref.ID
			}
			resp.Diagnostics.AddAttributeError(path.Root("name"), "Several promotions have this name",
				fmt.Sprintf("%d %ss are named %q: %s. Name one by its id instead.", len(all), d.kind, name, strings.Join(ids, ", ")))
			return
		}
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, d.fromAPI(*found))...)
}

// promotionDataAttributes adds to extra the fields both promotion data sources read.
func promotionDataAttributes(extra map[string]schema.Attribute) map[string]schema.Attribute {
	attrs := map[string]schema.Attribute{
		"description": schema.StringAttribute{MarkdownDescription: "What the promotion offers.", Computed: true},
		"enabled":     schema.BoolAttribute{MarkdownDescription: "Whether the promotion applies.", Computed: true},
		"automatic":   schema.BoolAttribute{MarkdownDescription: "Whether the promotion applies without a code (it then takes no codes).", Computed: true},
		"start":       schema.StringAttribute{MarkdownDescription: "When the promotion starts (RFC 3339).", Computed: true, CustomType: instantType{}},
		"end":         schema.StringAttribute{MarkdownDescription: "When the promotion ends (RFC 3339).", Computed: true, CustomType: instantType{}},
		"created_at":  schema.StringAttribute{MarkdownDescription: "When the promotion was created (RFC 3339).", Computed: true},
	}
	maps.Copy(attrs, extra)
	return attrs
}

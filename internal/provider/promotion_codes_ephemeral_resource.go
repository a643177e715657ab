package provider

import (
	"context"
	"fmt"

	"github.com/hashicorp/terraform-plugin-framework-validators/ephemeralvalidator"
	dsschema "github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/ephemeral"
	"github.com/hashicorp/terraform-plugin-framework/ephemeral/schema"
	"github.com/hashicorp/terraform-plugin-framework/path"

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
		Attributes: ephemeralAttributes(codesReadAttributes()),
	}
}

// ephemeralAttributes spells data source attributes in the ephemeral resource schema's types, for a face that
// returns what a data source does (only the kinds codesReadAttributes uses).
func ephemeralAttributes(in map[string]dsschema.Attribute) map[string]schema.Attribute {
	out := make(map[string]schema.Attribute, len(in))
	for name, a := range in {
		switch a := a.(type) {
		case dsschema.StringAttribute:
			out[name] = schema.StringAttribute{MarkdownDescription: a.MarkdownDescription, Optional: a.Optional,
				Computed: a.Computed, Sensitive: a.Sensitive, Validators: a.Validators}
		case dsschema.Int64Attribute:
			out[name] = schema.Int64Attribute{MarkdownDescription: a.MarkdownDescription, Optional: a.Optional,
				Computed: a.Computed, Sensitive: a.Sensitive}
		case dsschema.ListNestedAttribute:
			out[name] = schema.ListNestedAttribute{MarkdownDescription: a.MarkdownDescription, Optional: a.Optional,
				Computed: a.Computed, Sensitive: a.Sensitive,
				NestedObject: schema.NestedAttributeObject{Attributes: ephemeralAttributes(a.NestedObject.Attributes)}}
		default:
			panic(fmt.Sprintf("ephemeralAttributes: attribute %s is a %T", name, a))
		}
	}
	return out
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

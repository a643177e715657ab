package provider

import (
	"context"
	"fmt"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework-validators/listresourcevalidator"
	"github.com/hashicorp/terraform-plugin-framework/list"
	"github.com/hashicorp/terraform-plugin-framework/list/schema"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/epcc-community/terraform-provider-elasticpath/internal/epcc"
)

// NewRulePromotionListResource is the list resource of elasticpath_rule_promotion, for terraform query.
func NewRulePromotionListResource() list.ListResource {
	return &promotionListResource[rulePromotionModel]{
		typeName: "_rule_promotion", api: epcc.RulePromotions, kind: "Rule Promotion",
		fromAPI: rulePromotionOf,
	}
}

// NewStandardPromotionListResource is the list resource of elasticpath_promotion, for terraform query.
func NewStandardPromotionListResource() list.ListResource {
	return &promotionListResource[standardPromotionModel]{
		typeName: "_promotion", api: epcc.PromotionsStandard, kind: "Promotions Standard promotion",
		fromAPI: standardPromotionOf,
	}
}

// promotionListResource finds an API's promotions, all or those of one name, and hands each out with the
// resource's identity, so that terraform query -generate-config-out writes what adopts them.
type promotionListResource[M promotionModel] struct {
	client   *epcc.Client
	typeName string
	api      epcc.API
	kind     string
	fromAPI  func(epcc.Promotion) M
}

type promotionListConfig struct {
	Name types.String `tfsdk:"name"`
}

func (l *promotionListResource[M]) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + l.typeName
}

func (l *promotionListResource[M]) ListResourceConfigSchema(_ context.Context, _ list.ListResourceSchemaRequest, resp *list.ListResourceSchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: fmt.Sprintf("Finds the store's %ss, all or those of one name, for `terraform query`: "+
			"`terraform query -generate-config-out=FILE` writes the import and resource blocks that adopt them.", l.kind),
		Attributes: map[string]schema.Attribute{
			"name": schema.StringAttribute{MarkdownDescription: "Only promotions with exactly this name.", Optional: true},
		},
	}
}

func (l *promotionListResource[M]) Configure(_ context.Context, req resource.ConfigureRequest, resp *resource.ConfigureResponse) {
	l.client = clientFromProviderData(req.ProviderData, &resp.Diagnostics)
}

func (l *promotionListResource[M]) List(ctx context.Context, req list.ListRequest, stream *list.ListResultsStream) {
	var cfg promotionListConfig
	diags := req.Config.Get(ctx, &cfg)
	if diags.HasError() || !requireClient(l.client, &diags) {
		stream.Results = list.ListResultsStreamDiagnostics(diags)
		return
	}
	found, err := l.client.FindPromotions(ctx, l.api, cfg.Name.ValueString())
	if err != nil {
		diags.AddError("Could not list promotions", err.Error())
		stream.Results = list.ListResultsStreamDiagnostics(diags)
		return
	}
	stream.Results = func(push func(list.ListResult) bool) {
		for i, p := range found {
			if req.Limit > 0 && int64(i) >= req.Limit {
				return
			}
			result := req.NewListResult(ctx)
			state := "disabled"
			if p.Enabled {
				state = "enabled"
			}
			result.DisplayName = fmt.Sprintf("%s (%s, %s to %s)", p.Name, state, orDash(p.Start), orDash(p.End))
			result.Diagnostics.Append(result.Identity.Set(ctx, promotionIdentityModel{ID: types.StringValue(p.Ref.ID)})...)
			if req.IncludeResource {
				result.Diagnostics.Append(result.Resource.Set(ctx, l.fromAPI(p))...)
			}
			if !push(result) {
				return
			}
		}
	}
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

var (
	_ list.ListResourceWithConfigure        = (*promotionCodeListResource)(nil)
	_ list.ListResourceWithConfigValidators = (*promotionCodeListResource)(nil)
)

// NewPromotionCodeListResource is the list resource of elasticpath_promotion_code, for terraform query.
func NewPromotionCodeListResource() list.ListResource {
	return &promotionCodeListResource{}
}

// promotionCodeListResource finds a promotion's codes, optionally those with a prefix.
type promotionCodeListResource struct {
	client *epcc.Client
}

type promotionCodeListConfig struct {
	PromotionID     types.String `tfsdk:"promotion_id"`
	RulePromotionID types.String `tfsdk:"rule_promotion_id"`
	Prefix          types.String `tfsdk:"prefix"`
}

func (l *promotionCodeListResource) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_promotion_code"
}

func (l *promotionCodeListResource) ListResourceConfigSchema(_ context.Context, _ list.ListResourceSchemaRequest, resp *list.ListResourceSchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "Finds the codes of one promotion, for `terraform query`: `terraform query " +
			"-generate-config-out=FILE` writes the import and resource blocks that adopt them. A promotion's listing " +
			"holds the codes its jobs generated too: pick the hand-made ones with `prefix`.",
		Attributes: map[string]schema.Attribute{
			"promotion_id": schema.StringAttribute{
				MarkdownDescription: descCodesPromotionID,
				Optional:            true,
				Validators:          promotionIDValidators,
			},
			"rule_promotion_id": schema.StringAttribute{
				MarkdownDescription: descCodesRulePromotionID,
				Optional:            true,
				Validators:          promotionIDValidators,
			},
			"prefix": schema.StringAttribute{MarkdownDescription: descCodesPrefix, Optional: true},
		},
	}
}

func (l *promotionCodeListResource) ListResourceConfigValidators(context.Context) []list.ConfigValidator {
	return []list.ConfigValidator{
		listresourcevalidator.ExactlyOneOf(path.MatchRoot("promotion_id"), path.MatchRoot("rule_promotion_id")),
	}
}

func (l *promotionCodeListResource) Configure(_ context.Context, req resource.ConfigureRequest, resp *resource.ConfigureResponse) {
	l.client = clientFromProviderData(req.ProviderData, &resp.Diagnostics)
}

func (l *promotionCodeListResource) List(ctx context.Context, req list.ListRequest, stream *list.ListResultsStream) {
	var cfg promotionCodeListConfig
	diags := req.Config.Get(ctx, &cfg)
	if diags.HasError() || !requireClient(l.client, &diags) {
		stream.Results = list.ListResultsStreamDiagnostics(diags)
		return
	}
	owner := promotionCodeModel{PromotionID: cfg.PromotionID, RulePromotionID: cfg.RulePromotionID}
	ref, _ := owner.promotionRef()
	codes, err := l.client.ListPromotionCodes(ctx, ref)
	if err != nil {
		diags.AddError("Could not list promotion codes", err.Error())
		stream.Results = list.ListResultsStreamDiagnostics(diags)
		return
	}
	prefix := strings.ToLower(cfg.Prefix.ValueString())
	stream.Results = func(push func(list.ListResult) bool) {
		n := int64(0)
		for _, c := range codes {
			if !strings.HasPrefix(strings.ToLower(c.Code), prefix) {
				continue
			}
			if req.Limit > 0 && n >= req.Limit {
				return
			}
			n++
			result := req.NewListResult(ctx)
			result.DisplayName = fmt.Sprintf("%s (%s)", c.Code, codeUses(c))
			result.Diagnostics.Append(result.Identity.Set(ctx, codeIdentity(ref, types.StringValue(c.Code)))...)
			if req.IncludeResource {
				m := owner
				m.set(c, owner)
				m.ID = types.StringValue(codeImportID(ref, c.Code))
				result.Diagnostics.Append(result.Resource.Set(ctx, m)...)
			}
			if !push(result) {
				return
			}
		}
	}
}

// codeUses says how much of a code is left, for a display name.
func codeUses(c epcc.Code) string {
	if c.MaxUses == nil {
		return "unlimited uses"
	}
	return fmt.Sprintf("%d of %d uses left", derefInt(c.Uses), *c.MaxUses)
}

// Package provider is the Terraform face of the Elastic Path promotion jobs API: schemas, plan rules and CRUD.
// It speaks to the API only through internal/epcc.
package provider

import (
	"context"
	"fmt"
	"os"
	"strconv"
	"time"

	"github.com/hashicorp/terraform-plugin-framework-validators/float64validator"
	"github.com/hashicorp/terraform-plugin-framework-validators/int64validator"
	"github.com/hashicorp/terraform-plugin-framework/action"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/ephemeral"
	"github.com/hashicorp/terraform-plugin-framework/list"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/provider"
	"github.com/hashicorp/terraform-plugin-framework/provider/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/epcc-community/terraform-provider-elasticpath/internal/epcc"
)

// Environment variables read when the matching provider attribute is not set. The first four are the names
// Elastic Path's own tools use.
const (
	EnvClientID       = "EPCC_CLIENT_ID"
	EnvClientSecret   = "EPCC_CLIENT_SECRET"
	EnvAPIBaseURL     = "EPCC_API_BASE_URL"
	EnvBetaFeatures   = "EPCC_BETA_API_FEATURES"
	EnvRequestTimeout = "EPCC_REQUEST_TIMEOUT"
	EnvMaxRetries     = "EPCC_MAX_RETRIES"
	EnvRateLimit      = "EPCC_RATE_LIMIT"
	// EnvMaxCodesPerPromotion is the provider's own setting for stores whose promotions hold more codes.
	EnvMaxCodesPerPromotion = "EPCC_MAX_CODES_PER_PROMOTION"
)

const (
	defaultRequestTimeout = 30 * time.Second
	defaultMaxRetries     = 4
	defaultRateLimit      = 20.0
	// defaultMaxCodes is Elastic Path's default limit of codes per promotion.
	defaultMaxCodes = 1000
)

var (
	_ provider.Provider                       = (*elasticPathProvider)(nil)
	_ provider.ProviderWithEphemeralResources = (*elasticPathProvider)(nil)
	_ provider.ProviderWithActions            = (*elasticPathProvider)(nil)
	_ provider.ProviderWithListResources      = (*elasticPathProvider)(nil)
)

type elasticPathProvider struct {
	version string
}

// New returns the provider factory for the given release version.
func New(version string) func() provider.Provider {
	return func() provider.Provider {
		return &elasticPathProvider{version: version}
	}
}

type providerModel struct {
	ClientID       types.String  `tfsdk:"client_id"`
	ClientSecret   types.String  `tfsdk:"client_secret"`
	APIBaseURL     types.String  `tfsdk:"api_base_url"`
	BetaFeatures   types.String  `tfsdk:"beta_features"`
	RequestTimeout types.String  `tfsdk:"request_timeout"`
	MaxRetries     types.Int64   `tfsdk:"max_retries"`
	RateLimit      types.Float64 `tfsdk:"rate_limit"`
	MaxCodes       types.Int64   `tfsdk:"max_codes_per_promotion"`
}

// providerData is what Configure hands to resources and data sources.
type providerData struct {
	client *epcc.Client
	checks *planChecks
}

func (p *elasticPathProvider) Metadata(_ context.Context, _ provider.MetadataRequest, resp *provider.MetadataResponse) {
	resp.TypeName = "elasticpath"
	resp.Version = p.version
}

func (p *elasticPathProvider) Schema(_ context.Context, _ provider.SchemaRequest, resp *provider.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "Runs Elastic Path Commerce Cloud promotion jobs (bulk code generation and code export) " +
			"for Promotions Standard and Rule Promotions.",
		Attributes: map[string]schema.Attribute{
			"client_id": schema.StringAttribute{
				MarkdownDescription: "Client ID of a `client_credentials` application key. Falls back to `" + EnvClientID + "`.",
				Optional:            true,
			},
			"client_secret": schema.StringAttribute{
				MarkdownDescription: "Client secret of that key. Falls back to `" + EnvClientSecret + "`.",
				Optional:            true,
				Sensitive:           true,
			},
			"api_base_url": schema.StringAttribute{
				MarkdownDescription: "API base URL of the store's region, e.g. `https://useast.api.elasticpath.com` (the default) " +
					"or `https://euwest.api.elasticpath.com`. Falls back to `" + EnvAPIBaseURL + "`. Plain `http://` is " +
					"accepted only for loopback addresses.",
				Optional: true,
				Validators: []validator.String{
					baseURLValidator{},
				},
			},
			"beta_features": schema.StringAttribute{
				MarkdownDescription: "Value of the `EP-Beta-Features` header. Falls back to `" + EnvBetaFeatures + "`.",
				Optional:            true,
			},
			"request_timeout": schema.StringAttribute{
				MarkdownDescription: "Timeout of one HTTP attempt, as a Go duration (e.g. `30s`). Falls back to `" +
					EnvRequestTimeout + "`; defaults to `30s`. Job waits are bounded by the resource's `timeouts` instead.",
				Optional: true,
				Validators: []validator.String{
					durationValidator{},
				},
			},
			"max_retries": schema.Int64Attribute{
				MarkdownDescription: "Retries of a failed request (5xx, connection errors, malformed answers) after the " +
					"first attempt. Falls back to `" + EnvMaxRetries + "`; defaults to 4. A job-creating request is never " +
					"resent blindly. A 429 is not a failure: it is retried for as long as the operation has time (see " +
					"Rate limits).",
				Optional: true,
				Validators: []validator.Int64{
					int64validator.Between(0, 20),
				},
			},
			"max_codes_per_promotion": schema.Int64Attribute{
				MarkdownDescription: "Most codes one promotion may hold; plan refuses `code_generate` jobs that would " +
					"pass it. Falls back to `" + EnvMaxCodesPerPromotion + "`; defaults to 1000, Elastic Path's default " +
					"limit. Raise it only if your store allows more.",
				Optional:   true,
				Validators: []validator.Int64{int64validator.AtLeast(1)},
			},
			"rate_limit": schema.Float64Attribute{
				MarkdownDescription: "Most requests per second this provider process sends to the store, counted over " +
					"any one second. Falls back to `" + EnvRateLimit + "`; defaults to 20, under the 25 requests/s of a " +
					"development store. When the store answers 429 (other pipelines share its limit) the provider " +
					"slows down below it and climbs back after a quiet spell (see Rate limits).",
				Optional: true,
				Validators: []validator.Float64{
					float64validator.AtLeast(0.1),
				},
			},
		},
	}
}

func (p *elasticPathProvider) Configure(ctx context.Context, req provider.ConfigureRequest, resp *provider.ConfigureResponse) {
	var cfg providerModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &cfg)...)
	if resp.Diagnostics.HasError() {
		return
	}

	if hasUnknown(cfg) {
		// A value will only be known after apply. Terraform can plan creates without a client; anything that
		// needs one reports clientMissing. Newer Terraform lets the whole provider be deferred instead.
		if req.ClientCapabilities.DeferralAllowed {
			resp.Deferred = &provider.Deferred{Reason: provider.DeferredReasonProviderConfigUnknown}
		}
		tflog.Info(ctx, "provider configuration has values unknown until apply; API client not configured yet")
		return
	}

	clientCfg, diags := clientConfig(cfg, p.version, req.TerraformVersion)
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return
	}
	client, err := epcc.New(clientCfg)
	if err != nil {
		resp.Diagnostics.AddError("Invalid Elastic Path provider configuration", err.Error())
		return
	}
	maxCodes, diags := maxCodesPerPromotion(cfg)
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return
	}
	tflog.Debug(ctx, "configured Elastic Path client", map[string]any{"api_base_url": clientCfg.BaseURL})
	data := &providerData{client: client, checks: newPlanChecks(client, maxCodes)}
	resp.ResourceData = data
	resp.DataSourceData = data
	resp.EphemeralResourceData = data
	resp.ActionData = data
	resp.ListResourceData = data
}

func maxCodesPerPromotion(cfg providerModel) (int64, diag.Diagnostics) {
	var diags diag.Diagnostics
	if !cfg.MaxCodes.IsNull() {
		return cfg.MaxCodes.ValueInt64(), diags
	}
	s := os.Getenv(EnvMaxCodesPerPromotion)
	if s == "" {
		return defaultMaxCodes, diags
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil || n < 1 {
		diags.AddAttributeError(path.Root("max_codes_per_promotion"), "Invalid max codes per promotion",
			fmt.Sprintf("%s=%q is not a whole number of at least 1 (max_codes_per_promotion).", EnvMaxCodesPerPromotion, s))
	}
	return n, diags
}

func hasUnknown(cfg providerModel) bool {
	return cfg.ClientID.IsUnknown() || cfg.ClientSecret.IsUnknown() || cfg.APIBaseURL.IsUnknown() ||
		cfg.BetaFeatures.IsUnknown() || cfg.RequestTimeout.IsUnknown() || cfg.MaxRetries.IsUnknown() ||
		cfg.RateLimit.IsUnknown() || cfg.MaxCodes.IsUnknown()
}

// clientConfig merges the provider block with the environment: the block wins, the variable fills the gap.
func clientConfig(cfg providerModel, version, terraformVersion string) (epcc.Config, diag.Diagnostics) {
	var diags diag.Diagnostics
	out := epcc.Config{
		ClientID:     stringOrEnv(cfg.ClientID, EnvClientID),
		ClientSecret: stringOrEnv(cfg.ClientSecret, EnvClientSecret),
		BaseURL:      stringOrEnv(cfg.APIBaseURL, EnvAPIBaseURL),
		BetaFeatures: stringOrEnv(cfg.BetaFeatures, EnvBetaFeatures),
		UserAgent:    fmt.Sprintf("terraform-provider-elasticpath/%s Terraform/%s", version, terraformVersion),
		HandOff:      true,
	}
	if out.ClientID == "" {
		diags.AddAttributeError(path.Root("client_id"), "Missing Elastic Path client ID",
			"Set the provider's client_id attribute or the "+EnvClientID+" environment variable to the client ID of a "+
				"client_credentials application key.")
	}
	if out.ClientSecret == "" {
		diags.AddAttributeError(path.Root("client_secret"), "Missing Elastic Path client secret",
			"Set the provider's client_secret attribute or the "+EnvClientSecret+" environment variable to the client "+
				"secret of a client_credentials application key.")
	}
	if out.BaseURL == "" {
		out.BaseURL = epcc.DefaultBaseURL
	}
	if err := epcc.ValidateBaseURL(out.BaseURL); err != nil {
		diags.AddAttributeError(path.Root("api_base_url"), "Invalid Elastic Path API base URL",
			fmt.Sprintf("%s (set by the api_base_url attribute or %s).", err, EnvAPIBaseURL))
	}

	out.RequestTimeout = defaultRequestTimeout
	if s := stringOrEnv(cfg.RequestTimeout, EnvRequestTimeout); s != "" {
		d, err := time.ParseDuration(s)
		if err != nil || d <= 0 {
			diags.AddAttributeError(path.Root("request_timeout"), "Invalid request timeout",
				fmt.Sprintf("%q is not a positive duration such as \"30s\" (attribute request_timeout or %s).", s, EnvRequestTimeout))
		}
		out.RequestTimeout = d
	}

	maxRetries := int64(defaultMaxRetries)
	if !cfg.MaxRetries.IsNull() {
		maxRetries = cfg.MaxRetries.ValueInt64()
	} else if s := os.Getenv(EnvMaxRetries); s != "" {
		n, err := strconv.ParseInt(s, 10, 64)
		if err != nil || n < 0 || n > 20 {
			diags.AddAttributeError(path.Root("max_retries"), "Invalid max retries",
				fmt.Sprintf("%s=%q is not a whole number between 0 and 20 (max_retries).", EnvMaxRetries, s))
		}
		maxRetries = n
	}
	out.MaxRetries = int(maxRetries)
	if maxRetries == 0 {
		out.MaxRetries = -1 // the client reads 0 as "use the default"
	}

	out.RateLimit = defaultRateLimit
	if !cfg.RateLimit.IsNull() {
		out.RateLimit = cfg.RateLimit.ValueFloat64()
	} else if s := os.Getenv(EnvRateLimit); s != "" {
		f, err := strconv.ParseFloat(s, 64)
		if err != nil || f < 0.1 {
			diags.AddAttributeError(path.Root("rate_limit"), "Invalid rate limit",
				fmt.Sprintf("%s=%q is not a number of requests per second of at least 0.1 (rate_limit).", EnvRateLimit, s))
		}
		out.RateLimit = f
	}
	return out, diags
}

func stringOrEnv(v types.String, env string) string {
	if !v.IsNull() && !v.IsUnknown() {
		return v.ValueString()
	}
	return os.Getenv(env)
}

func (p *elasticPathProvider) Resources(_ context.Context) []func() resource.Resource {
	return []func() resource.Resource{
		NewPromotionJobResource,
		NewRulePromotionResource,
		NewPromotionCodeResource,
		NewStandardPromotionResource,
	}
}

func (p *elasticPathProvider) DataSources(_ context.Context) []func() datasource.DataSource {
	return []func() datasource.DataSource{
		NewPromotionJobsDataSource,
		NewPromotionCodesDataSource,
		NewRulePromotionDataSource,
		NewStandardPromotionDataSource,
	}
}

func (p *elasticPathProvider) EphemeralResources(_ context.Context) []func() ephemeral.EphemeralResource {
	return []func() ephemeral.EphemeralResource{
		NewPromotionCodesEphemeralResource,
		NewPromotionExportEphemeralResource,
	}
}

func (p *elasticPathProvider) Actions(_ context.Context) []func() action.Action {
	return []func() action.Action{
		NewGeneratePromotionCodesAction,
		NewExportPromotionCodesAction,
	}
}

func (p *elasticPathProvider) ListResources(_ context.Context) []func() list.ListResource {
	return []func() list.ListResource{
		NewPromotionJobListResource,
		NewRulePromotionListResource,
		NewStandardPromotionListResource,
		NewPromotionCodeListResource,
	}
}

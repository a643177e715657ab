package provider

import (
	"context"
	"fmt"
	"regexp"
	"slices"
	"time"

	"github.com/hashicorp/terraform-plugin-framework-validators/int64validator"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"

	"github.com/epcc-community/terraform-provider-elasticpath/internal/epcc"
)

// baseURLValidator applies the client's base URL rule at plan time, so a plain http:// URL to a remote host
// is refused before any credential is sent.
type baseURLValidator struct{}

func (baseURLValidator) Description(context.Context) string {
	return "must be an https:// URL, or http:// to a loopback address"
}

func (v baseURLValidator) MarkdownDescription(ctx context.Context) string { return v.Description(ctx) }

func (baseURLValidator) ValidateString(_ context.Context, req validator.StringRequest, resp *validator.StringResponse) {
	if req.ConfigValue.IsNull() || req.ConfigValue.IsUnknown() {
		return
	}
	if err := epcc.ValidateBaseURL(req.ConfigValue.ValueString()); err != nil {
		resp.Diagnostics.AddAttributeError(req.Path, "Invalid Elastic Path API base URL", err.Error())
	}
}

// durationValidator accepts a positive Go duration such as "30s" or "2m".
type durationValidator struct{}

func (durationValidator) Description(context.Context) string {
	return `must be a positive duration such as "30s" or "2m"`
}

func (v durationValidator) MarkdownDescription(ctx context.Context) string { return v.Description(ctx) }

func (v durationValidator) ValidateString(ctx context.Context, req validator.StringRequest, resp *validator.StringResponse) {
	if req.ConfigValue.IsNull() || req.ConfigValue.IsUnknown() {
		return
	}
	if d, err := time.ParseDuration(req.ConfigValue.ValueString()); err != nil || d <= 0 {
		resp.Diagnostics.AddAttributeError(req.Path, "Invalid duration",
			fmt.Sprintf("%q %s.", req.ConfigValue.ValueString(), v.Description(ctx)))
	}
}

// promotionIDValidators refuse at plan anything that is not an Elastic Path id (a UUID), so that input such as
// "..", "a/b" or "x?y" never reaches a request path. Every face that takes a promotion id uses these.
var promotionIDValidators = []validator.String{
	stringvalidator.RegexMatches(elasticPathID, "must be an Elastic Path promotion id: a UUID such as "+exampleID),
}

var elasticPathID = regexp.MustCompile(`^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$`)

const exampleID = "4a1b9c7e-2f3d-4e5a-8b6c-0d1e2f3a4b5c"

// The static rules of a job's inputs, shared by every face that starts a job (the resource and the actions).
var (
	jobNameValidators        = []validator.String{stringvalidator.UTF8LengthBetween(1, 50)}
	numberOfCodesValidators  = []validator.Int64{int64validator.Between(1, 1000)}
	maxUsesPerCodeValidators = []validator.Int64{int64validator.AtLeast(0)}
	consumeUnitValidators    = []validator.String{stringvalidator.OneOf(
		append(slices.Clone(consumeUnits[epcc.PromotionsStandard]), consumeUnits[epcc.RulePromotions]...)...)}
	codePrefixValidators = []validator.String{stringvalidator.LengthAtLeast(1)}
	codeLengthValidators = []validator.Int64{int64validator.Between(8, 16)}
	jobTypeValidators    = []validator.String{stringvalidator.OneOf(epcc.JobTypeGenerate, epcc.JobTypeExport)}
	jobStatusValidators  = []validator.String{stringvalidator.OneOf(jobStatuses...)}
)

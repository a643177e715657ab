package provider

import (
	"context"
	"fmt"

	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/identityschema"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/epcc-community/terraform-provider-elasticpath/internal/epcc"
)

// jobIdentityModel is the resource identity of a promotion job: what names it for import blocks and for
// terraform query. Its promotion_id and rule_promotion_id mean what the resource's do: exactly one is set.
type jobIdentityModel struct {
	PromotionID     types.String `tfsdk:"promotion_id"`
	RulePromotionID types.String `tfsdk:"rule_promotion_id"`
	JobID           types.String `tfsdk:"job_id"`
}

func newJobIdentity(ref epcc.PromotionRef, jobID string) jobIdentityModel {
	standard, rule := promotionIDs(ref)
	return jobIdentityModel{PromotionID: standard, RulePromotionID: rule, JobID: types.StringValue(jobID)}
}

// promotionIDs are the promotion_id and rule_promotion_id that name ref on every face: exactly one is set.
func promotionIDs(ref epcc.PromotionRef) (standard, rule types.String) {
	if ref.API == epcc.RulePromotions {
		return types.StringNull(), types.StringValue(ref.ID)
	}
	return types.StringValue(ref.ID), types.StringNull()
}

var jobIdentitySchema = identityschema.Schema{
	// Version 0 named the promotion by promotion_api and promotion_id (either API's): see jobIdentityUpgrade.
	Version: 1,
	Attributes: map[string]identityschema.Attribute{
		"promotion_id": identityschema.StringAttribute{
			OptionalForImport: true,
			Description:       "The id of the Promotions Standard promotion the job runs on. Exactly one of `promotion_id` and `rule_promotion_id` is set.",
		},
		"rule_promotion_id": identityschema.StringAttribute{
			OptionalForImport: true,
			Description:       "The id of the Rule Promotion the job runs on. Exactly one of `promotion_id` and `rule_promotion_id` is set.",
		},
		"job_id": identityschema.StringAttribute{
			RequiredForImport: true,
			Description:       "The job's id (a UUID).",
		},
	},
}

// parse checks an identity given in an import block, with the rules of the composite import ID.
func (m jobIdentityModel) parse() (epcc.PromotionRef, string, error) {
	api, promo := epcc.PromotionsStandard, m.PromotionID.ValueString()
	if m.PromotionID.IsNull() {
		api, promo = epcc.RulePromotions, m.RulePromotionID.ValueString()
	}
	if m.PromotionID.IsNull() != m.RulePromotionID.IsNull() {
		if ref, jobID, ok := jobAddress(string(api), promo, m.JobID.ValueString()); ok {
			return ref, jobID, nil
		}
	}
	return epcc.PromotionRef{}, "", fmt.Errorf("identity {promotion_id = %q, rule_promotion_id = %q, job_id = %q} names "+
		"no job: set exactly one of promotion_id (Promotions Standard) and rule_promotion_id (Rule Promotions), "+
		"with job_id, all UUIDs as Elastic Path gives them",
		m.PromotionID.ValueString(), m.RulePromotionID.ValueString(), m.JobID.ValueString())
}

// jobIdentityV0 is the identity states written before version 1 hold.
type jobIdentityV0 struct {
	PromotionAPI types.String `tfsdk:"promotion_api"`
	PromotionID  types.String `tfsdk:"promotion_id"`
	JobID        types.String `tfsdk:"job_id"`
}

// jobIdentityUpgrade turns a version 0 identity (promotion_api and promotion_id) into the current one.
func jobIdentityUpgrade() map[int64]resource.IdentityUpgrader {
	prior := identityschema.Schema{Attributes: map[string]identityschema.Attribute{
		"promotion_api": identityschema.StringAttribute{RequiredForImport: true},
		"promotion_id":  identityschema.StringAttribute{RequiredForImport: true},
		"job_id":        identityschema.StringAttribute{RequiredForImport: true},
	}}
	return map[int64]resource.IdentityUpgrader{0: {
		PriorSchema: &prior,
		IdentityUpgrader: func(ctx context.Context, req resource.UpgradeIdentityRequest, resp *resource.UpgradeIdentityResponse) {
			var old jobIdentityV0
			resp.Diagnostics.Append(req.Identity.Get(ctx, &old)...)
			if resp.Diagnostics.HasError() {
				return
			}
			ref := epcc.PromotionRef{API: epcc.API(old.PromotionAPI.ValueString()), ID: old.PromotionID.ValueString()}
			resp.Diagnostics.Append(resp.Identity.Set(ctx, newJobIdentity(ref, old.JobID.ValueString()))...)
		},
	}}
}

// jobAddress validates the three parts that name a job, from an import ID or an identity alike.
func jobAddress(api, promotionID, jobID string) (epcc.PromotionRef, string, bool) {
	if !elasticPathID.MatchString(promotionID) || !elasticPathID.MatchString(jobID) {
		return epcc.PromotionRef{}, "", false
	}
	switch a := epcc.API(api); a {
	case epcc.PromotionsStandard, epcc.RulePromotions:
		return epcc.PromotionRef{API: a, ID: promotionID}, jobID, true
	}
	return epcc.PromotionRef{}, "", false
}

// promotionIDAttr is the attribute that names a promotion of the given API on every face.
func promotionIDAttr(api epcc.API) string {
	if api == epcc.RulePromotions {
		return "rule_promotion_id"
	}
	return "promotion_id"
}

// importID is the composite import ID of a job, the form parseImportID reads.
func importID(ref epcc.PromotionRef, jobID string) string {
	return ref.String() + "/" + jobID
}

package provider

import (
	"fmt"

	"github.com/hashicorp/terraform-plugin-framework/resource/identityschema"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/epcc-community/terraform-provider-elasticpath/internal/epcc"
)

// jobIdentityModel is the resource identity of a promotion job: what names it for import blocks and for
// terraform query. A job belongs to one promotion of one API, and its id is unique only there.
type jobIdentityModel struct {
	PromotionAPI types.String `tfsdk:"promotion_api"`
	PromotionID  types.String `tfsdk:"promotion_id"`
	JobID        types.String `tfsdk:"job_id"`
}

func newJobIdentity(ref epcc.PromotionRef, jobID string) jobIdentityModel {
	return jobIdentityModel{
		PromotionAPI: types.StringValue(string(ref.API)),
		PromotionID:  types.StringValue(ref.ID),
		JobID:        types.StringValue(jobID),
	}
}

var jobIdentitySchema = identityschema.Schema{
	Attributes: map[string]identityschema.Attribute{
		"promotion_api": identityschema.StringAttribute{
			RequiredForImport: true,
			Description:       "The promotion's API: `rule-promotions` (Rule Promotions) or `promotions` (Promotions Standard).",
		},
		"promotion_id": identityschema.StringAttribute{
			RequiredForImport: true,
			Description:       "The promotion's id (a UUID).",
		},
		"job_id": identityschema.StringAttribute{
			RequiredForImport: true,
			Description:       "The job's id (a UUID).",
		},
	},
}

// parse checks an identity given in an import block, with the rules of the composite import ID.
func (m jobIdentityModel) parse() (epcc.PromotionRef, string, error) {
	api, promo, job := m.PromotionAPI.ValueString(), m.PromotionID.ValueString(), m.JobID.ValueString()
	if ref, jobID, ok := jobAddress(api, promo, job); ok {
		return ref, jobID, nil
	}
	return epcc.PromotionRef{}, "", fmt.Errorf("identity {promotion_api = %q, promotion_id = %q, job_id = %q} names no "+
		"job: promotion_api is %q or %q, and both ids are UUIDs as Elastic Path gives them",
		api, promo, job, epcc.RulePromotions, epcc.PromotionsStandard)
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

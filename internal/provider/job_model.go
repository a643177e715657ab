package provider

import (
	"context"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/epcc-community/terraform-provider-elasticpath/internal/epcc"
)

// jobModel holds the attributes a promotion job has in both the resource and the data source.
type jobModel struct {
	ID              types.String `tfsdk:"id"`
	PromotionID     types.String `tfsdk:"promotion_id"`
	RulePromotionID types.String `tfsdk:"rule_promotion_id"`
	JobType         types.String `tfsdk:"job_type"`
	Name            types.String `tfsdk:"name"`
	Parameters      types.Object `tfsdk:"parameters"`
	Status          types.String `tfsdk:"status"`
	Error           types.String `tfsdk:"error"`
	GeneratedCodes  types.Int64  `tfsdk:"generated_codes"`
	DeletedCodes    types.Int64  `tfsdk:"deleted_codes"`
	CreatedAt       types.String `tfsdk:"created_at"`
	UpdatedAt       types.String `tfsdk:"updated_at"`
	FileURL         types.String `tfsdk:"file_url"`
}

type jobParametersModel struct {
	NumberOfCodes  types.Int64  `tfsdk:"number_of_codes"`
	MaxUsesPerCode types.Int64  `tfsdk:"max_uses_per_code"`
	ConsumeUnit    types.String `tfsdk:"consume_unit"`
	CodePrefix     types.String `tfsdk:"code_prefix"`
	CodeLength     types.Int64  `tfsdk:"code_length"`
}

var jobParametersAttrTypes = map[string]attr.Type{
	"number_of_codes":   types.Int64Type,
	"max_uses_per_code": types.Int64Type,
	"consume_unit":      types.StringType,
	"code_prefix":       types.StringType,
	"code_length":       types.Int64Type,
}

// consumeUnits lists the consume_unit values each API accepts.
var consumeUnits = map[epcc.API][]string{
	epcc.PromotionsStandard: {"per_item", "per_cart"},
	epcc.RulePromotions:     {"per_application", "per_checkout"},
}

// promotionRef returns the promotion the job belongs to; ok is false while either id is unknown or both are null.
func (m jobModel) promotionRef() (ref epcc.PromotionRef, ok bool) {
	return promotionRefOf(m.PromotionID, m.RulePromotionID)
}

// promotionRefOf is the promotion that a face's promotion_id or rule_promotion_id names (exactly one is set);
// ok is false while either is unknown or both are null.
func promotionRefOf(promotionID, rulePromotionID types.String) (ref epcc.PromotionRef, ok bool) {
	switch {
	case promotionID.IsUnknown() || rulePromotionID.IsUnknown():
		return ref, false
	case !promotionID.IsNull():
		return epcc.PromotionRef{API: epcc.PromotionsStandard, ID: promotionID.ValueString()}, true
	case !rulePromotionID.IsNull():
		return epcc.PromotionRef{API: epcc.RulePromotions, ID: rulePromotionID.ValueString()}, true
	}
	return ref, false
}

// createRequest maps the planned job to the API's create request.
func (m jobModel) createRequest(ctx context.Context) (epcc.CreateJobRequest, diag.Diagnostics) {
	req := epcc.CreateJobRequest{Type: m.JobType.ValueString(), Name: m.Name.ValueString()}
	if m.Parameters.IsNull() || m.Parameters.IsUnknown() {
		return req, nil
	}
	var p jobParametersModel
	diags := m.Parameters.As(ctx, &p, objectAsOptions)
	req.Parameters = &epcc.JobParameters{
		NumberOfCodes:  int64Ptr(p.NumberOfCodes),
		MaxUsesPerCode: int64Ptr(p.MaxUsesPerCode),
		ConsumeUnit:    p.ConsumeUnit.ValueString(),
		CodePrefix:     p.CodePrefix.ValueString(),
		CodeLength:     int64Ptr(p.CodeLength),
	}
	return req, diags
}

// plannedRequest is createRequest for a planned job; known is false while the name or a parameter is unknown,
// when the job's identity is not known before apply.
func (m jobModel) plannedRequest(ctx context.Context, diags *diag.Diagnostics) (req epcc.CreateJobRequest, known bool) {
	req, d := m.createRequest(ctx)
	diags.Append(d...)
	known = !m.Name.IsUnknown() && !m.Parameters.IsUnknown()
	for _, v := range m.Parameters.Attributes() {
		known = known && !v.IsUnknown()
	}
	return req, known
}

// setInputs copies the job's inputs as the API stores them. Only import and the data source need this: a
// managed job keeps the inputs from its configuration, since a job never changes after it is created.
func (m *jobModel) setInputs(job epcc.Job) {
	m.PromotionID, m.RulePromotionID = promotionIDs(job.Promotion)
	m.JobType = types.StringValue(job.Type)
	m.Name = optionalString(job.Name)
	m.Parameters = parametersValue(job)
}

// setComputed copies what the API reports about the job's progress. file_url is left to the caller, which
// must fetch it; it is cleared here for any job that has no file.
func (m *jobModel) setComputed(job epcc.Job) {
	m.ID = types.StringValue(job.ID)
	m.Status = types.StringValue(job.Status)
	m.Error = optionalString(job.Error)
	m.GeneratedCodes = types.Int64PointerValue(job.Generated)
	m.DeletedCodes = types.Int64PointerValue(job.Deleted)
	m.CreatedAt = timeValue(job.CreatedAt)
	m.UpdatedAt = timeValue(job.UpdatedAt)
	if m.FileURL.IsUnknown() || !hasFile(job) {
		m.FileURL = types.StringNull()
	}
}

// hasFile tells whether the API serves an export file for the job.
func hasFile(job epcc.Job) bool {
	return job.Type == epcc.JobTypeExport && job.Status == epcc.StatusCompleted
}

func parametersValue(job epcc.Job) types.Object {
	if job.Type != epcc.JobTypeGenerate || job.Parameters == nil {
		return types.ObjectNull(jobParametersAttrTypes)
	}
	p := job.Parameters
	codeLength := types.Int64PointerValue(p.CodeLength)
	if p.CodeLength == nil {
		codeLength = types.Int64Value(epcc.DefaultCodeLength)
	}
	return types.ObjectValueMust(jobParametersAttrTypes, map[string]attr.Value{
		"number_of_codes":   types.Int64PointerValue(p.NumberOfCodes),
		"max_uses_per_code": types.Int64PointerValue(p.MaxUsesPerCode),
		"consume_unit":      optionalString(p.ConsumeUnit),
		"code_prefix":       optionalString(p.CodePrefix),
		"code_length":       codeLength,
	})
}

func optionalString(s string) types.String {
	if s == "" {
		return types.StringNull()
	}
	return types.StringValue(s)
}

func timeValue(t time.Time) types.String {
	if t.IsZero() {
		return types.StringNull()
	}
	return types.StringValue(t.UTC().Format(time.RFC3339Nano))
}

func int64Ptr(v types.Int64) *int64 {
	if v.IsNull() || v.IsUnknown() {
		return nil
	}
	n := v.ValueInt64()
	return &n
}

func boolPtr(v types.Bool) *bool {
	if v.IsNull() || v.IsUnknown() {
		return nil
	}
	b := v.ValueBool()
	return &b
}

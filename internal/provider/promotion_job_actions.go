package provider

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/hashicorp/terraform-plugin-framework-validators/actionvalidator"
	"github.com/hashicorp/terraform-plugin-framework/action"
	"github.com/hashicorp/terraform-plugin-framework/action/schema"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/epcc-community/terraform-provider-elasticpath/internal/epcc"
)

// defaultActionTimeout bounds an action's run when its timeout is not set: the resource's create default.
const defaultActionTimeout = defaultCreateTimeout

var (
	_ action.ActionWithConfigure        = (*promotionJobAction)(nil)
	_ action.ActionWithConfigValidators = (*promotionJobAction)(nil)
	_ action.ActionWithValidateConfig   = (*promotionJobAction)(nil)
	_ action.ActionWithModifyPlan       = (*promotionJobAction)(nil)
)

// NewGeneratePromotionCodesAction is elasticpath_generate_promotion_codes: a code_generate job run on demand.
func NewGeneratePromotionCodesAction() action.Action {
	return &promotionJobAction{jobType: epcc.JobTypeGenerate}
}

// NewExportPromotionCodesAction is elasticpath_export_promotion_codes: a code_export job run on demand.
func NewExportPromotionCodesAction() action.Action {
	return &promotionJobAction{jobType: epcc.JobTypeExport}
}

// promotionJobAction runs one job of jobType and waits for it, sending progress while it waits. Both actions
// share it: they differ only in the job's type and in the parameters a code_generate job takes.
type promotionJobAction struct {
	jobType string
	client  *epcc.Client
	checks  *planChecks
}

// actionTarget is what both actions' configurations hold.
type actionTarget struct {
	PromotionID     types.String `tfsdk:"promotion_id"`
	RulePromotionID types.String `tfsdk:"rule_promotion_id"`
	Name            types.String `tfsdk:"name"`
	Timeout         types.String `tfsdk:"timeout"`
}

type generateCodesActionModel struct {
	actionTarget
	NumberOfCodes  types.Int64  `tfsdk:"number_of_codes"`
	MaxUsesPerCode types.Int64  `tfsdk:"max_uses_per_code"`
	ConsumeUnit    types.String `tfsdk:"consume_unit"`
	CodePrefix     types.String `tfsdk:"code_prefix"`
	CodeLength     types.Int64  `tfsdk:"code_length"`
}

func (a *promotionJobAction) generates() bool { return a.jobType == epcc.JobTypeGenerate }

func (a *promotionJobAction) Metadata(_ context.Context, req action.MetadataRequest, resp *action.MetadataResponse) {
	if a.generates() {
		resp.TypeName = req.ProviderTypeName + "_generate_promotion_codes"
	} else {
		resp.TypeName = req.ProviderTypeName + "_export_promotion_codes"
	}
}

func (a *promotionJobAction) Schema(_ context.Context, _ action.SchemaRequest, resp *action.SchemaResponse) {
	attrs := map[string]schema.Attribute{
		"promotion_id": schema.StringAttribute{
			MarkdownDescription: descPromotionID,
			Optional:            true,
			Validators:          promotionIDValidators,
		},
		"rule_promotion_id": schema.StringAttribute{
			MarkdownDescription: descRulePromotionID,
			Optional:            true,
			Validators:          promotionIDValidators,
		},
		"name": schema.StringAttribute{
			MarkdownDescription: descName,
			Optional:            true,
			Validators:          jobNameValidators,
		},
		"timeout": schema.StringAttribute{
			MarkdownDescription: "How long to wait for the job to start and finish, including waiting for other jobs " +
				"on the same promotion, as a Go duration (default `20m`). When it runs out the action fails; a job " +
				"that had started may still be running, and the error names it.",
			Optional:   true,
			Validators: []validator.String{durationValidator{}},
		},
	}
	desc := "Exports a promotion's codes to a CSV file now: starts a `code_export` job, waits until it ends and " +
		"reports its progress. Run it from a resource's `lifecycle.action_trigger`, or on demand with " +
		"`terraform apply -invoke`. For a file URL in the state, use the `elasticpath_promotion_job` resource."
	if a.generates() {
		desc = "Generates a batch of codes for a promotion now: starts a `code_generate` job, waits until it ends " +
			"and reports progress (codes generated so far). Each run makes a new batch, and codes cannot be " +
			"deleted with the job: to own one batch in the state, use the `elasticpath_promotion_job` resource."
		attrs["number_of_codes"] = schema.Int64Attribute{
			MarkdownDescription: descNumberOfCodes,
			Required:            true,
			Validators:          numberOfCodesValidators,
		}
		attrs["max_uses_per_code"] = schema.Int64Attribute{
			MarkdownDescription: descMaxUsesPerCode,
			Optional:            true,
			Validators:          maxUsesPerCodeValidators,
		}
		attrs["consume_unit"] = schema.StringAttribute{
			MarkdownDescription: descConsumeUnit,
			Optional:            true,
			Validators:          consumeUnitValidators,
		}
		attrs["code_prefix"] = schema.StringAttribute{
			MarkdownDescription: descCodePrefix,
			Optional:            true,
			Validators:          codePrefixValidators,
		}
		attrs["code_length"] = schema.Int64Attribute{
			MarkdownDescription: descCodeLength,
			Optional:            true,
			Validators:          codeLengthValidators,
		}
	}
	resp.Schema = schema.Schema{MarkdownDescription: desc, Attributes: attrs}
}

func (a *promotionJobAction) ConfigValidators(context.Context) []action.ConfigValidator {
	return []action.ConfigValidator{
		actionvalidator.ExactlyOneOf(path.MatchRoot("promotion_id"), path.MatchRoot("rule_promotion_id")),
	}
}

func (a *promotionJobAction) Configure(_ context.Context, req action.ConfigureRequest, resp *action.ConfigureResponse) {
	if pd := fromProviderData(req.ProviderData, &resp.Diagnostics); pd != nil {
		a.client, a.checks = pd.client, pd.checks
	}
}

// actionJob is an action's configuration read as a job: its promotion, its request and its timeout.
type actionJob struct {
	target      actionTarget
	req         epcc.CreateJobRequest
	consumeUnit types.String // code_generate only; null otherwise
}

func (a *promotionJobAction) read(ctx context.Context, config tfsdk.Config) (actionJob, diag.Diagnostics) {
	if !a.generates() {
		var m actionTarget
		diags := config.Get(ctx, &m)
		return actionJob{target: m, req: epcc.CreateJobRequest{Type: a.jobType, Name: m.Name.ValueString()},
			consumeUnit: types.StringNull()}, diags
	}
	var m generateCodesActionModel
	diags := config.Get(ctx, &m)
	return actionJob{
		target: m.actionTarget,
		req: epcc.CreateJobRequest{Type: a.jobType, Name: m.Name.ValueString(), Parameters: &epcc.JobParameters{
			NumberOfCodes:  int64Ptr(m.NumberOfCodes),
			MaxUsesPerCode: int64Ptr(m.MaxUsesPerCode),
			ConsumeUnit:    m.ConsumeUnit.ValueString(),
			CodePrefix:     m.CodePrefix.ValueString(),
			CodeLength:     int64Ptr(m.CodeLength),
		}},
		consumeUnit: m.ConsumeUnit,
	}, diags
}

func (j actionJob) promotionRef() (epcc.PromotionRef, bool) {
	return promotionRefOf(j.target.PromotionID, j.target.RulePromotionID)
}

// ValidateConfig applies the resource's rule that ties consume_unit to the promotion's API.
func (a *promotionJobAction) ValidateConfig(ctx context.Context, req action.ValidateConfigRequest, resp *action.ValidateConfigResponse) {
	job, diags := a.read(ctx, req.Config)
	resp.Diagnostics.Append(diags...)
	if ref, ok := job.promotionRef(); ok && !resp.Diagnostics.HasError() {
		resp.Diagnostics.Append(checkConsumeUnit(ref, job.consumeUnit, path.Root("consume_unit"))...)
	}
}

// ModifyPlan runs the resource's plan-time checks (the promotion exists, takes codes, has room for them), in
// the same tally as the resources planned alongside.
func (a *promotionJobAction) ModifyPlan(ctx context.Context, req action.ModifyPlanRequest, resp *action.ModifyPlanResponse) {
	job, diags := a.read(ctx, req.Config)
	resp.Diagnostics.Append(diags...)
	ref, ok := job.promotionRef()
	if !ok || a.checks == nil || resp.Diagnostics.HasError() {
		return
	}
	// An action makes a new job by design: it keeps no state, so it never adopts one.
	_, diags = a.checks.checkNewJob(ctx, ref, job.req, false)
	resp.Diagnostics.Append(diags...)
}

func (a *promotionJobAction) Invoke(ctx context.Context, req action.InvokeRequest, resp *action.InvokeResponse) {
	job, diags := a.read(ctx, req.Config)
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() || !requireClient(a.client, &resp.Diagnostics) {
		return
	}
	timeout := defaultActionTimeout
	if s := job.target.Timeout.ValueString(); s != "" {
		d, err := time.ParseDuration(s)
		if err != nil {
			resp.Diagnostics.AddAttributeError(path.Root("timeout"), "Invalid timeout", err.Error())
			return
		}
		timeout = d
	}
	ref, _ := job.promotionRef()
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	ctx = tflog.SetField(ctx, "promotion", ref.String())
	progress := func(msg string) {
		if resp.SendProgress != nil {
			resp.SendProgress(action.InvokeProgressEvent{Message: msg})
		}
	}

	progress(fmt.Sprintf("starting a %s job on %s", a.jobType, ref))
	ctx = epcc.WithStartTrace(ctx, &epcc.StartTrace{
		Queued: func() { progress("waiting for the other jobs of this run on the promotion to end first") },
		Busy: func(busy epcc.Job) {
			progress(fmt.Sprintf("waiting for job %s (%s), started elsewhere, to end: one job at a time per promotion", busy.ID, busy.Status))
		},
	})
	deadline := jobDeadline{attr: "the action's timeout", timeout: timeout}
	started, release, diags := startJob(ctx, a.client, ref, job.req, deadline, false)
	resp.Diagnostics.Append(diags...)
	if diags.HasError() {
		return
	}
	defer release()
	// The wait reports its first look at the job even when nothing changed since the start: say each thing once.
	last := progressMessage(*started)
	progress(last)
	final, err := waitForJob(ctx, a.client, ref, *started, func(j epcc.Job) {
		if msg := progressMessage(j); msg != last {
			last = msg
			progress(msg)
		}
	})
	if err != nil {
		resp.Diagnostics.AddError(waitFailureSummary(err), actionWaitFailureDetail(final, ref, deadline, err))
	}
}

// actionWaitFailureDetail says how a job an action started ended badly. Unlike the resource, an action keeps
// nothing in the state: the job id in the message is the practitioner's handle on it.
func actionWaitFailureDetail(job epcc.Job, ref epcc.PromotionRef, deadline jobDeadline, err error) string {
	if jobOf(err) != nil {
		return jobEndDetail(job, ref)
	}
	if errors.Is(err, context.DeadlineExceeded) || errors.Is(err, context.Canceled) {
		return fmt.Sprintf("Job %s on %s was still %s when %s: it may still be running. Look at it with the "+
			"elasticpath_promotion_jobs data source before running the action again.", job.ID, ref, job.Status,
			deadline.stopped(err))
	}
	return fmt.Sprintf("Job %s on %s was started, but following it failed: %s. It may still be running.", job.ID, ref, err)
}

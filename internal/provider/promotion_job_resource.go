package provider

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/hashicorp/terraform-plugin-framework-timeouts/resource/timeouts"
	"github.com/hashicorp/terraform-plugin-framework-validators/resourcevalidator"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/int64default"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/int64planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/objectplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/epcc-community/terraform-provider-elasticpath/internal/epcc"
)

const (
	defaultCreateTimeout = 20 * time.Minute
	defaultDeleteTimeout = 5 * time.Minute
	// privateWaitStopped marks a job whose create stopped waiting while it still ran (timeout, interrupt).
	privateWaitStopped = "wait_stopped"
	// privatePlanChecked marks a replacement whose plan checks ran: Terraform plans a replacement a second time
	// without its prior state, and those checks must not count its codes or claim its identity twice.
	privatePlanChecked = "plan_checked"
	// privateAdopts holds the id of the job a planned create adopts. The replaced object's Delete, which is
	// given the plan's private data, leaves that job running for the create to adopt.
	privateAdopts = "adopts"
)

var (
	_ resource.ResourceWithConfigure        = (*promotionJobResource)(nil)
	_ resource.ResourceWithImportState      = (*promotionJobResource)(nil)
	_ resource.ResourceWithConfigValidators = (*promotionJobResource)(nil)
	_ resource.ResourceWithValidateConfig   = (*promotionJobResource)(nil)
	_ resource.ResourceWithModifyPlan       = (*promotionJobResource)(nil)
	_ resource.ResourceWithIdentity         = (*promotionJobResource)(nil)
	_ resource.ResourceWithUpgradeIdentity  = (*promotionJobResource)(nil)
)

// NewPromotionJobResource is the elasticpath_promotion_job resource: one job, started once and waited on.
func NewPromotionJobResource() resource.Resource {
	return &promotionJobResource{}
}

type promotionJobResource struct {
	client *epcc.Client
	checks *planChecks // nil until the provider is configured with known values
}

type promotionJobResourceModel struct {
	jobModel
	Timeouts timeouts.Value `tfsdk:"timeouts"`
}

func (r *promotionJobResource) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_promotion_job"
}

func (r *promotionJobResource) Schema(ctx context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	replaceString := []planmodifier.String{stringplanmodifier.RequiresReplace()}
	keepString := []planmodifier.String{stringplanmodifier.UseStateForUnknown()}
	keepInt := []planmodifier.Int64{int64planmodifier.UseStateForUnknown()}

	resp.Schema = schema.Schema{
		MarkdownDescription: "Runs one promotion job (code generation or code export) and waits until it ends. " +
			"A job cannot be changed or deleted: any change to its inputs replaces it, and destroy cancels it " +
			"if it is still running.",
		Attributes: map[string]schema.Attribute{
			"id": schema.StringAttribute{
				MarkdownDescription: descID,
				Computed:            true,
				PlanModifiers:       keepString,
			},
			"promotion_id": schema.StringAttribute{
				MarkdownDescription: descPromotionID,
				Optional:            true,
				PlanModifiers:       replaceString,
				Validators:          promotionIDValidators,
			},
			"rule_promotion_id": schema.StringAttribute{
				MarkdownDescription: descRulePromotionID,
				Optional:            true,
				PlanModifiers:       replaceString,
				Validators:          promotionIDValidators,
			},
			"job_type": schema.StringAttribute{
				MarkdownDescription: descJobType,
				Required:            true,
				PlanModifiers:       replaceString,
				Validators:          jobTypeValidators,
			},
			"name": schema.StringAttribute{
				MarkdownDescription: descName,
				Optional:            true,
				PlanModifiers:       replaceString,
				Validators:          jobNameValidators,
			},
			"parameters": schema.SingleNestedAttribute{
				MarkdownDescription: descParameters,
				Optional:            true,
				PlanModifiers:       []planmodifier.Object{objectplanmodifier.RequiresReplace()},
				Attributes: map[string]schema.Attribute{
					"number_of_codes": schema.Int64Attribute{
						MarkdownDescription: descNumberOfCodes,
						Required:            true,
						Validators:          numberOfCodesValidators,
					},
					"max_uses_per_code": schema.Int64Attribute{
						MarkdownDescription: descMaxUsesPerCode,
						Optional:            true,
						Validators:          maxUsesPerCodeValidators,
					},
					"consume_unit": schema.StringAttribute{
						MarkdownDescription: descConsumeUnit,
						Optional:            true,
						Validators:          consumeUnitValidators,
					},
					"code_prefix": schema.StringAttribute{
						MarkdownDescription: descCodePrefix,
						Optional:            true,
						Validators:          codePrefixValidators,
					},
					"code_length": schema.Int64Attribute{
						MarkdownDescription: descCodeLength,
						Optional:            true,
						Computed:            true,
						Default:             int64default.StaticInt64(epcc.DefaultCodeLength),
						Validators:          codeLengthValidators,
					},
				},
			},
			"status":          schema.StringAttribute{MarkdownDescription: descStatus, Computed: true, PlanModifiers: keepString},
			"error":           schema.StringAttribute{MarkdownDescription: descError, Computed: true, PlanModifiers: keepString},
			"generated_codes": schema.Int64Attribute{MarkdownDescription: descGeneratedCodes, Computed: true, PlanModifiers: keepInt},
			"deleted_codes":   schema.Int64Attribute{MarkdownDescription: descDeletedCodes, Computed: true, PlanModifiers: keepInt},
			"created_at":      schema.StringAttribute{MarkdownDescription: descCreatedAt, Computed: true, PlanModifiers: keepString},
			"updated_at":      schema.StringAttribute{MarkdownDescription: descUpdatedAt, Computed: true, PlanModifiers: keepString},
			"file_url": schema.StringAttribute{
				MarkdownDescription: descFileURL,
				Computed:            true,
				Sensitive:           true,
				PlanModifiers:       keepString,
			},
			"timeouts": jobTimeouts(ctx),
		},
	}
}

// jobTimeouts is the resource's timeouts attribute: create and delete.
func jobTimeouts(ctx context.Context) schema.Attribute {
	return timeouts.Attributes(ctx, timeouts.Opts{
		Create:            true,
		CreateDescription: "How long to wait for the job to start and finish, including waiting for other jobs on the same promotion (default `20m`).",
		Delete:            true,
		DeleteDescription: "How long to wait for a running job to be cancelled (default `5m`).",
	})
}

func (r *promotionJobResource) IdentitySchema(_ context.Context, _ resource.IdentitySchemaRequest, resp *resource.IdentitySchemaResponse) {
	resp.IdentitySchema = jobIdentitySchema
}

func (r *promotionJobResource) UpgradeIdentity(context.Context) map[int64]resource.IdentityUpgrader {
	return jobIdentityUpgrade()
}

func (r *promotionJobResource) ConfigValidators(context.Context) []resource.ConfigValidator {
	return []resource.ConfigValidator{
		resourcevalidator.ExactlyOneOf(path.MatchRoot("promotion_id"), path.MatchRoot("rule_promotion_id")),
	}
}

// ValidateConfig checks the rules that tie one attribute's value to another's, which no stock validator
// expresses: parameters belong to code_generate only, and consume_unit depends on the promotion API.
func (r *promotionJobResource) ValidateConfig(ctx context.Context, req resource.ValidateConfigRequest, resp *resource.ValidateConfigResponse) {
	var cfg promotionJobResourceModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &cfg)...)
	if resp.Diagnostics.HasError() {
		return
	}
	resp.Diagnostics.Append(validateJobInputs(ctx, cfg.jobModel)...)
}

func validateJobInputs(ctx context.Context, m jobModel) diag.Diagnostics {
	var diags diag.Diagnostics
	if !m.JobType.IsUnknown() && !m.Parameters.IsUnknown() {
		switch {
		case m.JobType.ValueString() == epcc.JobTypeGenerate && m.Parameters.IsNull():
			diags.AddAttributeError(path.Root("parameters"), "Missing parameters",
				"A code_generate job needs parameters, with at least number_of_codes.")
		case m.JobType.ValueString() == epcc.JobTypeExport && !m.Parameters.IsNull():
			diags.AddAttributeError(path.Root("parameters"), "Parameters not allowed",
				"parameters apply to code_generate jobs only; remove them from this code_export job.")
		}
	}
	if m.Parameters.IsNull() || m.Parameters.IsUnknown() {
		return diags
	}
	var p jobParametersModel
	diags.Append(m.Parameters.As(ctx, &p, objectAsOptions)...)
	if ref, ok := m.promotionRef(); ok {
		diags.Append(checkConsumeUnit(ref, p.ConsumeUnit, path.Root("parameters").AtName("consume_unit"))...)
	}
	return diags
}

// checkConsumeUnit checks consume_unit against the units the promotion's API accepts: each API has its own.
func checkConsumeUnit(ref epcc.PromotionRef, unit types.String, at path.Path) diag.Diagnostics {
	var diags diag.Diagnostics
	if unit.IsNull() || unit.IsUnknown() {
		return diags
	}
	allowed := consumeUnits[ref.API]
	if slices.Contains(allowed, unit.ValueString()) {
		return diags
	}
	diags.AddAttributeError(at, "Invalid consume_unit for this promotion API",
		fmt.Sprintf("consume_unit %q is not accepted on a promotion named by %s; use one of: %s.",
			unit.ValueString(), promotionIDAttr(ref.API), strings.Join(allowed, ", ")))
	return diags
}

// ModifyPlan checks at plan what the API would refuse at apply for each job this plan creates (planChecks),
// says which job a create adopts instead of generating a second batch, and warns when a plan replaces a
// completed code_generate job with a new batch: the old job's codes stay in the promotion. Every input
// requires replacement, so any changed input means a new job.
func (r *promotionJobResource) ModifyPlan(ctx context.Context, req resource.ModifyPlanRequest, resp *resource.ModifyPlanResponse) {
	if req.Plan.Raw.IsNull() {
		return // destroy
	}
	var state, plan promotionJobResourceModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	replacing := !req.State.Raw.IsNull()
	if replacing {
		resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
		// This plan's notes are written afresh: none kept in the state (a failed delete keeps them) may count.
		resp.Diagnostics.Append(clearPlanNotes(ctx, resp.Private)...)
	}
	if resp.Diagnostics.HasError() || replacing && sameInputs(state.jobModel, plan.jobModel) {
		return // an existing job, refreshed: never re-checked
	}
	if checked, _ := req.Private.GetKey(ctx, privatePlanChecked); !replacing && len(checked) > 0 {
		return // the second plan of a replacement: the first ran the checks
	}
	createReq, known := plan.plannedRequest(ctx, &resp.Diagnostics)
	if known && createReq.Type == epcc.JobTypeGenerate {
		// The destroy half of a replacement is given this plan's private data: it leaves a job of this
		// identity running for the create to adopt, whether or not plan could look for it.
		if identity, err := json.Marshal(createReq); err == nil {
			resp.Diagnostics.Append(resp.Private.SetKey(ctx, privateAdopts, identity)...)
		}
	}
	var adopted *epcc.Job
	if ref, ok := plan.promotionRef(); ok && r.checks != nil && !plan.JobType.IsUnknown() {
		var diags diag.Diagnostics
		adopted, diags = r.checks.checkNewJob(ctx, ref, createReq, known)
		resp.Diagnostics.Append(diags...)
	}
	if replacing {
		resp.Diagnostics.Append(resp.Private.SetKey(ctx, privatePlanChecked, []byte(`true`))...)
	}
	if !replacing || adopted != nil || state.JobType.ValueString() != epcc.JobTypeGenerate ||
		state.Status.ValueString() != epcc.StatusCompleted || plan.JobType.ValueString() != epcc.JobTypeGenerate {
		return
	}
	newCodes := "a new batch of"
	if createReq.Parameters != nil && createReq.Parameters.NumberOfCodes != nil {
		newCodes = fmt.Sprintf("%d new", *createReq.Parameters.NumberOfCodes)
	}
	generated := derefInt(int64Ptr(state.GeneratedCodes))
	resp.Diagnostics.AddWarning("Replacing a completed code generation job",
		fmt.Sprintf("This plan replaces job %s, which generated %d codes: the new job generates %s codes, and the "+
			"%d codes of job %s remain in the promotion (jobs cannot be deleted). If that is not what you want, keep "+
			"the job's inputs as they were.", state.ID.ValueString(), generated, newCodes, generated, state.ID.ValueString()))
}

// clearPlanNotes removes the notes a plan leaves in the private data.
func clearPlanNotes(ctx context.Context, private privateSetter) diag.Diagnostics {
	diags := private.SetKey(ctx, privatePlanChecked, nil)
	return append(diags, private.SetKey(ctx, privateAdopts, nil)...)
}

type privateSetter interface {
	SetKey(ctx context.Context, key string, value []byte) diag.Diagnostics
}

// replacedBySameJob tells whether the plan that deletes the job creates its replacement with the job's own
// identity (epcc.IsSameJob): the create then adopts the job, which must be left as it is.
func replacedBySameJob(ctx context.Context, private privateGetter, job jobModel) bool {
	raw, diags := private.GetKey(ctx, privateAdopts)
	var planned epcc.CreateJobRequest
	if diags.HasError() || len(raw) == 0 || json.Unmarshal(raw, &planned) != nil {
		return false
	}
	held, d := job.createRequest(ctx)
	return !d.HasError() && epcc.IsSameJob(epcc.Job{Type: held.Type, Name: held.Name, Parameters: held.Parameters}, planned)
}

// sameInputs tells whether two jobs were asked for with the same inputs.
func sameInputs(a, b jobModel) bool {
	return a.PromotionID.Equal(b.PromotionID) && a.RulePromotionID.Equal(b.RulePromotionID) &&
		a.JobType.Equal(b.JobType) && a.Name.Equal(b.Name) && a.Parameters.Equal(b.Parameters)
}

func (r *promotionJobResource) Configure(_ context.Context, req resource.ConfigureRequest, resp *resource.ConfigureResponse) {
	if pd := fromProviderData(req.ProviderData, &resp.Diagnostics); pd != nil {
		r.client, r.checks = pd.client, pd.checks
	}
}

func (r *promotionJobResource) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	var plan promotionJobResourceModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	if resp.Diagnostics.HasError() || !requireClient(r.client, &resp.Diagnostics) {
		return
	}
	timeout, diags := plan.Timeouts.Create(ctx, defaultCreateTimeout)
	resp.Diagnostics.Append(diags...)
	createReq, diags := plan.createRequest(ctx)
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return
	}
	ref, _ := plan.promotionRef()
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	ctx = tflog.SetField(ctx, "promotion", ref.String())

	// A code_generate job is identified by its name and parameters: one the promotion holds already (left by
	// a run that died) is adopted, never generated twice.
	adopt := createReq.Type == epcc.JobTypeGenerate
	job, release, diags := startJob(ctx, r.client, ref, createReq, jobDeadline{attr: "timeouts.create", timeout: timeout}, adopt)
	resp.Diagnostics.Append(diags...)
	if diags.HasError() {
		return
	}
	defer release()

	// From here on the job exists: its id reaches state whatever happens next, so a failed wait leaves a
	// tainted resource rather than an orphaned job.
	plan.setComputed(*job)
	resp.Diagnostics.Append(resp.State.Set(ctx, plan)...)
	resp.Diagnostics.Append(resp.Identity.Set(ctx, newJobIdentity(ref, job.ID))...)

	final, err := waitForJob(ctx, r.client, ref, *job, nil)
	plan.setComputed(final)
	if err != nil {
		resp.Diagnostics.AddError(waitFailureSummary(err), waitFailureDetail(final, ref, timeout, err))
		if jobOf(err) == nil { // still running when the wait stopped: it may complete while tainted
			resp.Diagnostics.Append(resp.Private.SetKey(ctx, privateWaitStopped, []byte(`true`))...)
		}
	} else if hasFile(final) {
		plan.FileURL = fileURL(ctx, r.client, ref, final.ID, &resp.Diagnostics)
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, plan)...)
}

func (r *promotionJobResource) Read(ctx context.Context, req resource.ReadRequest, resp *resource.ReadResponse) {
	var state promotionJobResourceModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() || !requireClient(r.client, &resp.Diagnostics) {
		return
	}
	ref, ok := state.promotionRef()
	if !ok {
		resp.Diagnostics.AddError("Invalid state", "The job's state names no promotion; re-import it.")
		return
	}
	// The identity follows from the state alone, so states written before identities existed gain one here.
	resp.Diagnostics.Append(resp.Identity.Set(ctx, newJobIdentity(ref, state.ID.ValueString()))...)
	job, err := r.client.GetJob(ctx, ref, state.ID.ValueString())
	var unlisted *epcc.JobNotFoundError
	switch {
	case errors.As(err, &unlisted) && state.JobType.IsNull():
		// An import: nothing is known about a job the API does not list.
		resp.Diagnostics.AddError("Promotion job not found",
			fmt.Sprintf("Job %s is not among the jobs of %s, so it cannot be imported.", state.ID.ValueString(), ref))
		return
	case errors.As(err, &unlisted):
		// Jobs cannot be deleted and their codes outlive them: a job missing from one listing (lag, a bad page)
		// stays, since dropping it would make the next apply generate its codes again.
		resp.Diagnostics.AddWarning("Promotion job not listed",
			fmt.Sprintf("Job %s is not among the jobs Elastic Path listed for %s, although the promotion exists. "+
				"Jobs cannot be deleted, so it is kept in the state as it was. If it is really gone and you want "+
				"Terraform to forget it, run \"terraform state rm ADDRESS\" with the address this message is "+
				"shown with.", state.ID.ValueString(), ref))
		return
	case epcc.IsPromotionGone(err, ref):
		// The promotion itself is gone (404 on its job listing), and its jobs and codes with it.
		resp.Diagnostics.AddWarning("Promotion no longer exists",
			fmt.Sprintf("%s was not found, so its job %s is removed from the state: %s", ref, state.ID.ValueString(), err))
		resp.State.RemoveResource(ctx)
		return
	case err != nil:
		resp.Diagnostics.AddError("Could not read promotion job", err.Error())
		return
	}
	if state.JobType.IsNull() { // imported: only the ids are known so far
		state.setInputs(*job)
	}
	if stopped, diags := req.Private.GetKey(ctx, privateWaitStopped); len(stopped) > 0 && !diags.HasError() && epcc.IsTerminal(job.Status) {
		if job.Status == epcc.StatusCompleted {
			resp.Diagnostics.AddWarning("Promotion job completed after Terraform stopped waiting",
				fmt.Sprintf("Job %s on %s completed after the apply that started it stopped waiting, so Terraform "+
					"may still hold it as tainted. %s", job.ID, ref, nextApplyAdvice(*job)))
		}
		resp.Diagnostics.Append(resp.Private.SetKey(ctx, privateWaitStopped, nil)...)
	}
	state.setComputed(*job)
	// A URL already held is kept: each fetch signs a new one, and a state that changes on every refresh
	// would make "plan -detailed-exitcode" report drift forever. Only a missing one (just imported, or not
	// available at create) is fetched.
	if hasFile(*job) && state.FileURL.IsNull() {
		state.FileURL = fileURL(ctx, r.client, ref, job.ID, &resp.Diagnostics)
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, state)...)
}

// Update only ever sees a change of timeouts: every other input requires replacement. The identity is set
// too: a state written before identities existed has none when it is updated without a refresh.
func (r *promotionJobResource) Update(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	var plan promotionJobResourceModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	if resp.Diagnostics.HasError() {
		return
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, plan)...)
	if ref, ok := plan.promotionRef(); ok {
		resp.Diagnostics.Append(resp.Identity.Set(ctx, newJobIdentity(ref, plan.ID.ValueString()))...)
	}
}

func (r *promotionJobResource) Delete(ctx context.Context, req resource.DeleteRequest, resp *resource.DeleteResponse) {
	var state promotionJobResourceModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() || !requireClient(r.client, &resp.Diagnostics) {
		return
	}
	timeout, diags := state.Timeouts.Delete(ctx, defaultDeleteTimeout)
	resp.Diagnostics.Append(diags...)
	if diags.HasError() {
		return
	}
	ref, ok := state.promotionRef()
	if !ok {
		return
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	ctx = tflog.SetField(ctx, "promotion", ref.String())
	id := state.ID.ValueString()
	kept := replacedBySameJob(ctx, req.Private, state.jobModel)
	// Delete's private data is the plan's (the request's and the response's are one); should the delete fail,
	// it is kept in the state.
	resp.Diagnostics.Append(clearPlanNotes(ctx, resp.Private)...)
	if kept {
		// The replacement adopts this very job (unchanged inputs, e.g. a tainted job that went on running):
		// it is forgotten here, neither cancelled nor said to leave codes behind.
		tflog.Info(ctx, "promotion job kept for its replacement to adopt", map[string]any{"job_id": id})
		return
	}

	job, err := r.client.GetJob(ctx, ref, id)
	var unlisted *epcc.JobNotFoundError
	switch {
	case epcc.IsPromotionGone(err, ref):
		return
	case errors.As(err, &unlisted):
		// Not listed this time; it may still run: ask to cancel it all the same, then forget it.
		if _, cerr := r.client.CancelJob(ctx, ref, id); cerr != nil && !epcc.IsNotCancellable(cerr) && !epcc.IsNotFound(cerr) {
			resp.Diagnostics.AddError("Could not cancel promotion job", cerr.Error())
			return
		}
		resp.Diagnostics.AddWarning("Promotion job not listed",
			fmt.Sprintf("Job %s is not among the jobs Elastic Path listed for %s; it was asked to cancel in case it "+
				"still runs, and is removed from the state. Any codes it generated remain.", id, ref))
		return
	case err != nil:
		resp.Diagnostics.AddError("Could not read promotion job", err.Error())
		return
	}
	if epcc.IsActive(job.Status) {
		tflog.Info(ctx, "cancelling running promotion job", map[string]any{"job_id": id, "status": job.Status})
		if _, err := r.client.CancelJob(ctx, ref, id); err != nil && !epcc.IsNotCancellable(err) {
			resp.Diagnostics.AddError("Could not cancel promotion job", err.Error())
			return
		}
	}
	if !epcc.IsTerminal(job.Status) {
		job, err = r.client.WaitJob(ctx, ref, id, nil)
		var cancelled *epcc.JobCancelledError
		switch {
		case errors.As(err, &cancelled):
			tflog.Info(ctx, "promotion job cancelled", map[string]any{"job_id": id})
			return
		case err != nil && !errors.As(err, new(*epcc.JobFailedError)):
			resp.Diagnostics.AddError("Promotion job not cancelled",
				fmt.Sprintf("Job %s on %s did not end within the delete timeout (%s): %s. It stays in the state; "+
					"run destroy again or raise timeouts.delete.", id, ref, timeout, err))
			return
		}
	}
	if job != nil && job.Type == epcc.JobTypeGenerate && job.Status == epcc.StatusCompleted {
		resp.Diagnostics.AddWarning("Generated codes remain",
			fmt.Sprintf("Elastic Path cannot delete jobs, so job %s is only removed from the state. The %d codes it "+
				"generated stay in %s for as long as the promotion exists (destroying the promotion removes them); "+
				"otherwise remove them in Commerce Manager or through the promotion codes API if they must go.",
				id, derefInt(job.Generated), ref))
	}
}

// ImportState takes either the composite import ID or the resource identity (an import block's identity, or
// what terraform query found).
func (r *promotionJobResource) ImportState(ctx context.Context, req resource.ImportStateRequest, resp *resource.ImportStateResponse) {
	var (
		ref   epcc.PromotionRef
		jobID string
		err   error
	)
	summary := "Invalid import ID"
	if req.ID != "" {
		ref, jobID, err = parseImportID(req.ID)
	} else {
		summary = "Invalid import identity"
		var identity jobIdentityModel
		resp.Diagnostics.Append(req.Identity.Get(ctx, &identity)...)
		if resp.Diagnostics.HasError() {
			return
		}
		ref, jobID, err = identity.parse()
	}
	if err != nil {
		resp.Diagnostics.AddError(summary, err.Error())
		return
	}
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("id"), jobID)...)
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root(promotionIDAttr(ref.API)), ref.ID)...)
	resp.Diagnostics.Append(resp.Identity.Set(ctx, newJobIdentity(ref, jobID))...)
}

// parseImportID reads "promotions/<promotion_id>/<job_id>" or "rule-promotions/<rule_promotion_id>/<job_id>".
func parseImportID(id string) (epcc.PromotionRef, string, error) {
	parts := strings.Split(id, "/")
	if len(parts) == 3 {
		if ref, jobID, ok := jobAddress(parts[0], parts[1], parts[2]); ok {
			return ref, jobID, nil
		}
	}
	return epcc.PromotionRef{}, "", fmt.Errorf("%q is not an import ID: use promotions/<promotion_id>/<job_id> "+
		"or rule-promotions/<rule_promotion_id>/<job_id>, with both ids UUIDs as Elastic Path gives them", id)
}

// fileURL fetches a completed export's signed file URL. A fetch that fails is a warning and a null URL: one
// missing link never fails the read of a job, or of many.
func fileURL(ctx context.Context, client *epcc.Client, ref epcc.PromotionRef, id string, diags *diag.Diagnostics) types.String {
	url, err := client.JobFileURL(ctx, ref, id)
	if err != nil {
		diags.AddWarning("Export file URL not available",
			fmt.Sprintf("Job %s on %s completed, but its file URL could not be fetched: %s. The next refresh tries again.", id, ref, err))
		return types.StringNull()
	}
	return types.StringValue(url)
}

type privateGetter interface {
	GetKey(ctx context.Context, key string) ([]byte, diag.Diagnostics)
}

func derefInt(p *int64) int64 {
	if p == nil {
		return 0
	}
	return *p
}

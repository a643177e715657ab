package provider

import (
	"context"
	"fmt"

	"github.com/hashicorp/terraform-plugin-framework-timeouts/resource/timeouts"
	"github.com/hashicorp/terraform-plugin-framework-validators/listresourcevalidator"
	"github.com/hashicorp/terraform-plugin-framework/list"
	"github.com/hashicorp/terraform-plugin-framework/list/schema"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/epcc-community/terraform-provider-elasticpath/internal/epcc"
)

var (
	_ list.ListResourceWithConfigure        = (*promotionJobListResource)(nil)
	_ list.ListResourceWithConfigValidators = (*promotionJobListResource)(nil)
)

// NewPromotionJobListResource is the list resource of elasticpath_promotion_job, for terraform query: a
// promotion's jobs, found by the data source's filters and handed out with the resource's identity.
func NewPromotionJobListResource() list.ListResource {
	return &promotionJobListResource{}
}

type promotionJobListResource struct {
	client *epcc.Client
}

func (l *promotionJobListResource) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_promotion_job"
}

func (l *promotionJobListResource) ListResourceConfigSchema(_ context.Context, _ list.ListResourceSchemaRequest, resp *list.ListResourceSchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "Finds the jobs of one promotion, optionally filtered by type, status and name, for " +
			"`terraform query`. Each result names the job by its identity, so `terraform query " +
			"-generate-config-out=FILE` writes the import blocks and resource blocks that adopt the jobs.",
		Attributes: map[string]schema.Attribute{
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
			"job_type": schema.StringAttribute{MarkdownDescription: descFilterJobType, Optional: true, Validators: jobTypeValidators},
			"status":   schema.StringAttribute{MarkdownDescription: descFilterStatus, Optional: true, Validators: jobStatusValidators},
			"name":     schema.StringAttribute{MarkdownDescription: descFilterName, Optional: true},
		},
	}
}

func (l *promotionJobListResource) ListResourceConfigValidators(context.Context) []list.ConfigValidator {
	return []list.ConfigValidator{
		listresourcevalidator.ExactlyOneOf(path.MatchRoot("promotion_id"), path.MatchRoot("rule_promotion_id")),
	}
}

func (l *promotionJobListResource) Configure(_ context.Context, req resource.ConfigureRequest, resp *resource.ConfigureResponse) {
	l.client = clientFromProviderData(req.ProviderData, &resp.Diagnostics)
}

func (l *promotionJobListResource) List(ctx context.Context, req list.ListRequest, stream *list.ListResultsStream) {
	var cfg jobFilterModel
	diags := req.Config.Get(ctx, &cfg)
	if diags.HasError() || !requireClient(l.client, &diags) {
		stream.Results = list.ListResultsStreamDiagnostics(diags)
		return
	}
	ref, jobs, err := findJobs(ctx, l.client, cfg)
	if err != nil {
		diags.AddError("Could not list promotion jobs", err.Error())
		stream.Results = list.ListResultsStreamDiagnostics(diags)
		return
	}
	stream.Results = func(push func(list.ListResult) bool) {
		for i, job := range jobs {
			if req.Limit > 0 && int64(i) >= req.Limit {
				return
			}
			result := req.NewListResult(ctx)
			result.DisplayName = jobDisplayName(job)
			result.Diagnostics.Append(result.Identity.Set(ctx, newJobIdentity(ref, job.ID))...)
			if req.IncludeResource {
				result.Diagnostics.Append(result.Resource.Set(ctx, listedResource(ctx, job))...)
			}
			if !push(result) {
				return
			}
		}
	}
}

// listedResource is the resource as an import of the job would find it. file_url is left out: fetching one per
// listed export would cost a request each, and the import that adopts the job fetches its own.
func listedResource(ctx context.Context, job epcc.Job) promotionJobResourceModel {
	var m promotionJobResourceModel
	m.setInputs(job)
	m.setComputed(job)
	t, _ := jobTimeouts(ctx).GetType().(timeouts.Type)
	m.Timeouts = timeouts.Value{Object: types.ObjectNull(t.AttrTypes)}
	return m
}

// jobDisplayName is how terraform query shows a job: its name (or id), type, status and creation time.
func jobDisplayName(job epcc.Job) string {
	name := job.Name
	if name == "" {
		name = job.ID
	}
	created := "unknown"
	if !job.CreatedAt.IsZero() {
		created = job.CreatedAt.UTC().Format("2006-01-02T15:04:05Z")
	}
	return fmt.Sprintf("%s (%s, %s, created %s)", name, job.Type, job.Status, created)
}

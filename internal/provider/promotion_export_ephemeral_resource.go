package provider

import (
	"context"
	"fmt"

	"github.com/hashicorp/terraform-plugin-framework-validators/ephemeralvalidator"
	"github.com/hashicorp/terraform-plugin-framework/ephemeral"
	"github.com/hashicorp/terraform-plugin-framework/ephemeral/schema"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/epcc-community/terraform-provider-elasticpath/internal/epcc"
)

var (
	_ ephemeral.EphemeralResourceWithConfigure        = (*promotionExportEphemeralResource)(nil)
	_ ephemeral.EphemeralResourceWithConfigValidators = (*promotionExportEphemeralResource)(nil)
)

// NewPromotionExportEphemeralResource is the elasticpath_promotion_export ephemeral resource: a fresh link to
// a completed export's CSV file, and the file itself, read during a run and never stored.
func NewPromotionExportEphemeralResource() ephemeral.EphemeralResource {
	return &promotionExportEphemeralResource{}
}

type promotionExportEphemeralResource struct {
	client *epcc.Client
}

type promotionExportModel struct {
	PromotionID     types.String `tfsdk:"promotion_id"`
	RulePromotionID types.String `tfsdk:"rule_promotion_id"`
	JobID           types.String `tfsdk:"job_id"`
	IncludeCSV      types.Bool   `tfsdk:"include_csv"`
	URL             types.String `tfsdk:"url"`
	CSV             types.String `tfsdk:"csv"`
}

func (e *promotionExportEphemeralResource) Metadata(_ context.Context, req ephemeral.MetadataRequest, resp *ephemeral.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_promotion_export"
}

func (e *promotionExportEphemeralResource) Schema(_ context.Context, _ ephemeral.SchemaRequest, resp *ephemeral.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "A fresh signed link to the CSV file of a completed `code_export` job, and optionally the " +
			"file itself, fetched when the run needs it and never stored in a plan or the state. The link Elastic " +
			"Path signs expires; this hands out one that is valid from this run on.",
		Attributes: map[string]schema.Attribute{
			"promotion_id":      schema.StringAttribute{MarkdownDescription: "ID of the Promotions Standard promotion whose export is read. Exactly one of `promotion_id` and `rule_promotion_id` is set.", Optional: true, Validators: promotionIDValidators},
			"rule_promotion_id": schema.StringAttribute{MarkdownDescription: "ID of the Rule Promotion whose export is read. Exactly one of `promotion_id` and `rule_promotion_id` is set.", Optional: true, Validators: promotionIDValidators},
			"job_id": schema.StringAttribute{
				MarkdownDescription: "The `code_export` job, e.g. `elasticpath_promotion_job.export.id`. Unset: the promotion's newest completed export.",
				Optional:            true,
				Computed:            true,
				Validators:          promotionIDValidators,
			},
			"include_csv": schema.BoolAttribute{MarkdownDescription: "Also download the file into `csv` (default `false`).", Optional: true},
			"url":         schema.StringAttribute{MarkdownDescription: "The signed link to the CSV file: a credential to every code of the promotion.", Computed: true, Sensitive: true},
			"csv":         schema.StringAttribute{MarkdownDescription: "The CSV file, with `include_csv`: `code`, `max_uses`, `consume_unit`, `uses` (left) and `created_at`.", Computed: true, Sensitive: true},
		},
	}
}

func (e *promotionExportEphemeralResource) ConfigValidators(context.Context) []ephemeral.ConfigValidator {
	return []ephemeral.ConfigValidator{
		ephemeralvalidator.ExactlyOneOf(path.MatchRoot("promotion_id"), path.MatchRoot("rule_promotion_id")),
	}
}

func (e *promotionExportEphemeralResource) Configure(_ context.Context, req ephemeral.ConfigureRequest, resp *ephemeral.ConfigureResponse) {
	e.client = clientFromProviderData(req.ProviderData, &resp.Diagnostics)
}

func (e *promotionExportEphemeralResource) Open(ctx context.Context, req ephemeral.OpenRequest, resp *ephemeral.OpenResponse) {
	var cfg promotionExportModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &cfg)...)
	if resp.Diagnostics.HasError() || !requireClient(e.client, &resp.Diagnostics) {
		return
	}
	ref, _ := promotionRefOf(cfg.PromotionID, cfg.RulePromotionID)
	jobs, err := e.client.ReadJobs(ctx, ref)
	if err != nil {
		resp.Diagnostics.AddError("Could not read the promotion's jobs", err.Error())
		return
	}
	job, problem := exportOf(jobs, cfg.JobID.ValueString())
	if problem != "" {
		resp.Diagnostics.AddError("No export to read", fmt.Sprintf("%s: %s", ref, problem))
		return
	}
	url, err := e.client.JobFileURL(ctx, ref, job.ID)
	if err != nil {
		resp.Diagnostics.AddError("Could not get the export's link", err.Error())
		return
	}
	cfg.JobID, cfg.URL, cfg.CSV = types.StringValue(job.ID), types.StringValue(url), types.StringNull()
	if cfg.IncludeCSV.ValueBool() {
		body, err := e.client.DownloadExport(ctx, url)
		if err != nil {
			resp.Diagnostics.AddError("Could not download the export", err.Error())
			return
		}
		cfg.CSV = types.StringValue(string(body))
	}
	resp.Diagnostics.Append(resp.Result.Set(ctx, &cfg)...)
}

// exportOf picks the export to read: the job named, which must be a completed code_export, or else the newest
// completed one. problem says what is missing.
func exportOf(jobs []epcc.Job, id string) (job epcc.Job, problem string) {
	var exports []epcc.Job
	for _, j := range jobs {
		switch {
		case id != "" && j.ID == id && !hasFile(j):
			return j, fmt.Sprintf("job %s is a %s job, %s: only a completed code_export has a file", j.ID, j.Type, j.Status)
		case id != "" && j.ID == id:
			return j, ""
		case id == "" && hasFile(j):
			exports = append(exports, j)
		}
	}
	if id != "" {
		return job, fmt.Sprintf("no job %s is listed", id)
	}
	if len(exports) == 0 {
		return job, "no code_export job has completed yet: run one (the elasticpath_promotion_job resource, or the elasticpath_export_promotion_codes action)"
	}
	// The newest: created last, then updated last, then listed last.
	newest := exports[0]
	for _, j := range exports[1:] {
		if !j.CreatedAt.Before(newest.CreatedAt) && (j.CreatedAt.After(newest.CreatedAt) || !j.UpdatedAt.Before(newest.UpdatedAt)) {
			newest = j
		}
	}
	return newest, ""
}

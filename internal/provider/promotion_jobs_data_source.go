package provider

import (
	"context"
	"fmt"
	"slices"

	"github.com/hashicorp/terraform-plugin-framework-validators/datasourcevalidator"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/epcc-community/terraform-provider-elasticpath/internal/epcc"
)

var (
	_ datasource.DataSourceWithConfigure        = (*promotionJobsDataSource)(nil)
	_ datasource.DataSourceWithConfigValidators = (*promotionJobsDataSource)(nil)
)

// NewPromotionJobsDataSource is the elasticpath_promotion_jobs data source: a promotion's jobs, filtered.
func NewPromotionJobsDataSource() datasource.DataSource {
	return &promotionJobsDataSource{}
}

type promotionJobsDataSource struct {
	client *epcc.Client
}

type promotionJobsDataSourceModel struct {
	jobFilterModel
	Jobs []jobModel `tfsdk:"jobs"`
	IDs  []string   `tfsdk:"ids"`
}

// jobFilterModel is how the data source and the list resource pick a promotion's jobs.
type jobFilterModel struct {
	PromotionID     types.String `tfsdk:"promotion_id"`
	RulePromotionID types.String `tfsdk:"rule_promotion_id"`
	JobType         types.String `tfsdk:"job_type"`
	Status          types.String `tfsdk:"status"`
	Name            types.String `tfsdk:"name"`
}

var jobStatuses = []string{
	epcc.StatusPending, epcc.StatusProcessing, epcc.StatusCompleted,
	epcc.StatusFailed, epcc.StatusCancelling, epcc.StatusCancelled,
}

func (f jobFilterModel) promotionRef() (epcc.PromotionRef, bool) {
	return promotionRefOf(f.PromotionID, f.RulePromotionID)
}

// findJobs returns the promotion's jobs that pass the filter: job type and status (null means any), and an
// exact name.
//
// The promotion's whole listing is shared with every job resource, data source and list reading it in this
// run, and filtered here: the API's filter would only save bytes of a listing that is fetched anyway. Sharing
// is safe because that listing is fresh for this run: it was taken at most the client's read cache lifetime
// (seconds) ago, and any job this provider started or cancelled on the promotion since made it be taken again.
func findJobs(ctx context.Context, client *epcc.Client, f jobFilterModel) (epcc.PromotionRef, []epcc.Job, error) {
	ref, _ := f.promotionRef()
	jobs, err := client.ReadJobs(ctx, ref)
	if err != nil {
		return ref, nil, fmt.Errorf("listing the jobs of %s: %w", ref, err)
	}
	filter := epcc.JobFilter{Type: f.JobType.ValueString(), Status: f.Status.ValueString()}
	return ref, slices.DeleteFunc(jobs, func(j epcc.Job) bool {
		return !filter.Matches(j) || !f.Name.IsNull() && j.Name != f.Name.ValueString()
	}), nil
}

func (d *promotionJobsDataSource) Metadata(_ context.Context, req datasource.MetadataRequest, resp *datasource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_promotion_jobs"
}

func (d *promotionJobsDataSource) Schema(_ context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	str := func(desc string) schema.StringAttribute {
		return schema.StringAttribute{MarkdownDescription: desc, Computed: true}
	}
	num := func(desc string) schema.Int64Attribute {
		return schema.Int64Attribute{MarkdownDescription: desc, Computed: true}
	}
	resp.Schema = schema.Schema{
		MarkdownDescription: "Lists the jobs of one promotion, optionally filtered by type, status and name, " +
			"reading every page.",
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
			"job_type": schema.StringAttribute{
				MarkdownDescription: descFilterJobType,
				Optional:            true,
				Validators:          jobTypeValidators,
			},
			"status": schema.StringAttribute{
				MarkdownDescription: descFilterStatus,
				Optional:            true,
				Validators:          jobStatusValidators,
			},
			"name": schema.StringAttribute{
				MarkdownDescription: descFilterName,
				Optional:            true,
			},
			"ids": schema.ListAttribute{
				MarkdownDescription: "IDs of the jobs found, in the order the API lists them.",
				Computed:            true,
				ElementType:         types.StringType,
			},
			"jobs": schema.ListNestedAttribute{
				MarkdownDescription: "The jobs found, in the order the API lists them.",
				Computed:            true,
				NestedObject: schema.NestedAttributeObject{
					Attributes: map[string]schema.Attribute{
						"id":                str(descID),
						"promotion_id":      str(descPromotionID),
						"rule_promotion_id": str(descRulePromotionID),
						"job_type":          str(descJobType),
						"name":              str(descName),
						"parameters": schema.SingleNestedAttribute{
							MarkdownDescription: descParameters,
							Computed:            true,
							Attributes: map[string]schema.Attribute{
								"number_of_codes":   num(descNumberOfCodes),
								"max_uses_per_code": num(descMaxUsesPerCode),
								"consume_unit":      str(descConsumeUnit),
								"code_prefix":       str(descCodePrefix),
								"code_length":       num(descCodeLength),
							},
						},
						"status":          str(descStatus),
						"error":           str(descError),
						"generated_codes": num(descGeneratedCodes),
						"deleted_codes":   num(descDeletedCodes),
						"created_at":      str(descCreatedAt),
						"updated_at":      str(descUpdatedAt),
						"file_url": schema.StringAttribute{
							MarkdownDescription: descFileURLFresh,
							Computed:            true,
							Sensitive:           true,
						},
					},
				},
			},
		},
	}
}

func (d *promotionJobsDataSource) ConfigValidators(context.Context) []datasource.ConfigValidator {
	return []datasource.ConfigValidator{
		datasourcevalidator.ExactlyOneOf(path.MatchRoot("promotion_id"), path.MatchRoot("rule_promotion_id")),
	}
}

func (d *promotionJobsDataSource) Configure(_ context.Context, req datasource.ConfigureRequest, resp *datasource.ConfigureResponse) {
	d.client = clientFromProviderData(req.ProviderData, &resp.Diagnostics)
}

func (d *promotionJobsDataSource) Read(ctx context.Context, req datasource.ReadRequest, resp *datasource.ReadResponse) {
	var cfg promotionJobsDataSourceModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &cfg)...)
	if resp.Diagnostics.HasError() || !requireClient(d.client, &resp.Diagnostics) {
		return
	}
	ref, jobs, err := findJobs(ctx, d.client, cfg.jobFilterModel)
	if err != nil {
		resp.Diagnostics.AddError("Could not list promotion jobs", err.Error())
		return
	}

	cfg.Jobs, cfg.IDs = []jobModel{}, []string{}
	for _, job := range jobs {
		var m jobModel
		m.setInputs(job)
		m.setComputed(job)
		if hasFile(job) {
			m.FileURL = fileURL(ctx, d.client, ref, job.ID, &resp.Diagnostics)
		}
		cfg.Jobs = append(cfg.Jobs, m)
		cfg.IDs = append(cfg.IDs, job.ID)
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, &cfg)...)
}

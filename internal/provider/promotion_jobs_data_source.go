package provider

import (
	"context"
	"fmt"

	"github.com/hashicorp/terraform-plugin-framework-validators/datasourcevalidator"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
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
	PromotionID     types.String `tfsdk:"promotion_id"`
	RulePromotionID types.String `tfsdk:"rule_promotion_id"`
	JobType         types.String `tfsdk:"job_type"`
	Status          types.String `tfsdk:"status"`
	Name            types.String `tfsdk:"name"`
	Jobs            []jobModel   `tfsdk:"jobs"`
	IDs             []string     `tfsdk:"ids"`
}

var jobStatuses = []string{
	epcc.StatusPending, epcc.StatusProcessing, epcc.StatusCompleted,
	epcc.StatusFailed, epcc.StatusCancelling, epcc.StatusCancelled,
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
				MarkdownDescription: "Only jobs of this type: `code_generate` or `code_export`.",
				Optional:            true,
				Validators:          []validator.String{stringvalidator.OneOf(epcc.JobTypeGenerate, epcc.JobTypeExport)},
			},
			"status": schema.StringAttribute{
				MarkdownDescription: "Only jobs with this status: `pending`, `processing`, `completed`, `failed`, `cancelling` or `cancelled`.",
				Optional:            true,
				Validators:          []validator.String{stringvalidator.OneOf(jobStatuses...)},
			},
			"name": schema.StringAttribute{
				MarkdownDescription: "Only jobs with exactly this name.",
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
	ref, _ := jobModel{PromotionID: cfg.PromotionID, RulePromotionID: cfg.RulePromotionID}.promotionRef()
	// The promotion's whole listing is shared with every job resource and data source reading it in this
	// plan, and filtered here: the API's filter would only save bytes of a listing that is fetched anyway.
	// Sharing is safe because that listing is fresh for this plan: it was taken at most the client's read
	// cache lifetime (seconds) ago, and any job this provider started or cancelled on the promotion since
	// made it be taken again.
	jobs, err := d.client.ReadJobs(ctx, ref)
	if err != nil {
		resp.Diagnostics.AddError("Could not list promotion jobs", fmt.Sprintf("Listing the jobs of %s: %s", ref, err))
		return
	}
	filter := epcc.JobFilter{Type: cfg.JobType.ValueString(), Status: cfg.Status.ValueString()}

	cfg.Jobs, cfg.IDs = []jobModel{}, []string{}
	for _, job := range jobs {
		if !filter.Matches(job) || !cfg.Name.IsNull() && job.Name != cfg.Name.ValueString() {
			continue
		}
		var m jobModel
		m.setInputs(job)
		m.setComputed(job)
		if hasFile(job) {
			url, err := d.client.JobFileURL(ctx, ref, job.ID)
			if err != nil {
				resp.Diagnostics.AddError("Could not get export file URL", fmt.Sprintf("Job %s on %s: %s", job.ID, ref, err))
				return
			}
			m.FileURL = types.StringValue(url)
		}
		cfg.Jobs = append(cfg.Jobs, m)
		cfg.IDs = append(cfg.IDs, job.ID)
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, &cfg)...)
}

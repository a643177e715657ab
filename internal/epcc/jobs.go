package epcc

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/hashicorp/terraform-plugin-log/tflog"
)

// API names one of the two promotions APIs; its value is the path segment.
type API string

const (
	PromotionsStandard API = "promotions"
	RulePromotions     API = "rule-promotions"
)

// PromotionRef names a promotion in one of the two APIs.
type PromotionRef struct {
	API API
	ID  string
}

func (r PromotionRef) String() string { return string(r.API) + "/" + r.ID }

func (r PromotionRef) validate() error {
	switch r.API {
	case PromotionsStandard, RulePromotions:
	default:
		return fmt.Errorf("unknown promotions API %q (want %q or %q)", r.API, PromotionsStandard, RulePromotions)
	}
	if strings.TrimSpace(r.ID) == "" {
		return fmt.Errorf("empty promotion id for %s", r.API)
	}
	return nil
}

func (r PromotionRef) path() string {
	return "/v2/" + string(r.API) + "/" + url.PathEscape(r.ID)
}

func (r PromotionRef) jobsPath() string { return r.path() + "/jobs" }

func (r PromotionRef) jobPath(id string) string { return r.jobsPath() + "/" + url.PathEscape(id) }

// Job types.
const (
	JobTypeGenerate = "code_generate"
	JobTypeExport   = "code_export"
)

// Job statuses.
const (
	StatusPending    = "pending"
	StatusProcessing = "processing"
	StatusCompleted  = "completed"
	StatusFailed     = "failed"
	StatusCancelling = "cancelling"
	StatusCancelled  = "cancelled"
)

// IsTerminal reports a status a job never leaves.
func IsTerminal(status string) bool {
	switch status {
	case StatusCompleted, StatusFailed, StatusCancelled:
		return true
	}
	return false
}

// IsActive reports a status that blocks a new job on the promotion.
func IsActive(status string) bool {
	return status == StatusPending || status == StatusProcessing
}

// JobParameters are the code_generate parameters. Nil fields are unset.
type JobParameters struct {
	NumberOfCodes  *int64
	MaxUsesPerCode *int64
	ConsumeUnit    string
	CodePrefix     string
	CodeLength     *int64
}

func (p *JobParameters) empty() bool {
	return p == nil || (p.NumberOfCodes == nil && p.MaxUsesPerCode == nil && p.ConsumeUnit == "" && p.CodePrefix == "" && p.CodeLength == nil)
}

// Job is one promotion job.
type Job struct {
	ID         string
	Promotion  PromotionRef
	Type       string
	Name       string
	Parameters *JobParameters // nil when the API sent none
	Status     string
	Error      string
	Generated  *int64
	Deleted    *int64
	CreatedAt  time.Time
	UpdatedAt  time.Time
}

func (j Job) clone() Job {
	out := j
	if j.Parameters != nil {
		p := *j.Parameters
		p.NumberOfCodes = clonePtr(p.NumberOfCodes)
		p.MaxUsesPerCode = clonePtr(p.MaxUsesPerCode)
		p.CodeLength = clonePtr(p.CodeLength)
		out.Parameters = &p
	}
	out.Generated = clonePtr(j.Generated)
	out.Deleted = clonePtr(j.Deleted)
	return out
}

func clonePtr(p *int64) *int64 {
	if p == nil {
		return nil
	}
	v := *p
	return &v
}

// CreateJobRequest is what a new job is made of.
type CreateJobRequest struct {
	Type       string
	Name       string
	Parameters *JobParameters
}

// JobFilter narrows ListJobs; "" means no filter on that field.
type JobFilter struct {
	Type, Status string
}

// Matches reports whether a job passes the filter, as the API's filter would decide.
func (f JobFilter) Matches(j Job) bool {
	return (f.Type == "" || j.Type == f.Type) && (f.Status == "" || j.Status == f.Status)
}

func (f JobFilter) expr() string {
	var parts []string
	if f.Type != "" {
		parts = append(parts, "eq(job_type,"+f.Type+")")
	}
	if f.Status != "" {
		parts = append(parts, "eq(status,"+f.Status+")")
	}
	return strings.Join(parts, ":")
}

// ---- wire types --------------------------------------------------------

type jobParamsJSON struct {
	NumberOfCodes  *int64 `json:"number_of_codes,omitempty"`
	MaxUsesPerCode *int64 `json:"max_uses_per_code,omitempty"`
	ConsumeUnit    string `json:"consume_unit,omitempty"`
	CodePrefix     string `json:"code_prefix,omitempty"`
	CodeLength     *int64 `json:"code_length,omitempty"`
}

type createJobBody struct {
	Data createJobData `json:"data"`
}

type createJobData struct {
	Type       string         `json:"type"`
	JobType    string         `json:"job_type"`
	Name       string         `json:"name,omitempty"`
	Parameters *jobParamsJSON `json:"parameters,omitempty"`
}

type jobResultJSON struct {
	Generated flexInt `json:"generated"`
	Deleted   flexInt `json:"deleted"`
}

type jobParamsIn struct {
	NumberOfCodes  flexInt `json:"number_of_codes"`
	MaxUsesPerCode flexInt `json:"max_uses_per_code"`
	ConsumeUnit    string  `json:"consume_unit"`
	CodePrefix     string  `json:"code_prefix"`
	CodeLength     flexInt `json:"code_length"`
}

type jobJSON struct {
	ID              string          `json:"id"`
	PromotionID     string          `json:"promotion_id"`
	RulePromotionID string          `json:"rule_promotion_id"`
	JobType         string          `json:"job_type"`
	Name            string          `json:"name"`
	Parameters      *jobParamsIn    `json:"parameters"`
	Status          string          `json:"status"`
	Error           json.RawMessage `json:"error"`
	Result          *jobResultJSON  `json:"result"`
	GenerateResult  *jobResultJSON  `json:"generate_result"`
	Meta            struct {
		Timestamps struct {
			CreatedAt string `json:"created_at"`
			UpdatedAt string `json:"updated_at"`
		} `json:"timestamps"`
	} `json:"meta"`
}

type jobEnvelope struct {
	Data *jobJSON `json:"data"`
}

// complete asks of a created or cancelled job only its id: the status follows from the listing.
func (e *jobEnvelope) complete() error {
	if e.Data == nil || strings.TrimSpace(e.Data.ID) == "" {
		return errors.New("it holds no job id")
	}
	return nil
}

// complete asks of a listed job what every use of it needs: an id to find it by and a status to act on.
func (w *jobJSON) complete() error {
	switch {
	case strings.TrimSpace(w.ID) == "":
		return errors.New("a job has no id")
	case strings.TrimSpace(w.Status) == "":
		return fmt.Errorf("job %s has no status", w.ID)
	}
	return nil
}

type pageLinks struct {
	Next *string `json:"next"`
}

type pageMeta struct {
	Page *struct {
		Limit flexInt `json:"limit"`
	} `json:"page"`
	Results *struct {
		Total flexInt `json:"total"`
	} `json:"results"`
}

type jobListEnvelope struct {
	Data  []jobJSON  `json:"data"`
	Links *pageLinks `json:"links"`
	Meta  *pageMeta  `json:"meta"`
}

// complete tells an empty listing ("data": []) from a broken one ("data": null or missing): reading the
// second as "no jobs" would drop jobs from the state.
func (e *jobListEnvelope) complete() error {
	if e.Data == nil {
		return errors.New("the job list is missing or null")
	}
	for i := range e.Data {
		if err := e.Data[i].complete(); err != nil {
			return err
		}
	}
	return nil
}

// fileAnswer is the export file endpoint's bare {"href": ...}; a data wrapper is accepted too.
type fileAnswer struct {
	Href string `json:"href"`
	Data *struct {
		Href string `json:"href"`
	} `json:"data"`
}

func (a *fileAnswer) href() string {
	if a.Href == "" && a.Data != nil {
		return a.Data.Href
	}
	return a.Href
}

func (a *fileAnswer) complete() error {
	if strings.TrimSpace(a.href()) == "" {
		return errors.New("it holds no href")
	}
	return nil
}

func (w *jobJSON) toJob(ref PromotionRef) Job {
	j := Job{
		ID:        w.ID,
		Promotion: ref,
		Type:      w.JobType,
		Name:      w.Name,
		Status:    strings.ToLower(strings.TrimSpace(w.Status)),
		Error:     flexText(w.Error, "detail", "message", "title"),
		CreatedAt: parseTime(w.Meta.Timestamps.CreatedAt),
		UpdatedAt: parseTime(w.Meta.Timestamps.UpdatedAt),
	}
	switch {
	case ref.API == RulePromotions && w.RulePromotionID != "":
		j.Promotion.ID = w.RulePromotionID
	case ref.API == PromotionsStandard && w.PromotionID != "":
		j.Promotion.ID = w.PromotionID
	}
	if w.Parameters != nil {
		p := &JobParameters{
			NumberOfCodes:  w.Parameters.NumberOfCodes.ptr(),
			MaxUsesPerCode: w.Parameters.MaxUsesPerCode.ptr(),
			ConsumeUnit:    w.Parameters.ConsumeUnit,
			CodePrefix:     w.Parameters.CodePrefix,
			CodeLength:     w.Parameters.CodeLength.ptr(),
		}
		// An empty object (export jobs) counts as "none sent".
		if !p.empty() {
			j.Parameters = p
		}
	}
	// `result` is the documented field; one page calls it `generate_result`.
	for _, r := range []*jobResultJSON{w.Result, w.GenerateResult} {
		if r == nil {
			continue
		}
		if j.Generated == nil {
			j.Generated = r.Generated.ptr()
		}
		if j.Deleted == nil {
			j.Deleted = r.Deleted.ptr()
		}
	}
	return j
}

func parseTime(s string) time.Time {
	s = strings.TrimSpace(s)
	if s == "" {
		return time.Time{}
	}
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05.999999999", "2006-01-02 15:04:05.999999999Z07:00"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t.UTC()
		}
	}
	return time.Time{}
}

// ---- operations --------------------------------------------------------

// CreateJob sends one job-creating POST. It is never retried once the request
// may have reached the server: such failures are *OutcomeUnknownError (see
// StartJob for the safe way to create a job).
func (c *Client) CreateJob(ctx context.Context, ref PromotionRef, req CreateJobRequest) (*Job, error) {
	if err := ref.validate(); err != nil {
		return nil, err
	}
	if strings.TrimSpace(req.Type) == "" {
		return nil, errors.New("creating a promotion job: job type is required")
	}
	data := createJobData{Type: "promotion_job", JobType: req.Type, Name: req.Name}
	if req.Type != JobTypeExport && !req.Parameters.empty() {
		p := req.Parameters
		data.Parameters = &jobParamsJSON{
			NumberOfCodes:  p.NumberOfCodes,
			MaxUsesPerCode: p.MaxUsesPerCode,
			ConsumeUnit:    p.ConsumeUnit,
			CodePrefix:     p.CodePrefix,
			CodeLength:     p.CodeLength,
		}
	}
	c.invalidateListing(ref)
	defer c.invalidateListing(ref)

	var env jobEnvelope
	path := ref.jobsPath()
	_, _, err := c.do(ctx, apiCall{
		method:   http.MethodPost,
		path:     path,
		jsonBody: createJobBody{Data: data},
		policy:   policyCreate,
		out:      &env,
	})
	if err != nil {
		return nil, err
	}
	job := env.Data.toJob(ref)
	tflog.Info(ctx, "Elastic Path promotion job created", map[string]any{
		"promotion": ref.String(), "job_id": job.ID, "job_type": job.Type, "status": job.Status,
	})
	return &job, nil
}

// ListJobs lists the promotion's jobs (every page), newest listing always.
func (c *Client) ListJobs(ctx context.Context, ref PromotionRef, f JobFilter) ([]Job, error) {
	if err := ref.validate(); err != nil {
		return nil, err
	}
	jobs, err := c.listShared(ctx, ref, f)
	if err != nil {
		return nil, err
	}
	return cloneJobs(jobs), nil
}

// ReadJobs returns the promotion's jobs (every page) from the listing GetJob reads too: concurrent calls on
// one promotion share one listing, which may be reused for ReadCacheTTL unless this client started or
// cancelled a job on the promotion since.
func (c *Client) ReadJobs(ctx context.Context, ref PromotionRef) ([]Job, error) {
	if err := ref.validate(); err != nil {
		return nil, err
	}
	jobs, err := c.cachedJobs(ctx, ref, c.cfg.ReadCacheTTL)
	if err != nil {
		return nil, err
	}
	return cloneJobs(jobs), nil
}

// GetJob reads one job. The API has no single-job endpoint, so this lists
// the promotion's jobs; concurrent calls on one promotion share one listing,
// which may be reused for ReadCacheTTL.
func (c *Client) GetJob(ctx context.Context, ref PromotionRef, id string) (*Job, error) {
	if err := ref.validate(); err != nil {
		return nil, err
	}
	jobs, err := c.cachedJobs(ctx, ref, c.cfg.ReadCacheTTL)
	if err != nil {
		return nil, err
	}
	return findJob(jobs, ref, id)
}

func findJob(jobs []Job, ref PromotionRef, id string) (*Job, error) {
	for i := range jobs {
		if jobs[i].ID == id {
			j := jobs[i].clone()
			return &j, nil
		}
	}
	return nil, &JobNotFoundError{Promotion: ref, ID: id}
}

// CancelJob asks the API to cancel a pending or processing job. The answer
// is the job, `cancelling` (Rule Promotions) or `cancelled` (Standard).
func (c *Client) CancelJob(ctx context.Context, ref PromotionRef, id string) (*Job, error) {
	if err := ref.validate(); err != nil {
		return nil, err
	}
	c.invalidateListing(ref)
	defer c.invalidateListing(ref)
	var env jobEnvelope
	_, _, err := c.do(ctx, apiCall{
		method: http.MethodPost,
		path:   ref.jobPath(id) + "/cancel",
		policy: policyIdempotent,
		out:    &env,
	})
	if IsNotCancellable(err) {
		// A retried cancel meets the 422 its own first attempt caused, when that attempt went through but
		// its answer was lost. The job's status tells.
		if jobs, lerr := c.listShared(ctx, ref, JobFilter{}); lerr == nil {
			if job, ferr := findJob(jobs, ref, id); ferr == nil && (job.Status == StatusCancelling || job.Status == StatusCancelled) {
				return job, nil
			}
		}
	}
	if err != nil {
		return nil, err
	}
	job := env.Data.toJob(ref)
	return &job, nil
}

// JobFileURL returns the signed CSV URL of a completed code_export job. The
// URL expires; fetch it right before use.
func (c *Client) JobFileURL(ctx context.Context, ref PromotionRef, id string) (string, error) {
	if err := ref.validate(); err != nil {
		return "", err
	}
	var ans fileAnswer
	path := ref.jobPath(id) + "/file"
	if _, _, err := c.do(ctx, apiCall{method: http.MethodGet, path: path, out: &ans, maskAnswer: maskSignedURL}); err != nil {
		return "", err
	}
	href := ans.href()
	return href, nil
}

// ---- listing -----------------------------------------------------------

const (
	pageLimit = 100
	// maxOffset is the API's largest page[offset]: no listing goes past it.
	maxOffset = 10000
	// maxPages bounds a listing whatever the server says.
	maxPages = 1000
)

// listAllJobs fetches every page of the promotion's jobs.
func (c *Client) listAllJobs(ctx context.Context, ref PromotionRef, f JobFilter) ([]Job, error) {
	filter := f.expr()
	var all []Job
	seen := map[string]bool{}
	offset := 0
	for page := 0; ; page++ {
		if page >= maxPages || offset > maxOffset {
			return nil, fmt.Errorf("listing jobs of %s: more than %d jobs (%d pages), giving up", ref, offset, page)
		}
		q := ""
		if filter != "" {
			q = "filter=" + escapeQueryValue(filter) + "&"
		}
		q += "page[limit]=" + strconv.Itoa(pageLimit) + "&page[offset]=" + strconv.Itoa(offset)
		var env jobListEnvelope
		if _, _, err := c.do(ctx, apiCall{method: http.MethodGet, path: ref.jobsPath(), rawQuery: q, out: &env}); err != nil {
			return nil, err
		}
		added := 0
		for i := range env.Data {
			w := &env.Data[i]
			if seen[w.ID] {
				continue // a job that moved across pages while we listed
			}
			seen[w.ID] = true
			all = append(all, w.toJob(ref))
			added++
		}
		total := -1
		if env.Meta != nil && env.Meta.Results != nil && env.Meta.Results.Total.set {
			total = int(env.Meta.Results.Total.v)
		}
		limit := pageLimit
		if env.Meta != nil && env.Meta.Page != nil && env.Meta.Page.Limit.v > 0 && env.Meta.Page.Limit.v < pageLimit {
			limit = int(env.Meta.Page.Limit.v) // the server capped our page size
		}
		switch {
		case len(env.Data) == 0:
			return all, nil
		case added == 0:
			// The server repeats itself (ignores page[offset]?): stop rather
			// than loop; say so if we know we are short.
			if total >= 0 && len(all) < total {
				return nil, fmt.Errorf("listing jobs of %s: page at offset %d repeats earlier jobs (%d of %d listed)", ref, offset, len(all), total)
			}
			return all, nil
		case total >= 0:
			if offset+len(env.Data) >= total {
				return all, nil
			}
		case len(env.Data) < limit:
			return all, nil
		case env.Links != nil && (env.Links.Next == nil || *env.Links.Next == ""):
			return all, nil
		}
		offset += len(env.Data)
	}
}

func cloneJobs(jobs []Job) []Job {
	out := make([]Job, len(jobs))
	for i := range jobs {
		out[i] = jobs[i].clone()
	}
	return out
}

// DownloadExport fetches the CSV file that a completed export's signed URL (JobFileURL) points at. The URL is
// its own credential, on a file host of its own: no token goes with it, and no error shows it.
func (c *Client) DownloadExport(ctx context.Context, signedURL string) ([]byte, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, signedURL, nil)
	if err != nil {
		return nil, errors.New("downloading the export: the link is not a URL")
	}
	req.Header.Set("User-Agent", c.userAgent)
	resp, err := c.http.HTTPClient.Do(req)
	if err != nil {
		var urlErr *url.Error
		if errors.As(err, &urlErr) {
			urlErr.URL = "<signed export URL>"
		}
		return nil, fmt.Errorf("downloading the export: %w", err)
	}
	defer func() { _ = resp.Body.Close() }()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("downloading the export: the file host answered %d (an expired link answers 4xx)", resp.StatusCode)
	}
	body, err := readAll(resp.Body)
	if err != nil {
		return nil, fmt.Errorf("downloading the export: %w", err)
	}
	return body, nil
}

package epccsim

import (
	"encoding/json"
	"fmt"
	"math"
	"net/http"
	"time"
	"unicode/utf8"
)

const (
	jobGenerate = "code_generate"
	jobExport   = "code_export"

	statusPending    = "pending"
	statusProcessing = "processing"
	statusCompleted  = "completed"
	statusFailed     = "failed"
	statusCancelling = "cancelling"
	statusCancelled  = "cancelled"

	maxJobNameLength = 50
	minCodeLength    = 8
	maxCodeLength    = 16
)

type jobParams struct {
	NumberOfCodes  int     `json:"number_of_codes"`
	MaxUsesPerCode *int    `json:"max_uses_per_code,omitempty"`
	ConsumeUnit    string  `json:"consume_unit,omitempty"`
	CodePrefix     *string `json:"code_prefix,omitempty"`
	CodeLength     int     `json:"code_length"`
}

type jobResult struct {
	Generated int  `json:"generated"`
	Deleted   *int `json:"deleted"`
}

type timestamps struct {
	CreatedAt string `json:"created_at"`
	UpdatedAt string `json:"updated_at"`
}

type jobMeta struct {
	Timestamps timestamps `json:"timestamps"`
}

type jobJSON struct {
	Type            string     `json:"type"`
	ID              string     `json:"id"`
	PromotionID     string     `json:"promotion_id,omitempty"`
	RulePromotionID string     `json:"rule_promotion_id,omitempty"`
	JobType         string     `json:"job_type"`
	Name            string     `json:"name"`
	Parameters      *jobParams `json:"parameters,omitempty"`
	Status          string     `json:"status"`
	Error           string     `json:"error,omitempty"`
	Result          *jobResult `json:"result,omitempty"`
	Meta            jobMeta    `json:"meta"`
}

// job is one promotion job. Its status is not driven by goroutines: advance
// replays the transitions that the clock says have happened since the last
// request looked at the promotion.
type job struct {
	id      string
	name    string
	jobType string
	params  *jobParams // code_generate only

	status    string
	errMsg    string
	createdAt time.Time
	updatedAt time.Time

	startAt  time.Time // pending → processing
	doneAt   time.Time // processing → completed, known once processing starts
	cancelAt time.Time // cancelling → cancelled (Rule Promotions)

	generated int
	deleted   *int
	file      *exportFile // code_export, once completed
}

func (j *job) active() bool {
	return j.status == statusPending || j.status == statusProcessing
}

func (j *job) json(api apiKind, promotionID string) jobJSON {
	out := jobJSON{
		Type:       "promotion_job",
		ID:         j.id,
		JobType:    j.jobType,
		Name:       j.name,
		Parameters: j.params,
		Status:     j.status,
		Error:      j.errMsg,
		Meta: jobMeta{Timestamps: timestamps{
			CreatedAt: formatTime(j.createdAt),
			UpdatedAt: formatTime(j.updatedAt),
		}},
	}
	if api == ruleAPI {
		out.RulePromotionID = promotionID
	} else {
		out.PromotionID = promotionID
	}
	// Counts exist once a generate job has been picked up.
	if j.jobType == jobGenerate && j.status != statusPending {
		out.Result = &jobResult{Generated: j.generated, Deleted: j.deleted}
	}
	return out
}

// nextEvent is when the job next changes status on its own, if it will.
func (j *job) nextEvent() (time.Time, bool) {
	switch j.status {
	case statusPending:
		return j.startAt, true
	case statusProcessing:
		return j.doneAt, true
	case statusCancelling:
		return j.cancelAt, true
	}
	return time.Time{}, false
}

// advance brings every job of p up to now. Transitions are applied in time
// order across jobs, so a code cap check sees the codes that really existed
// at that moment. Callers hold s.mu.
func (s *Server) advance(p *promotion, now time.Time) {
	for {
		var next *job
		var at time.Time
		for _, j := range p.jobs {
			t, ok := j.nextEvent()
			if !ok || t.After(now) {
				continue
			}
			if next == nil || t.Before(at) {
				next, at = j, t
			}
		}
		if next == nil {
			break
		}
		s.step(p, next, at)
	}
	for _, j := range p.jobs {
		if j.status == statusProcessing && j.jobType == jobGenerate {
			p.fill(j, s.generatedBy(j, now), now)
		}
	}
}

// step applies the job's next transition, which happens at time at.
func (s *Server) step(p *promotion, j *job, at time.Time) {
	j.updatedAt = at
	switch j.status {
	case statusPending:
		if j.jobType == jobExport {
			j.status = statusProcessing
			j.doneAt = at.Add(s.opts.ExportDuration)
			return
		}
		// The cap is enforced when the job is picked up, not when it is
		// accepted: the job is created and then fails.
		if len(p.codes)+j.params.NumberOfCodes > s.opts.MaxCodesPerPromotion {
			j.status = statusFailed
			j.errMsg = "codes limit exceeded"
			return
		}
		j.status = statusProcessing
		secs := float64(j.params.NumberOfCodes) / s.opts.CodesPerSecond
		j.doneAt = at.Add(time.Duration(math.Ceil(secs * float64(time.Second))))
	case statusProcessing:
		if j.jobType == jobGenerate {
			p.fill(j, j.params.NumberOfCodes, at)
		} else {
			j.file = s.newExportFile(p, at)
		}
		j.status = statusCompleted
	case statusCancelling:
		n := p.removeCodes(j.id)
		j.deleted = &n
		j.status = statusCancelled
	}
}

// generatedBy is how many codes a processing job has made by time t.
func (s *Server) generatedBy(j *job, t time.Time) int {
	elapsed := t.Sub(j.startAt).Seconds()
	n := int(elapsed * s.opts.CodesPerSecond)
	return max(0, min(n, j.params.NumberOfCodes))
}

func (s *Server) jobCreate(api apiKind) func(*http.Request, []string) reply {
	return func(r *http.Request, args []string) reply {
		s.mu.Lock()
		_, found := s.promotion(api, args[0])
		s.mu.Unlock()
		if !found {
			return api.promotionNotFound()
		}
		data, rep, ok := readData(r)
		if !ok {
			return rep
		}
		j, rep, ok := s.parseJob(api, data)
		if !ok {
			return rep
		}

		s.mu.Lock()
		defer s.mu.Unlock()
		p, found := s.promotion(api, args[0])
		if !found {
			return api.promotionNotFound()
		}
		now := s.now()
		s.advance(p, now)
		if j.jobType == jobGenerate && p.automatic {
			return strErr(http.StatusUnprocessableEntity, "No codes allowed", "Cannot add codes to an automatic promotion", "")
		}
		for _, other := range p.jobs {
			if other.active() {
				return strErr(http.StatusBadRequest, "Too many jobs", "Only 1 pending or processing job is allowed per promotion.", "")
			}
		}
		j.id = newUUID()
		j.status = statusPending
		j.createdAt, j.updatedAt = now, now
		j.startAt = now.Add(s.opts.QueueDelay)
		p.jobs = append(p.jobs, j)
		return jsonReply(http.StatusCreated, dataEnvelope{Data: j.json(api, p.id)})
	}
}

// parseJob validates the "data" object of a job request, in the order the
// fields appear in the spec, and reports the first problem.
func (s *Server) parseJob(api apiKind, data map[string]any) (*job, reply, bool) {
	if t, _ := data["type"].(string); t != "promotion_job" {
		return nil, failedValidation("data.type", "type must be promotion_job"), false
	}
	jobType, _ := data["job_type"].(string)
	if jobType != jobGenerate && jobType != jobExport {
		return nil, failedValidation("data.job_type", "job_type must be one of code_generate, code_export"), false
	}
	j := &job{jobType: jobType}
	if v, set := data["name"]; set && v != nil {
		name, ok := v.(string)
		if !ok {
			return nil, failedValidation("data.name", "name must be a string"), false
		}
		if utf8.RuneCountInString(name) > maxJobNameLength {
			return nil, failedValidation("data.name", fmt.Sprintf("name must be at most %d characters", maxJobNameLength)), false
		}
		j.name = name
	}
	rawParams, hasParams := data["parameters"]
	if rawParams == nil {
		hasParams = false
	}
	if jobType == jobExport {
		if hasParams {
			return nil, failedValidation("data.parameters", "parameters are only allowed for code_generate jobs"), false
		}
		return j, reply{}, true
	}
	params, ok := rawParams.(map[string]any)
	if hasParams && !ok {
		return nil, failedValidation("data.parameters", "parameters must be an object"), false
	}
	p, rep, ok := s.parseParams(api, params)
	if !ok {
		return nil, rep, false
	}
	j.params = p
	return j, reply{}, true
}

func (s *Server) parseParams(api apiKind, params map[string]any) (*jobParams, reply, bool) {
	const src = "data.parameters."
	out := &jobParams{CodeLength: minCodeLength}

	n, set, ok := intField(params, "number_of_codes")
	switch {
	case !set:
		return nil, failedValidation(src+"number_of_codes", "number_of_codes is required"), false
	case !ok:
		return nil, failedValidation(src+"number_of_codes", "number_of_codes must be an integer"), false
	case n < 1:
		return nil, failedValidation(src+"number_of_codes", "number_of_codes must be greater than or equal to 1"), false
	case n > s.opts.MaxCodesPerPromotion:
		return nil, api.apiErr(http.StatusBadRequest, "Too many promotion codes",
			fmt.Sprintf("Only %d promotion codes are allowed per promotion", s.opts.MaxCodesPerPromotion),
			src+"number_of_codes"), false
	}
	out.NumberOfCodes = n

	if v, set, ok := intField(params, "max_uses_per_code"); set {
		if !ok {
			return nil, failedValidation(src+"max_uses_per_code", "max_uses_per_code must be an integer"), false
		}
		if v < 0 {
			return nil, failedValidation(src+"max_uses_per_code", "max_uses_per_code must be greater than or equal to 0"), false
		}
		out.MaxUsesPerCode = &v
	}

	if v, set := params["consume_unit"]; set && v != nil {
		unit, _ := v.(string)
		if !oneOf(unit, api.consumeUnits()) {
			return nil, failedValidation(src+"consume_unit", "consume_unit must be one of "+joinList(api.consumeUnits())), false
		}
		out.ConsumeUnit = unit
	}

	if v, set := params["code_prefix"]; set && v != nil {
		prefix, ok := v.(string)
		if !ok {
			return nil, failedValidation(src+"code_prefix", "code_prefix must be a string"), false
		}
		out.CodePrefix = &prefix
	}

	if v, set, ok := intField(params, "code_length"); set {
		if !ok {
			return nil, failedValidation(src+"code_length", "code_length must be an integer"), false
		}
		if v < minCodeLength || v > maxCodeLength {
			return nil, failedValidation(src+"code_length",
				fmt.Sprintf("code_length must be between %d and %d", minCodeLength, maxCodeLength)), false
		}
		out.CodeLength = v
	}
	return out, reply{}, true
}

// intField reads an optional integer: set reports presence (null counts as
// absent), ok whether it is an integer.
func intField(m map[string]any, key string) (v int, set, ok bool) {
	raw, present := m[key]
	if !present || raw == nil {
		return 0, false, false
	}
	num, isNum := raw.(json.Number)
	if !isNum {
		return 0, true, false
	}
	i, err := num.Int64()
	if err != nil || i > math.MaxInt32 || i < math.MinInt32 {
		return 0, true, false
	}
	return int(i), true, true
}

func (s *Server) jobsList(api apiKind) func(*http.Request, []string) reply {
	return func(r *http.Request, args []string) reply {
		q := r.URL.Query()
		s.mu.Lock()
		defer s.mu.Unlock()
		p, found := s.promotion(api, args[0])
		if !found {
			return api.promotionNotFound()
		}
		pg, rep, ok := parsePage(api, q)
		if !ok {
			return rep
		}
		conds, err := parseJobFilter(q.Get("filter"))
		if err != nil {
			return api.apiErr(http.StatusBadRequest, "Bad Request", "Invalid filter: "+err.Error(), "filter")
		}
		s.advance(p, s.now())
		var matched []*job
		for _, j := range p.jobs {
			if conds.matches(j) {
				matched = append(matched, j)
			}
		}
		items := make([]jobJSON, 0, pg.limit)
		for _, j := range pg.slice(len(matched)) {
			items = append(items, matched[j].json(api, p.id))
		}
		return jsonReply(http.StatusOK, listBody(r, pg, len(matched), items))
	}
}

func (s *Server) findJob(api apiKind, args []string) (*promotion, *job, reply, bool) {
	p, found := s.promotion(api, args[0])
	if !found {
		return nil, nil, api.promotionNotFound(), false
	}
	s.advance(p, s.now())
	for _, j := range p.jobs {
		if j.id == args[1] {
			return p, j, reply{}, true
		}
	}
	return nil, nil, api.apiErr(http.StatusNotFound, "Not Found", "job not found", ""), false
}

// jobCancel stops a pending or processing job. Promotions Standard cancels
// at once; Rule Promotions passes through "cancelling" while it deletes the
// codes the job made.
func (s *Server) jobCancel(api apiKind) func(*http.Request, []string) reply {
	return func(_ *http.Request, args []string) reply {
		s.mu.Lock()
		defer s.mu.Unlock()
		p, j, rep, ok := s.findJob(api, args)
		if !ok {
			return rep
		}
		if !j.active() {
			return strErr(http.StatusUnprocessableEntity, "Unprocessable Entity", "Only pending or processing jobs can be cancelled.", "")
		}
		now := s.now()
		j.updatedAt = now
		if api == ruleAPI {
			j.status = statusCancelling
			j.cancelAt = now.Add(s.opts.CancelDuration)
		} else {
			n := p.removeCodes(j.id)
			j.deleted = &n
			j.status = statusCancelled
		}
		return jsonReply(http.StatusOK, dataEnvelope{Data: j.json(api, p.id)})
	}
}

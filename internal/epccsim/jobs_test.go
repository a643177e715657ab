package epccsim

import (
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"
)

func TestJobRequestValidation(t *testing.T) {
	t.Parallel()
	gen := func(params obj) obj { return jobBody(jobGenerate, "codes", params) }
	type errCase struct {
		name   string
		body   any
		status int
		str    bool // "status" encoded as a string
		title  string
		source string
		detail string
	}
	common := []errCase{
		{"malformed json", `{"data": {`, 400, false, "Bad Request", "", ""},
		{"unwrapped body", obj{"type": "promotion_job", "job_type": "code_export"}, 422, false, "Failed Validation", "data", "The data field is required"},
		{"empty body", ``, 400, false, "Bad Request", "", ""},
		{"data not an object", obj{"data": "x"}, 422, false, "Failed Validation", "data", ""},
		{"wrong type", obj{"data": obj{"type": "promotion_jobs", "job_type": "code_export"}}, 422, false, "Failed Validation", "data.type", ""},
		{"missing type", obj{"data": obj{"job_type": "code_export"}}, 422, false, "Failed Validation", "data.type", ""},
		{"unknown job_type", jobBody("code_delete", "", nil), 422, false, "Failed Validation", "data.job_type", ""},
		{"name too long", jobBody(jobExport, strings.Repeat("n", 51), nil), 422, false, "Failed Validation", "data.name", ""},
		{"name not a string", obj{"data": obj{"type": "promotion_job", "job_type": "code_export", "name": 5}}, 422, false, "Failed Validation", "data.name", ""},
		{"parameters on export", jobBody(jobExport, "", obj{"number_of_codes": 1}), 422, false, "Failed Validation", "data.parameters", ""},
		{"generate without parameters", jobBody(jobGenerate, "", nil), 422, false, "Failed Validation", "data.parameters.number_of_codes", ""},
		{"number_of_codes zero", gen(obj{"number_of_codes": 0}), 422, false, "Failed Validation", "data.parameters.number_of_codes", ""},
		{"number_of_codes not integer", gen(obj{"number_of_codes": 1.5}), 422, false, "Failed Validation", "data.parameters.number_of_codes", ""},
		{"number_of_codes string", gen(obj{"number_of_codes": "10"}), 422, false, "Failed Validation", "data.parameters.number_of_codes", ""},
		{"code_length too short", gen(obj{"number_of_codes": 1, "code_length": 7}), 422, false, "Failed Validation", "data.parameters.code_length", ""},
		{"code_length too long", gen(obj{"number_of_codes": 1, "code_length": 17}), 422, false, "Failed Validation", "data.parameters.code_length", ""},
		{"negative max uses", gen(obj{"number_of_codes": 1, "max_uses_per_code": -1}), 422, false, "Failed Validation", "data.parameters.max_uses_per_code", ""},
		{"code_prefix not a string", gen(obj{"number_of_codes": 1, "code_prefix": 7}), 422, false, "Failed Validation", "data.parameters.code_prefix", ""},
	}
	perAPI := map[apiKind][]errCase{
		standardAPI: {
			{"too many codes", gen(obj{"number_of_codes": 1001}), 400, false, "Too many promotion codes", "data.parameters.number_of_codes", "Only 1000 promotion codes are allowed per promotion"},
			{"rule consume unit", gen(obj{"number_of_codes": 1, "consume_unit": "per_checkout"}), 422, false, "Failed Validation", "data.parameters.consume_unit", ""},
		},
		ruleAPI: {
			{"too many codes", gen(obj{"number_of_codes": 1001}), 400, true, "Too many promotion codes", "data.parameters.number_of_codes", "Only 1000 promotion codes are allowed per promotion"},
			{"standard consume unit", gen(obj{"number_of_codes": 1, "consume_unit": "per_cart"}), 422, false, "Failed Validation", "data.parameters.consume_unit", ""},
		},
	}
	for _, api := range allAPIs {
		t.Run(api.String(), func(t *testing.T) {
			t.Parallel()
			h := newHarness(t, Options{})
			id := h.createPromotion(api, false)
			for _, c := range append(common, perAPI[api]...) {
				t.Run(c.name, func(t *testing.T) {
					e := wantError(t, h.do(http.MethodPost, jobsPath(api, id), c.body), c.status, c.str, c.title, c.source)
					if c.detail != "" && e["detail"] != c.detail {
						t.Errorf("detail = %q, want %q", e["detail"], c.detail)
					}
				})
			}
			// None of the rejected requests created a job.
			if r := h.do(http.MethodGet, jobsPath(api, id), nil); num(r.obj["meta"].(map[string]any)["results"].(map[string]any)["total"]) != 0 {
				t.Errorf("rejected requests created jobs: %s", r.body)
			}
			wantError(t, h.do(http.MethodPost, jobsPath(api, "no-such-promotion"), jobBody(jobExport, "", nil)), 404, api == ruleAPI, "Not Found", "")
		})
	}
}

func TestJobRequestBoundariesAreAccepted(t *testing.T) {
	t.Parallel()
	units := map[apiKind][]string{standardAPI: {"per_item", "per_cart"}, ruleAPI: {"per_application", "per_checkout"}}
	for _, api := range allAPIs {
		t.Run(api.String(), func(t *testing.T) {
			t.Parallel()
			h := newHarness(t, Options{})
			accepted := []obj{
				jobBody(jobExport, strings.Repeat("n", 50), nil),
				jobBody(jobExport, "", nil),
				jobBody(jobGenerate, "", obj{"number_of_codes": 1000}),
				jobBody(jobGenerate, "", obj{"number_of_codes": 1, "code_length": 8, "max_uses_per_code": 0}),
				jobBody(jobGenerate, "", obj{"number_of_codes": 1, "code_length": 16}),
				jobBody(jobGenerate, "", obj{"number_of_codes": 1, "consume_unit": units[api][0]}),
				jobBody(jobGenerate, "", obj{"number_of_codes": 1, "consume_unit": units[api][1]}),
			}
			for _, body := range accepted {
				h.createJob(api, h.createPromotion(api, false), body)
			}
		})
	}
}

func TestCreatedJobShape(t *testing.T) {
	t.Parallel()
	for _, api := range allAPIs {
		t.Run(api.String(), func(t *testing.T) {
			t.Parallel()
			h := newHarness(t, Options{})
			id := h.createPromotion(api, false)
			j := h.createJob(api, id, jobBody(jobGenerate, "summer sale job", obj{"number_of_codes": 3, "consume_unit": api.consumeUnits()[1], "code_prefix": "Summer-"}))
			if j["type"] != "promotion_job" || j["job_type"] != jobGenerate || j["name"] != "summer sale job" || j["status"] != statusPending {
				t.Errorf("job = %v", j)
			}
			if !regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`).MatchString(j["id"].(string)) {
				t.Errorf("id %v is not a UUID", j["id"])
			}
			if j[api.promotionIDField()] != id {
				t.Errorf("%s = %v, want %s", api.promotionIDField(), j[api.promotionIDField()], id)
			}
			other := "rule_promotion_id"
			if api == ruleAPI {
				other = "promotion_id"
			}
			if _, has := j[other]; has {
				t.Errorf("job carries %s", other)
			}
			params := j["parameters"].(map[string]any)
			if num(params["number_of_codes"]) != 3 || num(params["code_length"]) != 8 || params["code_prefix"] != "Summer-" || params["consume_unit"] != api.consumeUnits()[1] {
				t.Errorf("parameters = %v (code_length should default to 8)", params)
			}
			if _, has := params["max_uses_per_code"]; has {
				t.Errorf("max_uses_per_code invented: %v", params)
			}
			if _, has := j["result"]; has {
				t.Errorf("pending job has a result: %v", j)
			}
			ts := j["meta"].(map[string]any)["timestamps"].(map[string]any)
			if ts["created_at"] != "2025-06-01T12:00:00.000000000Z" || ts["updated_at"] != ts["created_at"] {
				t.Errorf("timestamps = %v", ts)
			}

			h.clock.Advance(time.Second)
			e := h.createJob(api, id, jobBody(jobExport, "", nil))
			if _, has := e["parameters"]; has {
				t.Errorf("export job has parameters: %v", e)
			}
		})
	}
}

var codeFormat = regexp.MustCompile(`^summer-[a-z0-9]{4}-[a-z0-9]{4}-[a-z0-9]{2}$`)

func TestGenerateLifecycleOnTheClock(t *testing.T) {
	t.Parallel()
	for _, api := range allAPIs {
		t.Run(api.String(), func(t *testing.T) {
			t.Parallel()
			h := newHarness(t, Options{QueueDelay: time.Second, CodesPerSecond: 100})
			id := h.createPromotion(api, false)
			unit := api.consumeUnits()[0]
			j := h.createJob(api, id, jobBody(jobGenerate, "summer", obj{
				"number_of_codes": 500, "max_uses_per_code": 3, "consume_unit": unit, "code_prefix": "summer-", "code_length": 10,
			}))
			jobID := j["id"].(string)

			h.clock.Advance(999 * time.Millisecond)
			if got := h.job(api, id, jobID); got["status"] != statusPending {
				t.Fatalf("before the queue delay: %v", got["status"])
			}

			h.clock.Advance(time.Millisecond)
			got := h.job(api, id, jobID)
			if got["status"] != statusProcessing {
				t.Fatalf("after the queue delay: %v", got["status"])
			}
			res := got["result"].(map[string]any)
			if num(res["generated"]) != 0 || res["deleted"] != nil {
				t.Errorf("result at start = %v", res)
			}
			if ts := got["meta"].(map[string]any)["timestamps"].(map[string]any); ts["updated_at"] != "2025-06-01T12:00:01.000000000Z" {
				t.Errorf("updated_at when processing started = %v", ts["updated_at"])
			}

			h.clock.Advance(2 * time.Second)
			got = h.job(api, id, jobID)
			if got["status"] != statusProcessing || num(got["result"].(map[string]any)["generated"]) != 200 {
				t.Fatalf("two seconds in: %v %v", got["status"], got["result"])
			}
			if n := len(h.codes(api, id)); n != 200 {
				t.Errorf("codes after two seconds = %d, want 200", n)
			}

			h.clock.Advance(3 * time.Second)
			got = h.job(api, id, jobID)
			if got["status"] != statusCompleted || num(got["result"].(map[string]any)["generated"]) != 500 {
				t.Fatalf("at the end: %v %v", got["status"], got["result"])
			}
			if ts := got["meta"].(map[string]any)["timestamps"].(map[string]any); ts["updated_at"] != "2025-06-01T12:00:06.000000000Z" {
				t.Errorf("updated_at at completion = %v", ts["updated_at"])
			}

			codes := h.codes(api, id)
			if len(codes) != 500 {
				t.Fatalf("listed %d codes, want 500", len(codes))
			}
			seen := map[string]bool{}
			for _, c := range codes {
				code, _ := c["code"].(string)
				if !codeFormat.MatchString(code) {
					t.Fatalf("code %q does not look like summer-xxxx-xxxx-xx", code)
				}
				if seen[code] {
					t.Fatalf("duplicate code %q", code)
				}
				seen[code] = true
				if num(c["max_uses"]) != 3 || c["consume_unit"] != unit {
					t.Fatalf("code %v lacks the job's max_uses/consume_unit", c)
				}
				_, hasID := c["id"]
				if hasID != (api == ruleAPI) || (api == ruleAPI && c["type"] != "promotion_codes") {
					t.Fatalf("code shape %v wrong for %s", c, api)
				}
			}
		})
	}
}

func TestCodeFormat(t *testing.T) {
	t.Parallel()
	for length, pattern := range map[int]string{
		8:  `^[a-z0-9]{4}-[a-z0-9]{4}$`,
		10: `^[a-z0-9]{4}-[a-z0-9]{4}-[a-z0-9]{2}$`,
		12: `^[a-z0-9]{4}-[a-z0-9]{4}-[a-z0-9]{4}$`,
		16: `^[a-z0-9]{4}-[a-z0-9]{4}-[a-z0-9]{4}-[a-z0-9]{4}$`,
	} {
		re := regexp.MustCompile(pattern)
		for range 50 {
			if c := randomCode(length); !re.MatchString(c) {
				t.Fatalf("randomCode(%d) = %q", length, c)
			}
		}
	}
}

func TestGeneratedCodesDefaults(t *testing.T) {
	t.Parallel()
	for _, api := range allAPIs {
		t.Run(api.String(), func(t *testing.T) {
			t.Parallel()
			h := newHarness(t, Options{})
			id := h.createPromotion(api, false)
			h.createJob(api, id, jobBody(jobGenerate, "", obj{"number_of_codes": 20}))
			h.clock.Advance(time.Second)
			re := regexp.MustCompile(`^[a-z0-9]{4}-[a-z0-9]{4}$`)
			for _, c := range h.codes(api, id) {
				if !re.MatchString(c["code"].(string)) || c["consume_unit"] != api.defaultConsumeUnit() {
					t.Fatalf("code %v", c)
				}
				if _, limited := c["max_uses"]; limited {
					t.Fatalf("code without max_uses_per_code has a limit: %v", c)
				}
			}
		})
	}
}

func TestCodesPerPromotionCap(t *testing.T) {
	t.Parallel()
	for _, api := range allAPIs {
		t.Run(api.String(), func(t *testing.T) {
			t.Parallel()
			h := newHarness(t, Options{})
			id := h.createPromotion(api, false)
			h.createJob(api, id, jobBody(jobGenerate, "", obj{"number_of_codes": 600}))
			h.clock.Advance(time.Second)

			// Accepted, then fails when picked up: 600 + 500 > 1000.
			over := h.createJob(api, id, jobBody(jobGenerate, "", obj{"number_of_codes": 500}))
			if over["status"] != statusPending {
				t.Fatalf("overflowing job answered %v", over["status"])
			}
			h.clock.Advance(time.Second)
			got := h.job(api, id, over["id"].(string))
			if got["status"] != statusFailed || got["error"] != "codes limit exceeded" || num(got["result"].(map[string]any)["generated"]) != 0 {
				t.Fatalf("overflowing job = %v", got)
			}
			if n := len(h.codes(api, id)); n != 600 {
				t.Fatalf("codes after failed job = %d, want 600", n)
			}

			// Filling up to exactly the cap is fine.
			fill := h.createJob(api, id, jobBody(jobGenerate, "", obj{"number_of_codes": 400}))
			h.clock.Advance(time.Second)
			if got := h.job(api, id, fill["id"].(string)); got["status"] != statusCompleted {
				t.Fatalf("job reaching the cap = %v", got)
			}
			if n := len(h.codes(api, id)); n != 1000 {
				t.Fatalf("codes = %d, want 1000", n)
			}
			one := h.createJob(api, id, jobBody(jobGenerate, "", obj{"number_of_codes": 1}))
			h.clock.Advance(time.Second)
			if got := h.job(api, id, one["id"].(string)); got["status"] != statusFailed {
				t.Fatalf("job beyond a full promotion = %v", got)
			}
		})
	}
}

func TestConfigurableCap(t *testing.T) {
	t.Parallel()
	h := newHarness(t, Options{MaxCodesPerPromotion: 10})
	id := h.createPromotion(standardAPI, false)
	e := wantError(t, h.do(http.MethodPost, jobsPath(standardAPI, id), jobBody(jobGenerate, "", obj{"number_of_codes": 11})),
		400, false, "Too many promotion codes", "data.parameters.number_of_codes")
	if e["detail"] != "Only 10 promotion codes are allowed per promotion" {
		t.Errorf("detail = %q", e["detail"])
	}
}

func TestAutomaticPromotionHasNoCodes(t *testing.T) {
	t.Parallel()
	for _, api := range allAPIs {
		t.Run(api.String(), func(t *testing.T) {
			t.Parallel()
			h := newHarness(t, Options{})
			id := h.createPromotion(api, true)
			e := wantError(t, h.do(http.MethodPost, jobsPath(api, id), jobBody(jobGenerate, "", obj{"number_of_codes": 5})),
				422, true, "No codes allowed", "")
			if e["detail"] != "Cannot add codes to an automatic promotion" {
				t.Errorf("detail = %q", e["detail"])
			}
			// Exporting (nothing) is still allowed.
			h.createJob(api, id, jobBody(jobExport, "", nil))
		})
	}
}

func TestOnlyOneActiveJobPerPromotion(t *testing.T) {
	t.Parallel()
	for _, api := range allAPIs {
		t.Run(api.String(), func(t *testing.T) {
			t.Parallel()
			h := newHarness(t, Options{QueueDelay: time.Second, CodesPerSecond: 10})
			id := h.createPromotion(api, false)
			h.createJob(api, id, jobBody(jobGenerate, "", obj{"number_of_codes": 10}))
			tooMany := func(when string) {
				e := wantError(t, h.do(http.MethodPost, jobsPath(api, id), jobBody(jobExport, "", nil)), 400, true, "Too many jobs", "")
				if e["detail"] != "Only 1 pending or processing job is allowed per promotion." {
					t.Errorf("%s: detail = %q", when, e["detail"])
				}
			}
			tooMany("pending")
			h.clock.Advance(1500 * time.Millisecond)
			tooMany("processing")

			// Other promotions are not held up.
			h.createJob(api, h.createPromotion(api, false), jobBody(jobExport, "", nil))

			h.clock.Advance(time.Second)
			h.createJob(api, id, jobBody(jobExport, "", nil))
		})
	}
}

func TestCancelStandardJob(t *testing.T) {
	t.Parallel()
	h := newHarness(t, Options{QueueDelay: time.Second, CodesPerSecond: 100})
	api := standardAPI
	id := h.createPromotion(api, false)
	j := h.createJob(api, id, jobBody(jobGenerate, "", obj{"number_of_codes": 500}))
	cancelPath := jobsPath(api, id) + "/" + j["id"].(string) + "/cancel"
	h.clock.Advance(3 * time.Second) // 2s of processing: 200 codes

	r := h.do(http.MethodPost, cancelPath, nil)
	if r.status != http.StatusOK {
		t.Fatalf("cancel: %d %s", r.status, r.body)
	}
	d := r.data()
	res := d["result"].(map[string]any)
	if d["status"] != statusCancelled || num(res["generated"]) != 200 || num(res["deleted"]) != 200 || d["promotion_id"] != id {
		t.Fatalf("cancel answered %s", r.body)
	}
	if n := len(h.codes(api, id)); n != 0 {
		t.Errorf("codes after cancel = %d, want 0", n)
	}
	h.clock.Advance(10 * time.Second)
	if got := h.job(api, id, j["id"].(string)); got["status"] != statusCancelled || num(got["result"].(map[string]any)["generated"]) != 200 {
		t.Errorf("cancelled job went on: %v", got)
	}
	e := wantError(t, h.do(http.MethodPost, cancelPath, nil), 422, true, "Unprocessable Entity", "")
	if e["detail"] != "Only pending or processing jobs can be cancelled." {
		t.Errorf("detail = %q", e["detail"])
	}

	// A pending job cancels with nothing to delete, and frees the promotion.
	p := h.createJob(api, id, jobBody(jobGenerate, "", obj{"number_of_codes": 5}))
	r = h.do(http.MethodPost, jobsPath(api, id)+"/"+p["id"].(string)+"/cancel", nil)
	if r.status != http.StatusOK || r.data()["status"] != statusCancelled || num(r.data()["result"].(map[string]any)["deleted"]) != 0 {
		t.Fatalf("cancel pending: %d %s", r.status, r.body)
	}
	h.createJob(api, id, jobBody(jobExport, "", nil))

	wantError(t, h.do(http.MethodPost, jobsPath(api, id)+"/no-such-job/cancel", nil), 404, false, "Not Found", "")
	wantError(t, h.do(http.MethodPost, jobsPath(api, "no-such-promotion")+"/x/cancel", nil), 404, false, "Not Found", "")
}

func TestCancelRuleJob(t *testing.T) {
	t.Parallel()
	h := newHarness(t, Options{QueueDelay: time.Second, CodesPerSecond: 100, CancelDuration: 500 * time.Millisecond})
	api := ruleAPI
	id := h.createPromotion(api, false)
	j := h.createJob(api, id, jobBody(jobGenerate, "", obj{"number_of_codes": 500}))
	jobID := j["id"].(string)
	cancelPath := jobsPath(api, id) + "/" + jobID + "/cancel"
	h.clock.Advance(2500 * time.Millisecond) // 150 codes

	r := h.do(http.MethodPost, cancelPath, nil)
	if r.status != http.StatusOK || r.data()["status"] != statusCancelling || r.data()["rule_promotion_id"] != id {
		t.Fatalf("cancel: %d %s", r.status, r.body)
	}
	if ts := r.data()["meta"].(map[string]any)["timestamps"].(map[string]any); ts["updated_at"] != "2025-06-01T12:00:02.500000000Z" {
		t.Errorf("updated_at on cancel = %v", ts["updated_at"])
	}
	wantError(t, h.do(http.MethodPost, cancelPath, nil), 422, true, "Unprocessable Entity", "")

	h.clock.Advance(499 * time.Millisecond)
	if got := h.job(api, id, jobID); got["status"] != statusCancelling || num(got["result"].(map[string]any)["generated"]) != 150 {
		t.Fatalf("while cancelling: %v", got)
	}
	h.clock.Advance(time.Millisecond)
	got := h.job(api, id, jobID)
	res := got["result"].(map[string]any)
	if got["status"] != statusCancelled || num(res["generated"]) != 150 || num(res["deleted"]) != 150 {
		t.Fatalf("after cancelling: %v", got)
	}
	if n := len(h.codes(api, id)); n != 0 {
		t.Errorf("codes after cancel = %d, want 0", n)
	}
	wantError(t, h.do(http.MethodPost, cancelPath, nil), 422, true, "Unprocessable Entity", "")

	done := h.createJob(api, id, jobBody(jobExport, "", nil))
	h.clock.Advance(time.Minute)
	wantError(t, h.do(http.MethodPost, jobsPath(api, id)+"/"+done["id"].(string)+"/cancel", nil), 422, true, "Unprocessable Entity", "")
	wantError(t, h.do(http.MethodPost, jobsPath(api, id)+"/no-such-job/cancel", nil), 404, true, "Not Found", "")
}

func TestCancelKeepsOtherJobsCodes(t *testing.T) {
	t.Parallel()
	h := newHarness(t, Options{QueueDelay: time.Second, CodesPerSecond: 100})
	id := h.createPromotion(standardAPI, false)
	h.createJob(standardAPI, id, jobBody(jobGenerate, "", obj{"number_of_codes": 50}))
	h.clock.Advance(2 * time.Second)
	j := h.createJob(standardAPI, id, jobBody(jobGenerate, "", obj{"number_of_codes": 100}))
	h.clock.Advance(1500 * time.Millisecond)
	r := h.do(http.MethodPost, jobsPath(standardAPI, id)+"/"+j["id"].(string)+"/cancel", nil)
	if num(r.data()["result"].(map[string]any)["deleted"]) != 50 {
		t.Fatalf("cancel: %s", r.body)
	}
	if n := len(h.codes(standardAPI, id)); n != 50 {
		t.Errorf("codes = %d, want the first job's 50", n)
	}
}

func TestJobFilters(t *testing.T) {
	t.Parallel()
	h := newHarness(t, Options{})
	api := standardAPI
	id := h.createPromotion(api, false)
	h.createJob(api, id, jobBody(jobGenerate, "", obj{"number_of_codes": 5})) // completed
	h.clock.Advance(time.Second)
	h.createJob(api, id, jobBody(jobExport, "", nil)) // completed
	h.clock.Advance(time.Second)
	c := h.createJob(api, id, jobBody(jobGenerate, "", obj{"number_of_codes": 5})) // cancelled
	h.do(http.MethodPost, jobsPath(api, id)+"/"+c["id"].(string)+"/cancel", nil)
	h.createJob(api, id, jobBody(jobExport, "", nil)) // pending

	count := func(filter string) int {
		t.Helper()
		r := h.do(http.MethodGet, jobsPath(api, id)+"?filter="+url.QueryEscape(filter), nil)
		if r.status != http.StatusOK {
			t.Fatalf("filter %q: %d %s", filter, r.status, r.body)
		}
		for _, j := range r.list() {
			if strings.Contains(filter, "code_export") && j["job_type"] != jobExport {
				t.Errorf("filter %q returned %v", filter, j["job_type"])
			}
		}
		return num(r.obj["meta"].(map[string]any)["results"].(map[string]any)["total"])
	}
	for filter, want := range map[string]int{
		"":                          4,
		"eq(job_type,code_export)":  2,
		"eq(job_type, code_export)": 2,
		"eq(status,completed)":      2,
		"eq(status,cancelled)":      1,
		"eq(status,pending)":        1,
		"eq(status,complete)":       0,
		"eq(job_type,code_export):eq(status,completed)": 1,
		"eq(job_type, code_export):eq(status, pending)": 1,
		"eq(job_type,code_generate):eq(status,pending)": 0,
		`eq(job_type,"code_generate")`:                  2,
	} {
		if got := count(filter); got != want {
			t.Errorf("filter %q matched %d, want %d", filter, got, want)
		}
	}
	for _, bad := range []string{
		"like(job_type,code_export)",
		"eq(name,x)",
		"eq(job_type,code_export",
		"job_type=code_export",
		"eq(status)",
		"eq(status,)",
		"eq(status,completed),eq(job_type,code_export)",
		"eq(status,completed)|eq(job_type,code_export)",
		"eq(status,completed):",
	} {
		r := h.do(http.MethodGet, jobsPath(api, id)+"?filter="+url.QueryEscape(bad), nil)
		e := wantError(t, r, 400, false, "Bad Request", "filter")
		if !strings.HasPrefix(e["detail"].(string), "Invalid filter") {
			t.Errorf("filter %q: detail %q", bad, e["detail"])
		}
	}
}

func TestJobPagination(t *testing.T) {
	t.Parallel()
	h := newHarness(t, Options{})
	api := ruleAPI
	id := h.createPromotion(api, false)
	var ids []string
	for range 130 {
		ids = append(ids, h.createJob(api, id, jobBody(jobExport, "", nil))["id"].(string))
		h.clock.Advance(time.Second)
	}
	base := h.srv.URL + jobsPath(api, id)

	r := h.do(http.MethodGet, jobsPath(api, id), nil)
	meta := r.obj["meta"].(map[string]any)
	links := r.obj["links"].(map[string]any)
	if len(r.list()) != 25 {
		t.Fatalf("default page has %d items", len(r.list()))
	}
	wantMeta(t, meta, 25, 0, 1, 6, 130)
	wantLinks(t, links, map[string]string{
		"current": base + "?page[offset]=0&page[limit]=25",
		"first":   base + "?page[offset]=0&page[limit]=25",
		"last":    base + "?page[offset]=125&page[limit]=25",
		"next":    base + "?page[offset]=25&page[limit]=25",
	})

	r = h.do(http.MethodGet, jobsPath(api, id)+"?page[limit]=100&page[offset]=100", nil)
	if len(r.list()) != 30 {
		t.Fatalf("second page of 100 has %d items", len(r.list()))
	}
	wantMeta(t, r.obj["meta"].(map[string]any), 100, 100, 2, 2, 130)
	wantLinks(t, r.obj["links"].(map[string]any), map[string]string{
		"current": base + "?page[offset]=100&page[limit]=100",
		"first":   base + "?page[offset]=0&page[limit]=100",
		"last":    base + "?page[offset]=100&page[limit]=100",
		"prev":    base + "?page[offset]=0&page[limit]=100",
	})

	// Following next from the first page yields every job once, in creation order.
	var got []string
	next := jobsPath(api, id) + "?page[limit]=40"
	for pages := 0; next != ""; pages++ {
		if pages > 10 {
			t.Fatal("next links do not end")
		}
		r := h.do(http.MethodGet, next, nil)
		for _, j := range r.list() {
			got = append(got, j["id"].(string))
		}
		next, _ = r.obj["links"].(map[string]any)["next"].(string)
	}
	if strings.Join(got, ",") != strings.Join(ids, ",") {
		t.Errorf("paging returned %d jobs, not the %d created in order", len(got), len(ids))
	}

	// Links keep the filter.
	r = h.do(http.MethodGet, jobsPath(api, id)+"?page[limit]=50&filter="+url.QueryEscape("eq(status,completed)"), nil)
	next, _ = r.obj["links"].(map[string]any)["next"].(string)
	if !strings.Contains(next, "filter=eq%28status%2Ccompleted%29") {
		t.Errorf("next link %q lost the filter", next)
	}
	if r := h.do(http.MethodGet, next, nil); r.status != http.StatusOK || len(r.list()) != 50 {
		t.Errorf("following filtered next: %d, %d items", r.status, len(r.list()))
	}

	if r := h.do(http.MethodGet, jobsPath(api, id)+"?page[offset]=500", nil); r.status != http.StatusOK || len(r.list()) != 0 {
		t.Errorf("offset past the end: %d %s", r.status, r.body)
	}
	for _, q := range []string{"page[limit]=101", "page[limit]=-1", "page[limit]=ten", "page[offset]=10001", "page[offset]=-5"} {
		source := q[:strings.Index(q, "=")]
		wantError(t, h.do(http.MethodGet, jobsPath(api, id)+"?"+q, nil), 400, true, "Bad Request", source)
	}
	if r := h.do(http.MethodGet, jobsPath(api, id)+"?page[offset]=10000&page[limit]=100", nil); r.status != http.StatusOK {
		t.Errorf("maximum offset refused: %d", r.status)
	}
}

func TestEmptyJobList(t *testing.T) {
	t.Parallel()
	h := newHarness(t, Options{})
	id := h.createPromotion(standardAPI, false)
	r := h.do(http.MethodGet, jobsPath(standardAPI, id), nil)
	if r.status != http.StatusOK {
		t.Fatalf("%d %s", r.status, r.body)
	}
	if !strings.Contains(string(r.body), `"data":[]`) {
		t.Errorf("empty list is not []: %s", r.body)
	}
	wantMeta(t, r.obj["meta"].(map[string]any), 25, 0, 1, 1, 0)
}

func wantMeta(t *testing.T, meta map[string]any, limit, offset, current, pages, total int) {
	t.Helper()
	page := meta["page"].(map[string]any)
	if num(page["limit"]) != limit || num(page["offset"]) != offset || num(page["current"]) != current || num(page["total"]) != pages {
		t.Errorf("meta.page = %v, want limit %d offset %d current %d total %d", page, limit, offset, current, pages)
	}
	if got := num(meta["results"].(map[string]any)["total"]); got != total {
		t.Errorf("meta.results.total = %d, want %d", got, total)
	}
}

func wantLinks(t *testing.T, links map[string]any, want map[string]string) {
	t.Helper()
	for _, k := range []string{"current", "first", "last", "prev", "next"} {
		got, present := links[k]
		if w, ok := want[k]; ok {
			if got != w {
				t.Errorf("links.%s = %v, want %s", k, got, w)
			}
		} else if present {
			t.Errorf("links.%s = %v, want it left out", k, got)
		}
	}
}

func TestJobRoutesThatDoNotExist(t *testing.T) {
	t.Parallel()
	h := newHarness(t, Options{})
	for _, api := range allAPIs {
		id := h.createPromotion(api, false)
		j := h.createJob(api, id, jobBody(jobExport, "", nil))
		one := jobsPath(api, id) + "/" + j["id"].(string)
		// There is no single-job GET and no job DELETE.
		wantError(t, h.do(http.MethodGet, one, nil), 404, false, "Not Found", "")
		wantError(t, h.do(http.MethodDelete, one, nil), 404, false, "Not Found", "")
		r := h.do(http.MethodPut, jobsPath(api, id), "{}")
		wantError(t, r, 405, false, "Method Not Allowed", "")
		if r.header.Get("Allow") != "GET, POST" {
			t.Errorf("Allow = %q", r.header.Get("Allow"))
		}
		wantError(t, h.do(http.MethodGet, one+"/cancel", nil), 405, false, "Method Not Allowed", "")
	}
	wantError(t, h.do(http.MethodGet, "/v2/nothing-here", nil), 404, false, "Not Found", "")
	wantError(t, h.do(http.MethodGet, "/elsewhere", nil), 404, false, "Not Found", "")
}

func TestConcurrentRequests(t *testing.T) {
	t.Parallel()
	h := newHarness(t, Options{})
	ids := make([]string, 8)
	for i := range ids {
		ids[i] = h.createPromotion(ruleAPI, false)
	}
	done := make(chan struct{})
	for i := range 32 {
		go func() {
			defer func() { done <- struct{}{} }()
			id := ids[i%len(ids)]
			h.do(http.MethodPost, jobsPath(ruleAPI, id), jobBody(jobGenerate, "", obj{"number_of_codes": 10}))
			h.do(http.MethodGet, jobsPath(ruleAPI, id), nil)
			h.do(http.MethodGet, "/v2/rule-promotions/"+id+"/codes", nil)
		}()
	}
	for range 32 {
		<-done
	}
	h.clock.Advance(time.Second)
	for _, id := range ids {
		r := h.do(http.MethodGet, jobsPath(ruleAPI, id), nil)
		if n := len(r.list()); n != 1 {
			t.Errorf("promotion %s has %d jobs, want exactly 1 (the others: Too many jobs)", id, n)
		}
		if n := len(h.codes(ruleAPI, id)); n != 10 {
			t.Errorf("promotion %s has %d codes", id, n)
		}
	}
}

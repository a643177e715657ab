package epccsim

// The contract check: the simulator's real requests and answers are validated
// against Elastic Path's published OpenAPI specs, vendored in testdata/openapi. Where
// testdata/openapi/README.md records that a spec is wrong, the comment names the fact
// and the test asserts the live service's shape instead.

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/pb33f/libopenapi"
	validator "github.com/pb33f/libopenapi-validator"
	"github.com/pb33f/libopenapi-validator/config"
	verrors "github.com/pb33f/libopenapi-validator/errors"
	"github.com/pb33f/libopenapi-validator/schema_validation"
	v3 "github.com/pb33f/libopenapi/datamodel/high/v3"
)

// specDir holds the vendored specs (testdata/openapi/README.md says where they come from and numbers the
// facts in which the live service differs from them).
const specDir = "testdata/openapi"

type apiSpec struct {
	name    string
	v       validator.Validator
	model   *v3.Document
	schemas schema_validation.SchemaValidator
}

var (
	specsOnce sync.Once
	specs     map[string]*apiSpec
	specsErr  error
)

func loadSpecs(t *testing.T) map[string]*apiSpec {
	t.Helper()
	specsOnce.Do(func() {
		specs = map[string]*apiSpec{}
		opts := []config.Option{config.WithFormatAssertions(), config.WithURLEncodedBodyValidation()}
		for _, name := range []string{"authentication", "promotions-standard", "rule-promotions"} {
			b, err := os.ReadFile(filepath.Join(specDir, name+".openapi.yaml"))
			if err != nil {
				specsErr = err
				return
			}
			doc, err := libopenapi.NewDocument(b)
			if err != nil {
				specsErr = err
				return
			}
			m, err := doc.BuildV3Model()
			if err != nil {
				specsErr = err
				return
			}
			v, errs := validator.NewValidator(doc, opts...)
			if len(errs) > 0 {
				specsErr = errs[0]
				return
			}
			specs[name] = &apiSpec{name: name, v: v, model: &m.Model, schemas: schema_validation.NewSchemaValidator(opts...)}
		}
	})
	if specsErr != nil {
		t.Fatalf("loading the OpenAPI specs: %v", specsErr)
	}
	return specs
}

// exchange is one request and its answer, both kept re-readable.
type exchange struct {
	method, url string
	reqHeader   http.Header
	reqBody     []byte
	res         resp
}

func (h *harness) exchange(method, path string, body any, contentType string) exchange {
	h.t.Helper()
	var raw []byte
	switch b := body.(type) {
	case nil:
	case string:
		raw = []byte(b)
	default:
		raw, _ = json.Marshal(b)
	}
	req, err := http.NewRequest(method, h.srv.URL+path, bytes.NewReader(raw))
	if err != nil {
		h.t.Fatal(err)
	}
	if body != nil {
		req.Header.Set("Content-Type", contentType)
	}
	if !strings.HasPrefix(path, "/oauth/") {
		req.Header.Set("Authorization", "Bearer "+h.token)
	}
	ex := exchange{method: method, url: req.URL.String(), reqHeader: req.Header.Clone(), reqBody: raw}
	ex.res = h.send(req)
	return ex
}

func (ex exchange) request() *http.Request {
	req, _ := http.NewRequest(ex.method, ex.url, bytes.NewReader(ex.reqBody))
	req.Header = ex.reqHeader.Clone()
	return req
}

func (ex exchange) response() *http.Response {
	return &http.Response{
		StatusCode: ex.res.status,
		Header:     ex.res.header.Clone(),
		Body:       io.NopCloser(bytes.NewReader(ex.res.body)),
		Request:    ex.request(),
	}
}

// conforms validates the answer, and the request too when withRequest.
func (s *apiSpec) conforms(t *testing.T, ex exchange, withRequest bool) {
	t.Helper()
	if ok, errs := s.v.ValidateHttpResponse(ex.request(), ex.response()); !ok {
		t.Errorf("%s: %s %s → %d does not conform:%s\nbody: %s", s.name, ex.method, ex.url, ex.res.status, describe(errs), ex.res.body)
	}
	if withRequest {
		if ok, errs := s.v.ValidateHttpRequestSync(ex.request()); !ok {
			t.Errorf("%s: request %s %s does not conform:%s\nbody: %s", s.name, ex.method, ex.url, describe(errs), ex.reqBody)
		}
	}
}

// matchesSchema validates a JSON value against a named component schema.
func (s *apiSpec) matchesSchema(t *testing.T, component string, value any) {
	t.Helper()
	proxy := s.model.Components.Schemas.GetOrZero(component)
	if proxy == nil {
		t.Fatalf("%s has no schema %s", s.name, component)
	}
	b, _ := json.Marshal(value)
	if ok, errs := s.schemas.ValidateSchemaBytes(proxy.Schema(), b); !ok {
		t.Errorf("%s: %s does not match %s:%s", s.name, b, component, describe(errs))
	}
}

// requestSchemaMatches validates a value against an operation's request body
// schema.
func (s *apiSpec) requestSchemaMatches(t *testing.T, path, method string, value any) {
	t.Helper()
	item := s.model.Paths.PathItems.GetOrZero(path)
	if item == nil {
		t.Fatalf("%s has no path %s", s.name, path)
	}
	op := item.GetOperations().GetOrZero(strings.ToLower(method))
	media := op.RequestBody.Content.GetOrZero("application/json")
	b, _ := json.Marshal(value)
	if ok, errs := s.schemas.ValidateSchemaBytes(media.Schema.Schema(), b); !ok {
		t.Errorf("%s: %s does not match the %s %s request schema:%s", s.name, b, method, path, describe(errs))
	}
}

func describe(errs []*verrors.ValidationError) string {
	var b strings.Builder
	for _, e := range errs {
		b.WriteString("\n  - " + e.Message + ": " + e.Reason)
		for _, se := range e.SchemaValidationErrors {
			b.WriteString("\n      " + se.FieldPath + " (" + se.KeywordLocation + "): " + se.Reason)
		}
	}
	return b.String()
}

// readmeError asserts fact 12's error shape: {"errors":[{"status": number or
// string, "title", "detail"?, "source"?: string}]}. The Rule Promotions
// Response.Error schema is the one published schema that says the same, so
// error bodies of both APIs are checked against it as well.
func readmeError(t *testing.T, rule *apiSpec, r resp, status int) {
	t.Helper()
	if r.status != status {
		t.Fatalf("status %d, want %d: %s", r.status, status, r.body)
	}
	e := r.firstError()
	if e == nil || e["title"] == "" {
		t.Fatalf("not an error body: %s", r.body)
	}
	switch s := e["status"].(type) {
	case float64:
		if int(s) != status {
			t.Errorf("errors[0].status %v != %d", s, status)
		}
	case string:
		if s != strconv.Itoa(status) {
			t.Errorf("errors[0].status %q != %d", s, status)
		}
	default:
		t.Errorf("errors[0].status %#v is neither number nor string", e["status"])
	}
	if src, present := e["source"]; present {
		if _, ok := src.(string); !ok {
			t.Errorf("errors[0].source %#v is not a plain string", src)
		}
	}
	rule.matchesSchema(t, "Response.Error", r.obj)
}

func TestContractAuthentication(t *testing.T) {
	t.Parallel()
	spec := loadSpecs(t)["authentication"]
	rule := loadSpecs(t)["rule-promotions"]
	h := newHarness(t, Options{})
	form := func(v url.Values) string { return v.Encode() }
	const formType = "application/x-www-form-urlencoded"

	ok := h.exchange(http.MethodPost, "/oauth/access_token", form(url.Values{
		"grant_type": {"client_credentials"}, "client_id": {h.sim.ClientID()}, "client_secret": {h.sim.ClientSecret()},
	}), formType)
	if ok.res.status != http.StatusOK {
		t.Fatalf("token: %d %s", ok.res.status, ok.res.body)
	}
	spec.conforms(t, ok, true)
	// Fact 13: the answer is flat, not {"data": {...}} as the spec's 200
	// shows; the spec's AccessTokenResponse must describe the top level.
	if _, wrapped := ok.res.obj["data"]; wrapped {
		t.Errorf("token answer wrapped in data (fact 13): %s", ok.res.body)
	}
	spec.matchesSchema(t, "AccessTokenResponse", ok.res.obj)
	for _, f := range []string{"access_token", "token_type", "expires_in", "expires", "identifier"} {
		if _, has := ok.res.obj[f]; !has {
			t.Errorf("token answer lacks %s", f)
		}
	}

	bad := h.exchange(http.MethodPost, "/oauth/access_token", form(url.Values{
		"grant_type": {"client_credentials"}, "client_id": {h.sim.ClientID()}, "client_secret": {"wrong"},
	}), formType)
	spec.conforms(t, bad, true)
	readmeError(t, rule, bad.res, 401)

	missing := h.exchange(http.MethodPost, "/oauth/access_token", form(url.Values{"client_id": {h.sim.ClientID()}}), formType)
	spec.conforms(t, missing, false) // the request lacks the required grant_type on purpose
	readmeError(t, rule, missing.res, 400)
}

func TestContractRulePromotions(t *testing.T) {
	t.Parallel()
	spec := loadSpecs(t)["rule-promotions"]
	h := newHarness(t, Options{QueueDelay: time.Second, CodesPerSecond: 100, CancelDuration: time.Second})

	created := h.exchange(http.MethodPost, "/v2/rule-promotions", rulePromotionBody(false), "application/json")
	if created.res.status != http.StatusCreated {
		t.Fatalf("create: %d %s", created.res.status, created.res.body)
	}
	spec.conforms(t, created, true)
	// The request schema is RulePromotionItem without the "data" wrapper its
	// own examples use, so the wrapper passes vacuously: check what is inside.
	spec.matchesSchema(t, "RulePromotionItem", rulePromotionBody(false)["data"])
	id := created.res.data()["id"].(string)
	auto := h.createPromotion(ruleAPI, true)

	read := h.exchange(http.MethodGet, "/v2/rule-promotions/"+id, nil, "")
	spec.conforms(t, read, true)
	// Plan-time checks read `automatic` from this answer, and a Rule Promotion's id on the Standard API is a 404.
	if a, ok := h.exchange(http.MethodGet, "/v2/rule-promotions/"+auto, nil, "").res.data()["automatic"].(bool); !ok || !a {
		t.Errorf("automatic promotion read without automatic = true")
	}
	if _, ok := read.res.data()["automatic"].(bool); !ok {
		t.Errorf("promotion read without automatic: %s", read.res.body)
	}
	if other := h.exchange(http.MethodGet, "/v2/promotions/"+id, nil, ""); other.res.status != http.StatusNotFound {
		t.Errorf("a Rule Promotion's id on the Standard API answered %d, want 404", other.res.status)
	}
	notFound := h.exchange(http.MethodGet, "/v2/rule-promotions/"+newUUID(), nil, "")
	spec.conforms(t, notFound, true)
	readmeError(t, spec, notFound.res, 404)
	// The promotion resource's update, and the list it finds a promotion by name in (fact 15).
	spec.conforms(t, h.exchange(http.MethodPut, "/v2/rule-promotions/"+id, rulePromotionBody(false), "application/json"), true)
	spec.conforms(t, h.exchange(http.MethodGet, "/v2/rule-promotions?filter="+url.QueryEscape("like(name,'Cart *')"), nil, ""), true)
	// The hand-made code resource's create and its read by code.
	codes := "/v2/rule-promotions/" + h.createPromotion(ruleAPI, false) + "/codes"
	spec.conforms(t, h.exchange(http.MethodPost, codes, codeBody(obj{"code": "VIP", "uses": 5, "consume_unit": "per_checkout",
		"max_uses_per_shopper": obj{"max_uses": 1, "includes_guests": true}}), "application/json"), true)
	spec.conforms(t, h.exchange(http.MethodGet, codes+"?filter="+url.QueryEscape("eq(code,vip)"), nil, ""), true)

	jobs := jobsPath(ruleAPI, id)
	gen := h.exchange(http.MethodPost, jobs, jobBody(jobGenerate, "summer", obj{
		"number_of_codes": 300, "max_uses_per_code": 1, "consume_unit": "per_checkout", "code_prefix": "summer-", "code_length": 12,
	}), "application/json")
	if gen.res.status != http.StatusCreated {
		t.Fatalf("create job: %d %s", gen.res.status, gen.res.body)
	}
	spec.conforms(t, gen, true)

	tooMany := h.exchange(http.MethodPost, jobs, jobBody(jobExport, "", nil), "application/json")
	spec.conforms(t, tooMany, true)
	readmeError(t, spec, tooMany.res, 400)

	h.clock.Advance(2 * time.Second) // processing, 100 codes
	spec.conforms(t, h.exchange(http.MethodGet, jobs+"?filter="+url.QueryEscape("eq(status,processing)"), nil, ""), true)
	spec.conforms(t, h.exchange(http.MethodGet, "/v2/rule-promotions/"+id+"/codes?page[limit]=10", nil, ""), true)
	// The codes count plan uses: one page of size 1 whose meta.results.total counts them all.
	count := h.exchange(http.MethodGet, "/v2/rule-promotions/"+id+"/codes?page[limit]=1&page[offset]=0", nil, "")
	spec.conforms(t, count, true)
	if got := num(count.res.obj["meta"].(map[string]any)["results"].(map[string]any)["total"]); got != 100 || len(count.res.list()) != 1 {
		t.Errorf("codes count page: total %d, %d items; want 100 and 1", got, len(count.res.list()))
	}

	cancel := h.exchange(http.MethodPost, jobs+"/"+gen.res.data()["id"].(string)+"/cancel", nil, "")
	if cancel.res.status != http.StatusOK {
		t.Fatalf("cancel: %d %s", cancel.res.status, cancel.res.body)
	}
	spec.conforms(t, cancel, true)
	cancelAgain := h.exchange(http.MethodPost, jobs+"/"+gen.res.data()["id"].(string)+"/cancel", nil, "")
	spec.conforms(t, cancelAgain, true)
	readmeError(t, spec, cancelAgain.res, 422)
	h.clock.Advance(time.Second)

	// A completed generate, a failed one, an export and its file.
	h.createJob(ruleAPI, id, jobBody(jobGenerate, "", obj{"number_of_codes": 600}))
	h.clock.Advance(10 * time.Second)
	h.createJob(ruleAPI, id, jobBody(jobGenerate, "", obj{"number_of_codes": 600}))
	h.clock.Advance(2 * time.Second)
	export := h.createJob(ruleAPI, id, jobBody(jobExport, "export", nil))
	notYet := h.exchange(http.MethodGet, jobs+"/"+export["id"].(string)+"/file", nil, "")
	readmeError(t, spec, notYet.res, 422) // not a documented code for this operation
	h.clock.Advance(2 * time.Second)

	list := h.exchange(http.MethodGet, jobs+"?page[limit]=2&page[offset]=1", nil, "")
	spec.conforms(t, list, true)
	all := h.do(http.MethodGet, jobs, nil)
	spec.matchesSchema(t, "PromotionJobsListResponse", all.obj)
	statuses := map[any]bool{}
	for _, j := range all.list() {
		statuses[j["status"]] = true
		if j["job_type"] == jobGenerate {
			// Fact 3: counts are in "result" (the schema's GenerateResult),
			// not in "generate_result" as one page says.
			if _, ok := j["result"]; !ok {
				t.Errorf("generate job without result: %v", j)
			}
			if _, ok := j["generate_result"]; ok {
				t.Errorf("generate_result present: %v", j)
			}
		}
	}
	for _, s := range []string{statusCancelled, statusCompleted, statusFailed} {
		if !statuses[s] {
			t.Errorf("the list checked has no %s job", s)
		}
	}

	file := h.exchange(http.MethodGet, jobs+"/"+export["id"].(string)+"/file", nil, "")
	spec.conforms(t, file, true)
	if _, wrapped := file.res.obj["data"]; wrapped {
		t.Errorf("file answer wrapped (fact 10): %s", file.res.body)
	}
	spec.conforms(t, h.exchange(http.MethodGet, "/v2/rule-promotions/"+id+"/codes", nil, ""), true)

	// Undocumented error codes on these operations: checked against fact 12.
	readmeError(t, spec, h.do(http.MethodPost, jobsPath(ruleAPI, auto), jobBody(jobGenerate, "", obj{"number_of_codes": 1})), 422)
	readmeError(t, spec, h.do(http.MethodPost, jobs, obj{"type": "promotion_job"}), 422)
	readmeError(t, spec, h.do(http.MethodGet, jobs+"?filter=nonsense", nil), 400)
	readmeError(t, spec, h.doWithToken("", http.MethodGet, jobs, nil), 401)

	del := h.exchange(http.MethodDelete, "/v2/rule-promotions/"+id, nil, "")
	if del.res.status != http.StatusNoContent {
		t.Fatalf("delete: %d", del.res.status)
	}
	spec.conforms(t, del, true)
}

func TestContractPromotionsStandard(t *testing.T) {
	t.Parallel()
	spec := loadSpecs(t)["promotions-standard"]
	rule := loadSpecs(t)["rule-promotions"]
	h := newHarness(t, Options{QueueDelay: time.Second, CodesPerSecond: 100})

	created := h.exchange(http.MethodPost, "/v2/promotions", standardPromotionBody(false), "application/json")
	if created.res.status != http.StatusCreated {
		t.Fatalf("create: %d %s", created.res.status, created.res.body)
	}
	// Data.BasePromotions lists "id" as required and readOnly. OpenAPI says a
	// readOnly property's requirement applies to responses only, but the
	// validator enforces it on requests too, so the request is checked with a
	// placeholder id; the response is checked as is.
	spec.conforms(t, created, false)
	withID := obj{}
	for k, v := range standardPromotionBody(false)["data"].(obj) {
		withID[k] = v
	}
	withID["id"] = newUUID()
	spec.matchesSchema(t, "Data.PromotionObject", withID)
	id := created.res.data()["id"].(string)
	spec.conforms(t, h.exchange(http.MethodGet, "/v2/promotions/"+id, nil, ""), true)
	// The hand-made code resource's create: Standard answers the promotion.
	spec.conforms(t, h.exchange(http.MethodPost, "/v2/promotions/"+id+"/codes", codeBody(obj{"code": "VIP", "uses": 5, "consume_unit": "per_cart"}), "application/json"), true)

	jobs := jobsPath(standardAPI, id)
	body := jobBody(jobGenerate, "Summer Sale Job", obj{
		"number_of_codes": 200, "max_uses_per_code": 1, "consume_unit": "per_cart", "code_prefix": "Summer-", "code_length": 10,
	})
	gen := h.exchange(http.MethodPost, jobs, body, "application/json")
	if gen.res.status != http.StatusCreated {
		t.Fatalf("create job: %d %s", gen.res.status, gen.res.body)
	}
	spec.conforms(t, gen, true)
	// Fact 2: the body is wrapped in "data" although this spec shows it bare
	// (the bare form gets 422 "The data field is required"). The spec's schema
	// is therefore applied to the object inside "data".
	spec.requestSchemaMatches(t, "/v2/promotions/{promotionID}/jobs", http.MethodPost, body["data"])
	readmeError(t, rule, h.do(http.MethodPost, jobs, body["data"]), 422)

	h.clock.Advance(2 * time.Second)
	cancel := h.exchange(http.MethodPost, jobs+"/"+gen.res.data()["id"].(string)+"/cancel", nil, "")
	if cancel.res.status != http.StatusOK || cancel.res.data()["status"] != statusCancelled {
		t.Fatalf("cancel: %d %s", cancel.res.status, cancel.res.body)
	}
	spec.conforms(t, cancel, true)
	readmeError(t, rule, h.do(http.MethodPost, jobs+"/"+gen.res.data()["id"].(string)+"/cancel", nil), 422)

	h.createJob(standardAPI, id, jobBody(jobGenerate, "", obj{"number_of_codes": 50}))
	h.clock.Advance(2 * time.Second)
	export := h.createJob(standardAPI, id, jobBody(jobExport, "Export Codes Job", nil))
	h.clock.Advance(2 * time.Second)

	list := h.exchange(http.MethodGet, jobs+"?filter="+url.QueryEscape("eq(job_type,code_generate)"), nil, "")
	spec.conforms(t, list, true)
	for _, j := range list.res.list() {
		// Fact 3 / the list page: generate jobs carry result.generated and
		// the nullable result.deleted; the schema does not list "result".
		res, ok := j["result"].(map[string]any)
		if !ok {
			t.Fatalf("generate job without result: %v", j)
		}
		rule.matchesSchema(t, "GenerateResult", res)
		if _, ok := j["promotion_id"]; !ok {
			t.Errorf("fact 4: Standard job without promotion_id: %v", j)
		}
	}
	spec.matchesSchema(t, "Response.PageLinks", list.res.obj["links"])
	spec.matchesSchema(t, "Response.Meta.Promotions", list.res.obj["meta"])

	file := h.exchange(http.MethodGet, jobs+"/"+export["id"].(string)+"/file", nil, "")
	spec.conforms(t, file, true)

	codes := h.exchange(http.MethodGet, "/v2/promotions/"+id+"/codes", nil, "")
	spec.conforms(t, codes, true)
	// The spec nests each item as {"data":{"codes":[...]}} but requires none
	// of it; the simulator lists codes flat, one Data.CodeResponse per item
	// (with max_uses, which the endpoint's note documents), so check that.
	for _, c := range codes.res.list() {
		spec.matchesSchema(t, "Data.CodeResponse", c)
	}
	spec.matchesSchema(t, "Response.PageLinks", codes.res.obj["links"])

	// Standard's 401 schema (Response.Error) is typed as an array, which its
	// own examples and fact 12 contradict: the README's shape is asserted.
	readmeError(t, rule, h.doWithToken("", http.MethodGet, jobs, nil), 401)
	tooMany := h.do(http.MethodPost, jobs, jobBody(jobGenerate, "", obj{"number_of_codes": 1001}))
	readmeError(t, rule, tooMany, 400)
	if e := tooMany.firstError(); e["status"] != float64(400) || e["source"] != "data.parameters.number_of_codes" {
		t.Errorf("fact 7: %s", tooMany.body)
	}

	del := h.exchange(http.MethodDelete, "/v2/promotions/"+id, nil, "")
	spec.conforms(t, del, true)
}

// The check must be able to fail: a job answer with a status outside the
// spec's enum, and a code_length outside 8..16, are rejected.
func TestContractCheckBites(t *testing.T) {
	t.Parallel()
	spec := loadSpecs(t)["rule-promotions"]
	bad := exchange{
		method:    http.MethodPost,
		url:       "http://127.0.0.1/v2/rule-promotions/" + newUUID() + "/jobs",
		reqHeader: http.Header{"Content-Type": {"application/json"}, "Authorization": {"Bearer x"}},
		reqBody:   []byte(`{"data":{"type":"promotion_job","job_type":"code_generate","parameters":{"number_of_codes":5,"code_length":20}}}`),
		res: resp{
			status: http.StatusCreated,
			header: http.Header{"Content-Type": {"application/json"}},
			body:   []byte(`{"data":{"type":"promotion_job","id":"x","job_type":"code_generate","status":"done"}}`),
		},
	}
	if ok, _ := spec.v.ValidateHttpResponse(bad.request(), bad.response()); ok {
		t.Error("a job with status \"done\" passed the response check")
	}
	if ok, _ := spec.v.ValidateHttpRequestSync(bad.request()); ok {
		t.Error("code_length 20 passed the request check")
	}
}

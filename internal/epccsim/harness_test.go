package epccsim

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"
)

var testStart = time.Date(2025, 6, 1, 12, 0, 0, 0, time.UTC)

// harness runs a simulator on a ManualClock behind a real HTTP listener and
// holds a valid token.
type harness struct {
	t     *testing.T
	sim   *Server
	clock *ManualClock
	srv   *httptest.Server
	token string
}

func newHarness(t *testing.T, opts Options) *harness {
	t.Helper()
	clock := NewManualClock(testStart)
	if opts.Clock == nil {
		opts.Clock = clock
	}
	sim := New(opts)
	srv := httptest.NewServer(sim)
	t.Cleanup(srv.Close)
	h := &harness{t: t, sim: sim, clock: clock, srv: srv}
	r := h.tokenRequest(url.Values{
		"grant_type":    {"client_credentials"},
		"client_id":     {sim.ClientID()},
		"client_secret": {sim.ClientSecret()},
	})
	if r.status != http.StatusOK {
		t.Fatalf("token: %d %s", r.status, r.body)
	}
	h.token = r.obj["access_token"].(string)
	return h
}

type resp struct {
	status int
	header http.Header
	body   []byte
	obj    map[string]any // decoded JSON object, if the body is one
}

func (r resp) data() map[string]any {
	d, _ := r.obj["data"].(map[string]any)
	return d
}

func (r resp) list() []map[string]any {
	items, _ := r.obj["data"].([]any)
	out := make([]map[string]any, len(items))
	for i, it := range items {
		out[i], _ = it.(map[string]any)
	}
	return out
}

func (r resp) firstError() map[string]any {
	errs, _ := r.obj["errors"].([]any)
	if len(errs) == 0 {
		return nil
	}
	e, _ := errs[0].(map[string]any)
	return e
}

func (h *harness) tokenRequest(form url.Values) resp {
	h.t.Helper()
	req, err := http.NewRequest(http.MethodPost, h.srv.URL+"/oauth/access_token", strings.NewReader(form.Encode()))
	if err != nil {
		h.t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return h.send(req)
}

// do sends a request with the harness token. body may be nil, a string
// (sent as is) or anything else (JSON-encoded).
func (h *harness) do(method, path string, body any) resp {
	h.t.Helper()
	return h.doWithToken(h.token, method, path, body)
}

func (h *harness) doWithToken(token, method, path string, body any) resp {
	h.t.Helper()
	var rd io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		rd = strings.NewReader(b)
	default:
		enc, err := json.Marshal(b)
		if err != nil {
			h.t.Fatal(err)
		}
		rd = bytes.NewReader(enc)
	}
	target := path
	if strings.HasPrefix(path, "/") {
		target = h.srv.URL + path
	}
	req, err := http.NewRequest(method, target, rd)
	if err != nil {
		h.t.Fatal(err)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	return h.send(req)
}

func (h *harness) send(req *http.Request) resp {
	h.t.Helper()
	res, err := h.srv.Client().Do(req)
	if err != nil {
		h.t.Fatalf("%s %s: %v", req.Method, req.URL, err)
	}
	defer func() { _ = res.Body.Close() }()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		h.t.Fatal(err)
	}
	r := resp{status: res.StatusCode, header: res.Header, body: b}
	_ = json.Unmarshal(b, &r.obj)
	return r
}

type obj = map[string]any

func standardPromotionBody(automatic bool) obj {
	return obj{"data": obj{
		"type":           "promotion",
		"name":           "Summer sale",
		"description":    "10% off sku1",
		"enabled":        true,
		"automatic":      automatic,
		"promotion_type": "item_percent_discount",
		"schema":         obj{"targets": []string{"sku1"}, "percent": 10},
		"start":          "2025-01-01",
		"end":            "2030-01-01",
	}}
}

func rulePromotionBody(automatic bool) obj {
	return obj{"data": obj{
		"type":      "rule_promotion",
		"name":      "Cart 20% off",
		"enabled":   true,
		"automatic": automatic,
		"start":     "2025-01-01T00:00:00Z",
		"end":       "2030-01-01T00:00:00Z",
		"rule_set": obj{
			"rules":   obj{"strategy": "cart_total", "operator": "gte", "args": []int{10000}},
			"actions": []obj{{"strategy": "cart_discount", "args": []any{"percent", 20}}},
		},
	}}
}

func (h *harness) createPromotion(api apiKind, automatic bool) string {
	h.t.Helper()
	body := standardPromotionBody(automatic)
	if api == ruleAPI {
		body = rulePromotionBody(automatic)
	}
	r := h.do(http.MethodPost, api.basePath(), body)
	if r.status != http.StatusCreated {
		h.t.Fatalf("create promotion: %d %s", r.status, r.body)
	}
	return r.data()["id"].(string)
}

func jobsPath(api apiKind, promotionID string) string {
	return api.basePath() + "/" + promotionID + "/jobs"
}

func jobBody(jobType, name string, params obj) obj {
	d := obj{"type": "promotion_job", "job_type": jobType}
	if name != "" {
		d["name"] = name
	}
	if params != nil {
		d["parameters"] = params
	}
	return obj{"data": d}
}

// createJob posts a job and fails the test unless it is accepted.
func (h *harness) createJob(api apiKind, promotionID string, body obj) map[string]any {
	h.t.Helper()
	r := h.do(http.MethodPost, jobsPath(api, promotionID), body)
	if r.status != http.StatusCreated {
		h.t.Fatalf("create job: %d %s", r.status, r.body)
	}
	return r.data()
}

// job finds one job by listing, as a client has to.
func (h *harness) job(api apiKind, promotionID, jobID string) map[string]any {
	h.t.Helper()
	next := jobsPath(api, promotionID) + "?page[limit]=100"
	for next != "" {
		r := h.do(http.MethodGet, next, nil)
		if r.status != http.StatusOK {
			h.t.Fatalf("list jobs: %d %s", r.status, r.body)
		}
		for _, j := range r.list() {
			if j["id"] == jobID {
				return j
			}
		}
		links := r.obj["links"].(map[string]any)
		next, _ = links["next"].(string)
	}
	h.t.Fatalf("job %s not listed", jobID)
	return nil
}

// codes lists every code of a promotion, following pages.
func (h *harness) codes(api apiKind, promotionID string) []map[string]any {
	h.t.Helper()
	var out []map[string]any
	next := api.basePath() + "/" + promotionID + "/codes?page[limit]=100"
	for next != "" {
		r := h.do(http.MethodGet, next, nil)
		if r.status != http.StatusOK {
			h.t.Fatalf("list codes: %d %s", r.status, r.body)
		}
		out = append(out, r.list()...)
		links := r.obj["links"].(map[string]any)
		next, _ = links["next"].(string)
	}
	return out
}

// wantError checks the first error of an answer. statusString says whether
// "status" must be a JSON string ("400") rather than a number (400).
func wantError(t *testing.T, r resp, status int, statusString bool, title, source string) map[string]any {
	t.Helper()
	if r.status != status {
		t.Fatalf("HTTP status = %d, want %d; body %s", r.status, status, r.body)
	}
	if ct := r.header.Get("Content-Type"); ct != "application/json" {
		t.Errorf("Content-Type = %q, want application/json", ct)
	}
	e := r.firstError()
	if e == nil {
		t.Fatalf("no errors[0] in %s", r.body)
	}
	var want any = float64(status)
	if statusString {
		want = strconv.Itoa(status)
	}
	if e["status"] != want {
		t.Errorf("errors[0].status = %#v, want %#v", e["status"], want)
	}
	if e["title"] != title {
		t.Errorf("errors[0].title = %q, want %q", e["title"], title)
	}
	if got, _ := e["source"].(string); got != source {
		t.Errorf("errors[0].source = %q, want %q", got, source)
	}
	return e
}

func num(v any) int {
	f, _ := v.(float64)
	return int(f)
}

var allAPIs = []apiKind{standardAPI, ruleAPI}

func (a apiKind) String() string {
	if a == ruleAPI {
		return "rule"
	}
	return "standard"
}

func (a apiKind) promotionIDField() string {
	if a == ruleAPI {
		return "rule_promotion_id"
	}
	return "promotion_id"
}

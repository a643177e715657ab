package epccsim

import (
	"fmt"
	"net/http"
	"net/url"
	"testing"
	"time"
)

func TestPromotionLifecycle(t *testing.T) {
	t.Parallel()
	for _, api := range allAPIs {
		t.Run(api.String(), func(t *testing.T) {
			t.Parallel()
			h := newHarness(t, Options{})
			id := h.createPromotion(api, true)

			r := h.do(http.MethodGet, api.basePath()+"/"+id, nil)
			if r.status != http.StatusOK {
				t.Fatalf("get: %d %s", r.status, r.body)
			}
			d := r.data()
			if d["id"] != id || d["type"] != api.resourceType() || d["automatic"] != true || d["name"] == "" {
				t.Errorf("get answered %s", r.body)
			}
			ts, _ := d["meta"].(map[string]any)["timestamps"].(map[string]any)
			if ts["created_at"] != "2025-06-01T12:00:00.000000000Z" {
				t.Errorf("created_at = %v", ts["created_at"])
			}

			if r := h.do(http.MethodDelete, api.basePath()+"/"+id, nil); r.status != http.StatusNoContent || len(r.body) != 0 {
				t.Fatalf("delete: %d %s", r.status, r.body)
			}
			wantError(t, h.do(http.MethodGet, api.basePath()+"/"+id, nil), 404, api == ruleAPI, "Not Found", "")
			wantError(t, h.do(http.MethodDelete, api.basePath()+"/"+id, nil), 404, api == ruleAPI, "Not Found", "")
		})
	}
}

func TestPromotionDefaultsAutomaticToFalse(t *testing.T) {
	t.Parallel()
	h := newHarness(t, Options{})
	r := h.do(http.MethodPost, "/v2/rule-promotions", obj{"data": obj{"type": "rule_promotion", "name": "minimal"}})
	if r.status != http.StatusCreated || r.data()["automatic"] != false || r.data()["enabled"] != false {
		t.Fatalf("minimal rule promotion: %d %s", r.status, r.body)
	}
}

func TestPromotionsAreSeparatePerAPI(t *testing.T) {
	t.Parallel()
	h := newHarness(t, Options{})
	std := h.createPromotion(standardAPI, false)
	rule := h.createPromotion(ruleAPI, false)
	wantError(t, h.do(http.MethodGet, "/v2/rule-promotions/"+std, nil), 404, true, "Not Found", "")
	wantError(t, h.do(http.MethodGet, "/v2/promotions/"+rule+"/jobs", nil), 404, false, "Not Found", "")
}

func TestPromotionValidation(t *testing.T) {
	t.Parallel()
	h := newHarness(t, Options{})
	std := func(edit func(d obj)) obj {
		b := standardPromotionBody(false)
		edit(b["data"].(obj))
		return b
	}
	cases := []struct {
		name   string
		path   string
		body   any
		status int
		source string
	}{
		{"malformed json", "/v2/promotions", `{"data":`, 400, ""},
		{"missing data", "/v2/promotions", obj{"type": "promotion", "name": "x"}, 422, "data"},
		{"wrong type", "/v2/promotions", std(func(d obj) { d["type"] = "rule_promotion" }), 422, "data.type"},
		{"missing name", "/v2/promotions", std(func(d obj) { delete(d, "name") }), 422, "data.name"},
		{"bad promotion_type", "/v2/promotions", std(func(d obj) { d["promotion_type"] = "bogo" }), 422, "data.promotion_type"},
		{"missing schema", "/v2/promotions", std(func(d obj) { delete(d, "schema") }), 422, "data.schema"},
		{"missing start", "/v2/promotions", std(func(d obj) { delete(d, "start") }), 422, "data.start"},
		{"automatic not bool", "/v2/promotions", std(func(d obj) { d["automatic"] = "yes" }), 422, "data.automatic"},
		{"rule wrong type", "/v2/rule-promotions", obj{"data": obj{"type": "promotion", "name": "x"}}, 422, "data.type"},
		{"rule empty name", "/v2/rule-promotions", obj{"data": obj{"type": "rule_promotion", "name": ""}}, 422, "data.name"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			title := "Failed Validation"
			if c.status == 400 {
				title = "Bad Request"
			}
			wantError(t, h.do(http.MethodPost, c.path, c.body), c.status, false, title, c.source)
		})
	}
}

func TestDeletingAPromotionRemovesItsJobsCodesAndFiles(t *testing.T) {
	t.Parallel()
	h := newHarness(t, Options{})
	id := h.createPromotion(ruleAPI, false)
	h.createJob(ruleAPI, id, jobBody(jobGenerate, "", obj{"number_of_codes": 5}))
	h.clock.Advance(time.Second)
	export := h.createJob(ruleAPI, id, jobBody(jobExport, "", nil))
	h.clock.Advance(time.Second)
	r := h.do(http.MethodGet, jobsPath(ruleAPI, id)+"/"+export["id"].(string)+"/file", nil)
	if r.status != http.StatusOK {
		t.Fatalf("file: %d %s", r.status, r.body)
	}
	href := r.obj["href"].(string)

	if r := h.do(http.MethodDelete, "/v2/rule-promotions/"+id, nil); r.status != http.StatusNoContent {
		t.Fatalf("delete: %d", r.status)
	}
	wantError(t, h.do(http.MethodGet, jobsPath(ruleAPI, id), nil), 404, true, "Not Found", "")
	wantError(t, h.do(http.MethodGet, "/v2/rule-promotions/"+id+"/codes", nil), 404, true, "Not Found", "")
	if r := h.doWithToken("", http.MethodGet, href, nil); r.status != http.StatusNotFound {
		t.Errorf("export file after delete = %d, want 404", r.status)
	}
}

// A Rule Promotion's PUT changes the editable fields only, answers dates in RFC 3339 whatever form they were
// sent in, and applies the same validation as the create.
func TestRulePromotionUpdate(t *testing.T) {
	t.Parallel()
	h := newHarness(t, Options{})
	id := h.createPromotion(ruleAPI, false)
	path := "/v2/rule-promotions/" + id
	body := rulePromotionBody(false)
	data := body["data"].(obj)
	data["name"], data["start"], data["priority"] = "Renamed", "2026-06-01", 7
	r := h.do(http.MethodPut, path, body)
	if r.status != http.StatusOK {
		t.Fatalf("put: %d %s", r.status, r.body)
	}
	if d := r.data(); d["name"] != "Renamed" || d["start"] != "2026-06-01T00:00:00Z" || d["priority"] != nil || d["stackable"] != true {
		t.Errorf("put answered %s", r.body)
	}
	if d := h.do(http.MethodGet, path, nil).data(); d["name"] != "Renamed" {
		t.Errorf("get after put answered %v", d)
	}
	data["end"] = "2026-05-01"
	wantError(t, h.do(http.MethodPut, path, body), 422, false, "Failed Validation", "data.end")
	data["end"] = "2030-01-01"
	data["rule_set"] = obj{"rules": obj{"strategy": "and", "children": []obj{{"strategy": "moon_phase"}}}}
	wantError(t, h.do(http.MethodPut, path, body), 422, false, "Failed Validation", "data.rule_set.rules")
	data["rule_set"] = obj{"actions": []obj{{"strategy": "free_lunch"}}}
	wantError(t, h.do(http.MethodPost, "/v2/rule-promotions", body), 422, false, "Failed Validation", "data.rule_set.actions.0.strategy")
	wantError(t, h.do(http.MethodPut, "/v2/rule-promotions/"+newUUID(), rulePromotionBody(false)), 404, true, "Not Found", "")
}

// A priority is taken while its promotion runs or is scheduled, and a store holds at most 50 active and
// future automatic Rule Promotions.
func TestRulePromotionStoreRules(t *testing.T) {
	t.Parallel()
	h := newHarness(t, Options{})
	body := rulePromotionBody(false)
	body["data"].(obj)["priority"] = 5
	if r := h.do(http.MethodPost, "/v2/rule-promotions", body); r.status != http.StatusCreated {
		t.Fatalf("create: %d %s", r.status, r.body)
	}
	wantError(t, h.do(http.MethodPost, "/v2/rule-promotions", body), 422, true, "Duplicate Priority", "data.priority")
	past := rulePromotionBody(false)
	past["data"].(obj)["priority"], past["data"].(obj)["start"], past["data"].(obj)["end"] = 5, "2020-01-01", "2021-01-01"
	if r := h.do(http.MethodPost, "/v2/rule-promotions", past); r.status != http.StatusCreated {
		t.Errorf("a priority held only by an ended promotion was refused: %d %s", r.status, r.body)
	}
	for i := 0; i < maxAutomaticRulePromotions; i++ {
		h.createPromotion(ruleAPI, true)
	}
	wantError(t, h.do(http.MethodPost, "/v2/rule-promotions", rulePromotionBody(true)), 400, true, "Too many automatic rule promotions", "")
}

// The list filters names with like and ilike, * a wildcard, and pages.
func TestRulePromotionList(t *testing.T) {
	t.Parallel()
	h := newHarness(t, Options{})
	for _, name := range []string{"Summer 2026", "summer 2025", "Winter 2026"} {
		body := rulePromotionBody(false)
		body["data"].(obj)["name"] = name
		h.do(http.MethodPost, "/v2/rule-promotions", body)
	}
	names := func(filter string) []string {
		r := h.do(http.MethodGet, "/v2/rule-promotions?page[limit]=2&filter="+url.QueryEscape(filter), nil)
		var out []string
		for _, p := range r.list() {
			out = append(out, p["name"].(string))
		}
		return out
	}
	for filter, want := range map[string]string{
		"like(name,'Summer 2026')": "[Summer 2026]",
		"like(name,'Summer *')":    "[Summer 2026]",
		"ilike(name,'summer *')":   "[Summer 2026 summer 2025]",
		"like(name,'* 2026')":      "[Summer 2026 Winter 2026]",
		"":                         "[Summer 2026 summer 2025]", // the first page of two
	} {
		if got := fmt.Sprint(names(filter)); got != want {
			t.Errorf("%q listed %s, want %s", filter, got, want)
		}
	}
	wantError(t, h.do(http.MethodGet, "/v2/rule-promotions?filter="+url.QueryEscape("eq(enabled,true)"), nil), 400, true, "Bad Request", "filter")
}

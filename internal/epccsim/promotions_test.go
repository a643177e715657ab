package epccsim

import (
	"net/http"
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

package epccsim

import (
	"net/http"
	"net/url"
	"testing"
)

func codeBody(codes ...obj) obj {
	list := make([]any, len(codes))
	for i, c := range codes {
		list[i] = c
	}
	return obj{"data": obj{"type": "promotion_codes", "codes": list}}
}

// Hand-made codes on both APIs: made, found by code in any case, counted down as shoppers redeem them while
// max_uses stays, deleted (by id on Rule Promotions, by code on Standard), and refused where the API refuses.
func TestHandMadeCodes(t *testing.T) {
	t.Parallel()
	for _, api := range allAPIs {
		t.Run(api.String(), func(t *testing.T) {
			t.Parallel()
			h := newHarness(t, Options{})
			id := h.createPromotion(api, false)
			codes := api.basePath() + "/" + id + "/codes"
			made := h.do(http.MethodPost, codes, codeBody(obj{"code": "Summer-VIP", "uses": 3}))
			if made.status != http.StatusCreated {
				t.Fatalf("create: %d %s", made.status, made.body)
			}
			find := func(code string) []map[string]any {
				return h.do(http.MethodGet, codes+"?filter="+url.QueryEscape("eq(code,"+code+")"), nil).list()
			}
			found := find("summer-vip")
			if len(found) != 1 || found[0]["code"] != "Summer-VIP" || num(found[0]["uses"]) != 3 || num(found[0]["max_uses"]) != 3 {
				t.Fatalf("found %v", found)
			}
			if err := h.sim.Redeem(id, "SUMMER-VIP", 2); err != nil {
				t.Fatal(err)
			}
			if got := find("Summer-VIP")[0]; num(got["uses"]) != 1 || num(got["max_uses"]) != 3 {
				t.Errorf("after two redemptions: %v", got)
			}
			wantError(t, h.do(http.MethodPost, codes, codeBody(obj{"code": "SUMMER-vip"})), 422, api == ruleAPI, "Duplicate code", "")

			other := h.createPromotion(api, false)
			twice := h.do(http.MethodPost, api.basePath()+"/"+other+"/codes", codeBody(obj{"code": "summer-vip"}))
			if twice.status != http.StatusCreated || twice.obj["messages"] == nil {
				t.Errorf("a code another promotion holds: %d %s, want 201 with messages", twice.status, twice.body)
			}
			auto := h.createPromotion(api, true)
			wantError(t, h.do(http.MethodPost, api.basePath()+"/"+auto+"/codes", codeBody(obj{"code": "x"})), 422, api == ruleAPI, "No codes allowed", "")

			key := "Summer-VIP"
			if api == ruleAPI {
				key = found[0]["id"].(string)
			}
			if r := h.do(http.MethodDelete, codes+"/"+key, nil); r.status != http.StatusNoContent {
				t.Fatalf("delete: %d %s", r.status, r.body)
			}
			if got := find("summer-vip"); len(got) != 0 {
				t.Errorf("deleted code still listed: %v", got)
			}
		})
	}
}

// The Rule Promotions rules for shopper limits and first-time shoppers.
func TestHandMadeCodeRules(t *testing.T) {
	t.Parallel()
	h := newHarness(t, Options{})
	codes := "/v2/rule-promotions/" + h.createPromotion(ruleAPI, false) + "/codes"
	wantError(t, h.do(http.MethodPost, codes, codeBody(obj{"code": "a", "is_for_new_shopper": true, "uses": 1})), 400, false, "Invalid Code", "")
	wantError(t, h.do(http.MethodPost, codes, codeBody(obj{"code": "b", "max_uses_per_shopper": obj{"includes_guests": true}})), 400, false, "missing_dependency", "data.codes.0.max_uses_per_shopper")
	wantError(t, h.do(http.MethodPost, codes, codeBody(obj{"code": "c", "consume_unit": "per_application", "max_uses_per_shopper": obj{"max_uses": 1}})), 422, true, "Unsupported consume unit", "")
	ok := h.do(http.MethodPost, codes, codeBody(obj{"code": "d", "consume_unit": "per_checkout", "user": "customer-1", "max_uses_per_shopper": obj{"max_uses": 1, "includes_guests": false}}))
	if ok.status != http.StatusCreated {
		t.Fatalf("create: %d %s", ok.status, ok.body)
	}
	d := ok.obj["data"].([]any)[0].(map[string]any)
	if d["user"] != "customer-1" || num(d["max_uses_per_shopper"].(map[string]any)["max_uses"]) != 1 {
		t.Errorf("created %v", d)
	}
}

package epcc

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

func TestCreateAndDeletePromotion(t *testing.T) {
	var mu sync.Mutex
	bodies := map[string]map[string]any{}
	deleted := map[string]bool{}
	srv := newTestServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		defer mu.Unlock()
		switch {
		case r.Method == http.MethodPost && (r.URL.Path == "/v2/rule-promotions" || r.URL.Path == "/v2/promotions"):
			var b struct {
				Data map[string]any `json:"data"`
			}
			_ = json.NewDecoder(r.Body).Decode(&b)
			bodies[r.URL.Path] = b.Data
			writeJSON(w, 201, `{"data":{"id":"new-`+strings.TrimPrefix(r.URL.Path, "/v2/")+`","type":"x"}}`)
		case r.Method == http.MethodDelete:
			if deleted[r.URL.Path] {
				writeJSON(w, 404, `{"errors":[{"status":404,"title":"Not Found","detail":"promotion not found"}]}`)
				return
			}
			deleted[r.URL.Path] = true
			w.WriteHeader(204)
		default:
			writeJSON(w, 500, `{"errors":[{"status":500,"title":"unexpected"}]}`)
		}
	}))
	c := newTestClient(t, srv.URL)
	ctx := testCtx(t)

	rule, err := c.CreatePromotion(ctx, RulePromotions, NewPromotion{Name: "acc-test", Automatic: false})
	if err != nil {
		t.Fatal(err)
	}
	if rule != (PromotionRef{API: RulePromotions, ID: "new-rule-promotions"}) {
		t.Errorf("rule ref = %+v", rule)
	}
	std, err := c.CreatePromotion(ctx, PromotionsStandard, NewPromotion{Name: "acc-std", Automatic: true})
	if err != nil {
		t.Fatal(err)
	}
	if std.ID != "new-promotions" {
		t.Errorf("std ref = %+v", std)
	}
	mu.Lock()
	rb, sb := bodies["/v2/rule-promotions"], bodies["/v2/promotions"]
	mu.Unlock()
	if rb["type"] != "rule_promotion" || rb["name"] != "acc-test" || rb["enabled"] != false || rb["automatic"] != false {
		t.Errorf("rule body = %v", rb)
	}
	rs, _ := rb["rule_set"].(map[string]any)
	if rules, _ := rs["rules"].(map[string]any); rules["strategy"] != "cart_total" {
		t.Errorf("rule_set = %v", rs)
	}
	if sb["type"] != "promotion" || sb["promotion_type"] != "fixed_discount" || sb["automatic"] != true || sb["enabled"] != true {
		t.Errorf("standard body = %v", sb)
	}
	for _, b := range []map[string]any{rb, sb} {
		start, err1 := time.Parse(time.RFC3339, b["start"].(string))
		end, err2 := time.Parse(time.RFC3339, b["end"].(string))
		if err1 != nil || err2 != nil || end.Sub(start) > 365*24*time.Hour || end.Sub(start) < 300*24*time.Hour {
			t.Errorf("start %v end %v", b["start"], b["end"])
		}
	}

	if err := c.DeletePromotion(ctx, rule); err != nil {
		t.Fatal(err)
	}
	if err := c.DeletePromotion(ctx, rule); err != nil {
		t.Errorf("deleting a gone promotion: %v", err)
	}
	if _, err := c.CreatePromotion(ctx, "bogus", NewPromotion{Name: "x"}); err == nil {
		t.Error("bogus API accepted")
	}
	if _, err := c.CreatePromotion(ctx, RulePromotions, NewPromotion{}); err == nil {
		t.Error("empty name accepted")
	}
}

func TestCreatePromotionErrors(t *testing.T) {
	srv := newTestServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodDelete {
			writeJSON(w, 403, `{"errors":[{"status":403,"title":"Forbidden"}]}`)
			return
		}
		writeJSON(w, 201, `{"data":{}}`)
	}))
	c := newTestClient(t, srv.URL)
	if _, err := c.CreatePromotion(testCtx(t), RulePromotions, NewPromotion{Name: "x"}); err == nil || !strings.Contains(err.Error(), "no promotion id") {
		t.Errorf("err = %v", err)
	}
	if err := c.DeletePromotion(testCtx(t), testRef); err == nil {
		t.Error("a 403 on delete is an error")
	}
}

// codesServer serves n codes in the Rule shape or, for Standard, in the
// spec's wrapped shape, with server-side paging.
func codesServer(n int, wrapped bool) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		limit, _ := strconv.Atoi(r.URL.Query().Get("page[limit]"))
		offset, _ := strconv.Atoi(r.URL.Query().Get("page[offset]"))
		if limit <= 0 || limit > 100 {
			limit = 100
		}
		var items []string
		for i := offset; i < n && i < offset+limit; i++ {
			items = append(items, fmt.Sprintf(`{"type":"promotion_codes","code":"CODE-%03d","uses":0}`, i))
		}
		data := "[" + strings.Join(items, ",") + "]"
		if wrapped {
			data = `[{"data":{"codes":` + data + `}}]`
			if len(items) == 0 {
				data = "[]"
			}
		}
		writeJSON(w, 200, fmt.Sprintf(`{"data":%s,"meta":{"results":{"total":%d}}}`, data, n))
	})
}

func TestListCodes(t *testing.T) {
	srv := newTestServer(t, codesServer(230, false))
	c := newTestClient(t, srv.URL)
	codes, err := codeStrings(c.ListPromotionCodes(testCtx(t), testRef))
	if err != nil {
		t.Fatal(err)
	}
	if len(codes) != 230 || codes[0] != "CODE-000" || codes[229] != "CODE-229" {
		t.Errorf("%d codes: %v…", len(codes), codes[:3])
	}

	srv = newTestServer(t, codesServer(40, true))
	c = newTestClient(t, srv.URL)
	codes, err = codeStrings(c.ListPromotionCodes(testCtx(t), PromotionRef{API: PromotionsStandard, ID: "p"}))
	if err != nil {
		t.Fatal(err)
	}
	if len(codes) != 40 {
		t.Errorf("wrapped: %d codes", len(codes))
	}

	srv = newTestServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, 200, `{"data":{"codes":[{"code":"A"},{"code":"B"}]}}`)
	}))
	c = newTestClient(t, srv.URL)
	codes, err = codeStrings(c.ListPromotionCodes(testCtx(t), testRef))
	if err != nil || strings.Join(codes, ",") != "A,B" {
		t.Errorf("object shape: %v %v", codes, err)
	}

	srv = newTestServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, 200, `{"data":"weird"}`)
	}))
	c = newTestClient(t, srv.URL)
	if _, err := codeStrings(c.ListPromotionCodes(testCtx(t), testRef)); err == nil {
		t.Error("unexpected shape accepted")
	}
}

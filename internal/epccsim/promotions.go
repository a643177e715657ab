package epccsim

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"sort"
	"strings"
	"time"
)

// apiKind tells the two promotion APIs apart. They share the job machinery
// but differ in paths, field names, enums and error details.
type apiKind int

const (
	standardAPI apiKind = iota // Promotions Standard: /v2/promotions
	ruleAPI                    // Rule Promotions: /v2/rule-promotions
)

func (a apiKind) basePath() string {
	if a == ruleAPI {
		return "/v2/rule-promotions"
	}
	return "/v2/promotions"
}

func (a apiKind) resourceType() string {
	if a == ruleAPI {
		return "rule_promotion"
	}
	return "promotion"
}

func (a apiKind) consumeUnits() []string {
	if a == ruleAPI {
		return []string{"per_application", "per_checkout"}
	}
	return []string{"per_item", "per_cart"}
}

// defaultConsumeUnit is what a code gets when its job did not say.
func (a apiKind) defaultConsumeUnit() string {
	if a == ruleAPI {
		return "per_checkout"
	}
	return "per_cart"
}

// apiErr builds an error in the status encoding each API tends to use:
// Promotions Standard mostly sends numbers, Rule Promotions strings.
func (a apiKind) apiErr(status int, title, detail, source string) reply {
	if a == ruleAPI {
		return strErr(status, title, detail, source)
	}
	return numErr(status, title, detail, source)
}

func (a apiKind) promotionNotFound() reply {
	return a.apiErr(http.StatusNotFound, "Not Found", "promotion not found", "")
}

var standardPromotionTypes = []string{
	"fixed_discount", "percent_discount", "item_fixed_discount", "item_percent_discount",
	"x_for_y", "x_for_amount", "bundle_fixed_discount", "bundle_gift",
}

type promotion struct {
	id        string
	seq       int // creation order: the list's order
	kind      apiKind
	automatic bool
	attrs     map[string]any // attributes as sent, without type/id/meta
	createdAt time.Time
	updatedAt time.Time

	jobs    []*job
	codes   []*promoCode
	codeSet map[string]struct{} // lower-cased codes, for uniqueness
}

func (p *promotion) json() map[string]any {
	out := make(map[string]any, len(p.attrs)+3)
	for k, v := range p.attrs {
		out[k] = v
	}
	out["type"] = p.kind.resourceType()
	out["id"] = p.id
	out["meta"] = map[string]any{"timestamps": map[string]string{
		"created_at": formatTime(p.createdAt),
		"updated_at": formatTime(p.updatedAt),
	}}
	return out
}

type dataEnvelope struct {
	Data any `json:"data"`
}

// readData decodes a {"data": {...}} body. Numbers stay json.Number so that
// integer checks are exact.
func readData(r *http.Request) (map[string]any, reply, bool) {
	body, err := io.ReadAll(http.MaxBytesReader(nil, r.Body, 1<<20))
	if err != nil {
		return nil, badJSON(), false
	}
	var top any
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	if err := dec.Decode(&top); err != nil || dec.More() {
		return nil, badJSON(), false
	}
	obj, _ := top.(map[string]any)
	raw, present := obj["data"]
	if !present || raw == nil {
		return nil, failedValidation("data", "The data field is required"), false
	}
	data, ok := raw.(map[string]any)
	if !ok {
		return nil, failedValidation("data", "The data field must be an object"), false
	}
	return data, reply{}, true
}

func (s *Server) promotionCreate(api apiKind) func(*http.Request, []string) reply {
	return func(r *http.Request, _ []string) reply {
		data, rep, ok := readData(r)
		if !ok {
			return rep
		}
		if rep, ok := validatePromotion(api, data); !ok {
			return rep
		}
		attrs := make(map[string]any, len(data))
		for k, v := range data {
			switch k {
			case "type", "id", "meta":
			default:
				attrs[k] = v
			}
		}
		// The service fills in the documented defaults.
		defaults := map[string]any{"enabled": false, "automatic": false}
		if api == ruleAPI {
			defaults["stackable"], defaults["override_stacking"] = true, false
		}
		for k, v := range defaults {
			if _, set := attrs[k]; !set {
				attrs[k] = v
			}
		}
		if _, set := attrs["description"]; !set && api == standardAPI {
			attrs["description"] = ""
		}
		normalizeDates(attrs)
		fillRuleSet(attrs)
		now := s.now()
		p := &promotion{
			id:        newUUID(),
			kind:      api,
			automatic: attrs["automatic"] == true,
			attrs:     attrs,
			createdAt: now,
			updatedAt: now,
			codeSet:   map[string]struct{}{},
		}
		s.mu.Lock()
		defer s.mu.Unlock()
		if rep, ok := s.checkStoreRules(p, now); !ok {
			return rep
		}
		s.promotionSeq++
		p.seq = s.promotionSeq
		s.promotions[p.id] = p
		return jsonReply(http.StatusCreated, dataEnvelope{Data: p.json()})
	}
}

// ruleEditable are the fields a PUT may change on a Rule Promotion; the others are kept as they were.
var ruleEditable = []string{"name", "description", "enabled", "start", "end", "automatic", "stackable", "override_stacking", "rule_set"}

func (s *Server) promotionUpdate(api apiKind) func(*http.Request, []string) reply {
	return func(r *http.Request, args []string) reply {
		data, rep, ok := readData(r)
		if !ok {
			return rep
		}
		if rep, ok := validatePromotion(api, data); !ok {
			return rep
		}
		s.mu.Lock()
		defer s.mu.Unlock()
		p, found := s.promotion(api, args[0])
		if !found {
			return api.promotionNotFound()
		}
		attrs := make(map[string]any, len(p.attrs))
		for k, v := range p.attrs {
			attrs[k] = v
		}
		for k, v := range data {
			if api == standardAPI && k != "type" && k != "id" && k != "meta" || oneOf(k, ruleEditable) {
				attrs[k] = v
			}
		}
		normalizeDates(attrs)
		fillRuleSet(attrs)
		next := *p
		next.attrs, next.automatic, next.updatedAt = attrs, attrs["automatic"] == true, s.now()
		if rep, ok := s.checkStoreRules(&next, next.updatedAt); !ok {
			return rep
		}
		p.attrs, p.automatic, p.updatedAt = next.attrs, next.automatic, next.updatedAt
		return jsonReply(http.StatusOK, dataEnvelope{Data: p.json()})
	}
}

// fillRuleSet answers a rule_set without catalog_ids with an empty list: the promotion applies to every
// catalog.
func fillRuleSet(attrs map[string]any) {
	if set, ok := attrs["rule_set"].(map[string]any); ok {
		if _, has := set["catalog_ids"]; !has {
			set["catalog_ids"] = []any{}
		}
	}
}

// maxAutomaticRulePromotions is how many active and future automatic Rule Promotions a store may hold.
const maxAutomaticRulePromotions = 50

// checkStoreRules applies the rules that span a store's Rule Promotions to p, about to be stored: at most
// 50 active and future automatic ones, and no priority shared with another running or scheduled one.
// Callers hold s.mu.
func (s *Server) checkStoreRules(p *promotion, now time.Time) (reply, bool) {
	if p.kind != ruleAPI || endsBefore(p, now) {
		return reply{}, true
	}
	automatic := 0
	for _, other := range s.promotions {
		if other.id == p.id || other.kind != ruleAPI || endsBefore(other, now) {
			continue
		}
		if other.automatic {
			automatic++
		}
		if prio, set := p.attrs["priority"]; set && prio != nil && fmt.Sprint(other.attrs["priority"]) == fmt.Sprint(prio) {
			return strErr(http.StatusUnprocessableEntity, "Duplicate Priority",
				"Priority already in use in another running or scheduled promotion", "data.priority"), false
		}
	}
	if p.automatic && automatic >= maxAutomaticRulePromotions {
		return strErr(http.StatusBadRequest, "Too many automatic rule promotions",
			fmt.Sprintf("Only %d active and future automatic rule promotions are allowed per store", maxAutomaticRulePromotions), ""), false
	}
	return reply{}, true
}

// endsBefore tells whether the promotion's end has passed at now.
func endsBefore(p *promotion, now time.Time) bool {
	end, ok := parseDate(p.attrs["end"])
	return ok && end.Before(now)
}

// parseDate reads a promotion date: RFC 3339, or a plain date (midnight UTC).
func parseDate(v any) (time.Time, bool) {
	s, _ := v.(string)
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04", "2006-01-02"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t.UTC(), true
		}
	}
	return time.Time{}, false
}

// normalizeDates stores start and end the way the service answers them: RFC 3339 in UTC, whatever form
// they were sent in.
func normalizeDates(attrs map[string]any) {
	for _, f := range []string{"start", "end"} {
		if t, ok := parseDate(attrs[f]); ok {
			attrs[f] = t.Format(time.RFC3339)
		}
	}
}

// promotionList lists an API's promotions, oldest first, narrowed by a name filter: like(name,'Summer *')
// or ilike (case-insensitive), where * matches any run of characters.
func (s *Server) promotionList(api apiKind) func(*http.Request, []string) reply {
	return func(r *http.Request, _ []string) reply {
		q := r.URL.Query()
		pg, rep, ok := parsePage(api, q)
		if !ok {
			return rep
		}
		match, err := parseNameFilter(q.Get("filter"))
		if err != nil {
			return api.apiErr(http.StatusBadRequest, "Bad Request", "Invalid filter: "+err.Error(), "filter")
		}
		s.mu.Lock()
		defer s.mu.Unlock()
		var matched []*promotion
		for _, p := range s.promotions {
			if name, _ := p.attrs["name"].(string); p.kind == api && match(name) {
				matched = append(matched, p)
			}
		}
		sort.Slice(matched, func(i, j int) bool { return matched[i].seq < matched[j].seq })
		items := make([]map[string]any, 0, pg.limit)
		for _, i := range pg.slice(len(matched)) {
			items = append(items, matched[i].json())
		}
		return jsonReply(http.StatusOK, listBody(r, pg, len(matched), items))
	}
}

func validatePromotion(api apiKind, data map[string]any) (reply, bool) {
	if t, _ := data["type"].(string); t != api.resourceType() {
		return failedValidation("data.type", "type must be "+api.resourceType()), false
	}
	if name, _ := data["name"].(string); name == "" {
		return failedValidation("data.name", "name is required"), false
	}
	for _, f := range []string{"automatic", "enabled", "stackable", "override_stacking"} {
		if v, set := data[f]; set {
			if _, ok := v.(bool); !ok {
				return failedValidation("data."+f, f+" must be a boolean"), false
			}
		}
	}
	if v, set := data["description"]; set {
		if _, ok := v.(string); !ok {
			return failedValidation("data.description", "description must be a string"), false
		}
	}
	for _, f := range []string{"start", "end"} {
		if v, set := data[f]; set {
			if _, ok := parseDate(v); !ok {
				return failedValidation("data."+f, f+" must be a date-time (RFC 3339) or a date"), false
			}
		}
	}
	if start, ok := parseDate(data["start"]); ok {
		if end, ok := parseDate(data["end"]); ok && !start.Before(end) {
			return failedValidation("data.end", "start must be earlier than end"), false
		}
	}
	if api == ruleAPI {
		return validateRuleSet(data["rule_set"])
	}
	// Promotions Standard marks these required in its schema.
	if pt, _ := data["promotion_type"].(string); !oneOf(pt, standardPromotionTypes) {
		return failedValidation("data.promotion_type", "promotion_type must be one of "+joinList(standardPromotionTypes)), false
	}
	if _, ok := data["schema"].(map[string]any); !ok {
		return failedValidation("data.schema", "schema is required"), false
	}
	for _, f := range []string{"start", "end"} {
		if v, _ := data[f].(string); v == "" {
			return failedValidation("data."+f, f+" is required"), false
		}
	}
	return reply{}, true
}

// promotion looks a promotion up by API and id. Callers hold s.mu.
func (s *Server) promotion(api apiKind, id string) (*promotion, bool) {
	p, ok := s.promotions[id]
	if !ok || p.kind != api {
		return nil, false
	}
	return p, true
}

func (s *Server) promotionGet(api apiKind) func(*http.Request, []string) reply {
	return func(_ *http.Request, args []string) reply {
		s.mu.Lock()
		defer s.mu.Unlock()
		p, ok := s.promotion(api, args[0])
		if !ok {
			return api.promotionNotFound()
		}
		return jsonReply(http.StatusOK, dataEnvelope{Data: p.json()})
	}
}

// promotionDelete removes the promotion together with its jobs, codes and
// export files.
func (s *Server) promotionDelete(api apiKind) func(*http.Request, []string) reply {
	return func(_ *http.Request, args []string) reply {
		s.mu.Lock()
		defer s.mu.Unlock()
		p, ok := s.promotion(api, args[0])
		if !ok {
			return api.promotionNotFound()
		}
		for _, j := range p.jobs {
			if j.file != nil {
				delete(s.files, j.file.id)
			}
		}
		delete(s.promotions, p.id)
		return reply{status: http.StatusNoContent}
	}
}

func oneOf(v string, set []string) bool {
	for _, s := range set {
		if v == s {
			return true
		}
	}
	return false
}

func joinList(set []string) string { return strings.Join(set, ", ") }

// formatTime renders timestamps the way the service does: UTC, RFC 3339,
// nine fractional digits.
func formatTime(t time.Time) string {
	return t.UTC().Format("2006-01-02T15:04:05.000000000Z07:00")
}

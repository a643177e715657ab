package epccsim

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
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
		for k, v := range map[string]any{"enabled": false, "automatic": false} {
			if _, set := attrs[k]; !set {
				attrs[k] = v
			}
		}
		if _, set := attrs["description"]; !set && api == standardAPI {
			attrs["description"] = ""
		}
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
		s.promotions[p.id] = p
		body := dataEnvelope{Data: p.json()}
		s.mu.Unlock()
		return jsonReply(http.StatusCreated, body)
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
	if api == ruleAPI {
		return reply{}, true
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

package epccsim

import (
	"fmt"
	"math/rand/v2"
	"net/http"
	"strings"
	"time"
)

const codeAlphabet = "abcdefghijklmnopqrstuvwxyz0123456789"

type promoCode struct {
	id          string
	code        string
	jobID       string // "" for a hand-made code
	maxUses     *int   // nil: unlimited
	used        int    // redemptions so far
	consumeUnit string
	createdAt   time.Time
	// Hand-made codes only.
	user            string
	perShopper      *perShopper
	isForNewShopper *bool
}

// perShopper is a code's max_uses_per_shopper.
type perShopper struct {
	MaxUses        *int  `json:"max_uses,omitempty"`
	IncludesGuests *bool `json:"includes_guests,omitempty"`
}

// remaining is what the API reports as a code's uses: those left, or nil for an unlimited code.
func (c *promoCode) remaining() *int {
	if c.maxUses == nil {
		return nil
	}
	left := max(0, *c.maxUses-c.used)
	return &left
}

// randomCode returns length random characters with a dash after every four:
// 8 → "aa2b-3c4d", 10 → "abcd-efgh-ij".
func randomCode(length int) string {
	var b strings.Builder
	for i := 0; i < length; i++ {
		if i > 0 && i%4 == 0 {
			b.WriteByte('-')
		}
		b.WriteByte(codeAlphabet[rand.IntN(len(codeAlphabet))])
	}
	return b.String()
}

// fill makes j's codes until it has made target of them.
func (p *promotion) fill(j *job, target int, at time.Time) {
	prefix := ""
	if j.params.CodePrefix != nil {
		prefix = *j.params.CodePrefix
	}
	unit := j.params.ConsumeUnit
	if unit == "" {
		unit = p.kind.defaultConsumeUnit()
	}
	for j.generated < target {
		code := prefix + randomCode(j.params.CodeLength)
		key := strings.ToLower(code) // codes are matched case-insensitively
		if _, taken := p.codeSet[key]; taken {
			continue
		}
		p.codeSet[key] = struct{}{}
		p.codes = append(p.codes, &promoCode{
			id:          newUUID(),
			code:        code,
			jobID:       j.id,
			maxUses:     j.params.MaxUsesPerCode,
			consumeUnit: unit,
			createdAt:   at,
		})
		j.generated++
	}
}

// removeCodes deletes the codes a job made and reports how many there were.
func (p *promotion) removeCodes(jobID string) int {
	kept := p.codes[:0]
	removed := 0
	for _, c := range p.codes {
		if c.jobID == jobID {
			delete(p.codeSet, strings.ToLower(c.code))
			removed++
			continue
		}
		kept = append(kept, c)
	}
	clear(p.codes[len(kept):])
	p.codes = kept
	return removed
}

type codeMeta struct {
	Timestamps struct {
		CreatedAt string `json:"created_at"`
	} `json:"timestamps"`
}

// standardCodeJSON is a Promotions Standard code: no id or type, "uses" is
// the remaining number of uses and "max_uses" the limit.
type standardCodeJSON struct {
	Code        string   `json:"code"`
	ConsumeUnit string   `json:"consume_unit"`
	Uses        *int     `json:"uses,omitempty"`
	MaxUses     *int     `json:"max_uses,omitempty"`
	User        string   `json:"user,omitempty"`
	Meta        codeMeta `json:"meta"`
}

// ruleCodeJSON is a Rule Promotions code, which has its own id and type.
type ruleCodeJSON struct {
	Type              string      `json:"type"`
	ID                string      `json:"id"`
	Code              string      `json:"code"`
	Uses              *int        `json:"uses,omitempty"`
	MaxUses           *int        `json:"max_uses,omitempty"`
	User              string      `json:"user,omitempty"`
	ConsumeUnit       string      `json:"consume_unit"`
	MaxUsesPerShopper *perShopper `json:"max_uses_per_shopper,omitempty"`
	IsForNewShopper   *bool       `json:"is_for_new_shopper,omitempty"`
	Meta              codeMeta    `json:"meta"`
}

func (c *promoCode) json(api apiKind) any {
	var meta codeMeta
	meta.Timestamps.CreatedAt = formatTime(c.createdAt)
	if api == ruleAPI {
		return ruleCodeJSON{Type: "promotion_codes", ID: c.id, Code: c.code, Uses: c.remaining(), MaxUses: c.maxUses,
			User: c.user, ConsumeUnit: c.consumeUnit, MaxUsesPerShopper: c.perShopper, IsForNewShopper: c.isForNewShopper, Meta: meta}
	}
	return standardCodeJSON{Code: c.code, ConsumeUnit: c.consumeUnit, Uses: c.remaining(), MaxUses: c.maxUses, User: c.user, Meta: meta}
}

// codesList lists a promotion's codes, narrowed by eq(code,...), which matches case-insensitively.
func (s *Server) codesList(api apiKind) func(*http.Request, []string) reply {
	return func(r *http.Request, args []string) reply {
		s.mu.Lock()
		defer s.mu.Unlock()
		p, found := s.promotion(api, args[0])
		if !found {
			return api.promotionNotFound()
		}
		pg, rep, ok := parsePage(api, r.URL.Query())
		if !ok {
			return rep
		}
		want, err := parseCodeFilter(r.URL.Query().Get("filter"))
		if err != nil {
			return api.apiErr(http.StatusBadRequest, "Bad Request", "Invalid filter: "+err.Error(), "filter")
		}
		s.advance(p, s.now())
		matched := p.codes
		if want != "" {
			matched = nil
			for _, c := range p.codes {
				if strings.EqualFold(c.code, want) {
					matched = append(matched, c)
				}
			}
		}
		items := make([]any, 0, pg.limit)
		for _, i := range pg.slice(len(matched)) {
			items = append(items, matched[i].json(api))
		}
		return jsonReply(http.StatusOK, listBody(r, pg, len(matched), items))
	}
}

// codesCreate adds hand-made codes to a promotion, all or none. A code the promotion holds already is a 422;
// one another promotion holds is made, with a message saying so.
func (s *Server) codesCreate(api apiKind) func(*http.Request, []string) reply {
	return func(r *http.Request, args []string) reply {
		data, rep, ok := readData(r)
		if !ok {
			return rep
		}
		if t, _ := data["type"].(string); t != "promotion_codes" {
			return failedValidation("data.type", "type must be promotion_codes")
		}
		list, _ := data["codes"].([]any)
		if len(list) == 0 {
			return failedValidation("data.codes", "codes is required")
		}
		s.mu.Lock()
		defer s.mu.Unlock()
		p, found := s.promotion(api, args[0])
		if !found {
			return api.promotionNotFound()
		}
		if p.automatic {
			return api.apiErr(http.StatusUnprocessableEntity, "No codes allowed", "Cannot add codes to automatic promotion", "")
		}
		now := s.now()
		var made []*promoCode
		inBatch := map[string]bool{}
		for i, raw := range list {
			item, _ := raw.(map[string]any)
			c, rep, ok := parseCode(api, item, fmt.Sprintf("data.codes.%d.", i))
			if !ok {
				return rep
			}
			key := strings.ToLower(c.code)
			if _, taken := p.codeSet[key]; taken || inBatch[key] {
				return api.apiErr(http.StatusUnprocessableEntity, "Duplicate code", "Promotion code already in use", "")
			}
			inBatch[key] = true
			c.id, c.createdAt = newUUID(), now
			made = append(made, c)
		}
		var elsewhere []string
		for _, c := range made {
			p.codeSet[strings.ToLower(c.code)] = struct{}{}
			p.codes = append(p.codes, c)
			if s.codeElsewhere(p, c.code) {
				elsewhere = append(elsewhere, c.code)
			}
		}
		body := map[string]any{}
		if api == ruleAPI {
			items := make([]any, len(made))
			for i, c := range made {
				items[i] = c.json(api)
			}
			body["data"] = items
		} else {
			body["data"] = p.json() // Promotions Standard answers the promotion
		}
		if len(elsewhere) > 0 {
			body["messages"] = []any{map[string]any{
				"source":      map[string]any{"type": "promotion_codes", "codes": elsewhere},
				"title":       "Duplicate code names",
				"description": "Code names duplicated in other promotions",
			}}
		}
		return jsonReply(http.StatusCreated, body)
	}
}

// codeElsewhere tells whether a promotion other than p holds the code. Callers hold s.mu.
func (s *Server) codeElsewhere(p *promotion, code string) bool {
	for _, other := range s.promotions {
		if _, ok := other.codeSet[strings.ToLower(code)]; ok && other != p {
			return true
		}
	}
	return false
}

// parseCode reads one hand-made code with the rules the API documents.
func parseCode(api apiKind, item map[string]any, src string) (*promoCode, reply, bool) {
	code, _ := item["code"].(string)
	if strings.TrimSpace(code) == "" {
		return nil, failedValidation(src+"code", "code is required"), false
	}
	c := &promoCode{code: code, consumeUnit: api.defaultConsumeUnit()}
	if v, set := item["consume_unit"]; set {
		unit, _ := v.(string)
		if !oneOf(unit, api.consumeUnits()) {
			return nil, failedValidation(src+"consume_unit", "consume_unit must be one of "+joinList(api.consumeUnits())), false
		}
		c.consumeUnit = unit
	}
	if v, set, ok := intField(item, "uses"); set {
		if !ok || v < 0 {
			return nil, failedValidation(src+"uses", "uses must be a non-negative integer"), false
		}
		c.maxUses = &v
	}
	c.user, _ = item["user"].(string)
	if api == standardAPI {
		return c, reply{}, true
	}
	if v, ok := item["is_for_new_shopper"].(bool); ok {
		c.isForNewShopper = &v
		if v && (c.maxUses != nil || c.user != "") {
			return nil, numErr(http.StatusBadRequest, "Invalid Code", fmt.Sprintf("Code - %s can't have limited uses or "+
				"assigned to users since it's for first-time shoppers.", code), ""), false
		}
	}
	if raw, set := item["max_uses_per_shopper"].(map[string]any); set {
		ps := &perShopper{}
		if v, set, ok := intField(raw, "max_uses"); set && ok {
			ps.MaxUses = &v
		}
		if v, ok := raw["includes_guests"].(bool); ok {
			ps.IncludesGuests = &v
		}
		if ps.IncludesGuests != nil && ps.MaxUses == nil {
			return nil, numErr(http.StatusBadRequest, "missing_dependency", "Has a dependency on max_uses", src+"max_uses_per_shopper"), false
		}
		if c.consumeUnit == "per_application" {
			return nil, strErr(http.StatusUnprocessableEntity, "Unsupported consume unit",
				"Consume unit 'per_application' is not supported when using 'max_uses_per_shopper' features.", ""), false
		}
		c.perShopper = ps
	}
	return c, reply{}, true
}

// codeDelete removes one code: by its id on Rule Promotions, by the code itself (any case) on Standard.
func (s *Server) codeDelete(api apiKind) func(*http.Request, []string) reply {
	return func(_ *http.Request, args []string) reply {
		s.mu.Lock()
		defer s.mu.Unlock()
		p, found := s.promotion(api, args[0])
		if !found {
			return api.promotionNotFound()
		}
		for i, c := range p.codes {
			if api == ruleAPI && c.id == args[1] || api == standardAPI && strings.EqualFold(c.code, args[1]) {
				delete(p.codeSet, strings.ToLower(c.code))
				p.codes = append(p.codes[:i], p.codes[i+1:]...)
				return reply{status: http.StatusNoContent}
			}
		}
		return api.apiErr(http.StatusNotFound, "Not Found", "promotion code not found", "")
	}
}

// Redeem records n redemptions of a promotion's code, as checkouts would: its uses left go down.
func (s *Server) Redeem(promotionID, code string, n int) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	p, ok := s.promotions[promotionID]
	if !ok {
		return fmt.Errorf("no promotion %s", promotionID)
	}
	for _, c := range p.codes {
		if strings.EqualFold(c.code, code) {
			c.used += n
			return nil
		}
	}
	return fmt.Errorf("promotion %s holds no code %q", promotionID, code)
}

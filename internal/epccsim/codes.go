package epccsim

import (
	"math/rand/v2"
	"net/http"
	"strings"
	"time"
)

const codeAlphabet = "abcdefghijklmnopqrstuvwxyz0123456789"

type promoCode struct {
	id          string
	code        string
	jobID       string
	maxUses     *int // nil: unlimited
	consumeUnit string
	createdAt   time.Time
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
	Meta        codeMeta `json:"meta"`
}

// ruleCodeJSON is a Rule Promotions code, which has its own id and type.
type ruleCodeJSON struct {
	Type        string   `json:"type"`
	ID          string   `json:"id"`
	Code        string   `json:"code"`
	Uses        *int     `json:"uses,omitempty"`
	MaxUses     *int     `json:"max_uses,omitempty"`
	ConsumeUnit string   `json:"consume_unit"`
	Meta        codeMeta `json:"meta"`
}

func (c *promoCode) json(api apiKind) any {
	var meta codeMeta
	meta.Timestamps.CreatedAt = formatTime(c.createdAt)
	// Generated codes are unused, so what remains is the whole allowance.
	if api == ruleAPI {
		return ruleCodeJSON{Type: "promotion_codes", ID: c.id, Code: c.code, Uses: c.maxUses, MaxUses: c.maxUses, ConsumeUnit: c.consumeUnit, Meta: meta}
	}
	return standardCodeJSON{Code: c.code, ConsumeUnit: c.consumeUnit, Uses: c.maxUses, MaxUses: c.maxUses, Meta: meta}
}

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
		s.advance(p, s.now())
		items := make([]any, 0, pg.limit)
		for _, i := range pg.slice(len(p.codes)) {
			items = append(items, p.codes[i].json(api))
		}
		return jsonReply(http.StatusOK, listBody(r, pg, len(p.codes), items))
	}
}

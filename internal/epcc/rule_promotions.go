package epcc

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"
)

// RulePromotion is a Rule Promotion (Promotions Builder) as the API stores it. Nil fields are unset: sent
// unset, the API applies its default.
type RulePromotion struct {
	ID               string
	Name             string
	Description      string
	Enabled          *bool
	Automatic        *bool
	Stackable        *bool
	OverrideStacking *bool
	Priority         *int64
	Start            string // as the API answers it; the request's form on the way in
	End              string
	RuleSet          json.RawMessage // the rule_set document
	CreatedAt        time.Time
}

// rulePromotionJSON is the wire form of a Rule Promotion, both ways.
type rulePromotionJSON struct {
	Type             string          `json:"type"`
	ID               string          `json:"id,omitempty"`
	Name             string          `json:"name"`
	Description      string          `json:"description"`
	Enabled          *bool           `json:"enabled,omitempty"`
	Automatic        *bool           `json:"automatic,omitempty"`
	Stackable        *bool           `json:"stackable,omitempty"`
	OverrideStacking *bool           `json:"override_stacking,omitempty"`
	Priority         *int64          `json:"priority,omitempty"`
	Start            string          `json:"start,omitempty"`
	End              string          `json:"end,omitempty"`
	RuleSet          json.RawMessage `json:"rule_set,omitempty"`
	Meta             *struct {
		Timestamps struct {
			CreatedAt string `json:"created_at"`
		} `json:"timestamps"`
	} `json:"meta,omitempty"`
}

func (w rulePromotionJSON) promotion() RulePromotion {
	p := RulePromotion{
		ID: w.ID, Name: w.Name, Description: w.Description, Enabled: w.Enabled, Automatic: w.Automatic,
		Stackable: w.Stackable, OverrideStacking: w.OverrideStacking, Priority: w.Priority,
		Start: w.Start, End: w.End, RuleSet: w.RuleSet,
	}
	if w.Meta != nil {
		p.CreatedAt = parseTime(w.Meta.Timestamps.CreatedAt)
	}
	return p
}

// rulePromotionBody is a create's or an update's body. An update cannot change the priority: it is left out.
func rulePromotionBody(p RulePromotion) map[string]any {
	return map[string]any{"data": rulePromotionJSON{
		Type: "rule_promotion", Name: p.Name, Description: p.Description, Enabled: p.Enabled,
		Automatic: p.Automatic, Stackable: p.Stackable, OverrideStacking: p.OverrideStacking,
		Priority: p.Priority, Start: p.Start, End: p.End, RuleSet: p.RuleSet,
	}}
}

type rulePromotionAnswer struct {
	Data *rulePromotionJSON `json:"data"`
}

func (a *rulePromotionAnswer) complete() error {
	if a.Data == nil || strings.TrimSpace(a.Data.ID) == "" {
		return errors.New("it holds no promotion id")
	}
	return nil
}

const rulePromotionsPath = "/v2/" + string(RulePromotions)

// CreateRulePromotion creates a Rule Promotion. The POST is never sent twice: an answer lost on the way back
// is an *OutcomeUnknownError, for the caller to resolve (FindRulePromotions).
func (c *Client) CreateRulePromotion(ctx context.Context, p RulePromotion) (*RulePromotion, error) {
	var ans rulePromotionAnswer
	if _, _, err := c.do(ctx, apiCall{method: http.MethodPost, path: rulePromotionsPath, jsonBody: rulePromotionBody(p),
		policy: policyCreate, out: &ans}); err != nil {
		return nil, err
	}
	out := ans.Data.promotion()
	return &out, nil
}

// GetRulePromotion reads a Rule Promotion; one that does not exist is a 404 *APIError (IsNotFound).
func (c *Client) GetRulePromotion(ctx context.Context, id string) (*RulePromotion, error) {
	ref := PromotionRef{API: RulePromotions, ID: id}
	if err := ref.validate(); err != nil {
		return nil, err
	}
	var ans rulePromotionAnswer
	if _, _, err := c.do(ctx, apiCall{method: http.MethodGet, path: ref.path(), out: &ans}); err != nil {
		return nil, err
	}
	out := ans.Data.promotion()
	return &out, nil
}

// UpdateRulePromotion replaces the editable fields of a Rule Promotion with p's.
func (c *Client) UpdateRulePromotion(ctx context.Context, id string, p RulePromotion) (*RulePromotion, error) {
	ref := PromotionRef{API: RulePromotions, ID: id}
	if err := ref.validate(); err != nil {
		return nil, err
	}
	var ans rulePromotionAnswer
	p.Priority = nil
	if _, _, err := c.do(ctx, apiCall{method: http.MethodPut, path: ref.path(), jsonBody: rulePromotionBody(p),
		policy: policyIdempotent, out: &ans}); err != nil {
		return nil, err
	}
	out := ans.Data.promotion()
	return &out, nil
}

// FindRulePromotions returns every Rule Promotion named exactly name (names are not unique in a store).
func (c *Client) FindRulePromotions(ctx context.Context, name string) ([]RulePromotion, error) {
	// The API filters names with like, where * is a wildcard, a quote ends the value and : , ( ) are the
	// filter's own syntax: such a name is looked for among all promotions instead. Either way the match is
	// made exact here.
	filter := ""
	if !strings.ContainsAny(name, `*'"\:,()`) {
		filter = "like(name,'" + name + "')"
	}
	var found []RulePromotion
	seen := map[string]bool{}
	err := c.eachPage(ctx, rulePromotionsPath, filter, func(data json.RawMessage) (int, int, error) {
		var items []rulePromotionJSON
		if len(data) > 0 && string(data) != "null" {
			if err := json.Unmarshal(data, &items); err != nil {
				return 0, 0, fmt.Errorf("GET %s: unexpected promotions listing: %s", rulePromotionsPath, bodySnippet(string(data), 120))
			}
		}
		added := 0
		for _, it := range items {
			if it.ID == "" || seen[it.ID] {
				continue
			}
			seen[it.ID] = true
			added++
			if it.Name == name {
				found = append(found, it.promotion())
			}
		}
		return len(items), added, nil
	})
	if err != nil {
		return nil, fmt.Errorf("looking for Rule Promotions named %q: %w", name, err)
	}
	return found, nil
}

// DeleteRulePromotion deletes a Rule Promotion with its codes and jobs; one already gone is not an error.
func (c *Client) DeleteRulePromotion(ctx context.Context, id string) error {
	return c.DeletePromotion(ctx, PromotionRef{API: RulePromotions, ID: id})
}

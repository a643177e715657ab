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

// NewPromotion is the little a test promotion needs.
type NewPromotion struct {
	Name      string
	Automatic bool
}

// CreatePromotion creates a minimal promotion, for acceptance tests that
// need one of their own: a 10% cart discount (Rule Promotions, disabled) or
// a $1 fixed cart discount (Promotions Standard), valid from now for just
// under a year (Standard limits bulk codes to promotions of at most 365 days).
func (c *Client) CreatePromotion(ctx context.Context, api API, p NewPromotion) (PromotionRef, error) {
	if strings.TrimSpace(p.Name) == "" {
		return PromotionRef{}, errors.New("creating a promotion: name is required")
	}
	start := time.Now().UTC().Truncate(time.Second)
	promo := Promotion{
		Ref: PromotionRef{API: api}, Name: p.Name, Description: p.Name, Automatic: p.Automatic,
		Start: start.Format(time.RFC3339), End: start.AddDate(0, 0, 364).Format(time.RFC3339),
	}
	if api == RulePromotions {
		promo.RuleSet = json.RawMessage(`{"rules":{"strategy":"cart_total","operator":"gte","args":[0]},` +
			`"actions":[{"strategy":"cart_discount","args":["percent",10]}]}`)
	} else {
		promo.Enabled, promo.PromotionType = true, "fixed_discount"
		promo.Schema = json.RawMessage(`{"currencies":[{"currency":"USD","amount":100}]}`)
	}
	made, err := c.AddPromotion(ctx, promo)
	if err != nil {
		return PromotionRef{}, fmt.Errorf("creating a promotion: %w", err)
	}
	return made.Ref, nil
}

// DeletePromotion deletes a promotion; one already gone is not an error.
func (c *Client) DeletePromotion(ctx context.Context, ref PromotionRef) error {
	if err := ref.validate(); err != nil {
		return err
	}
	c.invalidateListing(ref)
	_, _, err := c.do(ctx, apiCall{method: http.MethodDelete, path: ref.path(), policy: policyIdempotent})
	if err != nil && IsNotFound(err) {
		return nil
	}
	return err
}

// Promotion is a promotion of either API as the API stores it. Nil fields are unset: sent unset, the API
// applies its default.
type Promotion struct {
	Ref         PromotionRef
	Name        string
	Description string
	Enabled     bool
	Automatic   bool // an automatic promotion takes no codes
	Start       string
	End         string
	CreatedAt   time.Time
	// Rule Promotions
	Stackable        *bool
	OverrideStacking *bool
	Priority         *int64 // an update cannot change it
	RuleSet          json.RawMessage
	// Promotions Standard
	PromotionType          string
	Schema                 json.RawMessage
	MaxApplicationsPerCart *int64
}

// promotionJSON is the wire form of a promotion of either API, both ways.
type promotionJSON struct {
	Type                   string          `json:"type"`
	ID                     string          `json:"id,omitempty"`
	Name                   string          `json:"name"`
	Description            string          `json:"description"`
	Enabled                bool            `json:"enabled"`
	Automatic              bool            `json:"automatic"`
	Start                  string          `json:"start,omitempty"`
	End                    string          `json:"end,omitempty"`
	Stackable              *bool           `json:"stackable,omitempty"`
	OverrideStacking       *bool           `json:"override_stacking,omitempty"`
	Priority               *int64          `json:"priority,omitempty"`
	RuleSet                json.RawMessage `json:"rule_set,omitempty"`
	PromotionType          string          `json:"promotion_type,omitempty"`
	Schema                 json.RawMessage `json:"schema,omitempty"`
	MaxApplicationsPerCart *int64          `json:"max_applications_per_cart,omitempty"`
	Meta                   *struct {
		Timestamps struct {
			CreatedAt string `json:"created_at"`
		} `json:"timestamps"`
	} `json:"meta,omitempty"`
}

func (w promotionJSON) promotion(api API) Promotion {
	p := Promotion{
		Ref: PromotionRef{API: api, ID: w.ID}, Name: w.Name, Description: w.Description, Enabled: w.Enabled,
		Automatic: w.Automatic, Start: w.Start, End: w.End, Stackable: w.Stackable, OverrideStacking: w.OverrideStacking,
		Priority: w.Priority, RuleSet: w.RuleSet, PromotionType: w.PromotionType, Schema: w.Schema,
		MaxApplicationsPerCart: w.MaxApplicationsPerCart,
	}
	if w.Meta != nil {
		p.CreatedAt = parseTime(w.Meta.Timestamps.CreatedAt)
	}
	return p
}

// body is p as a create's or an update's request.
func (p Promotion) body() map[string]any {
	kind := "promotion"
	if p.Ref.API == RulePromotions {
		kind = "rule_promotion"
	}
	return map[string]any{"data": promotionJSON{
		Type: kind, Name: p.Name, Description: p.Description, Enabled: p.Enabled, Automatic: p.Automatic,
		Start: p.Start, End: p.End, Stackable: p.Stackable, OverrideStacking: p.OverrideStacking, Priority: p.Priority,
		RuleSet: p.RuleSet, PromotionType: p.PromotionType, Schema: p.Schema, MaxApplicationsPerCart: p.MaxApplicationsPerCart,
	}}
}

type promotionAnswer struct {
	Data *promotionJSON `json:"data"`
}

func (a *promotionAnswer) complete() error {
	if a.Data == nil || strings.TrimSpace(a.Data.ID) == "" {
		return errors.New("it holds no promotion id")
	}
	return nil
}

// GetPromotion reads a promotion. One of the other API, or none, is a 404 *APIError.
func (c *Client) GetPromotion(ctx context.Context, ref PromotionRef) (*Promotion, error) {
	if err := ref.validate(); err != nil {
		return nil, err
	}
	var ans promotionAnswer
	if _, _, err := c.do(ctx, apiCall{method: http.MethodGet, path: ref.path(), out: &ans}); err != nil {
		return nil, err
	}
	p := ans.Data.promotion(ref.API)
	return &p, nil
}

// AddPromotion creates a promotion on p.Ref.API (p.Ref.ID is not used). The POST is never sent twice: an
// answer lost on the way back is an *OutcomeUnknownError, for the caller to resolve with FindPromotions.
func (c *Client) AddPromotion(ctx context.Context, p Promotion) (*Promotion, error) {
	if err := (PromotionRef{API: p.Ref.API, ID: "new"}).validate(); err != nil {
		return nil, err
	}
	var ans promotionAnswer
	if _, _, err := c.do(ctx, apiCall{method: http.MethodPost, path: "/v2/" + string(p.Ref.API), jsonBody: p.body(),
		policy: policyCreate, out: &ans}); err != nil {
		return nil, err
	}
	out := ans.Data.promotion(p.Ref.API)
	return &out, nil
}

// UpdatePromotion replaces the promotion p.Ref's fields with p's. A Rule Promotion's priority cannot change:
// it is not sent.
func (c *Client) UpdatePromotion(ctx context.Context, p Promotion) (*Promotion, error) {
	if err := p.Ref.validate(); err != nil {
		return nil, err
	}
	if p.Ref.API == RulePromotions {
		p.Priority = nil
	}
	var ans promotionAnswer
	if _, _, err := c.do(ctx, apiCall{method: http.MethodPut, path: p.Ref.path(), jsonBody: p.body(),
		policy: policyIdempotent, out: &ans}); err != nil {
		return nil, err
	}
	out := ans.Data.promotion(p.Ref.API)
	return &out, nil
}

// FindPromotions returns every promotion of the API named exactly name (names are not unique in a store), or
// all of the API's promotions when name is empty.
func (c *Client) FindPromotions(ctx context.Context, api API, name string) ([]Promotion, error) {
	path := "/v2/" + string(api)
	if err := (PromotionRef{API: api, ID: "any"}).validate(); err != nil {
		return nil, err
	}
	// Rule Promotions filter names with like, where * is a wildcard, a quote ends the value and : , ( ) are
	// the filter's own syntax; Promotions Standard has no name filter. Such names are looked for among all
	// promotions. Either way the match is made exact here.
	filter := ""
	if api == RulePromotions && name != "" && !strings.ContainsAny(name, `*'"\:,()`) {
		filter = "like(name,'" + name + "')"
	}
	var found []Promotion
	seen := map[string]bool{}
	err := c.eachPage(ctx, path, filter, func(data json.RawMessage) (int, int, error) {
		var items []promotionJSON
		if len(data) > 0 && string(data) != "null" {
			if err := json.Unmarshal(data, &items); err != nil {
				return 0, 0, fmt.Errorf("GET %s: unexpected promotions listing: %s", path, bodySnippet(string(data), 120))
			}
		}
		added := 0
		for _, it := range items {
			if it.ID == "" || seen[it.ID] {
				continue
			}
			seen[it.ID] = true
			added++
			if name == "" || it.Name == name {
				found = append(found, it.promotion(api))
			}
		}
		return len(items), added, nil
	})
	if err != nil {
		return nil, fmt.Errorf("looking for promotions named %q on %s: %w", name, api, err)
	}
	return found, nil
}

type countAnswer struct {
	Meta *pageMeta `json:"meta"`
}

func (a *countAnswer) complete() error {
	if a.Meta == nil || a.Meta.Results == nil || !a.Meta.Results.Total.set || a.Meta.Results.Total.v < 0 {
		return errors.New("it holds no meta.results.total")
	}
	return nil
}

// CountCodes returns how many codes the promotion holds, from one listing page of size 1.
func (c *Client) CountCodes(ctx context.Context, ref PromotionRef) (int64, error) {
	if err := ref.validate(); err != nil {
		return 0, err
	}
	var ans countAnswer
	if _, _, err := c.do(ctx, apiCall{method: http.MethodGet, path: ref.path() + "/codes", rawQuery: "page[limit]=1&page[offset]=0", out: &ans}); err != nil {
		return 0, err
	}
	return ans.Meta.Results.Total.v, nil
}

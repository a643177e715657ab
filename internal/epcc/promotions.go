package epcc

import (
	"context"
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
	ref := PromotionRef{API: api, ID: "new"}
	if err := ref.validate(); err != nil {
		return PromotionRef{}, err
	}
	if strings.TrimSpace(p.Name) == "" {
		return PromotionRef{}, errors.New("creating a promotion: name is required")
	}
	start := time.Now().UTC().Truncate(time.Second)
	end := start.AddDate(0, 0, 364)
	var data map[string]any
	switch api {
	case RulePromotions:
		data = map[string]any{
			"type":        "rule_promotion",
			"name":        p.Name,
			"description": p.Name,
			"enabled":     false,
			"automatic":   p.Automatic,
			"start":       start.Format(time.RFC3339),
			"end":         end.Format(time.RFC3339),
			"rule_set": map[string]any{
				"rules": map[string]any{"strategy": "cart_total", "operator": "gte", "args": []any{0}},
				"actions": []any{
					map[string]any{"strategy": "cart_discount", "args": []any{"percent", 10}},
				},
			},
		}
	default:
		data = map[string]any{
			"type":           "promotion",
			"name":           p.Name,
			"description":    p.Name,
			"enabled":        true,
			"automatic":      p.Automatic,
			"promotion_type": "fixed_discount",
			"schema": map[string]any{
				"currencies": []any{map[string]any{"currency": "USD", "amount": 100}},
			},
			"start": start.Format(time.RFC3339),
			"end":   end.Format(time.RFC3339),
		}
	}
	var ans struct {
		Data *struct {
			ID string `json:"id"`
		} `json:"data"`
	}
	path := "/v2/" + string(api)
	if _, _, err := c.do(ctx, apiCall{
		method:   http.MethodPost,
		path:     path,
		jsonBody: map[string]any{"data": data},
		policy:   policyCreate,
		out:      &ans,
	}); err != nil {
		return PromotionRef{}, fmt.Errorf("creating a promotion: %w", err)
	}
	if ans.Data == nil || ans.Data.ID == "" {
		return PromotionRef{}, fmt.Errorf("creating a promotion: POST %s answered without data.id", path)
	}
	return PromotionRef{API: api, ID: ans.Data.ID}, nil
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

// Promotion is what plan-time checks need to know about a promotion.
type Promotion struct {
	Ref       PromotionRef
	Name      string
	Automatic bool // an automatic promotion takes no codes
}

type promotionAnswer struct {
	Data *struct {
		ID        string `json:"id"`
		Name      string `json:"name"`
		Automatic *bool  `json:"automatic"`
	} `json:"data"`
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
	return &Promotion{Ref: ref, Name: ans.Data.Name, Automatic: ans.Data.Automatic != nil && *ans.Data.Automatic}, nil
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

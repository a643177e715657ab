package epcc

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// codeItem accepts both documented shapes of a codes listing: Rule Promotions list one object per code
// ({"code": ...}); the Promotions Standard spec wraps them ({"data": {"codes": [...]}} or {"codes": [...]}).
type codeItem struct {
	ID                string       `json:"id"`
	Code              *string      `json:"code"`
	MaxUses           flexInt      `json:"max_uses"`
	Uses              flexInt      `json:"uses"`
	ConsumeUnit       string       `json:"consume_unit"`
	User              string       `json:"user"`
	MaxUsesPerShopper *shopperJSON `json:"max_uses_per_shopper"`
	IsForNewShopper   *bool        `json:"is_for_new_shopper"`
	Codes             []codeItem   `json:"codes"`
	Data              *codeItem    `json:"data"`
	Meta              struct {
		Timestamps struct {
			CreatedAt string `json:"created_at"`
		} `json:"timestamps"`
	} `json:"meta"`
}

func (it codeItem) collect(out []Code) []Code {
	if it.Code != nil && *it.Code != "" {
		code := Code{
			ID:              it.ID,
			Code:            *it.Code,
			MaxUses:         it.MaxUses.ptr(),
			Uses:            it.Uses.ptr(),
			ConsumeUnit:     it.ConsumeUnit,
			User:            it.User,
			IsForNewShopper: it.IsForNewShopper,
			CreatedAt:       parseTime(it.Meta.Timestamps.CreatedAt),
		}
		if s := it.MaxUsesPerShopper; s != nil {
			code.MaxUsesPerShopper, code.IncludesGuests = s.MaxUses.ptr(), s.IncludesGuests
		}
		out = append(out, code)
	}
	for _, c := range it.Codes {
		out = c.collect(out)
	}
	if it.Data != nil {
		out = it.Data.collect(out)
	}
	return out
}

// shopperJSON is a code's max_uses_per_shopper.
type shopperJSON struct {
	MaxUses        flexInt `json:"max_uses"`
	IncludesGuests *bool   `json:"includes_guests,omitempty"`
}

// Code is one promotion code as the API lists it. Nil fields were not reported (or are unset).
type Code struct {
	ID                string // Rule Promotions only
	Code              string
	MaxUses           *int64 // nil: unlimited or not reported
	Uses              *int64 // as the API reports it (Elastic Path reports the uses left)
	ConsumeUnit       string
	User              string
	MaxUsesPerShopper *int64 // Rule Promotions only
	IncludesGuests    *bool
	IsForNewShopper   *bool
	CreatedAt         time.Time
}

// NewCode is a hand-made code, as its create request carries it. Nil fields are not sent.
type NewCode struct {
	Code              string
	Uses              *int64
	User              string
	ConsumeUnit       string
	MaxUsesPerShopper *int64 // Rule Promotions only, with IncludesGuests
	IncludesGuests    *bool
	IsForNewShopper   *bool
}

type newCodeJSON struct {
	Code              string      `json:"code"`
	Uses              *int64      `json:"uses,omitempty"`
	User              string      `json:"user,omitempty"`
	ConsumeUnit       string      `json:"consume_unit,omitempty"`
	MaxUsesPerShopper *newShopper `json:"max_uses_per_shopper,omitempty"`
	IsForNewShopper   *bool       `json:"is_for_new_shopper,omitempty"`
}

type newShopper struct {
	MaxUses        *int64 `json:"max_uses,omitempty"`
	IncludesGuests *bool  `json:"includes_guests,omitempty"`
}

// codesAnswer is the answer to a create: Rule Promotions list the codes made, Standard the promotion; both
// may carry messages, such as a code that another promotion holds too.
type codesAnswer struct {
	Data     json.RawMessage `json:"data"`
	Messages []struct {
		Title       string `json:"title"`
		Description string `json:"description"`
		Source      struct {
			Codes []string `json:"codes"`
		} `json:"source"`
	} `json:"messages"`
}

// CreateCode adds one hand-made code to the promotion and returns the API's messages about it (a code that
// other promotions hold too is made, with a message). The POST is never sent twice: an answer lost on the
// way back is an *OutcomeUnknownError, for the caller to resolve with FindCode.
func (c *Client) CreateCode(ctx context.Context, ref PromotionRef, code NewCode) (messages []string, err error) {
	if err := ref.validate(); err != nil {
		return nil, err
	}
	item := newCodeJSON{Code: code.Code, Uses: code.Uses, User: code.User, ConsumeUnit: code.ConsumeUnit,
		IsForNewShopper: code.IsForNewShopper}
	if code.MaxUsesPerShopper != nil || code.IncludesGuests != nil {
		item.MaxUsesPerShopper = &newShopper{MaxUses: code.MaxUsesPerShopper, IncludesGuests: code.IncludesGuests}
	}
	body := map[string]any{"data": map[string]any{"type": "promotion_codes", "codes": []newCodeJSON{item}}}
	var ans codesAnswer
	if _, _, err := c.do(ctx, apiCall{method: http.MethodPost, path: ref.path() + "/codes", jsonBody: body,
		policy: policyCreate, out: &ans}); err != nil {
		return nil, err
	}
	for _, m := range ans.Messages {
		msg := m.Title
		if m.Description != "" {
			msg += ": " + m.Description
		}
		if len(m.Source.Codes) > 0 {
			msg += fmt.Sprintf(" (%s)", strings.Join(m.Source.Codes, ", "))
		}
		messages = append(messages, msg)
	}
	return messages, nil
}

// FindCode returns the promotion's code that matches code, as codes match, regardless of case; nil when the
// promotion holds none. It asks the API for that code alone (one request, however many codes the promotion
// holds); a code the filter syntax cannot carry is looked for among all of them.
func (c *Client) FindCode(ctx context.Context, ref PromotionRef, code string) (*Code, error) {
	if err := ref.validate(); err != nil {
		return nil, err
	}
	filter := ""
	if !strings.ContainsAny(code, "(),:'\" \t") {
		filter = "eq(code," + code + ")"
	}
	var found *Code
	err := c.eachPage(ctx, ref.path()+"/codes", filter, func(data json.RawMessage) (int, int, error) {
		items, err := decodeCodes(data)
		if err != nil {
			return 0, 0, err
		}
		var codes []Code
		for _, it := range items {
			codes = it.collect(codes)
		}
		for i := range codes {
			if found == nil && strings.EqualFold(codes[i].Code, code) {
				found = &codes[i]
			}
		}
		if found != nil {
			return len(items), 0, nil // stop: found
		}
		return len(items), len(codes), nil
	})
	return found, err
}

// DeleteCode deletes one hand-made code: by its id on Rule Promotions, by the code on Standard. One already
// gone is not an error.
func (c *Client) DeleteCode(ctx context.Context, ref PromotionRef, code Code) error {
	if err := ref.validate(); err != nil {
		return err
	}
	key := code.Code
	if ref.API == RulePromotions {
		key = code.ID
	}
	if strings.TrimSpace(key) == "" {
		return fmt.Errorf("deleting code %q of %s: no id to delete it by", code.Code, ref)
	}
	_, _, err := c.do(ctx, apiCall{method: http.MethodDelete, path: ref.path() + "/codes/" + url.PathEscape(key), policy: policyIdempotent})
	if err != nil && IsNotFound(err) {
		return nil
	}
	return err
}

// ListPromotionCodes returns the promotion's codes, all pages.
func (c *Client) ListPromotionCodes(ctx context.Context, ref PromotionRef) ([]Code, error) {
	if err := ref.validate(); err != nil {
		return nil, err
	}
	path := ref.path() + "/codes"
	var all []Code
	seen := map[string]bool{}
	err := c.eachPage(ctx, path, "", func(data json.RawMessage) (int, int, error) {
		items, err := decodeCodes(data)
		if err != nil {
			return 0, 0, fmt.Errorf("GET %s: %w", path, err)
		}
		var codes []Code
		for _, it := range items {
			codes = it.collect(codes)
		}
		added := 0
		for _, code := range codes {
			if !seen[code.Code] {
				seen[code.Code] = true
				all = append(all, code)
				added++
			}
		}
		// A wrapped Standard page counts one item for many codes: paging by item count, like the API does.
		return len(items), added, nil
	})
	return all, err
}

// decodeCodes reads a codes listing page's data in either documented shape (codeItem).
func decodeCodes(data json.RawMessage) ([]codeItem, error) {
	var items []codeItem
	var one codeItem
	switch {
	case len(data) == 0 || string(data) == "null":
	case json.Unmarshal(data, &items) == nil:
	case json.Unmarshal(data, &one) == nil:
		items = []codeItem{one}
	default:
		return nil, fmt.Errorf("unexpected codes listing: %s", bodySnippet(string(data), 120))
	}
	return items, nil
}

// listPage is one page of a listing, its items left raw for the caller.
type listPage struct {
	Data  json.RawMessage `json:"data"`
	Links *pageLinks      `json:"links"`
	Meta  *pageMeta       `json:"meta"`
}

// eachPage fetches every page of the listing at path, narrowed by filter when not empty, and hands each page's
// data to take, which says how many items the page held and how many of them were new (a listing that moves
// while it is read repeats some). Paging stops at an empty or repeating page, at the total the API reports,
// at a short page or where the API gives no next link.
func (c *Client) eachPage(ctx context.Context, path, filter string, take func(data json.RawMessage) (items, added int, err error)) error {
	offset, seen := 0, 0
	for page := 0; ; page++ {
		if page >= maxPages || offset > maxOffset {
			return fmt.Errorf("listing %s: more than %d items (%d pages), giving up", path, seen, page)
		}
		q := ""
		if filter != "" {
			q = "filter=" + escapeQueryValue(filter) + "&"
		}
		q += "page[limit]=" + strconv.Itoa(pageLimit) + "&page[offset]=" + strconv.Itoa(offset)
		var p listPage
		if _, _, err := c.do(ctx, apiCall{method: http.MethodGet, path: path, rawQuery: q, out: &p}); err != nil {
			return err
		}
		n, added, err := take(p.Data)
		if err != nil {
			return err
		}
		seen += added
		total := -1
		if p.Meta != nil && p.Meta.Results != nil && p.Meta.Results.Total.set {
			total = int(p.Meta.Results.Total.v)
		}
		switch {
		case n == 0, added == 0:
			return nil
		case total >= 0:
			if offset+n >= total || seen >= total {
				return nil
			}
		case n < pageLimit:
			return nil
		case p.Links != nil && (p.Links.Next == nil || *p.Links.Next == ""):
			return nil
		}
		offset += n
	}
}

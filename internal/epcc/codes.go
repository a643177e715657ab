package epcc

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"time"
)

// codeItem accepts both documented shapes of a codes listing: Rule Promotions list one object per code
// ({"code": ...}); the Promotions Standard spec wraps them ({"data": {"codes": [...]}} or {"codes": [...]}).
type codeItem struct {
	Code        *string    `json:"code"`
	MaxUses     flexInt    `json:"max_uses"`
	Uses        flexInt    `json:"uses"`
	ConsumeUnit string     `json:"consume_unit"`
	Codes       []codeItem `json:"codes"`
	Data        *codeItem  `json:"data"`
	Meta        struct {
		Timestamps struct {
			CreatedAt string `json:"created_at"`
		} `json:"timestamps"`
	} `json:"meta"`
}

func (it codeItem) collect(out []Code) []Code {
	if it.Code != nil && *it.Code != "" {
		out = append(out, Code{
			Code:        *it.Code,
			MaxUses:     it.MaxUses.ptr(),
			Uses:        it.Uses.ptr(),
			ConsumeUnit: it.ConsumeUnit,
			CreatedAt:   parseTime(it.Meta.Timestamps.CreatedAt),
		})
	}
	for _, c := range it.Codes {
		out = c.collect(out)
	}
	if it.Data != nil {
		out = it.Data.collect(out)
	}
	return out
}

// Code is one promotion code as the API lists it. Nil counts were not reported.
type Code struct {
	Code        string
	MaxUses     *int64 // nil: unlimited or not reported
	Uses        *int64 // as the API reports it (Elastic Path reports the uses left)
	ConsumeUnit string
	CreatedAt   time.Time
}

// ListCodes returns the promotion's code strings, all pages.
func (c *Client) ListCodes(ctx context.Context, ref PromotionRef) ([]string, error) {
	codes, err := c.ListPromotionCodes(ctx, ref)
	if err != nil {
		return nil, err
	}
	out := make([]string, len(codes))
	for i, code := range codes {
		out[i] = code.Code
	}
	return out, nil
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
		var items []codeItem
		var one codeItem
		switch {
		case len(data) == 0 || string(data) == "null":
		case json.Unmarshal(data, &items) == nil:
		case json.Unmarshal(data, &one) == nil:
			items = []codeItem{one}
		default:
			return 0, 0, fmt.Errorf("GET %s: unexpected codes listing: %s", path, bodySnippet(string(data), 120))
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

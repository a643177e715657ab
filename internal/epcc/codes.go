package epcc

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"time"
)

// codesPage accepts both documented shapes of a codes listing: Rule
// Promotions list one object per code ({"code": ...}); the Promotions
// Standard spec wraps them ({"data": {"codes": [...]}} or {"codes": [...]}).
type codesPage struct {
	Data  json.RawMessage `json:"data"`
	Links *pageLinks      `json:"links"`
	Meta  *pageMeta       `json:"meta"`
}

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
	offset := 0
	for page := 0; ; page++ {
		if page >= maxPages || offset > maxOffset {
			return nil, fmt.Errorf("listing codes of %s: more than %d codes (%d pages), giving up", ref, len(all), page)
		}
		q := "page[limit]=" + strconv.Itoa(pageLimit) + "&page[offset]=" + strconv.Itoa(offset)
		var p codesPage
		if _, _, err := c.do(ctx, apiCall{method: http.MethodGet, path: path, rawQuery: q, out: &p}); err != nil {
			return nil, err
		}
		var items []codeItem
		var one codeItem
		switch {
		case len(p.Data) == 0 || string(p.Data) == "null":
		case json.Unmarshal(p.Data, &items) == nil:
		case json.Unmarshal(p.Data, &one) == nil:
			items = []codeItem{one}
		default:
			return nil, fmt.Errorf("GET %s: unexpected codes listing: %s", path, bodySnippet(string(p.Data), 120))
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
		total := -1
		if p.Meta != nil && p.Meta.Results != nil && p.Meta.Results.Total.set {
			total = int(p.Meta.Results.Total.v)
		}
		// A wrapped Standard page counts one item for many codes: paging by
		// item count, like the API does.
		n := len(items)
		switch {
		case n == 0, added == 0:
			return all, nil
		case total >= 0:
			if offset+n >= total || len(all) >= total {
				return all, nil
			}
		case n < pageLimit:
			return all, nil
		case p.Links != nil && (p.Links.Next == nil || *p.Links.Next == ""):
			return all, nil
		}
		offset += n
	}
}

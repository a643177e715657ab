package epccsim

import (
	"fmt"
	"net/http"
	"net/url"
	"strconv"
)

const (
	defaultPageLimit = 25
	maxPageLimit     = 100
	maxPageOffset    = 10000
)

type page struct {
	limit, offset int
}

// parsePage reads page[limit] and page[offset]. A limit of 0 means the
// default, as when it is absent.
func parsePage(api apiKind, q url.Values) (page, reply, bool) {
	pg := page{limit: defaultPageLimit}
	bad := func(param, detail string) (page, reply, bool) {
		return page{}, api.apiErr(http.StatusBadRequest, "Bad Request", detail, param), false
	}
	if v := q.Get("page[limit]"); v != "" {
		n, err := strconv.Atoi(v)
		switch {
		case err != nil || n < 0:
			return bad("page[limit]", "page[limit] must be a non-negative integer")
		case n > maxPageLimit:
			return bad("page[limit]", fmt.Sprintf("page[limit] must be less than or equal to %d", maxPageLimit))
		case n > 0:
			pg.limit = n
		}
	}
	if v := q.Get("page[offset]"); v != "" {
		n, err := strconv.Atoi(v)
		switch {
		case err != nil || n < 0:
			return bad("page[offset]", "page[offset] must be a non-negative integer")
		case n > maxPageOffset:
			return bad("page[offset]", fmt.Sprintf("page[offset] must be less than or equal to %d", maxPageOffset))
		}
		pg.offset = n
	}
	return pg, reply{}, true
}

// slice returns the indexes of the page's items among total results.
func (pg page) slice(total int) []int {
	var idx []int
	for i := pg.offset; i < total && i < pg.offset+pg.limit; i++ {
		idx = append(idx, i)
	}
	return idx
}

// pageLinks are absolute URLs. "prev" is left out on the first page and
// "next" on the last: the specs type both as plain strings, so null would not
// conform.
type pageLinks struct {
	Current string `json:"current"`
	First   string `json:"first"`
	Last    string `json:"last"`
	Prev    string `json:"prev,omitempty"`
	Next    string `json:"next,omitempty"`
}

type pageMeta struct {
	Limit   int `json:"limit"`
	Offset  int `json:"offset"`
	Current int `json:"current"`
	Total   int `json:"total"`
}

type resultsMeta struct {
	Total int `json:"total"`
}

type listMeta struct {
	Page    pageMeta    `json:"page"`
	Results resultsMeta `json:"results"`
}

type listResponse[T any] struct {
	Data  []T       `json:"data"`
	Links pageLinks `json:"links"`
	Meta  listMeta  `json:"meta"`
}

func listBody[T any](r *http.Request, pg page, total int, items []T) listResponse[T] {
	pages := max(1, (total+pg.limit-1)/pg.limit)
	link := func(offset int) string {
		u := baseURL(r) + r.URL.Path + fmt.Sprintf("?page[offset]=%d&page[limit]=%d", offset, pg.limit)
		if f := r.URL.Query().Get("filter"); f != "" {
			u += "&filter=" + url.QueryEscape(f)
		}
		return u
	}
	links := pageLinks{
		Current: link(pg.offset),
		First:   link(0),
		Last:    link((pages - 1) * pg.limit),
	}
	if pg.offset > 0 {
		links.Prev = link(max(0, pg.offset-pg.limit))
	}
	if pg.offset+pg.limit < total {
		links.Next = link(pg.offset + pg.limit)
	}
	return listResponse[T]{
		Data:  items,
		Links: links,
		Meta: listMeta{
			Page:    pageMeta{Limit: pg.limit, Offset: pg.offset, Current: pg.offset/pg.limit + 1, Total: pages},
			Results: resultsMeta{Total: total},
		},
	}
}

// baseURL is the scheme and host the client used, so links point back at
// whichever listener served the request.
func baseURL(r *http.Request) string {
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	return scheme + "://" + r.Host
}

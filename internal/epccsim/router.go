package epccsim

import (
	"net/http"
	"strings"
)

type route struct {
	method  string
	pattern []string // path segments; "*" captures one segment
	handle  func(r *http.Request, args []string) reply
}

func (s *Server) buildRoutes() []route {
	rt := func(method, pattern string, h func(*http.Request, []string) reply) route {
		return route{method: method, pattern: splitPath(pattern), handle: h}
	}
	var routes []route
	routes = append(routes,
		rt(http.MethodPost, "/oauth/access_token", s.handleToken),
		rt(http.MethodGet, "/files/*", s.handleFileDownload),
	)
	for _, api := range []apiKind{standardAPI, ruleAPI} {
		base := api.basePath()
		routes = append(routes,
			rt(http.MethodPost, base, s.promotionCreate(api)),
			rt(http.MethodGet, base, s.promotionList(api)),
			rt(http.MethodGet, base+"/*", s.promotionGet(api)),
			rt(http.MethodPut, base+"/*", s.promotionUpdate(api)),
			rt(http.MethodDelete, base+"/*", s.promotionDelete(api)),
			rt(http.MethodGet, base+"/*/codes", s.codesList(api)),
			rt(http.MethodPost, base+"/*/codes", s.codesCreate(api)),
			rt(http.MethodDelete, base+"/*/codes/*", s.codeDelete(api)),
			rt(http.MethodGet, base+"/*/jobs", s.jobsList(api)),
			rt(http.MethodPost, base+"/*/jobs", s.jobCreate(api)),
			rt(http.MethodPost, base+"/*/jobs/*/cancel", s.jobCancel(api)),
			rt(http.MethodGet, base+"/*/jobs/*/file", s.jobFile(api)),
		)
	}
	return routes
}

func splitPath(p string) []string {
	return strings.Split(strings.TrimPrefix(p, "/"), "/")
}

// matchSegments matches a split path against a pattern and returns the
// segments the wildcards captured.
func matchSegments(pattern, segs []string) ([]string, bool) {
	if len(pattern) != len(segs) {
		return nil, false
	}
	var args []string
	for i, p := range pattern {
		switch {
		case p == "*":
			if segs[i] == "" {
				return nil, false
			}
			args = append(args, segs[i])
		case p != segs[i]:
			return nil, false
		}
	}
	return args, true
}

// pathMatches implements the pattern language shared by Fault.Path and
// RequestCount: "" matches everything, "*" matches one segment.
func pathMatches(pattern, path string) bool {
	if pattern == "" {
		return true
	}
	_, ok := matchSegments(splitPath(pattern), splitPath(path))
	return ok
}

func methodMatches(want, got string) bool {
	return want == "" || strings.EqualFold(want, got)
}

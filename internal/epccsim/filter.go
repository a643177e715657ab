package epccsim

import (
	"fmt"
	"strings"
)

// jobFilterAttrs are the only attributes job lists can be filtered on, and
// only with eq.
var jobFilterAttrs = []string{"job_type", "status"}

type condition struct {
	attr, value string
}

// conditions are ANDed together.
type conditions []condition

func (cs conditions) matches(j *job) bool {
	for _, c := range cs {
		var got string
		switch c.attr {
		case "job_type":
			got = j.jobType
		case "status":
			got = j.status
		}
		if got != c.value {
			return false
		}
	}
	return true
}

// parseJobFilter parses the service's filter syntax restricted to what job
// lists accept: eq(attr,value) clauses joined by ":". Spaces around the
// attribute and value are tolerated; values may be quoted.
func parseJobFilter(expr string) (conditions, error) {
	if strings.TrimSpace(expr) == "" {
		return nil, nil
	}
	var out conditions
	for _, clause := range strings.Split(expr, ":") {
		clause = strings.TrimSpace(clause)
		open := strings.IndexByte(clause, '(')
		if open <= 0 || !strings.HasSuffix(clause, ")") {
			return nil, fmt.Errorf("cannot parse %q: expected op(attribute,value)", clause)
		}
		op := strings.TrimSpace(clause[:open])
		inner := clause[open+1 : len(clause)-1]
		attr, value, ok := strings.Cut(inner, ",")
		if !ok || strings.ContainsAny(inner, "()") {
			return nil, fmt.Errorf("cannot parse %q: expected op(attribute,value)", clause)
		}
		attr = strings.TrimSpace(attr)
		value = unquote(strings.TrimSpace(value))
		if !oneOf(attr, jobFilterAttrs) {
			return nil, fmt.Errorf("unsupported attribute %q; supported: %s", attr, joinList(jobFilterAttrs))
		}
		if op != "eq" {
			return nil, fmt.Errorf("unsupported operator %q for %s; supported: eq", op, attr)
		}
		if value == "" || strings.Contains(value, ",") {
			return nil, fmt.Errorf("invalid value in %q", clause)
		}
		out = append(out, condition{attr: attr, value: value})
	}
	return out, nil
}

func unquote(v string) string {
	if len(v) >= 2 && (v[0] == '"' || v[0] == '\'') && v[len(v)-1] == v[0] {
		return v[1 : len(v)-1]
	}
	return v
}

// parseNameFilter parses a promotions list filter: like(name,'Summer *') or ilike(name,...), where * matches
// any run of characters; an empty filter matches every name.
func parseNameFilter(expr string) (func(name string) bool, error) {
	expr = strings.TrimSpace(expr)
	if expr == "" {
		return func(string) bool { return true }, nil
	}
	open := strings.IndexByte(expr, '(')
	if open <= 0 || !strings.HasSuffix(expr, ")") {
		return nil, fmt.Errorf("cannot parse %q: expected op(attribute,value)", expr)
	}
	op := strings.TrimSpace(expr[:open])
	attr, value, ok := strings.Cut(expr[open+1:len(expr)-1], ",")
	if !ok || strings.TrimSpace(attr) != "name" {
		return nil, fmt.Errorf("unsupported filter %q; supported: like(name,...), ilike(name,...)", expr)
	}
	pattern := unquote(strings.TrimSpace(value))
	fold := func(s string) string { return s }
	switch op {
	case "like":
	case "ilike":
		fold = strings.ToLower
	default:
		return nil, fmt.Errorf("unsupported operator %q for name; supported: like, ilike", op)
	}
	parts := strings.Split(fold(pattern), "*")
	return func(name string) bool {
		name = fold(name)
		if !strings.HasPrefix(name, parts[0]) {
			return false
		}
		name = name[len(parts[0]):]
		for i, part := range parts[1:] {
			if i == len(parts)-2 {
				return strings.HasSuffix(name, part)
			}
			at := strings.Index(name, part)
			if at < 0 {
				return false
			}
			name = name[at+len(part):]
		}
		return name == ""
	}, nil
}

// parseCodeFilter parses a codes list filter, eq(code,...); it returns the code, or "" for no filter.
func parseCodeFilter(expr string) (string, error) {
	expr = strings.TrimSpace(expr)
	if expr == "" {
		return "", nil
	}
	inner, ok := strings.CutPrefix(expr, "eq(")
	if !ok || !strings.HasSuffix(inner, ")") {
		return "", fmt.Errorf("cannot parse %q; supported: eq(code,...)", expr)
	}
	attr, value, ok := strings.Cut(strings.TrimSuffix(inner, ")"), ",")
	if !ok || strings.TrimSpace(attr) != "code" || strings.TrimSpace(value) == "" {
		return "", fmt.Errorf("cannot parse %q; supported: eq(code,...)", expr)
	}
	return unquote(strings.TrimSpace(value)), nil
}

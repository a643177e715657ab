package provider

import (
	"context"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/types/basetypes"
)

// A document the API answers with its empty defaults, in another order and number form, is the same, in both
// directions; a value changed, a key removed or a key added with a value is not.
func TestJSONDocumentSameness(t *testing.T) {
	before := `{"rules":{"strategy":"cart_total","args":[10000]},"actions":[{"strategy":"cart_discount","args":["percent",15]}]}`
	cases := map[string]bool{
		`{"actions":[{"args":["percent",15.0],"strategy":"cart_discount"}],"rules":{"args":[1e4],"strategy":"cart_total"}}`:                                  true,
		`{"rules":{"strategy":"cart_total","args":[10000],"children":[]},"actions":[{"strategy":"cart_discount","args":["percent",15]}],"catalog_ids":null}`: true,
		`{"rules":{"strategy":"cart_total","args":[10000]},"actions":[{"strategy":"cart_discount","args":["percent",15]}],"stackable":false,"x":0,"y":""}`:   true,
		`{"rules":{"strategy":"cart_total","args":[10001]},"actions":[{"strategy":"cart_discount","args":["percent",15]}]}`:                                  false,
		`{"rules":{"strategy":"cart_total","args":[10000]}}`: false,
		`{"rules":{"strategy":"cart_total","args":[10000]},"actions":[{"strategy":"cart_discount","args":["percent",15]}],"catalog_ids":["c1"]}`: false,
		`{"rules":{"strategy":"cart_total","args":[10000,0]},"actions":[{"strategy":"cart_discount","args":["percent",15]}]}`:                    false,
		`not json`: false,
	}
	for after, want := range cases {
		if got := jsonSame(context.Background(), basetypes.NewStringValue(before), basetypes.NewStringValue(after)); got != want {
			t.Errorf("%s: same = %v, want %v", after, got, want)
		}
		if got := jsonSame(context.Background(), basetypes.NewStringValue(after), basetypes.NewStringValue(before)); got != want {
			t.Errorf("%s, the other way: same = %v, want %v", after, got, want)
		}
	}
}

// Dates are instants: a plain date is midnight UTC, and an offset names the same instant as UTC.
func TestInstantSameness(t *testing.T) {
	cases := []struct {
		a, b string
		want bool
	}{
		{"2026-06-01", "2026-06-01T00:00:00Z", true},
		{"2026-06-01T02:00:00+02:00", "2026-06-01T00:00:00.000Z", true},
		{"2026-06-01", "2026-06-02", false},
		{"2026-06-01", "June 1st", false},
	}
	for _, c := range cases {
		if got := instantSame(context.Background(), basetypes.NewStringValue(c.a), basetypes.NewStringValue(c.b)); got != c.want {
			t.Errorf("%s ~ %s = %v, want %v", c.a, c.b, got, c.want)
		}
	}
}

package provider

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"math/big"
	"strings"
	"time"

	"github.com/hashicorp/terraform-plugin-framework-jsontypes/jsontypes"
	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/attr/xattr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/types/basetypes"
	"github.com/hashicorp/terraform-plugin-go/tftypes"
)

// jsonDocumentType is a JSON document written by the user (rule_set, schema) that the API stores and may
// fill with its defaults. It is valid JSON (jsontypes.Normalized's check), and two values are the same when
// they differ only in whitespace, key order, number forms, or in object keys one of them has with an empty
// value (null, false, 0, "", [] or {}): so neither a reformatted document nor the defaults the server adds
// are ever a diff or an inconsistent result, while a value anyone changes is.
type jsonDocumentType struct {
	jsontypes.NormalizedType
}

func (t jsonDocumentType) String() string { return "jsonDocumentType" }

func (t jsonDocumentType) ValueType(context.Context) attr.Value { return jsonDocument{} }

func (t jsonDocumentType) Equal(o attr.Type) bool {
	_, ok := o.(jsonDocumentType)
	return ok
}

func (t jsonDocumentType) ValueFromString(_ context.Context, in basetypes.StringValue) (basetypes.StringValuable, diag.Diagnostics) {
	return jsonDocument{Normalized: jsontypes.Normalized{StringValue: in}}, nil
}

func (t jsonDocumentType) ValueFromTerraform(ctx context.Context, in tftypes.Value) (attr.Value, error) {
	return stringFromTerraform(ctx, in, func(s basetypes.StringValue) attr.Value {
		return jsonDocument{Normalized: jsontypes.Normalized{StringValue: s}}
	})
}

// stringFromTerraform reads a Terraform string into the custom string value wrap makes of it.
func stringFromTerraform(ctx context.Context, in tftypes.Value, wrap func(basetypes.StringValue) attr.Value) (attr.Value, error) {
	v, err := basetypes.StringType{}.ValueFromTerraform(ctx, in)
	if err != nil {
		return nil, err
	}
	s, ok := v.(basetypes.StringValue)
	if !ok {
		return nil, fmt.Errorf("unexpected value type %T", v)
	}
	return wrap(s), nil
}

// jsonDocument is a value of jsonDocumentType.
type jsonDocument struct {
	jsontypes.Normalized
}

var (
	_ basetypes.StringValuableWithSemanticEquals = jsonDocument{}
	_ xattr.ValidateableAttribute                = jsonDocument{}
)

// newJSONDocument is a document as the API answers it, in the form jsonencode writes (sorted keys, no
// spaces), without the object keys that hold empty defaults: an imported document then reads as the
// configuration that would make it.
func newJSONDocument(raw []byte) jsonDocument {
	if len(raw) == 0 || string(raw) == "null" {
		return jsonDocument{Normalized: jsontypes.NewNormalizedNull()}
	}
	v, err := decodeJSON(string(raw))
	if err != nil {
		return jsonDocument{Normalized: jsontypes.NewNormalizedValue(string(raw))}
	}
	var out bytes.Buffer
	enc := json.NewEncoder(&out)
	enc.SetEscapeHTML(false)
	if enc.Encode(withoutEmpties(v)) != nil {
		return jsonDocument{Normalized: jsontypes.NewNormalizedValue(string(raw))}
	}
	return jsonDocument{Normalized: jsontypes.NewNormalizedValue(strings.TrimSuffix(out.String(), "\n"))}
}

// withoutEmpties drops, at every depth, the object keys whose values are empty (jsonEmpty).
func withoutEmpties(v any) any {
	switch x := v.(type) {
	case map[string]any:
		out := make(map[string]any, len(x))
		for k, e := range x {
			if !jsonEmpty(e) {
				out[k] = withoutEmpties(e)
			}
		}
		return out
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = withoutEmpties(e)
		}
		return out
	}
	return v
}

func (v jsonDocument) Type(context.Context) attr.Type { return jsonDocumentType{} }

func (v jsonDocument) Equal(o attr.Value) bool {
	other, ok := o.(jsonDocument)
	return ok && v.StringValue.Equal(other.StringValue)
}

// StringSemanticEquals tells whether newValuable says what v says (see jsonDocumentType).
func (v jsonDocument) StringSemanticEquals(_ context.Context, newValuable basetypes.StringValuable) (bool, diag.Diagnostics) {
	var diags diag.Diagnostics
	newValue, ok := newValuable.(jsonDocument)
	if !ok {
		diags.AddError("Semantic equality check error", fmt.Sprintf("expected a jsonDocument, got %T", newValuable))
		return false, diags
	}
	a, err1 := decodeJSON(v.ValueString())
	b, err2 := decodeJSON(newValue.ValueString())
	if err1 != nil || err2 != nil {
		return false, diags // not JSON: validation says so
	}
	return jsonEquivalent(a, b), diags
}

// decodeJSON decodes a document keeping numbers exact.
func decodeJSON(s string) (any, error) {
	dec := json.NewDecoder(bytes.NewReader([]byte(s)))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, err
	}
	return v, nil
}

// jsonEquivalent tells whether two documents say the same once object keys with empty values are left out on
// both sides: which side the defaults were added to (the server's answer, an imported state, the
// configuration) does not matter.
func jsonEquivalent(a, b any) bool {
	switch x := a.(type) {
	case map[string]any:
		y, ok := b.(map[string]any)
		if !ok {
			return false
		}
		for k, xv := range x {
			yv, ok := y[k]
			switch {
			case !ok && !jsonEmpty(xv):
				return false
			case ok && !jsonEquivalent(xv, yv):
				return false
			}
		}
		for k, yv := range y {
			if _, ok := x[k]; !ok && !jsonEmpty(yv) {
				return false
			}
		}
		return true
	case []any:
		y, ok := b.([]any)
		if !ok || len(x) != len(y) {
			return false
		}
		for i := range x {
			if !jsonEquivalent(x[i], y[i]) {
				return false
			}
		}
		return true
	case json.Number:
		y, ok := b.(json.Number)
		return ok && sameNumber(x, y)
	}
	return a == b
}

func sameNumber(a, b json.Number) bool {
	x, ok1 := new(big.Float).SetString(a.String())
	y, ok2 := new(big.Float).SetString(b.String())
	return ok1 && ok2 && x.Cmp(y) == 0
}

// jsonEmpty tells whether a value is what an unset key holds by default.
func jsonEmpty(v any) bool {
	switch x := v.(type) {
	case nil:
		return true
	case bool:
		return !x
	case string:
		return x == ""
	case json.Number:
		return sameNumber(x, "0")
	case []any:
		return len(x) == 0
	case map[string]any:
		return len(x) == 0
	}
	return false
}

// instantType is a point in time written as RFC 3339 ("2026-06-01T00:00:00Z") or as a plain date
// ("2026-06-01", midnight UTC), as the promotion APIs take it. Two values naming the same instant are the
// same, whatever their form: the API answers dates in a form of its own.
type instantType struct {
	basetypes.StringType
}

func (t instantType) String() string { return "instantType" }

func (t instantType) ValueType(context.Context) attr.Value { return instant{} }

func (t instantType) Equal(o attr.Type) bool {
	_, ok := o.(instantType)
	return ok
}

func (t instantType) ValueFromString(_ context.Context, in basetypes.StringValue) (basetypes.StringValuable, diag.Diagnostics) {
	return instant{StringValue: in}, nil
}

func (t instantType) ValueFromTerraform(ctx context.Context, in tftypes.Value) (attr.Value, error) {
	return stringFromTerraform(ctx, in, func(s basetypes.StringValue) attr.Value { return instant{StringValue: s} })
}

// instant is a value of instantType.
type instant struct {
	basetypes.StringValue
}

var (
	_ basetypes.StringValuableWithSemanticEquals = instant{}
	_ xattr.ValidateableAttribute                = instant{}
)

func newInstant(s string) instant {
	if s == "" {
		return instant{StringValue: basetypes.NewStringNull()}
	}
	return instant{StringValue: basetypes.NewStringValue(s)}
}

func (v instant) Type(context.Context) attr.Type { return instantType{} }

func (v instant) Equal(o attr.Value) bool {
	other, ok := o.(instant)
	return ok && v.StringValue.Equal(other.StringValue)
}

// time is the instant v names; ok is false while it is null, unknown or not a date.
func (v instant) time() (t time.Time, ok bool) {
	if v.IsNull() || v.IsUnknown() {
		return t, false
	}
	return parseInstant(v.ValueString())
}

func (v instant) StringSemanticEquals(_ context.Context, newValuable basetypes.StringValuable) (bool, diag.Diagnostics) {
	newValue, ok := newValuable.(instant)
	if !ok {
		return false, nil
	}
	a, ok1 := v.time()
	b, ok2 := newValue.time()
	return ok1 && ok2 && a.Equal(b), nil
}

func (v instant) ValidateAttribute(_ context.Context, req xattr.ValidateAttributeRequest, resp *xattr.ValidateAttributeResponse) {
	if v.IsNull() || v.IsUnknown() {
		return
	}
	if _, ok := parseInstant(v.ValueString()); !ok {
		resp.Diagnostics.AddAttributeError(req.Path, "Invalid date",
			fmt.Sprintf("%q is not a date: use RFC 3339 (2026-06-01T00:00:00Z, or with an offset) or a plain date "+
				"(2026-06-01, midnight UTC).", v.ValueString()))
	}
}

// parseInstant reads RFC 3339 or a plain date (midnight UTC).
func parseInstant(s string) (time.Time, bool) {
	for _, layout := range []string{time.RFC3339Nano, time.DateOnly} {
		if t, err := time.Parse(layout, s); err == nil {
			return t, true
		}
	}
	return time.Time{}, false
}

// sameAsState is a plan modifier that keeps the state's value when the configuration says the same thing in
// another form (a reformatted document, a date in another form): without it, plan would show an update that
// changes nothing.
func sameAsState(same func(ctx context.Context, state, config basetypes.StringValue) bool) planmodifier.String {
	return sameAsStateModifier{same: same}
}

type sameAsStateModifier struct {
	same func(ctx context.Context, state, config basetypes.StringValue) bool
}

func (m sameAsStateModifier) Description(context.Context) string {
	return "keeps the state's value when the configuration says the same in another form"
}

func (m sameAsStateModifier) MarkdownDescription(ctx context.Context) string {
	return m.Description(ctx)
}

func (m sameAsStateModifier) PlanModifyString(ctx context.Context, req planmodifier.StringRequest, resp *planmodifier.StringResponse) {
	if req.StateValue.IsNull() || req.StateValue.IsUnknown() || req.PlanValue.IsNull() || req.PlanValue.IsUnknown() {
		return
	}
	if m.same(ctx, req.StateValue, req.PlanValue) {
		resp.PlanValue = req.StateValue
	}
}

// jsonSame and instantSame are the semantic equalities of jsonDocument and instant, for sameAsState.
func jsonSame(ctx context.Context, state, config basetypes.StringValue) bool {
	eq, _ := jsonDocument{Normalized: jsontypes.Normalized{StringValue: state}}.StringSemanticEquals(ctx,
		jsonDocument{Normalized: jsontypes.Normalized{StringValue: config}})
	return eq
}

func instantSame(ctx context.Context, state, config basetypes.StringValue) bool {
	eq, _ := instant{StringValue: state}.StringSemanticEquals(ctx, instant{StringValue: config})
	return eq
}

// setter stores a resource's values: its state's Set, or its identity's.
type setter func(ctx context.Context, val any) diag.Diagnostics

// checkDates refuses an end that is not after the start, when both are known.
func checkDates(start, end instant) diag.Diagnostics {
	var diags diag.Diagnostics
	from, ok1 := start.time()
	to, ok2 := end.time()
	if ok1 && ok2 && !from.Before(to) {
		diags.AddAttributeError(path.Root("end"), "End not after start",
			fmt.Sprintf("end (%s) must be after start (%s).", end.ValueString(), start.ValueString()))
	}
	return diags
}

// keepForm keeps the form before (the plan, or the state) wrote a date or a document in, where the API's
// answer says the same in a form of its own.
func keepForm[V basetypes.StringValuableWithSemanticEquals](answered *V, before V) {
	if eq, _ := before.StringSemanticEquals(context.Background(), *answered); eq {
		*answered = before
	}
}

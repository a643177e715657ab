package epcc

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"strings"

	"github.com/hashicorp/terraform-plugin-log/tflog"
)

const (
	masked        = "***"
	maxLoggedBody = 8 << 10
)

// withMasks makes every log line written with the returned context replace
// the client secret and the current token, as a last line of defence behind
// the explicit masking of token bodies.
func (c *Client) withMasks(ctx context.Context) context.Context {
	secrets := []string{c.cfg.ClientSecret}
	c.tokenMu.Lock()
	if c.token != "" {
		secrets = append(secrets, c.token)
	}
	c.tokenMu.Unlock()
	var nonEmpty []string
	for _, s := range secrets {
		if len(s) >= 4 { // masking very short strings would shred every log line
			nonEmpty = append(nonEmpty, s)
		}
	}
	if len(nonEmpty) == 0 {
		return ctx
	}
	return tflog.MaskLogStrings(ctx, nonEmpty...)
}

// maskForm renders a form body with the secret hidden.
func maskForm(form url.Values) string {
	out := url.Values{}
	for k, vs := range form {
		if k == "client_secret" {
			out[k] = []string{masked}
			continue
		}
		out[k] = vs
	}
	return strings.ReplaceAll(out.Encode(), url.QueryEscape(masked), masked)
}

// maskTokenJSON hides token values in a token endpoint answer. A body that is
// not JSON is summarised by its size only.
func maskTokenJSON(body []byte) string {
	var v any
	if err := json.Unmarshal(body, &v); err != nil {
		return fmt.Sprintf("<%d bytes, not JSON>", len(body))
	}
	maskKeys(v)
	out, _ := json.Marshal(v)
	return string(out)
}

func maskKeys(v any) {
	switch t := v.(type) {
	case map[string]any:
		for k, child := range t {
			switch k {
			case "access_token", "refresh_token", "client_secret", "token":
				t[k] = masked
			default:
				maskKeys(child)
			}
		}
	case []any:
		for _, child := range t {
			maskKeys(child)
		}
	}
}

// truncateForLog keeps TRACE lines bounded.
func truncateForLog(s string) string {
	if len(s) <= maxLoggedBody {
		return s
	}
	return fmt.Sprintf("%s…(%d more bytes)", s[:maxLoggedBody], len(s)-maxLoggedBody)
}

// maskSignedURL hides the signature of an export file URL: whoever holds the
// signed URL can download every code until it expires.
func maskSignedURL(body []byte) string {
	var v map[string]any
	if err := json.Unmarshal(body, &v); err != nil {
		return fmt.Sprintf("<%d bytes, not JSON>", len(body))
	}
	for _, m := range []map[string]any{v, asMap(v["data"])} {
		if href, ok := m["href"].(string); ok {
			if i := strings.IndexByte(href, '?'); i >= 0 {
				m["href"] = href[:i] + "?" + masked
			}
		}
	}
	out, _ := json.Marshal(v)
	return string(out)
}

func asMap(v any) map[string]any {
	m, _ := v.(map[string]any)
	return m
}

package epcc

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/hashicorp/terraform-plugin-log/tflog"
)

const (
	tokenPath = "/oauth/access_token"
	// tokenRefreshMargin: a token is replaced this long before it expires, so
	// that a request never leaves with a token about to die in flight.
	tokenRefreshMargin = 60 * time.Second
	// defaultTokenLifetime applies when the answer gives no lifetime.
	defaultTokenLifetime = time.Hour
)

// tokenAnswer is the token endpoint's answer. It is documented flat; a
// `data` wrapper is accepted too.
type tokenAnswer struct {
	tokenFields
	Data *tokenFields `json:"data"`
}

type tokenFields struct {
	AccessToken string  `json:"access_token"`
	TokenType   string  `json:"token_type"`
	ExpiresIn   flexInt `json:"expires_in"`
	Expires     flexInt `json:"expires"`
}

func (a *tokenAnswer) fields() tokenFields {
	if a.AccessToken == "" && a.Data != nil {
		return *a.Data
	}
	return a.tokenFields
}

func (a *tokenAnswer) complete() error {
	if strings.TrimSpace(a.fields().AccessToken) == "" {
		return errors.New("it holds no access_token")
	}
	return nil
}

type issuedToken struct {
	value string
	exp   time.Time
}

// accessToken returns the cached token, or gets a new one. Concurrent callers
// share one token request.
func (c *Client) accessToken(ctx context.Context) (string, error) {
	c.tokenMu.Lock()
	if c.token != "" && c.now().Before(c.tokenExp.Add(-tokenRefreshMargin)) {
		t := c.token
		c.tokenMu.Unlock()
		return t, nil
	}
	c.tokenMu.Unlock()

	v, err := shared(ctx, &c.tokenSF, "token", func(ctx context.Context) (any, error) {
		// Another flight may have just refreshed it.
		c.tokenMu.Lock()
		if c.token != "" && c.now().Before(c.tokenExp.Add(-tokenRefreshMargin)) {
			t := issuedToken{c.token, c.tokenExp}
			c.tokenMu.Unlock()
			return t, nil
		}
		c.tokenMu.Unlock()
		t, err := c.fetchToken(ctx)
		if err != nil {
			return nil, err
		}
		c.tokenMu.Lock()
		c.token, c.tokenExp = t.value, t.exp
		c.tokenMu.Unlock()
		return t, nil
	})
	if err != nil {
		return "", err
	}
	tok, ok := v.(issuedToken)
	if !ok {
		return "", fmt.Errorf("token cache holds %T", v)
	}
	return tok.value, nil
}

// invalidateToken drops the cached token if it is still the one that got a
// 401, so that concurrent 401s cause one refresh.
func (c *Client) invalidateToken(used string) {
	c.tokenMu.Lock()
	if c.token == used {
		c.token = ""
		c.tokenExp = time.Time{}
	}
	c.tokenMu.Unlock()
}

func (c *Client) fetchToken(ctx context.Context) (issuedToken, error) {
	form := url.Values{
		"grant_type":    {"client_credentials"},
		"client_id":     {c.cfg.ClientID},
		"client_secret": {c.cfg.ClientSecret},
	}
	var ans tokenAnswer
	status, _, err := c.do(ctx, apiCall{
		method: http.MethodPost,
		path:   tokenPath,
		form:   form,
		policy: policyIdempotent,
		noAuth: true,
		out:    &ans,
	})
	received := c.now()
	if err != nil {
		var apiErr *APIError
		if errors.As(err, &apiErr) && (status == http.StatusUnauthorized || status == http.StatusBadRequest || status == http.StatusForbidden) {
			return issuedToken{}, fmt.Errorf("elastic path authentication failed, check the client credentials (client ID %q and client secret): %w", c.cfg.ClientID, err)
		}
		return issuedToken{}, fmt.Errorf("getting an Elastic Path access token: %w", err)
	}
	f := ans.fields()
	// expires_in is relative to our own receipt time, so a skewed local
	// clock does not matter; the absolute `expires` is the fallback.
	exp := received.Add(defaultTokenLifetime)
	switch {
	case f.ExpiresIn.set && f.ExpiresIn.v > 0:
		exp = received.Add(time.Duration(f.ExpiresIn.v) * time.Second)
	case f.Expires.set && f.Expires.v > 0:
		exp = time.Unix(f.Expires.v, 0)
	}
	tflog.Debug(ctx, "Elastic Path access token obtained", map[string]any{
		"expires_in_s": int64(exp.Sub(received) / time.Second),
	})
	return issuedToken{value: f.AccessToken, exp: exp}, nil
}

// flexInt decodes an integer sent as a JSON number or a numeric string.
type flexInt struct {
	v   int64
	set bool
}

func (f *flexInt) UnmarshalJSON(b []byte) error {
	s := strings.TrimSpace(string(b))
	if s == "null" {
		*f = flexInt{}
		return nil
	}
	if unq, err := strconv.Unquote(s); err == nil {
		s = strings.TrimSpace(unq)
		if s == "" {
			*f = flexInt{}
			return nil
		}
	}
	if n, err := strconv.ParseInt(s, 10, 64); err == nil {
		*f = flexInt{v: n, set: true}
		return nil
	}
	var fl float64
	if err := json.Unmarshal([]byte(s), &fl); err == nil && fl == float64(int64(fl)) {
		*f = flexInt{v: int64(fl), set: true}
		return nil
	}
	return fmt.Errorf("not an integer: %s", b)
}

func (f flexInt) ptr() *int64 {
	if !f.set {
		return nil
	}
	v := f.v
	return &v
}

package epccsim

import (
	"net/http"
	"net/url"
	"testing"
	"time"
)

func TestTokenIsFlatAndLastsTheLifetime(t *testing.T) {
	t.Parallel()
	h := newHarness(t, Options{TokenLifetime: 30 * time.Minute})
	r := h.tokenRequest(url.Values{
		"grant_type":    {"client_credentials"},
		"client_id":     {"epccsim-client-id"},
		"client_secret": {"epccsim-client-secret"},
	})
	if r.status != http.StatusOK {
		t.Fatalf("status %d: %s", r.status, r.body)
	}
	if _, wrapped := r.obj["data"]; wrapped {
		t.Errorf("token answer is wrapped in data: %s", r.body)
	}
	if r.obj["token_type"] != "Bearer" || r.obj["identifier"] != "client_credentials" {
		t.Errorf("token_type/identifier: %s", r.body)
	}
	if tok, _ := r.obj["access_token"].(string); len(tok) < 20 {
		t.Errorf("access_token %q too short", tok)
	}
	if num(r.obj["expires_in"]) != 1800 {
		t.Errorf("expires_in = %v, want 1800", r.obj["expires_in"])
	}
	if want := testStart.Add(30 * time.Minute).Unix(); int64(r.obj["expires"].(float64)) != want {
		t.Errorf("expires = %v, want %d", r.obj["expires"], want)
	}
}

func TestTokenDefaults(t *testing.T) {
	t.Parallel()
	s := New(Options{})
	if s.ClientID() != "epccsim-client-id" || s.ClientSecret() != "epccsim-client-secret" {
		t.Errorf("default credentials %q/%q", s.ClientID(), s.ClientSecret())
	}
	h := newHarness(t, Options{ClientID: "id-1", ClientSecret: "secret-1"})
	r := h.tokenRequest(url.Values{"grant_type": {"client_credentials"}, "client_id": {"id-1"}, "client_secret": {"secret-1"}})
	if r.status != http.StatusOK || num(r.obj["expires_in"]) != 3600 {
		t.Errorf("custom credentials: %d %s", r.status, r.body)
	}
}

func TestTokenRejectsBadRequests(t *testing.T) {
	t.Parallel()
	h := newHarness(t, Options{})
	cases := []struct {
		name   string
		form   url.Values
		status int
		title  string
	}{
		{"wrong secret", url.Values{"grant_type": {"client_credentials"}, "client_id": {"epccsim-client-id"}, "client_secret": {"nope"}}, 401, "Unauthorized"},
		{"missing secret", url.Values{"grant_type": {"client_credentials"}, "client_id": {"epccsim-client-id"}}, 401, "Unauthorized"},
		{"wrong client id", url.Values{"grant_type": {"client_credentials"}, "client_id": {"other"}, "client_secret": {"epccsim-client-secret"}}, 401, "Unauthorized"},
		{"unsupported grant", url.Values{"grant_type": {"password"}, "client_id": {"epccsim-client-id"}, "client_secret": {"epccsim-client-secret"}}, 400, "Bad Request"},
		{"missing grant", url.Values{"client_id": {"epccsim-client-id"}, "client_secret": {"epccsim-client-secret"}}, 400, "Bad Request"},
		{"missing client id", url.Values{"grant_type": {"client_credentials"}}, 400, "Bad Request"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			wantError(t, h.tokenRequest(c.form), c.status, true, c.title, "")
		})
	}
	if r := h.do(http.MethodGet, "/oauth/access_token", nil); r.status != http.StatusMethodNotAllowed {
		t.Errorf("GET token endpoint = %d, want 405", r.status)
	}
}

func TestBearerTokenIsRequired(t *testing.T) {
	t.Parallel()
	h := newHarness(t, Options{})
	id := h.createPromotion(ruleAPI, false)
	path := jobsPath(ruleAPI, id)
	for name, token := range map[string]string{"missing": "", "unknown": "0123456789abcdef0123456789abcdef01234567"} {
		t.Run(name, func(t *testing.T) {
			e := wantError(t, h.doWithToken(token, http.MethodGet, path, nil), 401, false, "Unauthorized", "")
			if e["detail"] != "Unable to validate access token" {
				t.Errorf("detail = %q", e["detail"])
			}
		})
	}
	req, _ := http.NewRequest(http.MethodGet, h.srv.URL+path, nil)
	req.Header.Set("Authorization", "Basic "+h.token)
	wantError(t, h.send(req), 401, false, "Unauthorized", "")
}

func TestTokenExpiresOnTheSimulatorClock(t *testing.T) {
	t.Parallel()
	h := newHarness(t, Options{TokenLifetime: time.Hour})
	path := jobsPath(standardAPI, h.createPromotion(standardAPI, false))
	h.clock.Advance(time.Hour - time.Second)
	if r := h.do(http.MethodGet, path, nil); r.status != http.StatusOK {
		t.Fatalf("token rejected before expiry: %d", r.status)
	}
	h.clock.Advance(time.Second)
	wantError(t, h.do(http.MethodGet, path, nil), 401, false, "Unauthorized", "")
}

func TestRevokeTokens(t *testing.T) {
	t.Parallel()
	h := newHarness(t, Options{})
	path := jobsPath(ruleAPI, h.createPromotion(ruleAPI, false))
	h.sim.RevokeTokens()
	wantError(t, h.do(http.MethodGet, path, nil), 401, false, "Unauthorized", "")

	// A fresh token works again.
	fresh := newHarnessToken(t, h)
	if r := h.doWithToken(fresh, http.MethodGet, path, nil); r.status != http.StatusOK {
		t.Errorf("new token after revoke: %d %s", r.status, r.body)
	}
}

func TestImplicitTokenCannotRunJobs(t *testing.T) {
	t.Parallel()
	h := newHarness(t, Options{})
	path := jobsPath(ruleAPI, h.createPromotion(ruleAPI, false))
	r := h.tokenRequest(url.Values{"grant_type": {"implicit"}, "client_id": {h.sim.ClientID()}})
	if r.status != http.StatusOK || r.obj["identifier"] != "implicit" {
		t.Fatalf("implicit token: %d %s", r.status, r.body)
	}
	wantError(t, h.doWithToken(r.obj["access_token"].(string), http.MethodGet, path, nil), 403, false, "Forbidden", "")
}

func newHarnessToken(t *testing.T, h *harness) string {
	t.Helper()
	r := h.tokenRequest(url.Values{
		"grant_type":    {"client_credentials"},
		"client_id":     {h.sim.ClientID()},
		"client_secret": {h.sim.ClientSecret()},
	})
	if r.status != http.StatusOK {
		t.Fatalf("token: %d %s", r.status, r.body)
	}
	return r.obj["access_token"].(string)
}

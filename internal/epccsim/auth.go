package epccsim

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/hex"
	"net/http"
	"strings"
	"time"
)

type token struct {
	grant   string // "client_credentials" or "implicit"
	expires time.Time
}

// tokenResponse is flat: the live service does not wrap it in "data",
// whatever the authentication spec shows (testdata/openapi/README.md fact 13).
type tokenResponse struct {
	AccessToken string `json:"access_token"`
	TokenType   string `json:"token_type"`
	ExpiresIn   int64  `json:"expires_in"`
	Expires     int64  `json:"expires"`
	Identifier  string `json:"identifier"`
}

// The authentication spec types Error.status as a string, so its errors do.
func authError(status int, title, detail string) reply {
	return strErr(status, title, detail, "")
}

func (s *Server) handleToken(r *http.Request, _ []string) reply {
	r.Body = http.MaxBytesReader(nil, r.Body, 1<<16)
	if err := r.ParseForm(); err != nil {
		return authError(http.StatusBadRequest, "Bad Request", "The request body could not be parsed as a form")
	}
	grant := r.PostForm.Get("grant_type")
	id := r.PostForm.Get("client_id")
	secret := r.PostForm.Get("client_secret")
	switch {
	case grant == "":
		return authError(http.StatusBadRequest, "Bad Request", "grant_type is required")
	case grant != "client_credentials" && grant != "implicit":
		return authError(http.StatusBadRequest, "Bad Request", "grant_type must be client_credentials or implicit")
	case id == "":
		return authError(http.StatusBadRequest, "Bad Request", "client_id is required")
	case !equal(id, s.opts.ClientID):
		return authError(http.StatusUnauthorized, "Unauthorized", "Invalid client credentials")
	case grant == "client_credentials" && !equal(secret, s.opts.ClientSecret):
		return authError(http.StatusUnauthorized, "Unauthorized", "Invalid client credentials")
	}

	now := s.now()
	tok := token{grant: grant, expires: now.Add(s.opts.TokenLifetime)}
	value := randomHex(20)
	s.mu.Lock()
	s.tokens[value] = tok
	s.mu.Unlock()
	return jsonReply(http.StatusOK, tokenResponse{
		AccessToken: value,
		TokenType:   "Bearer",
		ExpiresIn:   int64(s.opts.TokenLifetime / time.Second),
		Expires:     tok.expires.Unix(),
		Identifier:  grant,
	})
}

// RevokeTokens invalidates every token issued so far.
func (s *Server) RevokeTokens() {
	s.mu.Lock()
	s.tokens = map[string]token{}
	s.mu.Unlock()
}

// authorize checks the bearer token of a /v2 request.
func (s *Server) authorize(r *http.Request) (reply, bool) {
	scheme, value, ok := strings.Cut(r.Header.Get("Authorization"), " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") || value == "" {
		return unauthorized(), false
	}
	s.mu.Lock()
	tok, found := s.tokens[strings.TrimSpace(value)]
	s.mu.Unlock()
	if !found || !s.now().Before(tok.expires) {
		return unauthorized(), false
	}
	// Every route here is an administrative one: implicit tokens are read-only
	// storefront tokens and may not use them.
	if tok.grant != "client_credentials" {
		return numErr(http.StatusForbidden, "Forbidden", "This resource requires a client_credentials token", ""), false
	}
	return reply{}, true
}

func equal(a, b string) bool {
	return subtle.ConstantTimeCompare([]byte(a), []byte(b)) == 1
}

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// newUUID returns a random (version 4) UUID.
func newUUID() string {
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	h := hex.EncodeToString(b)
	return h[0:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:32]
}

package epcc

import (
	"strings"
	"testing"
	"time"
)

func TestValidateBaseURL(t *testing.T) {
	tests := []struct {
		in      string
		wantErr string // "" = valid
	}{
		{"https://useast.api.elasticpath.com", ""},
		{"https://euwest.api.elasticpath.com/", ""},
		{"https://example.com/prefix", ""},
		{"http://localhost", ""},
		{"http://localhost:8080", ""},
		{"http://LOCALHOST:8080/", ""},
		{"http://127.0.0.1:8080", ""},
		{"http://127.5.6.7", ""},
		{"http://[::1]", ""},
		{"http://[::1]:9000", ""},
		{"http://example.com", "clear text"},
		{"http://10.0.0.1:8080", "clear text"},
		{"http://localhost.example.com", "clear text"},
		{"ftp://example.com", "scheme"},
		{"", "empty"},
		{"   ", "empty"},
		{"garbage", "no scheme"},
		{"://nope", "does not parse"},
		{"https://", "no host"},
		{"https://example.com?x=1", "query"},
		{"https://example.com/#frag", "fragment"},
		{"https://user:pass@example.com", "user information"},
	}
	for _, tt := range tests {
		err := ValidateBaseURL(tt.in)
		if tt.wantErr == "" {
			if err != nil {
				t.Errorf("ValidateBaseURL(%q) = %v, want ok", tt.in, err)
			}
			continue
		}
		if err == nil {
			t.Errorf("ValidateBaseURL(%q) = nil, want error containing %q", tt.in, tt.wantErr)
			continue
		}
		if !strings.Contains(err.Error(), tt.wantErr) {
			t.Errorf("ValidateBaseURL(%q) = %q, want it to contain %q", tt.in, err, tt.wantErr)
		}
	}
	// The refusal explains itself.
	err := ValidateBaseURL("http://example.com")
	for _, want := range []string{"https://", "client secret", "clear text", "localhost"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("refusal %q does not mention %q", err, want)
		}
	}
}

func TestNewRequiresCredentials(t *testing.T) {
	tests := []struct {
		cfg  Config
		want []string
	}{
		{Config{ClientSecret: "s"}, []string{"client ID"}},
		{Config{ClientID: "id"}, []string{"client secret"}},
		{Config{}, []string{"client ID", "client secret"}},
		{Config{ClientID: "  ", ClientSecret: "s"}, []string{"client ID"}},
	}
	for _, tt := range tests {
		_, err := New(tt.cfg)
		if err == nil {
			t.Fatalf("New(%+v) = nil error", tt.cfg)
		}
		for _, w := range tt.want {
			if !strings.Contains(err.Error(), w) {
				t.Errorf("New error %q does not name %q", err, w)
			}
		}
	}
	if _, err := New(Config{BaseURL: "http://example.com", ClientID: "a", ClientSecret: "b"}); err == nil {
		t.Error("New accepted a plain http base URL")
	}
}

func TestNewDefaults(t *testing.T) {
	c, err := New(Config{ClientID: "a", ClientSecret: "b", MaxRetries: -1, RetryWaitMin: time.Second, RetryWaitMax: time.Millisecond, ReadCacheTTL: -1})
	if err != nil {
		t.Fatal(err)
	}
	if c.baseURL != DefaultBaseURL {
		t.Errorf("baseURL = %q", c.baseURL)
	}
	if c.cfg.MaxRetries != 0 {
		t.Errorf("negative MaxRetries should mean no retries, got %d", c.cfg.MaxRetries)
	}
	if c.cfg.ThrottleTimeout != defaultThrottleTimeout {
		t.Errorf("ThrottleTimeout = %v, want the default", c.cfg.ThrottleTimeout)
	}
	if c.cfg.RetryWaitMax != time.Second {
		t.Errorf("RetryWaitMax should be raised to RetryWaitMin, got %v", c.cfg.RetryWaitMax)
	}
	if c.cfg.ReadCacheTTL >= 0 {
		t.Errorf("negative ReadCacheTTL must stay disabled, got %v", c.cfg.ReadCacheTTL)
	}
	if c.userAgent != "terraform-provider-elasticpath-client" {
		t.Errorf("userAgent = %q", c.userAgent)
	}

	c, err = New(Config{BaseURL: "https://example.com/", ClientID: "a", ClientSecret: "b", UserAgent: "terraform-provider-elasticpath/1.2.0 Terraform/1.11.4"})
	if err != nil {
		t.Fatal(err)
	}
	if c.baseURL != "https://example.com" {
		t.Errorf("trailing slash kept: %q", c.baseURL)
	}
	cfg := c.cfg
	if cfg.MaxRetries != 4 || cfg.RequestTimeout != 30*time.Second || cfg.RetryWaitMin != 500*time.Millisecond ||
		cfg.RetryWaitMax != 30*time.Second || cfg.RateLimit != 20 || cfg.PollInterval != 250*time.Millisecond ||
		cfg.PollMaxInterval != 10*time.Second || cfg.ReadCacheTTL != 5*time.Second {
		t.Errorf("defaults not applied: %+v", cfg)
	}
	if c.http.HTTPClient.Timeout != 30*time.Second {
		t.Errorf("per-attempt timeout = %v", c.http.HTTPClient.Timeout)
	}
	if c.userAgent != "terraform-provider-elasticpath-client terraform-provider-elasticpath/1.2.0 Terraform/1.11.4" {
		t.Errorf("userAgent = %q", c.userAgent)
	}
}

package provider

import (
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/epcc-community/terraform-provider-elasticpath/internal/epcc"
)

func TestClientConfigPrefersAttributesOverEnvironment(t *testing.T) {
	t.Setenv(EnvClientID, "env-id")
	t.Setenv(EnvClientSecret, "env-secret")
	t.Setenv(EnvAPIBaseURL, "https://euwest.api.elasticpath.com")
	t.Setenv(EnvBetaFeatures, "beta")
	t.Setenv(EnvRequestTimeout, "45s")
	t.Setenv(EnvMaxRetries, "7")
	t.Setenv(EnvRateLimit, "5")

	cfg, diags := clientConfig(providerModel{ClientID: types.StringValue("attr-id")}, "1.2.3", "1.11.4")
	if diags.HasError() {
		t.Fatalf("unexpected diagnostics: %v", diags)
	}
	want := epcc.Config{
		ClientID: "attr-id", ClientSecret: "env-secret", BaseURL: "https://euwest.api.elasticpath.com",
		BetaFeatures: "beta", RequestTimeout: 45 * time.Second, MaxRetries: 7, RateLimit: 5,
		UserAgent: "terraform-provider-elasticpath/1.2.3 Terraform/1.11.4",
		HandOff:   true, // the processes Terraform runs one after another count each other's requests
	}
	if cfg != want {
		t.Fatalf("got %+v\nwant %+v", cfg, want)
	}
}

func TestClientConfigDefaultsAndZeroRetries(t *testing.T) {
	for _, env := range []string{EnvAPIBaseURL, EnvBetaFeatures, EnvRequestTimeout, EnvMaxRetries, EnvRateLimit} {
		t.Setenv(env, "")
	}
	cfg, diags := clientConfig(providerModel{
		ClientID: types.StringValue("id"), ClientSecret: types.StringValue("secret"), MaxRetries: types.Int64Value(0),
	}, "dev", "1.5.7")
	if diags.HasError() {
		t.Fatalf("unexpected diagnostics: %v", diags)
	}
	if cfg.BaseURL != epcc.DefaultBaseURL || cfg.RequestTimeout != defaultRequestTimeout || cfg.RateLimit != defaultRateLimit {
		t.Errorf("defaults not applied: %+v", cfg)
	}
	if cfg.MaxRetries >= 0 {
		t.Errorf("max_retries = 0 must disable retries (a negative client value), got %d", cfg.MaxRetries)
	}
}

func TestClientConfigReportsEveryBadValue(t *testing.T) {
	t.Setenv(EnvClientID, "")
	t.Setenv(EnvClientSecret, "")
	t.Setenv(EnvAPIBaseURL, "http://api.example.com")
	t.Setenv(EnvRequestTimeout, "soon")
	t.Setenv(EnvMaxRetries, "many")
	t.Setenv(EnvRateLimit, "0")
	_, diags := clientConfig(providerModel{}, "dev", "1.5.7")
	var all []string
	for _, d := range diags.Errors() {
		all = append(all, d.Summary()+": "+d.Detail())
	}
	text := strings.Join(all, "\n")
	for _, want := range []string{EnvClientID, EnvClientSecret, "client_id", "client_secret", "api_base_url",
		"Invalid Elastic Path API base URL", EnvRequestTimeout, EnvMaxRetries, EnvRateLimit} {
		if !strings.Contains(text, want) {
			t.Errorf("diagnostics do not mention %q:\n%s", want, text)
		}
	}
}

func TestParseImportID(t *testing.T) {
	const (
		p1 = "11111111-1111-4111-8111-111111111111"
		p2 = "22222222-2222-4222-8222-222222222222"
		j1 = "aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa"
		j2 = "BBBBBBBB-BBBB-4BBB-8BBB-BBBBBBBBBBBB"
	)
	for _, tc := range []struct {
		id      string
		ref     epcc.PromotionRef
		job     string
		wantErr bool
	}{
		{id: "rule-promotions/" + p1 + "/" + j1, ref: epcc.PromotionRef{API: epcc.RulePromotions, ID: p1}, job: j1},
		{id: "promotions/" + p2 + "/" + j2, ref: epcc.PromotionRef{API: epcc.PromotionsStandard, ID: p2}, job: j2},
		{id: j1, wantErr: true},
		{id: "rule-promotions/" + p1, wantErr: true},
		{id: "rule-promotions//" + j1, wantErr: true},
		{id: "rule-promotions/" + p1 + "/", wantErr: true},
		{id: "coupons/" + p1 + "/" + j1, wantErr: true},
		{id: "promotions/" + p1 + "/" + j1 + "/extra", wantErr: true},
		{id: "promotions/../" + j1, wantErr: true},
		{id: "promotions/" + p1 + "/x?y", wantErr: true},
		{id: "promotions/p1/j1", wantErr: true},
	} {
		ref, job, err := parseImportID(tc.id)
		if tc.wantErr {
			if err == nil || !strings.Contains(err.Error(), "rule-promotions/<rule_promotion_id>/<job_id>") {
				t.Errorf("%q: want an error naming the accepted shapes, got %v", tc.id, err)
			}
			continue
		}
		if err != nil || ref != tc.ref || job != tc.job {
			t.Errorf("%q: got %v %q %v", tc.id, ref, job, err)
		}
	}
}

// An identity names a job as the import ID does, under the same rules: exactly one of the promotion ids.
func TestJobIdentityParse(t *testing.T) {
	const p, j = "4a1b9c7e-2f3d-4e5a-8b6c-0d1e2f3a4b5c", "0d1e2f3a-4b5c-4a1b-9c7e-2f3d4e5a8b6c"
	str := func(s string) types.String {
		if s == "-" {
			return types.StringNull()
		}
		return types.StringValue(s)
	}
	for _, c := range []struct{ standard, rule, job, importID string }{
		{"-", p, j, "rule-promotions/" + p + "/" + j}, {p, "-", j, "promotions/" + p + "/" + j},
		{p, p, j, ""}, {"-", "-", j, ""}, {"..", "-", j, ""}, {p, "-", "x?y", ""}, {"-", p, "", ""},
	} {
		identity := jobIdentityModel{PromotionID: str(c.standard), RulePromotionID: str(c.rule), JobID: types.StringValue(c.job)}
		ref, job, err := identity.parse()
		if c.importID == "" {
			if err == nil || !strings.Contains(err.Error(), "exactly one of promotion_id") {
				t.Errorf("identity %+v: got %v %q %v, want an error saying what is accepted", c, ref, job, err)
			}
			continue
		}
		wantRef, wantJob, wantErr := parseImportID(c.importID)
		if err != nil || wantErr != nil || ref != wantRef || job != wantJob {
			t.Errorf("identity %+v: got %v %q %v; the import ID gives %v %q %v", c, ref, job, err, wantRef, wantJob, wantErr)
		}
		if newJobIdentity(ref, job) != identity {
			t.Errorf("identity %+v does not read back as itself", c)
		}
	}
}

package provider

import (
	"context"
	"fmt"
	"net/http/httptest"
	"os"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/providerserver"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"

	"github.com/epcc-community/terraform-provider-elasticpath/internal/epcc"
	"github.com/epcc-community/terraform-provider-elasticpath/internal/epccsim"
)

var testAccProviders = map[string]func() (tfprotov6.ProviderServer, error){
	"elasticpath": providerserver.NewProtocol6WithError(New("test")()),
}

// providerNamespace is the provider's namespace in its registry address. The test framework serves the
// provider under TF_ACC_PROVIDER_NAMESPACE, and providerSource names the same address in every configuration:
// without it OpenTofu would look for hashicorp/elasticpath.
const providerNamespace = "epcc-community"

const providerSource = `terraform {
  required_providers {
    elasticpath = { source = "` + providerNamespace + `/elasticpath" }
  }
}
`

// TestMain runs the tests, or with -sweep the sweepers (make sweep).
func TestMain(m *testing.M) {
	if os.Getenv("TF_ACC_PROVIDER_NAMESPACE") == "" {
		if err := os.Setenv("TF_ACC_PROVIDER_NAMESPACE", providerNamespace); err != nil {
			panic(err)
		}
	}
	resource.TestMain(m)
}

// accEnv is where an acceptance test runs: the in-process simulator by default, or a real store when
// EPCC_CLIENT_ID, EPCC_CLIENT_SECRET and EPCC_API_BASE_URL are all set.
type accEnv struct {
	sim    *epccsim.Server // nil against a real store
	client *epcc.Client
	// baseURL is the API the tests talk to.
	baseURL string
	// provider is the HCL provider block every test configuration starts with.
	provider string
}

func realStore() bool {
	return os.Getenv(EnvClientID) != "" && os.Getenv(EnvClientSecret) != "" && os.Getenv(EnvAPIBaseURL) != ""
}

// newAccEnv starts a simulator with opts (ignored against a real store).
func newAccEnv(t *testing.T, opts epccsim.Options) *accEnv {
	t.Helper()
	if os.Getenv("TF_ACC") == "" {
		t.Skip("acceptance test: set TF_ACC=1 (make test does)")
	}
	env := &accEnv{}
	cfg := epcc.Config{
		BaseURL:      os.Getenv(EnvAPIBaseURL),
		ClientID:     os.Getenv(EnvClientID),
		ClientSecret: os.Getenv(EnvClientSecret),
		PollInterval: 50 * time.Millisecond,
		ReadCacheTTL: -1,
	}
	if realStore() {
		env.provider = providerSource + "provider \"elasticpath\" {}\n"
	} else {
		env.sim = epccsim.New(opts)
		srv := httptest.NewServer(env.sim)
		t.Cleanup(srv.Close)
		cfg.BaseURL, cfg.ClientID, cfg.ClientSecret = srv.URL, env.sim.ClientID(), env.sim.ClientSecret()
		env.provider = providerSource + fmt.Sprintf(`provider "elasticpath" {
  api_base_url  = %q
  client_id     = %q
  client_secret = %q
}
`, srv.URL, env.sim.ClientID(), env.sim.ClientSecret())
	}
	env.baseURL = cfg.BaseURL
	client, err := epcc.New(cfg)
	if err != nil {
		t.Fatalf("test client: %v", err)
	}
	env.client = client
	return env
}

// needsSim skips a test that scripts the simulator (faults, timing) when running against a real store.
func (e *accEnv) needsSim(t *testing.T) {
	t.Helper()
	if e.sim == nil {
		t.Skip("scripts the simulator's faults or timing; not run against a real store")
	}
}

// promotion creates a disposable promotion of the given API, removed when the test ends.
func (e *accEnv) promotion(t *testing.T, api epcc.API, automatic bool) string {
	t.Helper()
	ctx := context.Background()
	ref, err := e.client.CreatePromotion(ctx, api, epcc.NewPromotion{Name: testPrefix + t.Name(), Automatic: automatic})
	if err != nil {
		t.Fatalf("create %s promotion: %v", api, err)
	}
	t.Cleanup(func() {
		if err := e.client.DeletePromotion(context.Background(), ref); err != nil {
			t.Errorf("delete promotion %s: %v", ref, err)
		}
	})
	return ref.ID
}

// rulePromotion creates a disposable Rule Promotion that takes codes, removed when the test ends.
func (e *accEnv) rulePromotion(t *testing.T) (string, epcc.PromotionRef) {
	t.Helper()
	id := e.promotion(t, epcc.RulePromotions, false)
	return id, epcc.PromotionRef{API: epcc.RulePromotions, ID: id}
}

// generate makes n codes with a prefix on a promotion, straight through the API.
func (e *accEnv) generate(t *testing.T, ref epcc.PromotionRef, n int64, prefix string) {
	t.Helper()
	e.startAndWait(t, ref, epcc.CreateJobRequest{Type: epcc.JobTypeGenerate,
		Parameters: &epcc.JobParameters{NumberOfCodes: &n, CodePrefix: prefix}})
}

// config prefixes a test configuration with the provider block.
func (e *accEnv) config(format string, args ...any) string {
	return e.provider + fmt.Sprintf(format, args...)
}

// configWith is config with provider settings added to the provider block, e.g. "rate_limit = 1000".
func (e *accEnv) configWith(settings, format string, args ...any) string {
	return strings.Replace(e.config(format, args...), `provider "elasticpath" {`, `provider "elasticpath" {`+"\n  "+settings, 1)
}

// jobs lists a promotion's jobs straight from the API, for checks that must not trust the state.
func (e *accEnv) jobs(t *testing.T, ref epcc.PromotionRef) []epcc.Job {
	t.Helper()
	jobs, err := e.client.ListJobs(context.Background(), ref, epcc.JobFilter{})
	if err != nil {
		t.Fatalf("list jobs of %s: %v", ref, err)
	}
	return jobs
}

// wrapped compiles an expected-error pattern whose spaces also match the line breaks Terraform puts into
// long diagnostics.
func wrapped(pattern string) *regexp.Regexp {
	return regexp.MustCompile(`(?s)` + strings.ReplaceAll(pattern, " ", `\s+`))
}

// codeStrings is the codes of a listing as strings.
func codeStrings(codes []epcc.Code, err error) ([]string, error) {
	out := make([]string, len(codes))
	for i, c := range codes {
		out[i] = c.Code
	}
	return out, err
}

// identityChecks are state checks of resource identities, left out on a CLI that knows none (identities).
func identityChecks(t *testing.T, checks ...statecheck.StateCheck) []statecheck.StateCheck {
	if !identities(t) {
		return nil
	}
	return checks
}

// identityImport is step imported by the resource's identity, left out on a CLI that knows none.
func identityImport(t *testing.T, step resource.TestStep) []resource.TestStep {
	if !identities(t) {
		return nil
	}
	step.ImportState, step.ImportStateKind = true, resource.ImportBlockWithResourceIdentity
	return []resource.TestStep{step}
}

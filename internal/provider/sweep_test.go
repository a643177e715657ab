package provider

import (
	"context"
	"fmt"
	"net/http/httptest"
	"os"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"

	"github.com/epcc-community/terraform-provider-elasticpath/internal/epcc"
	"github.com/epcc-community/terraform-provider-elasticpath/internal/epccsim"
)

// testPrefix starts the name of everything the acceptance tests make in a store, so that a sweep finds what an
// interrupted run left.
const testPrefix = "tf-acc "

func init() {
	resource.AddTestSweepers("elasticpath_promotions", &resource.Sweeper{
		Name: "elasticpath_promotions",
		F:    func(string) error { return sweepPromotions(context.Background()) },
	})
}

// sweepPromotions deletes, from the store the EPCC_* variables name, every promotion of either API whose name
// starts with testPrefix, with its codes and jobs.
func sweepPromotions(ctx context.Context) error {
	client, err := epcc.New(epcc.Config{
		BaseURL: os.Getenv(EnvAPIBaseURL), ClientID: os.Getenv(EnvClientID), ClientSecret: os.Getenv(EnvClientSecret),
	})
	if err != nil {
		return fmt.Errorf("sweeping needs a store: set %s, %s and %s: %w", EnvAPIBaseURL, EnvClientID, EnvClientSecret, err)
	}
	var failed []string
	for _, api := range []epcc.API{epcc.RulePromotions, epcc.PromotionsStandard} {
		all, err := client.FindPromotions(ctx, api, "")
		if err != nil {
			return err
		}
		for _, p := range all {
			if !strings.HasPrefix(p.Name, testPrefix) {
				continue
			}
			if err := client.DeletePromotion(ctx, p.Ref); err != nil {
				failed = append(failed, fmt.Sprintf("%s (%q): %v", p.Ref, p.Name, err))
			}
		}
	}
	if len(failed) > 0 {
		return fmt.Errorf("could not delete %d promotions: %s", len(failed), strings.Join(failed, "; "))
	}
	return nil
}

// The sweep deletes what the tests name, and nothing else.
func TestSweepDeletesOnlyTestPromotions(t *testing.T) {
	sim := epccsim.New(epccsim.Options{})
	srv := httptest.NewServer(sim)
	defer srv.Close()
	t.Setenv(EnvAPIBaseURL, srv.URL)
	t.Setenv(EnvClientID, sim.ClientID())
	t.Setenv(EnvClientSecret, sim.ClientSecret())
	client, err := epcc.New(epcc.Config{BaseURL: srv.URL, ClientID: sim.ClientID(), ClientSecret: sim.ClientSecret()})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	for _, name := range []string{testPrefix + "left behind", "Summer 2026"} {
		for _, api := range []epcc.API{epcc.RulePromotions, epcc.PromotionsStandard} {
			if _, err := client.CreatePromotion(ctx, api, epcc.NewPromotion{Name: name}); err != nil {
				t.Fatal(err)
			}
		}
	}
	if err := sweepPromotions(ctx); err != nil {
		t.Fatal(err)
	}
	for _, api := range []epcc.API{epcc.RulePromotions, epcc.PromotionsStandard} {
		left, err := client.FindPromotions(ctx, api, "")
		if err != nil {
			t.Fatal(err)
		}
		if len(left) != 1 || left[0].Name != "Summer 2026" {
			t.Errorf("%s after the sweep: %+v, want only Summer 2026", api, left)
		}
	}
}

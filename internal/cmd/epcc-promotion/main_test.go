package main

import (
	"context"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/epcc-community/terraform-provider-elasticpath/internal/epcc"
	"github.com/epcc-community/terraform-provider-elasticpath/internal/epccsim"
)

func TestCreateThenDeleteBothAPIs(t *testing.T) {
	sim := epccsim.New(epccsim.Options{})
	srv := httptest.NewServer(sim)
	defer srv.Close()
	t.Setenv("EPCC_API_BASE_URL", srv.URL)
	t.Setenv("EPCC_CLIENT_ID", sim.ClientID())
	t.Setenv("EPCC_CLIENT_SECRET", sim.ClientSecret())
	client, err := epcc.New(epcc.Config{BaseURL: srv.URL, ClientID: sim.ClientID(), ClientSecret: sim.ClientSecret()})
	if err != nil {
		t.Fatal(err)
	}

	for _, api := range []epcc.API{epcc.RulePromotions, epcc.PromotionsStandard} {
		var out strings.Builder
		if err := run([]string{"create", "-api", string(api), "-name", "cmd test"}, &out); err != nil {
			t.Fatalf("create on %s: %v", api, err)
		}
		ref := epcc.PromotionRef{API: api, ID: strings.TrimSpace(out.String())}
		if _, err := client.ListJobs(context.Background(), ref, epcc.JobFilter{}); err != nil {
			t.Fatalf("the printed id %q is not a %s promotion: %v", ref.ID, api, err)
		}
		if err := run([]string{"delete", "-api", string(api), ref.ID}, &out); err != nil {
			t.Fatalf("delete on %s: %v", api, err)
		}
		if _, err := client.ListJobs(context.Background(), ref, epcc.JobFilter{}); !epcc.IsNotFound(err) {
			t.Errorf("promotion %s still there after delete: %v", ref, err)
		}
	}
}

func TestBadArguments(t *testing.T) {
	t.Setenv("EPCC_API_BASE_URL", "http://127.0.0.1:1")
	t.Setenv("EPCC_CLIENT_ID", "id")
	t.Setenv("EPCC_CLIENT_SECRET", "secret")
	for _, tc := range []struct {
		args []string
		want string
	}{
		{nil, "usage"},
		{[]string{"create", "-api", "coupons"}, "-api must be"},
		{[]string{"delete"}, "needs the promotion id"},
		{[]string{"rename"}, `unknown command "rename"`},
	} {
		err := run(tc.args, &strings.Builder{})
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("run(%q) = %v, want an error containing %q", tc.args, err, tc.want)
		}
	}
}

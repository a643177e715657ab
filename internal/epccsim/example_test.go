package epccsim_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"time"

	"github.com/epcc-community/terraform-provider-elasticpath/internal/epccsim"
)

// A client test starts the simulator behind httptest, drives time with a
// ManualClock and scripts failures with Faults.
func Example() {
	clock := epccsim.NewManualClock(time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC))
	sim := epccsim.New(epccsim.Options{Clock: clock})
	srv := httptest.NewServer(sim)
	defer srv.Close()

	res, _ := http.PostForm(srv.URL+"/oauth/access_token", url.Values{
		"grant_type":    {"client_credentials"},
		"client_id":     {sim.ClientID()},
		"client_secret": {sim.ClientSecret()},
	})
	_ = res.Body.Close()
	fmt.Println("token:", res.StatusCode)

	// The next job POST on any rule promotion answers 503 once.
	sim.Faults().Add(epccsim.Fault{
		Method: http.MethodPost,
		Path:   "/v2/rule-promotions/*/jobs",
		Kind:   epccsim.FaultStatus,
		Status: http.StatusServiceUnavailable,
		Times:  1,
	})
	res, _ = http.Post(srv.URL+"/v2/rule-promotions/some-id/jobs", "application/json", strings.NewReader(`{}`))
	_ = res.Body.Close()
	fmt.Println("faulted:", res.StatusCode, sim.RequestCount(http.MethodPost, "/v2/rule-promotions/*/jobs"))

	// Output:
	// token: 200
	// faulted: 503 1
}

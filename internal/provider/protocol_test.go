package provider

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/providerserver"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-go/tftypes"

	"github.com/epcc-community/terraform-provider-elasticpath/internal/epcc"
	"github.com/epcc-community/terraform-provider-elasticpath/internal/epccsim"
)

// objectOf builds a value of an object type from the given attributes, every other attribute null.
func objectOf(t *testing.T, typ tftypes.Type, attrs map[string]tftypes.Value) tfprotov6.DynamicValue {
	t.Helper()
	obj := typ.(tftypes.Object)
	vals := map[string]tftypes.Value{}
	for name, at := range obj.AttributeTypes {
		vals[name] = tftypes.NewValue(at, nil)
		if v, ok := attrs[name]; ok {
			vals[name] = v
		}
	}
	dv, err := tfprotov6.NewDynamicValue(typ, tftypes.NewValue(typ, vals))
	if err != nil {
		t.Fatal(err)
	}
	return dv
}

// protocolServer serves the provider through the plugin protocol, for checks the test framework cannot make
// (it does not show warnings).
func protocolServer(t *testing.T) (tfprotov6.ProviderServer, *tfprotov6.GetProviderSchemaResponse) {
	t.Helper()
	server, err := providerserver.NewProtocol6WithError(New("test")())()
	if err != nil {
		t.Fatal(err)
	}
	schemas, err := server.GetProviderSchema(context.Background(), &tfprotov6.GetProviderSchemaRequest{})
	if err != nil {
		t.Fatal(err)
	}
	return server, schemas
}

func str(s string) tftypes.Value { return tftypes.NewValue(tftypes.String, s) }

func num(n int64) tftypes.Value { return tftypes.NewValue(tftypes.Number, n) }

// warningsOf returns the warnings' summaries and details, failing the test on an error.
func warningsOf(t *testing.T, diags []*tfprotov6.Diagnostic) string {
	t.Helper()
	var b strings.Builder
	for _, d := range diags {
		if d.Severity == tfprotov6.DiagnosticSeverityError {
			t.Fatalf("error: %s: %s", d.Summary, d.Detail)
		}
		b.WriteString(d.Summary + ": " + d.Detail + "\n")
	}
	return b.String()
}

// A job whose create stopped waiting while it ran, and which completed since, is kept on refresh with a
// warning that tells how to keep it rather than generate its codes again. The warning is given once: the
// marker is cleared from the private state. (Terraform's test framework does not show warnings, so this
// drives the provider through the plugin protocol.)
func TestReadWarnsWhenJobCompletedAfterWaitStopped(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	sim := epccsim.New(epccsim.Options{})
	srv := httptest.NewServer(sim)
	defer srv.Close()
	client, err := epcc.New(epcc.Config{BaseURL: srv.URL, ClientID: sim.ClientID(), ClientSecret: sim.ClientSecret(), ReadCacheTTL: -1})
	if err != nil {
		t.Fatal(err)
	}
	ref, err := client.CreatePromotion(ctx, epcc.RulePromotions, epcc.NewPromotion{Name: "wait stopped"})
	if err != nil {
		t.Fatal(err)
	}
	n := int64(5)
	job, err := client.StartJob(ctx, ref, epcc.CreateJobRequest{Type: epcc.JobTypeGenerate, Parameters: &epcc.JobParameters{NumberOfCodes: &n}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := client.WaitJob(ctx, ref, job.ID, nil); err != nil {
		t.Fatal(err)
	}

	server, schemas := protocolServer(t)
	configured, err := server.ConfigureProvider(ctx, &tfprotov6.ConfigureProviderRequest{
		Config: ptr(objectOf(t, schemas.Provider.ValueType(), map[string]tftypes.Value{
			"api_base_url": str(srv.URL), "client_id": str(sim.ClientID()), "client_secret": str(sim.ClientSecret()),
		})),
	})
	if err != nil || len(configured.Diagnostics) > 0 {
		t.Fatalf("configure: %v %+v", err, configured.Diagnostics)
	}
	state := ptr(objectOf(t, schemas.ResourceSchemas["elasticpath_promotion_job"].ValueType(), map[string]tftypes.Value{
		"id": str(job.ID), "rule_promotion_id": str(ref.ID), "job_type": str(epcc.JobTypeGenerate), "status": str(epcc.StatusProcessing),
	}))
	marker, _ := json.Marshal(map[string][]byte{privateWaitStopped: []byte(`true`)})

	for _, c := range []struct {
		name    string
		private []byte
		warns   bool
	}{{"marked", marker, true}, {"unmarked", nil, false}} {
		t.Run(c.name, func(t *testing.T) {
			read, err := server.ReadResource(ctx, &tfprotov6.ReadResourceRequest{
				TypeName: "elasticpath_promotion_job", CurrentState: state, Private: c.private,
			})
			if err != nil {
				t.Fatal(err)
			}
			w := warningsOf(t, read.Diagnostics)
			warned := strings.Contains(w, "completed after Terraform stopped waiting") &&
				strings.Contains(w, job.ID) && strings.Contains(w, "terraform untaint")
			if warned != c.warns {
				t.Errorf("warned = %v, want %v (diagnostics %+v)", warned, c.warns, read.Diagnostics)
			}
			if read.NewState == nil {
				t.Fatal("the job left the state")
			}
			if strings.Contains(string(read.Private), privateWaitStopped) {
				t.Errorf("the marker stays in the private state after the warning: %s", read.Private)
			}
		})
	}
}

func ptr[T any](v T) *T { return &v }

// A plan that replaces a completed code_generate job warns that a new batch is made and the old codes remain;
// a plan that changes nothing, or replaces an export, does not.
func TestPlanWarnsWhenReplacingCompletedGenerateJob(t *testing.T) {
	ctx := context.Background()
	server, schemas := protocolServer(t)
	typ := schemas.ResourceSchemas["elasticpath_promotion_job"].ValueType()
	paramsType := typ.(tftypes.Object).AttributeTypes["parameters"]
	params := func(n int64) tftypes.Value {
		return tftypes.NewValue(paramsType, map[string]tftypes.Value{
			"number_of_codes": num(n), "code_length": num(8), "max_uses_per_code": tftypes.NewValue(tftypes.Number, nil),
			"consume_unit": tftypes.NewValue(tftypes.String, nil), "code_prefix": tftypes.NewValue(tftypes.String, nil),
		})
	}
	const promo, jobID = "4a1b9c7e-2f3d-4e5a-8b6c-0d1e2f3a4b5c", "9f8e7d6c-5b4a-4392-8170-6e5d4c3b2a19"
	job := func(jobType, name string, p tftypes.Value, done bool) map[string]tftypes.Value {
		m := map[string]tftypes.Value{"rule_promotion_id": str(promo), "job_type": str(jobType), "name": str(name)}
		if p.Type() != nil {
			m["parameters"] = p
		}
		if done {
			m["id"], m["status"], m["generated_codes"] = str(jobID), str("completed"), num(300)
		}
		return m
	}
	for _, c := range []struct {
		name        string
		prior, next map[string]tftypes.Value
		want        string // "" for no warning
	}{
		{"more codes", job("code_generate", "summer", params(300), true), job("code_generate", "summer", params(500), false),
			"replaces job " + jobID + ", which generated 300 codes: the new job generates 500 new codes"},
		{"new name", job("code_generate", "summer", params(300), true), job("code_generate", "autumn", params(300), false),
			"the new job generates 300 new codes, and the 300 codes of job " + jobID + " remain"},
		{"unchanged", job("code_generate", "summer", params(300), true), job("code_generate", "summer", params(300), false), ""},
		{"export", job("code_export", "x", tftypes.Value{}, true), job("code_export", "y", tftypes.Value{}, false), ""},
	} {
		t.Run(c.name, func(t *testing.T) {
			config := objectOf(t, typ, c.next)
			plan, err := server.PlanResourceChange(ctx, &tfprotov6.PlanResourceChangeRequest{
				TypeName: "elasticpath_promotion_job", PriorState: ptr(objectOf(t, typ, c.prior)),
				ProposedNewState: &config, Config: &config,
			})
			if err != nil {
				t.Fatal(err)
			}
			w := warningsOf(t, plan.Diagnostics)
			if c.want == "" && w != "" || c.want != "" && !strings.Contains(w, c.want) {
				t.Errorf("warnings %q, want %q", w, c.want)
			}
		})
	}
}

// A state written before the resource had an identity gains one on an update without refresh (a change of
// timeouts only, applied with -refresh=false), as it does on a refresh.
func TestUpdateSetsIdentityOfOldState(t *testing.T) {
	ctx := context.Background()
	server, schemas := protocolServer(t)
	typ := schemas.ResourceSchemas["elasticpath_promotion_job"].ValueType()
	timeoutsType := typ.(tftypes.Object).AttributeTypes["timeouts"].(tftypes.Object)
	const promo, jobID = "4a1b9c7e-2f3d-4e5a-8b6c-0d1e2f3a4b5c", "9f8e7d6c-5b4a-4392-8170-6e5d4c3b2a19"
	job := map[string]tftypes.Value{"id": str(jobID), "promotion_id": str(promo), "job_type": str("code_export"), "status": str("completed")}
	prior := objectOf(t, typ, job)
	job["timeouts"] = tftypes.NewValue(timeoutsType, map[string]tftypes.Value{
		"create": str("45m"), "delete": tftypes.NewValue(tftypes.String, nil),
	})
	planned := objectOf(t, typ, job)
	resp, err := server.ApplyResourceChange(ctx, &tfprotov6.ApplyResourceChangeRequest{
		TypeName: "elasticpath_promotion_job", PriorState: &prior, PlannedState: &planned, Config: &planned,
	})
	if err != nil {
		t.Fatal(err)
	}
	warningsOf(t, resp.Diagnostics)
	if resp.NewIdentity == nil || resp.NewIdentity.IdentityData == nil {
		t.Fatal("the update left the resource without an identity")
	}
	ids, err := server.GetResourceIdentitySchemas(ctx, &tfprotov6.GetResourceIdentitySchemasRequest{})
	if err != nil {
		t.Fatal(err)
	}
	got, err := resp.NewIdentity.IdentityData.Unmarshal(ids.IdentitySchemas["elasticpath_promotion_job"].ValueType())
	if err != nil {
		t.Fatal(err)
	}
	var attrs map[string]tftypes.Value
	if err := got.As(&attrs); err != nil {
		t.Fatal(err)
	}
	for name, want := range map[string]string{"promotion_id": promo, "job_id": jobID} {
		var v string
		if err := attrs[name].As(&v); err != nil || v != want {
			t.Errorf("identity %s = %q (%v), want %q", name, v, err, want)
		}
	}
	if !attrs["rule_promotion_id"].IsNull() {
		t.Errorf("identity rule_promotion_id = %v, want null for a Promotions Standard job", attrs["rule_promotion_id"])
	}
}

// A state written with the first identity (promotion_api and promotion_id) reads as the current one, whose
// promotion ids mean what the resource's do.
func TestJobIdentityUpgradesFromVersion0(t *testing.T) {
	ctx := context.Background()
	server := providerserver.NewProtocol6(New("test")())()
	const promo, jobID = "4a1b9c7e-2f3d-4e5a-8b6c-0d1e2f3a4b5c", "9f8e7d6c-5b4a-4392-8170-6e5d4c3b2a19"
	ids, err := server.GetResourceIdentitySchemas(ctx, &tfprotov6.GetResourceIdentitySchemasRequest{})
	if err != nil {
		t.Fatal(err)
	}
	schema := ids.IdentitySchemas["elasticpath_promotion_job"]
	if schema.Version != 1 {
		t.Fatalf("identity version %d, want 1", schema.Version)
	}
	for api, want := range map[string]string{"rule-promotions": "rule_promotion_id", "promotions": "promotion_id"} {
		raw := fmt.Sprintf(`{"promotion_api":%q,"promotion_id":%q,"job_id":%q}`, api, promo, jobID)
		resp, err := server.UpgradeResourceIdentity(ctx, &tfprotov6.UpgradeResourceIdentityRequest{
			TypeName: "elasticpath_promotion_job", Version: 0, RawIdentity: &tfprotov6.RawState{JSON: []byte(raw)},
		})
		if err != nil || len(resp.Diagnostics) > 0 {
			t.Fatalf("%s: upgrade: %v %+v", api, err, resp.Diagnostics)
		}
		got, err := resp.UpgradedIdentity.IdentityData.Unmarshal(schema.ValueType())
		if err != nil {
			t.Fatal(err)
		}
		var attrs map[string]tftypes.Value
		if err := got.As(&attrs); err != nil {
			t.Fatal(err)
		}
		var id, job string
		if err := attrs[want].As(&id); err != nil || id != promo || attrs["job_id"].As(&job) != nil || job != jobID {
			t.Errorf("%s: upgraded to %v, want %s = %s and job_id = %s", api, attrs, want, promo, jobID)
		}
	}
}

package provider

import (
	"context"
	"encoding/json"
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

	server, err := providerserver.NewProtocol6WithError(New("test")())()
	if err != nil {
		t.Fatal(err)
	}
	schemas, err := server.GetProviderSchema(ctx, &tfprotov6.GetProviderSchemaRequest{})
	if err != nil {
		t.Fatal(err)
	}
	str := func(s string) tftypes.Value { return tftypes.NewValue(tftypes.String, s) }
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
			warned := false
			for _, d := range read.Diagnostics {
				if d.Severity == tfprotov6.DiagnosticSeverityError {
					t.Fatalf("read failed: %s: %s", d.Summary, d.Detail)
				}
				if strings.Contains(d.Summary, "completed after Terraform stopped waiting") &&
					strings.Contains(d.Detail, job.ID) && strings.Contains(d.Detail, "terraform untaint") {
					warned = true
				}
			}
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

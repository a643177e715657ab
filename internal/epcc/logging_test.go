package epcc

import (
	"bytes"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-log/tflogtest"
)

func TestLogsNeverHoldSecrets(t *testing.T) {
	store := newJobStore()
	store.add("promo-1", JobTypeExport, "", nil, StatusCompleted)
	srv := newTestServer(t, store)
	c := newTestClient(t, srv.URL)
	var buf bytes.Buffer
	ctx := tflogtest.RootLogger(testCtx(t), &buf)

	if _, err := c.ListJobs(ctx, testRef, JobFilter{}); err != nil {
		t.Fatal(err)
	}
	srv.revokeAll() // force a second token and a 401 retry
	job, err := c.CreateJob(ctx, testRef, CreateJobRequest{Type: JobTypeExport, Name: "export-all"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.JobFileURL(ctx, testRef, job.ID); err != nil {
		t.Fatal(err)
	}
	logs := buf.String()
	if testing.Verbose() {
		t.Log(logs)
	}
	if strings.Contains(logs, testClientSecret) || strings.Contains(logs, url.QueryEscape(testClientSecret)) {
		t.Errorf("the client secret is in the logs:\n%s", logs)
	}
	toks := srv.tokens()
	if len(toks) != 2 {
		t.Fatalf("tokens issued: %d", len(toks))
	}
	for _, tok := range toks {
		if strings.Contains(logs, tok) {
			t.Errorf("token %q is in the logs", tok)
		}
	}
	if strings.Contains(logs, "sig=abc") {
		t.Error("the signed file URL is in the logs")
	}
	if strings.Contains(logs, "Bearer tok-") {
		t.Error("an Authorization header is in the logs")
	}
	for _, want := range []string{
		`"@message":"Elastic Path request"`,
		`"path":"/v2/rule-promotions/promo-1/jobs"`,
		`"path":"/oauth/access_token"`,
		`"status":201`,
		`"attempt":1`,
		`"@level":"trace"`,
		`client_secret=***`,
		`\"access_token\":\"***\"`,
		`export-all`,                     // request body at TRACE
		`files.example/job-0002.csv?***`, // response body at TRACE, signature hidden
	} {
		if !strings.Contains(logs, want) {
			t.Errorf("logs lack %s", want)
		}
	}
	entries, err := tflogtest.MultilineJSONDecode(&buf)
	if err != nil || len(entries) == 0 {
		t.Errorf("logs do not decode: %v", err)
	}
}

func TestMaskHelpers(t *testing.T) {
	if got := maskTokenJSON([]byte(`{"data":{"access_token":"abc","expires_in":3600},"refresh_token":"r"}`)); strings.Contains(got, "abc") || strings.Contains(got, `"r"`) || !strings.Contains(got, "3600") {
		t.Errorf("maskTokenJSON = %s", got)
	}
	if got := maskTokenJSON([]byte("<html>secret-ish</html>")); strings.Contains(got, "secret-ish") {
		t.Errorf("non-JSON token answer logged raw: %s", got)
	}
	if got := maskForm(url.Values{"client_secret": {"x"}, "client_id": {"id"}}); got != "client_id=id&client_secret=***" {
		t.Errorf("maskForm = %s", got)
	}
	if got := maskSignedURL([]byte(`{"data":{"href":"https://x/f.csv?X-Amz-Signature=s"}}`)); strings.Contains(got, "Signature") || !strings.Contains(got, "f.csv") {
		t.Errorf("maskSignedURL = %s", got)
	}
	if got := maskSignedURL([]byte(`nope`)); strings.Contains(got, "nope") {
		t.Errorf("maskSignedURL = %s", got)
	}
	long := strings.Repeat("a", maxLoggedBody+10)
	if got := truncateForLog(long); !strings.HasSuffix(got, "(10 more bytes)") {
		t.Errorf("truncate = ...%s", got[len(got)-20:])
	}
}

func TestNoLoggerInContext(t *testing.T) {
	// No logger in the context: logging calls are no-ops, nothing panics.
	srv := newTestServer(t, http.NotFoundHandler())
	c := newTestClient(t, srv.URL)
	if _, err := c.ListJobs(testCtx(t), testRef, JobFilter{}); err == nil {
		t.Error("a 404 page is not an error")
	}
}

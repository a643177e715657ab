package epcc

import (
	"strings"
	"testing"
)

// The fuzz targets below check every decoder of API answers: none panics, and each either fails or returns
// what its callers rely on (an answer that lacks it is an error, never a zero value). `make fuzz` runs them;
// plain `go test` replays their seeds and the corpus in testdata/fuzz.

// Seeds: the specs' examples (testdata/openapi in the simulator) and the simulator's real answers.
var (
	seedJob     = `{"data":{"type":"promotion_job","id":"6d2beb76-fa57-4ca9-bab9-1212f934d909","rule_promotion_id":"2b9605d2-b316-4d8f-9ea2-32c6e9d43810","job_type":"code_generate","name":"summer-2026","parameters":{"number_of_codes":500,"max_uses_per_code":1,"consume_unit":"per_checkout","code_prefix":"SUMMER-","code_length":10},"status":"completed","result":{"generated":500,"deleted":null},"meta":{"timestamps":{"created_at":"2026-11-22T03:20:07.5Z","updated_at":"2026-11-22T03:20:09.7Z"}}}}`
	seedJobList = `{"data":[{"type":"promotion_job","id":"1","promotion_id":"p","job_type":"code_export","status":"processing","generate_result":{"generated":"5"}}],"links":{"next":null},"meta":{"page":{"limit":100,"offset":0},"results":{"total":1}}}`
	seedToken   = `{"access_token":"212LJ3k0i2382364HIUEjfeJB98yvH","token_type":"Bearer","expires_in":3600,"expires":1795318511,"identifier":"client_credentials"}`
	seedFile    = `{"href":"https://files.example/6d2b.csv?expires=1795318511&signature=8db3"}`
	seedCodes   = `{"data":[{"code":"SUMMER-6ciu-3pwp-12","max_uses":1,"consume_unit":"per_checkout","uses":1}],"meta":{"results":{"total":1}}}`
	seedError   = `{"errors":[{"status":"400","title":"Too many jobs","detail":"Only 1 pending or processing job is allowed per promotion.","source":"data.parameters.number_of_codes","request_id":"r1"}]}`
)

func addSeeds(f *testing.F, seeds ...string) {
	for _, s := range append(seeds, ``, `null`, `{}`, `[]`, `{"data":null}`, `<html>502</html>`) {
		f.Add([]byte(s))
	}
}

func FuzzJobAnswer(f *testing.F) {
	addSeeds(f, seedJob)
	f.Fuzz(func(t *testing.T, body []byte) {
		var env jobEnvelope
		if decodeAnswer(body, &env) != nil {
			return
		}
		job := env.Data.toJob(PromotionRef{API: RulePromotions, ID: "p"})
		if job.ID == "" || job.Status == "" {
			t.Fatalf("accepted a job without id or status: %q -> %+v", body, job)
		}
	})
}

func FuzzJobListPage(f *testing.F) {
	addSeeds(f, seedJobList, `{"data":[]}`)
	f.Fuzz(func(t *testing.T, body []byte) {
		var env jobListEnvelope
		if decodeAnswer(body, &env) != nil {
			return
		}
		if env.Data == nil {
			t.Fatalf("accepted a listing without a job list: %q", body)
		}
		for i := range env.Data {
			if j := env.Data[i].toJob(PromotionRef{API: PromotionsStandard, ID: "p"}); j.ID == "" || j.Status == "" {
				t.Fatalf("accepted a job without id or status: %q", body)
			}
		}
	})
}

func FuzzTokenAnswer(f *testing.F) {
	addSeeds(f, seedToken, `{"data":`+seedToken+`}`)
	f.Fuzz(func(t *testing.T, body []byte) {
		var ans tokenAnswer
		if decodeAnswer(body, &ans) != nil {
			return
		}
		if strings.TrimSpace(ans.fields().AccessToken) == "" {
			t.Fatalf("accepted a token answer without a token: %q", body)
		}
	})
}

func FuzzFileAnswer(f *testing.F) {
	addSeeds(f, seedFile, `{"data":`+seedFile+`}`, `{"href":5}`)
	f.Fuzz(func(t *testing.T, body []byte) {
		var ans fileAnswer
		if decodeAnswer(body, &ans) != nil {
			return
		}
		if strings.TrimSpace(ans.href()) == "" {
			t.Fatalf("accepted a file answer without href: %q", body)
		}
	})
}

func FuzzCodesPage(f *testing.F) {
	addSeeds(f, seedCodes, `{"data":{"codes":[{"code":"A"}]}}`, `{"codes":[]}`)
	f.Fuzz(func(t *testing.T, body []byte) {
		var p listPage
		_ = decodeAnswer(body, &p) // no panic; ListPromotionCodes checks the shape of data
	})
}

func FuzzErrorEnvelope(f *testing.F) {
	addSeeds(f, seedError, `{"errors":[{"status":422,"source":{"pointer":"/data"}}]}`)
	f.Fuzz(func(t *testing.T, body []byte) {
		e := newAPIError("GET", "/v2/promotions/p/jobs", 400, body)
		if e.Error() == "" || e.StatusCode != 400 {
			t.Fatalf("error lost its status: %+v", e)
		}
		_ = IsTooManyJobs(e)
	})
}

func FuzzFilterExpr(f *testing.F) {
	f.Add("code_export", "completed")
	f.Add("", "")
	f.Fuzz(func(t *testing.T, jobType, status string) {
		expr := JobFilter{Type: jobType, Status: status}.expr()
		if jobType != "" && !strings.Contains(expr, "eq(job_type,"+jobType+")") ||
			status != "" && !strings.Contains(expr, "eq(status,"+status+")") ||
			jobType == "" && status == "" && expr != "" {
			t.Fatalf("filter %q for type %q, status %q", expr, jobType, status)
		}
		_ = escapeQueryValue(expr)
	})
}

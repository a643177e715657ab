package epccsim

import (
	"bytes"
	"encoding/csv"
	"net/http"
	"net/url"
	"sort"
	"strings"
	"testing"
	"time"
)

func TestExportFile(t *testing.T) {
	t.Parallel()
	for _, api := range allAPIs {
		t.Run(api.String(), func(t *testing.T) {
			t.Parallel()
			h := newHarness(t, Options{QueueDelay: time.Second, ExportDuration: 2 * time.Second, FileURLLifetime: 10 * time.Minute})
			id := h.createPromotion(api, false)
			gen := h.createJob(api, id, jobBody(jobGenerate, "", obj{"number_of_codes": 20, "max_uses_per_code": 1, "code_prefix": "x-"}))
			h.clock.Advance(2 * time.Second)

			exp := h.createJob(api, id, jobBody(jobExport, "export", nil))
			filePath := jobsPath(api, id) + "/" + exp["id"].(string) + "/file"
			e := wantError(t, h.do(http.MethodGet, filePath, nil), 422, true, "Unprocessable Entity", "")
			if e["detail"] != "Job has no file to download. Job status: pending" {
				t.Errorf("detail = %q", e["detail"])
			}
			h.clock.Advance(time.Second)
			e = wantError(t, h.do(http.MethodGet, filePath, nil), 422, true, "Unprocessable Entity", "")
			if e["detail"] != "Job has no file to download. Job status: processing" {
				t.Errorf("detail = %q", e["detail"])
			}
			h.clock.Advance(2 * time.Second)

			r := h.do(http.MethodGet, filePath, nil)
			if r.status != http.StatusOK {
				t.Fatalf("file: %d %s", r.status, r.body)
			}
			if _, wrapped := r.obj["data"]; wrapped || len(r.obj) != 1 {
				t.Errorf("file answer is not a bare {href}: %s", r.body)
			}
			href := r.obj["href"].(string)
			if !strings.HasPrefix(href, h.srv.URL+"/files/") {
				t.Fatalf("href %q is not an absolute URL on this server", href)
			}

			// Codes made after the export are not in its file.
			h.createJob(api, id, jobBody(jobGenerate, "", obj{"number_of_codes": 5}))
			h.clock.Advance(time.Second + 100*time.Millisecond)

			// No bearer token: the URL carries its own authorization.
			dl := h.doWithToken("", http.MethodGet, href, nil)
			if dl.status != http.StatusOK || dl.header.Get("Content-Type") != "text/csv" {
				t.Fatalf("download: %d %q %s", dl.status, dl.header.Get("Content-Type"), dl.body)
			}
			rows, err := csv.NewReader(bytes.NewReader(dl.body)).ReadAll()
			if err != nil {
				t.Fatal(err)
			}
			if strings.Join(rows[0], ",") != "code,max_uses,consume_unit,uses,created_at" {
				t.Errorf("header = %v", rows[0])
			}
			var fileCodes []string
			for _, row := range rows[1:] {
				if row[1] != "1" || row[2] != api.defaultConsumeUnit() {
					t.Errorf("row %v", row)
				}
				fileCodes = append(fileCodes, row[0])
			}
			var listed []string
			for _, c := range h.codes(api, id) {
				if strings.HasPrefix(c["code"].(string), "x-") {
					listed = append(listed, c["code"].(string))
				}
			}
			sort.Strings(fileCodes)
			sort.Strings(listed)
			if len(fileCodes) != 20 || strings.Join(fileCodes, ",") != strings.Join(listed, ",") {
				t.Errorf("file has %d codes %v, want the generate job's 20 %v", len(fileCodes), fileCodes, listed)
			}

			// Tampering with the URL is refused.
			u, _ := url.Parse(href)
			q := u.Query()
			q.Set("signature", strings.Repeat("0", 64))
			u.RawQuery = q.Encode()
			if r := h.doWithToken("", http.MethodGet, u.String(), nil); r.status != http.StatusForbidden {
				t.Errorf("bad signature = %d, want 403", r.status)
			}
			q = u.Query()
			q.Set("expires", "99999999999")
			u.RawQuery = q.Encode()
			if r := h.doWithToken("", http.MethodGet, u.String(), nil); r.status != http.StatusForbidden {
				t.Errorf("extended expiry = %d, want 403", r.status)
			}

			// The URL lapses on the simulator clock; asking again signs a fresh one.
			h.clock.Advance(10*time.Minute + time.Second)
			if r := h.doWithToken("", http.MethodGet, href, nil); r.status != http.StatusForbidden {
				t.Errorf("expired URL = %d, want 403", r.status)
			}
			fresh := h.do(http.MethodGet, filePath, nil).obj["href"].(string)
			if r := h.doWithToken("", http.MethodGet, fresh, nil); r.status != http.StatusOK || !bytes.Equal(r.body, dl.body) {
				t.Errorf("fresh URL: %d", r.status)
			}

			// A generate job has no file; an unknown job is 404.
			e = wantError(t, h.do(http.MethodGet, jobsPath(api, id)+"/"+gen["id"].(string)+"/file", nil), 422, true, "Unprocessable Entity", "")
			if !strings.HasPrefix(e["detail"].(string), "Job has no file to download.") {
				t.Errorf("detail = %q", e["detail"])
			}
			wantError(t, h.do(http.MethodGet, jobsPath(api, id)+"/nope/file", nil), 404, api == ruleAPI, "Not Found", "")
			if r := h.doWithToken("", http.MethodGet, "/files/unknown.csv?expires=1&signature=x", nil); r.status != http.StatusForbidden {
				t.Errorf("unsigned unknown file = %d, want 403", r.status)
			}
		})
	}
}

func TestExportOfAnEmptyPromotion(t *testing.T) {
	t.Parallel()
	h := newHarness(t, Options{})
	id := h.createPromotion(standardAPI, true)
	j := h.createJob(standardAPI, id, jobBody(jobExport, "", nil))
	h.clock.Advance(time.Second)
	if got := h.job(standardAPI, id, j["id"].(string)); got["status"] != statusCompleted {
		t.Fatalf("export = %v", got)
	}
	r := h.do(http.MethodGet, jobsPath(standardAPI, id)+"/"+j["id"].(string)+"/file", nil)
	dl := h.doWithToken("", http.MethodGet, r.obj["href"].(string), nil)
	if dl.status != http.StatusOK || strings.TrimSpace(string(dl.body)) != "code,max_uses,consume_unit,uses,created_at" {
		t.Errorf("empty export: %d %q", dl.status, dl.body)
	}
}

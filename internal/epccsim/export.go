package epccsim

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/csv"
	"encoding/hex"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// exportFile is the CSV a completed code_export produced: the codes that
// existed when it completed.
type exportFile struct {
	id   string
	data []byte
}

var exportHeader = []string{"code", "max_uses", "consume_unit", "uses", "created_at"}

func (s *Server) newExportFile(p *promotion, at time.Time) *exportFile {
	var buf bytes.Buffer
	w := csv.NewWriter(&buf)
	_ = w.Write(exportHeader)
	for _, c := range p.codes {
		limit, left := "", ""
		if c.maxUses != nil {
			limit, left = strconv.Itoa(*c.maxUses), strconv.Itoa(*c.remaining())
		}
		_ = w.Write([]string{c.code, limit, c.consumeUnit, left, formatTime(c.createdAt)})
	}
	w.Flush()
	f := &exportFile{id: newUUID(), data: buf.Bytes()}
	s.files[f.id] = f
	return f
}

type fileResponse struct {
	Href string `json:"href"`
}

// jobFile answers a bare {"href": ...} (no data wrapper) for a completed
// export. Each call signs a fresh URL.
func (s *Server) jobFile(api apiKind) func(*http.Request, []string) reply {
	return func(r *http.Request, args []string) reply {
		s.mu.Lock()
		defer s.mu.Unlock()
		_, j, rep, ok := s.findJob(api, args)
		if !ok {
			return rep
		}
		if j.jobType != jobExport {
			return strErr(http.StatusUnprocessableEntity, "Unprocessable Entity", "Job has no file to download. Job type: "+j.jobType, "")
		}
		if j.status != statusCompleted || j.file == nil {
			return strErr(http.StatusUnprocessableEntity, "Unprocessable Entity", "Job has no file to download. Job status: "+j.status, "")
		}
		expires := s.now().Add(s.opts.FileURLLifetime).Unix()
		exp := strconv.FormatInt(expires, 10)
		q := url.Values{"expires": {exp}, "signature": {s.sign(j.file.id, exp)}}
		return jsonReply(http.StatusOK, fileResponse{Href: baseURL(r) + "/files/" + j.file.id + ".csv?" + q.Encode()})
	}
}

func (s *Server) sign(fileID, expires string) string {
	m := hmac.New(sha256.New, s.signKey)
	m.Write([]byte(fileID + "\n" + expires))
	return hex.EncodeToString(m.Sum(nil))
}

// handleFileDownload serves a signed export URL. Like an object store, it
// needs no bearer token and refuses expired or tampered URLs with 403.
func (s *Server) handleFileDownload(r *http.Request, args []string) reply {
	id, ok := strings.CutSuffix(args[0], ".csv")
	if !ok {
		return storageError(http.StatusNotFound, "NoSuchKey", "The specified key does not exist.")
	}
	q := r.URL.Query()
	exp := q.Get("expires")
	want := s.sign(id, exp)
	if !hmac.Equal([]byte(want), []byte(q.Get("signature"))) {
		return storageError(http.StatusForbidden, "SignatureDoesNotMatch", "The request signature does not match.")
	}
	expires, err := strconv.ParseInt(exp, 10, 64)
	if err != nil || s.now().After(time.Unix(expires, 0)) {
		return storageError(http.StatusForbidden, "AccessDenied", "Request has expired.")
	}
	s.mu.Lock()
	f, found := s.files[id]
	s.mu.Unlock()
	if !found {
		return storageError(http.StatusNotFound, "NoSuchKey", "The specified key does not exist.")
	}
	return reply{
		status:      http.StatusOK,
		raw:         f.data,
		contentType: "text/csv",
		header:      http.Header{"Content-Disposition": {`attachment; filename="` + id + `.csv"`}},
	}
}

// storageError mimics an object store's XML error rather than an API error:
// the signed URL does not point at the API.
func storageError(status int, code, message string) reply {
	body := "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>" + code + "</Code><Message>" + message + "</Message></Error>\n"
	return reply{status: status, raw: []byte(body), contentType: "application/xml"}
}

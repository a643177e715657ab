package epcc

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

const (
	testClientID     = "client-id-123"
	testClientSecret = "s3cr3t-client-secret-value"
)

// testServer answers the token endpoint itself and hands every other request,
// once its bearer token checks out, to api.
type testServer struct {
	*httptest.Server
	t          *testing.T
	api        http.Handler
	tokenCalls atomic.Int32
	apiCalls   atomic.Int32
	expiresIn  atomic.Int64
	tokenDelay time.Duration

	mu        sync.Mutex
	tokenHook func(w http.ResponseWriter, r *http.Request) bool
	issued    map[string]bool
	rejected  map[string]bool
	lastForm  string
}

func newTestServer(t *testing.T, api http.Handler) *testServer {
	t.Helper()
	s := &testServer{t: t, api: api, issued: map[string]bool{}, rejected: map[string]bool{}}
	s.expiresIn.Store(3600)
	s.Server = httptest.NewServer(s)
	t.Cleanup(s.Close)
	return s
}

func (s *testServer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.URL.Path == tokenPath {
		s.serveToken(w, r)
		return
	}
	tok := strings.TrimPrefix(r.Header.Get("Authorization"), "Bearer ")
	s.mu.Lock()
	ok := s.issued[tok] && !s.rejected[tok]
	s.mu.Unlock()
	if !ok {
		writeJSON(w, 401, `{"errors":[{"status":401,"title":"Unauthorized","detail":"Unable to validate access token"}]}`)
		return
	}
	s.apiCalls.Add(1)
	s.api.ServeHTTP(w, r)
}

// setTokenHook lets a test answer token requests itself (hook returns true).
func (s *testServer) setTokenHook(h func(w http.ResponseWriter, r *http.Request) bool) {
	s.mu.Lock()
	s.tokenHook = h
	s.mu.Unlock()
}

func (s *testServer) serveToken(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	hook := s.tokenHook
	s.mu.Unlock()
	if hook != nil && hook(w, r) {
		return
	}
	n := s.tokenCalls.Add(1)
	if s.tokenDelay > 0 {
		time.Sleep(s.tokenDelay)
	}
	if r.Method != http.MethodPost {
		writeJSON(w, 405, `{"errors":[{"status":405,"title":"Method not allowed"}]}`)
		return
	}
	if err := r.ParseForm(); err != nil {
		writeJSON(w, 400, `{"errors":[{"status":"400","title":"Bad Request"}]}`)
		return
	}
	s.mu.Lock()
	s.lastForm = r.PostForm.Encode()
	s.mu.Unlock()
	if r.PostForm.Get("grant_type") != "client_credentials" || r.PostForm.Get("client_id") != testClientID || r.PostForm.Get("client_secret") != testClientSecret {
		writeJSON(w, 401, `{"errors":[{"status":"401","title":"Unauthorized"}]}`)
		return
	}
	tok := fmt.Sprintf("tok-%d-%s", n, strings.Repeat("x", 20))
	s.mu.Lock()
	s.issued[tok] = true
	s.mu.Unlock()
	exp := s.expiresIn.Load()
	writeJSON(w, 200, fmt.Sprintf(`{"access_token":%q,"token_type":"Bearer","expires_in":%d,"expires":%d,"identifier":"client_credentials"}`,
		tok, exp, time.Now().Unix()+exp))
}

// revokeAll makes every token issued so far answer 401, like an expiry.
func (s *testServer) revokeAll() {
	s.mu.Lock()
	for tok := range s.issued {
		s.rejected[tok] = true
	}
	s.mu.Unlock()
}

func (s *testServer) tokens() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []string
	for tok := range s.issued {
		out = append(out, tok)
	}
	return out
}

func writeJSON(w http.ResponseWriter, status int, body string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, _ = io.WriteString(w, body)
}

// newTestClient returns a client with fast retries and polls.
func newTestClient(t *testing.T, baseURL string, mods ...func(*Config)) *Client {
	t.Helper()
	cfg := Config{
		BaseURL:         baseURL,
		ClientID:        testClientID,
		ClientSecret:    testClientSecret,
		RequestTimeout:  2 * time.Second,
		MaxRetries:      3,
		RetryWaitMin:    time.Millisecond,
		RetryWaitMax:    5 * time.Millisecond,
		RateLimit:       -1,
		PollInterval:    5 * time.Millisecond,
		PollMaxInterval: 20 * time.Millisecond,
	}
	for _, m := range mods {
		m(&cfg)
	}
	c, err := New(cfg)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	return c
}

func testCtx(t *testing.T) context.Context {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	t.Cleanup(cancel)
	return ctx
}

func i64(v int64) *int64 { return &v }

// ---- an in-test jobs API -------------------------------------------------

type storeJob struct {
	ID        string
	JobType   string
	Name      string
	Params    map[string]any
	Status    string
	Error     string
	Generated *int64
	Created   time.Time
	Updated   time.Time // zero: as Created
}

// jobStore serves list, create, cancel and file for jobs of any promotion.
type jobStore struct {
	mu       sync.Mutex
	jobs     map[string][]*storeJob // promotion id → jobs in creation order
	seq      int
	maxLimit int
	noMeta   bool // answer without meta and links
	posts    atomic.Int32
	lists    atomic.Int32
	queries  []string

	// onCreate runs for each POST before the default behaviour; it returns
	// true when it answered.
	onCreate func(w http.ResponseWriter, r *http.Request, n int, promo string, data map[string]any) bool
	// onList runs (with the lock held) before each list answer.
	onList    func(promo string, n int)
	listDelay time.Duration
}

func newJobStore() *jobStore {
	return &jobStore{jobs: map[string][]*storeJob{}, maxLimit: 100}
}

var jobPathRE = regexp.MustCompile(`^/v2/(promotions|rule-promotions)/([^/]+)/jobs(?:/([^/]+)/(cancel|file))?$`)

// add stores a job; the caller must not hold the lock.
func (s *jobStore) add(promo, jobType, name string, params map[string]any, status string) *storeJob {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.addLocked(promo, jobType, name, params, status)
}

func (s *jobStore) addLocked(promo, jobType, name string, params map[string]any, status string) *storeJob {
	s.seq++
	j := &storeJob{
		ID:      fmt.Sprintf("job-%04d", s.seq),
		JobType: jobType, Name: name, Params: params, Status: status,
		Created: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC).Add(time.Duration(s.seq) * time.Second),
	}
	s.jobs[promo] = append(s.jobs[promo], j)
	return j
}

func (s *jobStore) count(promo string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.jobs[promo])
}

func (s *jobStore) setStatus(promo, id, status string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, j := range s.jobs[promo] {
		if j.ID == id {
			j.Status = status
		}
	}
}

func jobWire(api, promo string, j *storeJob) map[string]any {
	idField := "promotion_id"
	if api == "rule-promotions" {
		idField = "rule_promotion_id"
	}
	updated := j.Updated
	if updated.IsZero() {
		updated = j.Created
	}
	m := map[string]any{
		"type": "promotion_job", "id": j.ID, idField: promo,
		"job_type": j.JobType, "name": j.Name, "status": j.Status,
		"meta": map[string]any{"timestamps": map[string]any{
			"created_at": j.Created.Format(time.RFC3339Nano), "updated_at": updated.Format(time.RFC3339Nano),
		}},
	}
	if j.Params != nil {
		m["parameters"] = j.Params
	}
	if j.Error != "" {
		m["error"] = j.Error
	}
	if j.Generated != nil {
		m["result"] = map[string]any{"generated": *j.Generated, "deleted": nil}
	}
	return m
}

func (s *jobStore) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	m := jobPathRE.FindStringSubmatch(r.URL.Path)
	if m == nil {
		writeJSON(w, 404, `{"errors":[{"status":404,"title":"Not Found"}]}`)
		return
	}
	api, promo, jobID, action := m[1], m[2], m[3], m[4]
	switch {
	case r.Method == http.MethodGet && jobID == "":
		s.serveList(w, r, api, promo)
	case r.Method == http.MethodPost && jobID == "":
		s.serveCreate(w, r, api, promo)
	case r.Method == http.MethodPost && action == "cancel":
		s.mu.Lock()
		defer s.mu.Unlock()
		for _, j := range s.jobs[promo] {
			if j.ID == jobID {
				if !IsActive(j.Status) {
					writeJSON(w, 422, `{"errors":[{"status":"422","title":"Unprocessable Entity","detail":"Only pending or processing jobs can be cancelled."}]}`)
					return
				}
				j.Status = StatusCancelled
				b, _ := json.Marshal(map[string]any{"data": jobWire(api, promo, j)})
				writeJSON(w, 200, string(b))
				return
			}
		}
		writeJSON(w, 404, `{"errors":[{"status":404,"title":"Not Found"}]}`)
	case r.Method == http.MethodGet && action == "file":
		writeJSON(w, 200, `{"href":"https://files.example/`+jobID+`.csv?sig=abc"}`)
	default:
		writeJSON(w, 405, `{"errors":[{"status":405,"title":"Method Not Allowed"}]}`)
	}
}

func (s *jobStore) serveList(w http.ResponseWriter, r *http.Request, api, promo string) {
	n := int(s.lists.Add(1))
	if s.listDelay > 0 {
		time.Sleep(s.listDelay)
	}
	q := r.URL.Query()
	limit := 25
	if v, err := strconv.Atoi(q.Get("page[limit]")); err == nil && v > 0 {
		limit = v
	}
	if limit > s.maxLimit {
		limit = s.maxLimit
	}
	offset, _ := strconv.Atoi(q.Get("page[offset]"))
	filters := map[string]string{}
	if f := q.Get("filter"); f != "" {
		for _, part := range strings.Split(f, ":") {
			mm := regexp.MustCompile(`^eq\((\w+),(\w+)\)$`).FindStringSubmatch(part)
			if mm == nil {
				writeJSON(w, 400, `{"errors":[{"status":400,"title":"Bad Request","detail":"bad filter"}]}`)
				return
			}
			filters[mm[1]] = mm[2]
		}
	}
	s.mu.Lock()
	s.queries = append(s.queries, r.URL.RawQuery)
	if s.onList != nil {
		s.onList(promo, n)
	}
	var all []map[string]any
	for _, j := range s.jobs[promo] {
		if v, ok := filters["job_type"]; ok && j.JobType != v {
			continue
		}
		if v, ok := filters["status"]; ok && j.Status != v {
			continue
		}
		all = append(all, jobWire(api, promo, j))
	}
	s.mu.Unlock()
	page := []map[string]any{}
	if offset < len(all) {
		end := offset + limit
		if end > len(all) {
			end = len(all)
		}
		page = all[offset:end]
	}
	out := map[string]any{"data": page}
	if !s.noMeta {
		var next any
		if offset+limit < len(all) {
			next = fmt.Sprintf("%s?page[offset]=%d&page[limit]=%d", r.URL.Path, offset+limit, limit)
		}
		out["links"] = map[string]any{"next": next}
		out["meta"] = map[string]any{
			"page":    map[string]any{"limit": limit, "offset": offset},
			"results": map[string]any{"total": len(all)},
		}
	}
	b, _ := json.Marshal(out)
	writeJSON(w, 200, string(b))
}

func (s *jobStore) serveCreate(w http.ResponseWriter, r *http.Request, api, promo string) {
	n := int(s.posts.Add(1))
	var body struct {
		Data map[string]any `json:"data"`
	}
	if err := json.NewDecoder(r.Body).Decode(&body); err != nil || body.Data == nil {
		writeJSON(w, 422, `{"errors":[{"status":422,"title":"Unprocessable Entity","detail":"The data field is required"}]}`)
		return
	}
	if s.onCreate != nil && s.onCreate(w, r, n, promo, body.Data) {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if body.Data["type"] != "promotion_job" {
		writeJSON(w, 422, `{"errors":[{"status":422,"title":"Unprocessable Entity","detail":"type must be promotion_job"}]}`)
		return
	}
	for _, j := range s.jobs[promo] {
		if IsActive(j.Status) {
			writeJSON(w, 400, `{"errors":[{"status":"400","title":"Too many jobs","detail":"Only 1 pending or processing job is allowed per promotion."}]}`)
			return
		}
	}
	j := s.createFromData(promo, body.Data)
	b, _ := json.Marshal(map[string]any{"data": jobWire(api, promo, j)})
	writeJSON(w, 201, string(b))
}

// createFromData stores a pending job from a request's data; lock held.
func (s *jobStore) createFromData(promo string, data map[string]any) *storeJob {
	name, _ := data["name"].(string)
	jobType, _ := data["job_type"].(string)
	params, _ := data["parameters"].(map[string]any)
	return s.addLocked(promo, jobType, name, params, StatusPending)
}

func strconvFormat(v int64) string { return strconv.FormatInt(v, 10) }

// codeStrings is the codes of a listing as strings.
func codeStrings(codes []Code, err error) ([]string, error) {
	out := make([]string, len(codes))
	for i, c := range codes {
		out[i] = c.Code
	}
	return out, err
}

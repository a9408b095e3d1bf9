package main

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// newTestApp serves the demo's organizations (fabrikam enabled, tailspin
// gated, northwind degraded) over real HTTP, saving in memory.
func newTestApp(t *testing.T) (*httptest.Server, *demo) {
	t.Helper()
	return newTestAppWithStore(t, newMemStore())
}

func newTestAppWithStore(t *testing.T, store Store) (*httptest.Server, *demo) {
	t.Helper()
	srv, d, _ := newTestAppLogging(t, store)
	return srv, d
}

// newTestAppLogging is newTestApp with the server's JSON log.
func newTestAppLogging(t *testing.T, store Store) (*httptest.Server, *demo, *syncBuffer) {
	t.Helper()
	logs := &syncBuffer{}
	logger := newLogger(logs)
	d, err := startDemo(logger, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(d.Close)
	a, err := newApp(appConfig{Orgs: d.orgs, Gate: d.gate, Store: store, Timeout: 5 * time.Second, CacheTTL: time.Minute, Logger: logger})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(a.routes())
	t.Cleanup(srv.Close)
	return srv, d, logs
}

// syncBuffer is a bytes.Buffer safe for concurrent writes.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

func do(t *testing.T, method, url string, header map[string]string) (*http.Response, []byte) {
	t.Helper()
	return doBody(t, method, url, header, "")
}

func doBody(t *testing.T, method, url string, header map[string]string, body string) (*http.Response, []byte) {
	t.Helper()
	req, err := http.NewRequestWithContext(t.Context(), method, url, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range header {
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	got, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp, got
}

// decodeProblem checks that an answer is a problem and returns it.
func decodeProblem(t *testing.T, resp *http.Response, body []byte) wireProblem {
	t.Helper()
	if ct := resp.Header.Get("Content-Type"); ct != "application/problem+json" {
		t.Errorf("Content-Type %q, want application/problem+json; body %s", ct, body)
	}
	var p wireProblem
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&p); err != nil {
		t.Fatalf("not a problem: %v\n%s", err, body)
	}
	if p.Status != resp.StatusCode {
		t.Errorf("problem status %d, response status %d", p.Status, resp.StatusCode)
	}
	return p
}

func TestGetConfig(t *testing.T) {
	srv, d := newTestApp(t)
	fake := d.servers[orgEnabled]
	url := srv.URL + "/organizations/fabrikam/config"
	resp, body := do(t, http.MethodGet, url, nil)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("status %d: %s", resp.StatusCode, body)
	}
	var got struct {
		Fields []struct {
			Name           string `json:"name"`
			Disabled       bool   `json:"disabled"`
			PerItemMapping bool   `json:"perItemMapping"`
		} `json:"fields"`
		Problems []string `json:"problems"`
	}
	if err := json.Unmarshal(body, &got); err != nil {
		t.Fatal(err)
	}
	if len(got.Fields) != 5 || got.Fields[0].Name != "sync_status_forward" || got.Fields[0].Disabled || len(got.Problems) != 0 {
		t.Errorf("form: %s", body)
	}
	if !got.Fields[0].PerItemMapping {
		t.Errorf("the status field does not offer each project its own states: %s", body)
	}
	etag := resp.Header.Get("ETag")
	requests := fake.Count()

	for _, tt := range []struct {
		name, ifNoneMatch string
		want              int
	}{
		{"same tag", etag, http.StatusNotModified},
		{"weak tag", "W/" + etag, http.StatusNotModified},
		{"in a list", `"other", W/"x,y", ` + etag, http.StatusNotModified},
		{"star", "*", http.StatusNotModified},
		{"other tag", `"0123"`, http.StatusOK},
		{"unquoted", strings.Trim(etag, `"`), http.StatusOK},
		{"list without it", `"a", "b"`, http.StatusOK},
	} {
		t.Run(tt.name, func(t *testing.T) {
			resp, body := do(t, http.MethodGet, url, map[string]string{"If-None-Match": tt.ifNoneMatch})
			if resp.StatusCode != tt.want {
				t.Errorf("If-None-Match: %s: status %d, want %d", tt.ifNoneMatch, resp.StatusCode, tt.want)
			}
			if tt.want == http.StatusNotModified && len(body) != 0 {
				t.Errorf("304 with a body: %q", body)
			}
			if got := resp.Header.Get("ETag"); got != etag {
				t.Errorf("ETag %s, want %s", got, etag)
			}
		})
	}
	if fake.Count() != requests {
		t.Errorf("later GETs reached Azure DevOps (%d more requests); the Builder should be cached", fake.Count()-requests)
	}
}

// TestErrorsAreProblems sends a request of every kind of error: each is
// answered with an RFC 9457 problem.
func TestErrorsAreProblems(t *testing.T) {
	srv, _ := newTestApp(t)
	ids := sampleIDs()
	for _, tt := range []struct {
		method, path string
		header       map[string]string
		body         string
		want         wireProblem
		allow        string
	}{
		{method: http.MethodGet, path: "/organizations/unknown/config",
			want: wireProblem{Type: "/problems/unknown-organization", Title: "Unknown organization", Status: 404, Detail: `no organization "unknown"`}},
		{method: http.MethodDelete, path: "/organizations/fabrikam/config", allow: "GET, HEAD, PATCH, POST, PUT",
			want: wireProblem{Type: "about:blank", Title: "Method Not Allowed", Status: 405, Detail: "no route for DELETE /organizations/fabrikam/config"}},
		{method: http.MethodGet, path: "/nowhere",
			want: wireProblem{Type: "about:blank", Title: "Not Found", Status: 404, Detail: "no route for GET /nowhere"}},
		{method: http.MethodGet, path: "/organizations/fabrikam/projects/nope/states",
			want: wireProblem{Type: "/problems/unknown-project", Title: "Unknown project", Status: 404, Detail: `no project "nope"`}},
		{method: http.MethodGet, path: "/organizations/tailspin/projects/" + ids["basic-tracker"] + "/states",
			want: wireProblem{Type: "/problems/feature-unavailable", Title: "Feature unavailable", Status: 403, Detail: "Your organization does not have access to this feature"}},
		{method: http.MethodGet, path: "/organizations/northwind/projects/" + ids["basic-tracker"] + "/states",
			want: wireProblem{Type: "/problems/states-unavailable", Title: "States unavailable", Status: 503, Detail: "Azure DevOps asked this integration to wait before sending more requests. Try again in about 60 minutes."}},
		{method: http.MethodPut, path: "/organizations/fabrikam/config", header: map[string]string{"Content-Type": "text/plain"}, body: "{}",
			want: wireProblem{Type: "about:blank", Title: "Unsupported Media Type", Status: 415, Detail: "send the configuration as application/json"}},
		{method: http.MethodPut, path: "/organizations/tailspin/config", header: jsonHeader, body: "{}",
			want: wireProblem{Type: "/problems/feature-unavailable", Title: "Feature unavailable", Status: 403, Detail: "Your organization does not have access to this feature"}},
		{method: http.MethodGet, path: "/problems/nope",
			want: wireProblem{Type: "about:blank", Title: "Not Found", Status: 404, Detail: "no such problem type"}},
	} {
		t.Run(tt.method+" "+tt.path, func(t *testing.T) {
			resp, body := doBody(t, tt.method, srv.URL+tt.path, tt.header, tt.body)
			got := decodeProblem(t, resp, body)
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("problem (-want +got):\n%s", diff)
			}
			if got := resp.Header.Get("Allow"); got != tt.allow {
				t.Errorf("Allow %q, want %q", got, tt.allow)
			}
		})
	}
}

// TestProblemTypesAreDocumented follows the type of every problem the
// server writes.
func TestProblemTypesAreDocumented(t *testing.T) {
	srv, _ := newTestApp(t)
	for _, slug := range []string{probUnknownOrganization, probUnknownProject, probMalformed, probInvalidMapping,
		probFeatureUnavailable, probEditConflict, probStatesUnavailable, probBuildTimeout} {
		resp, body := do(t, http.MethodGet, srv.URL+"/problems/"+slug, nil)
		title, _, _ := describeProblem(slug)
		if resp.StatusCode != http.StatusOK || !strings.HasPrefix(string(body), title+"\n\n") {
			t.Errorf("%s: %d %q", slug, resp.StatusCode, body)
		}
	}
}

func TestOrganizations(t *testing.T) {
	srv, _ := newTestApp(t)
	resp, body := do(t, http.MethodGet, srv.URL+"/organizations", nil)
	var got struct {
		Organizations []struct{ Name string } `json:"organizations"`
	}
	if err := json.Unmarshal(body, &got); err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("%d %s: %v", resp.StatusCode, body, err)
	}
	var names []string
	for _, o := range got.Organizations {
		names = append(names, o.Name)
	}
	if diff := cmp.Diff([]string{"fabrikam", "tailspin", "northwind"}, names); diff != "" {
		t.Errorf("organizations (-want +got):\n%s", diff)
	}

	// Each organization shows its state of the form; names match
	// ignoring case.
	for _, tt := range []struct {
		org, wantReason string
		wantProblems    int
	}{
		{"Fabrikam", "", 0},
		{"tailspin", "Your organization does not have access to this feature", 0},
		{"NorthWind", "Azure DevOps asked this integration to wait before sending more requests. Try again in about 60 minutes.", 1},
	} {
		resp, body := do(t, http.MethodGet, srv.URL+"/organizations/"+tt.org+"/config", nil)
		var form struct {
			Fields []struct {
				Disabled       bool   `json:"disabled"`
				DisabledReason string `json:"disabledReason"`
			} `json:"fields"`
			Problems []string `json:"problems"`
		}
		if err := json.Unmarshal(body, &form); err != nil || resp.StatusCode != http.StatusOK {
			t.Fatalf("%s: %d %s: %v", tt.org, resp.StatusCode, body, err)
		}
		if got := form.Fields[0].DisabledReason; got != tt.wantReason || form.Fields[0].Disabled != (tt.wantReason != "") {
			t.Errorf("%s: status field disabled %v with reason %q, want %q", tt.org, form.Fields[0].Disabled, got, tt.wantReason)
		}
		if len(form.Problems) != tt.wantProblems {
			t.Errorf("%s: problems %q, want %d", tt.org, form.Problems, tt.wantProblems)
		}
	}
}

// TestRequestLog checks that durations are logged as durations and long
// paths are cut.
func TestRequestLog(t *testing.T) {
	srv, _, logs := newTestAppLogging(t, newMemStore())
	long := "/" + strings.Repeat("a", 5000)
	do(t, http.MethodGet, srv.URL+long, nil)
	do(t, http.MethodGet, srv.URL+"/healthz", nil)
	var entries []struct {
		Msg      string `json:"msg"`
		Path     string `json:"path"`
		Status   int    `json:"status"`
		Duration string `json:"duration"`
	}
	for line := range strings.Lines(logs.String()) {
		var e struct {
			Msg      string `json:"msg"`
			Path     string `json:"path"`
			Status   int    `json:"status"`
			Duration string `json:"duration"`
		}
		if err := json.Unmarshal([]byte(line), &e); err != nil {
			t.Fatalf("log line %q: %v", line, err)
		}
		if e.Msg == "request" {
			entries = append(entries, e)
		}
	}
	if len(entries) != 2 {
		t.Fatalf("request log entries: %+v", entries)
	}
	if want := long[:maxLoggedPath] + "…"; entries[0].Path != want || entries[0].Status != 404 {
		t.Errorf("logged path %d bytes, status %d; want %d bytes, 404", len(entries[0].Path), entries[0].Status, len(want))
	}
	if entries[1].Path != "/healthz" || entries[1].Status != 204 {
		t.Errorf("second entry: %+v", entries[1])
	}
	for _, e := range entries {
		if d, err := time.ParseDuration(e.Duration); err != nil || d <= 0 {
			t.Errorf("duration %q is not a duration: %v", e.Duration, err)
		}
	}
}

// wireProblem is a problem as a client decodes it.
type wireProblem struct {
	Type   string    `json:"type"`
	Title  string    `json:"title"`
	Status int       `json:"status"`
	Detail string    `json:"detail,omitempty"`
	Errors []wireRow `json:"errors,omitempty"`
}

// wireRow is an orgconfig.MappingError as a client decodes it.
type wireRow struct {
	ProjectID string `json:"project_id"`
	Key       string `json:"key"`
	State     string `json:"state"`
	Code      string `json:"code"`
	Message   string `json:"message"`
}

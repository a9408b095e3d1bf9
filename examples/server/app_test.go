package main

import (
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/azdosync/azdosync/azdo"
	"github.com/azdosync/azdosync/azdo/azdotest"
	"github.com/azdosync/azdosync/features"
	"github.com/google/go-cmp/cmp"
)

func newTestApp(t *testing.T) (*httptest.Server, *azdotest.Server) {
	t.Helper()
	return newTestAppWithStore(t, newMemStore())
}

func newTestAppWithStore(t *testing.T, store Store) (*httptest.Server, *azdotest.Server) {
	t.Helper()
	fake := azdotest.NewServer(t, azdotest.SampleOrg(), azdotest.WithPAT("pat"))
	var gate features.Set
	gate.Enable("fabrikam", "organizations:integrations-issue-sync")
	gate.Enable("other")
	connect := func(org string) (*azdo.Client, error) {
		if org != "fabrikam" && org != "other" {
			return nil, errUnknownOrg
		}
		return azdo.New(fake.URL(), azdo.PAT("pat"))
	}
	a := newApp(connect, &gate, store, 5*time.Second, time.Minute, slog.New(slog.DiscardHandler))
	srv := httptest.NewServer(a.routes())
	t.Cleanup(srv.Close)
	return srv, fake
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

func TestGetConfig(t *testing.T) {
	srv, fake := newTestApp(t)
	resp, body := do(t, http.MethodGet, srv.URL+"/organizations/fabrikam/config", nil)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("status %d: %s", resp.StatusCode, body)
	}
	var got struct {
		Fields []struct {
			Name     string `json:"name"`
			Disabled bool   `json:"disabled"`
		} `json:"fields"`
		Problems []string `json:"problems"`
	}
	if err := json.Unmarshal(body, &got); err != nil {
		t.Fatal(err)
	}
	if len(got.Fields) != 5 || got.Fields[0].Name != "sync_status_forward" || got.Fields[0].Disabled || len(got.Problems) != 0 {
		t.Errorf("form: %s", body)
	}
	etag := resp.Header.Get("ETag")
	requests := fake.Count()

	resp, body = do(t, http.MethodGet, srv.URL+"/organizations/fabrikam/config", map[string]string{"If-None-Match": etag})
	if resp.StatusCode != http.StatusNotModified || len(body) != 0 {
		t.Errorf("conditional GET: %d %q, want 304 and no body", resp.StatusCode, body)
	}
	if fake.Count() != requests {
		t.Errorf("the second GET reached Azure DevOps (%d more requests); the Builder should be cached", fake.Count()-requests)
	}
}

func TestGetConfigStatuses(t *testing.T) {
	srv, _ := newTestApp(t)
	for _, tt := range []struct {
		method, path string
		want         int
	}{
		{http.MethodGet, "/organizations/unknown/config", http.StatusNotFound},
		{http.MethodPost, "/organizations/fabrikam/config", http.StatusMethodNotAllowed},
		{http.MethodGet, "/organizations/fabrikam/projects/nope/states", http.StatusNotFound},
		{http.MethodGet, "/healthz", http.StatusNoContent},
		{http.MethodGet, "/organizations/other/config", http.StatusOK},
		{http.MethodDelete, "/organizations/fabrikam/config", http.StatusMethodNotAllowed},
	} {
		resp, body := do(t, tt.method, srv.URL+tt.path, nil)
		if diff := cmp.Diff(tt.want, resp.StatusCode); diff != "" {
			t.Errorf("%s %s: status (-want +got):\n%s\n%s", tt.method, tt.path, diff, body)
		}
	}
}

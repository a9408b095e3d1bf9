package main

import (
	"net/http"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestCrossSiteWritesRefused: a page of another site cannot make the
// admin's browser change anything: a cross-site form posting to /refresh
// (a simple request, sent without asking the server first) is refused, as
// is a cross-origin PUT, PATCH or POST of the values. The page's own
// requests (same-origin), and clients that are not browsers (no
// Sec-Fetch-Site or Origin), are served.
func TestCrossSiteWritesRefused(t *testing.T) {
	srv, _ := newTestApp(t)
	org := srv.URL + "/organizations/fabrikam"
	json := map[string]string{"Content-Type": "application/json"}
	with := func(base map[string]string, k, v string) map[string]string {
		h := map[string]string{k: v}
		for bk, bv := range base {
			h[bk] = bv
		}
		return h
	}
	for _, tt := range []struct {
		name   string
		method string
		url    string
		header map[string]string
		body   string
		want   int
	}{
		{"cross-site form to refresh", http.MethodPost, org + "/refresh", map[string]string{"Sec-Fetch-Site": "cross-site", "Content-Type": "application/x-www-form-urlencoded"}, "", http.StatusForbidden},
		{"older browser, another origin, to refresh", http.MethodPost, org + "/refresh", map[string]string{"Origin": "https://evil.example"}, "", http.StatusForbidden},
		{"same-site PUT", http.MethodPut, org + "/config", with(json, "Sec-Fetch-Site", "same-site"), `{"sync_comments": true}`, http.StatusForbidden},
		{"cross-site PATCH", http.MethodPatch, org + "/config", with(json, "Sec-Fetch-Site", "cross-site"), `{"sync_comments": true}`, http.StatusForbidden},
		{"cross-site POST", http.MethodPost, org + "/config", with(json, "Sec-Fetch-Site", "cross-site"), `{"sync_comments": true}`, http.StatusForbidden},
		{"the page's refresh", http.MethodPost, org + "/refresh", map[string]string{"Sec-Fetch-Site": "same-origin", "Origin": srv.URL}, "", http.StatusNoContent},
		{"the page's PUT", http.MethodPut, org + "/config", with(json, "Sec-Fetch-Site", "same-origin"), `{"sync_comments": true}`, http.StatusOK},
		{"curl's refresh", http.MethodPost, org + "/refresh", nil, "", http.StatusNoContent},
		{"cross-site GET", http.MethodGet, org + "/config", map[string]string{"Sec-Fetch-Site": "cross-site"}, "", http.StatusOK},
	} {
		resp, body := doBody(t, tt.method, tt.url, tt.header, tt.body)
		if resp.StatusCode != tt.want {
			t.Errorf("%s: status %d, want %d: %s", tt.name, resp.StatusCode, tt.want, body)
		}
		if tt.want == http.StatusForbidden {
			if diff := cmp.Diff("application/problem+json", resp.Header.Get("Content-Type")); diff != "" {
				t.Errorf("%s: content type (-want +got):\n%s", tt.name, diff)
			}
		}
	}
}

package main

import (
	"encoding/json"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/azdosync/azdosync/orgconfig"
	"github.com/chromedp/chromedp"
	"github.com/google/go-cmp/cmp"
)

// TestSearchStates: the states URL answers one project's choices as
// Sentry's frontend reads them, reusable for 30 seconds; every failure is
// a problem.
func TestSearchStates(t *testing.T) {
	srv, _ := newTestApp(t)
	ids := sampleIDs()
	search := func(org, query string) string {
		return srv.URL + "/organizations/" + org + "/search?" + query
	}
	basic := "field=status&project=" + url.QueryEscape(ids["basic-tracker"])

	resp, body := do(t, http.MethodGet, search(orgEnabled, basic), nil)
	var got []map[string]string
	if err := json.Unmarshal(body, &got); err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("%d %s (%v)", resp.StatusCode, body, err)
	}
	want := []map[string]string{{"value": "To Do", "label": "To Do"}, {"value": "Doing", "label": "Doing"}, {"value": "Done", "label": "Done"}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("choices (-want +got):\n%s", diff)
	}
	if cc := resp.Header.Get("Cache-Control"); cc != "private, max-age=30" {
		t.Errorf("Cache-Control %q", cc)
	}
	// IDs ignore case.
	if resp, upper := do(t, http.MethodGet, search(orgEnabled, "field=status&project="+strings.ToUpper(ids["basic-tracker"])), nil); resp.StatusCode != http.StatusOK || string(upper) != string(body) {
		t.Errorf("in capitals: %d %s", resp.StatusCode, upper)
	}

	for _, tt := range []struct {
		name, org, query string
		want             wireProblem
	}{
		{"unknown project", orgEnabled, "field=status&project=nope",
			wireProblem{Type: "/problems/unknown-project", Title: "Unknown project", Status: 404, Detail: `no project "nope"`}},
		{"another field", orgEnabled, "field=priority&project=" + ids["basic-tracker"],
			wireProblem{Type: "about:blank", Title: "Bad Request", Status: 400, Detail: "the query must ask for field=status"}},
		{"no project", orgEnabled, "field=status",
			wireProblem{Type: "about:blank", Title: "Bad Request", Status: 400, Detail: "the query must name a project"}},
		{"gated", orgGated, basic,
			wireProblem{Type: "/problems/feature-unavailable", Title: "Feature unavailable", Status: 403, Detail: "Your organization does not have access to this feature"}},
		{"projects unknown", orgDegraded, basic,
			wireProblem{Type: "/problems/states-unavailable", Title: "States unavailable", Status: 503, Detail: "Azure DevOps asked this integration to wait before sending more requests. Try again in about 60 minutes."}},
		{"unknown organization", "nowhere", basic,
			wireProblem{Type: "/problems/unknown-organization", Title: "Unknown organization", Status: 404, Detail: `no organization "nowhere"`}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			resp, body := do(t, http.MethodGet, search(tt.org, tt.query), nil)
			if diff := cmp.Diff(tt.want, decodeProblem(t, resp, body)); diff != "" {
				t.Errorf("problem (-want +got):\n%s", diff)
			}
		})
	}
}

// TestGetConfigLazy: the form carries the states URL and the selectors of
// the saved rows only, keyed as Azure DevOps spells the IDs.
func TestGetConfigLazy(t *testing.T) {
	store := newMemStore()
	srv, _ := newTestAppWithStore(t, store)
	ids := sampleIDs()
	saved := Saved{SyncStatusForward: orgconfig.StatusMapping{
		strings.ToUpper(ids["basic-tracker"]): {OnResolve: "Done", OnUnresolve: "To Do"},
		"gone":                                {OnResolve: "Done", OnUnresolve: "To Do"},
	}}
	if _, err := store.Save(t.Context(), orgEnabled, saved, nil); err != nil {
		t.Fatal(err)
	}
	_, body := do(t, http.MethodGet, srv.URL+"/organizations/fabrikam/config", nil)
	var got struct {
		Fields []struct {
			PerItemMapping  bool                       `json:"perItemMapping"`
			StatusURL       string                     `json:"statusUrl"`
			MappedSelectors map[string]json.RawMessage `json:"mappedSelectors"`
		} `json:"fields"`
	}
	if err := json.Unmarshal(body, &got); err != nil {
		t.Fatal(err)
	}
	f := got.Fields[0]
	keys := slices.Sorted(func(yield func(string) bool) {
		for k := range f.MappedSelectors {
			if !yield(k) {
				return
			}
		}
	})
	if !f.PerItemMapping || f.StatusURL != "/organizations/fabrikam/search" || !cmp.Equal(keys, []string{ids["basic-tracker"]}) {
		t.Errorf("status field: per item %v, statusUrl %q, selectors of %v; want the saved project's only", f.PerItemMapping, f.StatusURL, keys)
	}
}

// TestBrowserLazyStates: the page shows saved rows from the form's own
// selectors, and asks the states URL once for a row the admin adds,
// offering that project's own states.
func TestBrowserLazyStates(t *testing.T) {
	env := pageApp(t)
	ids := sampleIDs()
	if _, err := env.store.Save(t.Context(), orgEnabled, Saved{SyncStatusForward: orgconfig.StatusMapping{
		ids["Fabrikam Fiber"]: {OnResolve: "Resolved", OnUnresolve: "New"},
	}}, nil); err != nil {
		t.Fatal(err)
	}
	tb := newTab(t)
	tb.open(t, env.url, orgEnabled)
	searches := func() []string {
		return eval[[]string](t, tb, `performance.getEntriesByType('resource').map((e) => e.name).filter((n) => n.includes('/search'))`)
	}
	options := func(id string) []string {
		return eval[[]string](t, tb, `[...document.querySelectorAll('.row[data-project="`+id+`"] select[data-key="on_unresolve"] option')].map((o) => o.value)`)
	}
	if got := searches(); len(got) != 0 {
		t.Errorf("the saved row was fetched: %v", got)
	}
	if diff := cmp.Diff([]string{"", "New", "Active", "Resolved", "Closed"}, options(ids["Fabrikam Fiber"])); diff != "" {
		t.Errorf("the saved row's choices (-want +got):\n%s", diff)
	}

	tb.addProject(t, ids["basic-tracker"])
	want := []string{env.url + "/organizations/fabrikam/search?field=status&project=" + ids["basic-tracker"]}
	if diff := cmp.Diff(want, searches()); diff != "" {
		t.Errorf("requests of the states URL (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{"", "To Do", "Doing", "Done"}, options(ids["basic-tracker"])); diff != "" {
		t.Errorf("the added row's choices (-want +got):\n%s", diff)
	}
	tb.choose(t, ids["basic-tracker"], "Done", "To Do")
	tb.do(t, chromedp.Click(chromedp.ID("save")))
	tb.waitFor(t, `document.getElementById('status').textContent === 'Saved.'`)
	// The saved page still offers the added row its states, from the
	// answer kept: no second request.
	if diff := cmp.Diff([]string{"", "To Do", "Doing", "Done"}, options(ids["basic-tracker"])); diff != "" {
		t.Errorf("the added row's choices after saving (-want +got):\n%s", diff)
	}
	if got := searches(); len(got) != 1 {
		t.Errorf("requests of the states URL after saving: %v", got)
	}
	tb.expectClean(t)
}

// TestBrowserLazyStatesRefused: when the states URL refuses, the added
// row says why, its selects usable but empty, and a later try asks again.
func TestBrowserLazyStatesRefused(t *testing.T) {
	env := pageApp(t)
	ids := sampleIDs()
	tb := newTab(t)
	tb.open(t, env.url, orgEnabled)
	env.gate.Disable(orgEnabled, orgconfig.FeatureIssueSync)
	tb.addProject(t, ids["basic-tracker"])
	want := []rowView{{Project: "basic-tracker", Errors: []string{"Could not load the states of basic-tracker: Your organization does not have access to this feature"}}}
	if diff := cmp.Diff(want, tb.rows(t)); diff != "" {
		t.Errorf("rows (-want +got):\n%s", diff)
	}
	disabled := eval[[]bool](t, tb, `[...document.querySelectorAll('.row select')].map((s) => s.disabled)`)
	if diff := cmp.Diff([]bool{false, false}, disabled); diff != "" {
		t.Errorf("selects disabled (-want +got):\n%s", diff)
	}
	tb.expectClean(t, "status of 403")
}

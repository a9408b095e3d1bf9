package main

import (
	"encoding/json"
	"net/http"
	"slices"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/azdosync/azdosync/azdo/azdotest"
)

// TestRefresh checks that POST /organizations/{org}/refresh makes the next
// form show a project created since the cached one was built.
func TestRefresh(t *testing.T) {
	srv, d := newTestApp(t)
	url := srv.URL + "/organizations/fabrikam"
	projects := func() int {
		t.Helper()
		resp, body := do(t, http.MethodGet, url+"/config", nil)
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("GET config: %d %s", resp.StatusCode, body)
		}
		var got struct {
			Fields []struct {
				AddDropdown struct {
					Items []json.RawMessage `json:"items"`
				} `json:"addDropdown"`
			} `json:"fields"`
		}
		if err := json.Unmarshal(body, &got); err != nil {
			t.Fatal(err)
		}
		return len(got.Fields[0].AddDropdown.Items)
	}
	before := projects()
	fake := d.servers[orgEnabled]
	org := azdotest.SampleOrg()
	org.Projects = append(slices.Clone(org.Projects), azdotest.Project{
		ID: azdotest.StableID("project/Northwind"), Name: "Northwind", ProcessID: azdotest.AgileProcessID,
	})
	if err := fake.SetOrg(org); err != nil {
		t.Fatal(err)
	}
	if got := projects(); got != before {
		t.Fatalf("before the refresh, %d projects; want the cached %d", got, before)
	}
	if resp, body := do(t, http.MethodPost, url+"/refresh", nil); resp.StatusCode != http.StatusNoContent {
		t.Fatalf("POST refresh: %d %s", resp.StatusCode, body)
	}
	if got := projects(); got != before+1 {
		t.Errorf("after the refresh, %d projects; want %d", got, before+1)
	}
	if resp, _ := do(t, http.MethodPost, srv.URL+"/organizations/nope/refresh", nil); resp.StatusCode != http.StatusNotFound {
		t.Errorf("POST refresh of an unknown organization: %d, want 404", resp.StatusCode)
	}
}

// TestBrowserRefresh: the page says when the projects were read from Azure
// DevOps, and its Refresh button shows a project created since.
func TestBrowserRefresh(t *testing.T) {
	env := pageApp(t)
	tb := newTab(t)
	tb.open(t, env.url, orgEnabled)
	if got := eval[string](t, tb, `document.getElementById('fetched').hidden ? '' : document.getElementById('fetched-text').textContent`); got != "Projects and states read from Azure DevOps less than a minute ago." {
		t.Errorf("the page says %q of when the projects were read", got)
	}
	org := azdotest.SampleOrg()
	org.Projects = append(slices.Clone(org.Projects), azdotest.Project{
		ID: azdotest.StableID("project/Northwind"), Name: "Northwind", ProcessID: azdotest.AgileProcessID,
	})
	if err := env.fakes[orgEnabled].SetOrg(org); err != nil {
		t.Fatal(err)
	}
	tb.do(t, chromedp.Click(`#refresh`))
	tb.waitFor(t, `document.getElementById('status').textContent === 'Refreshed from Azure DevOps.'`)
	options := eval[[]string](t, tb, `[...document.querySelectorAll('.add select option')].map((o) => o.textContent)`)
	if !slices.Contains(options, "Northwind") {
		t.Errorf("after Refresh the drop-down offers %q, without the new project", options)
	}
	tb.expectClean(t)
}

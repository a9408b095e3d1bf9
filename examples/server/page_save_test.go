package main

import (
	"fmt"
	"github.com/azdosync/azdosync/azdo/azdotest"
	"net/http"
	"strings"
	"testing"

	"github.com/azdosync/azdosync/orgconfig"
	"github.com/chromedp/chromedp"
	"github.com/google/go-cmp/cmp"
)

// TestBrowserRefusedState: the union form offers basic-tracker the state
// "Resolved", which only other projects have; the server refuses it, and
// the page shows why at basic-tracker's row, and nowhere else.
func TestBrowserRefusedState(t *testing.T) {
	env := pageApp(t, withUnion)
	ids := sampleIDs()
	tb := newTab(t)
	tb.open(t, env.url, orgEnabled)
	tb.addProject(t, ids["Fabrikam Fiber"])
	tb.addProject(t, ids["basic-tracker"])
	tb.choose(t, ids["Fabrikam Fiber"], "Resolved", "Active")
	tb.choose(t, ids["basic-tracker"], "Resolved", "To Do")
	tb.do(t, chromedp.Click(chromedp.ID("save")))
	tb.waitFor(t, `document.getElementById('status').textContent === 'Not saved.'`)

	rows := tb.rows(t)
	if len(rows) != 2 || len(rows[0].Errors) != 1 || !strings.Contains(rows[0].Errors[0], `"Resolved" is not one of its states`) || len(rows[1].Errors) != 0 {
		t.Errorf("rows %+v: want one error about \"Resolved\" at basic-tracker and none at Fabrikam Fiber", rows)
	}
	invalid := eval[[]string](t, tb, `[...document.querySelectorAll('[aria-invalid="true"]')].map((s) => s.closest('.row').querySelector('.project-name').textContent + ' ' + s.dataset.key)`)
	if diff := cmp.Diff([]string{"basic-tracker on_resolve"}, invalid); diff != "" {
		t.Errorf("controls marked invalid (-want +got):\n%s", diff)
	}
	if focused := eval[string](t, tb, `document.activeElement.dataset.key + ' of ' + document.activeElement.closest('.row').dataset.project`); focused != "on_resolve of "+ids["basic-tracker"] {
		t.Errorf("focus on %s, want the refused select", focused)
	}
	if got := tb.alert(t); got != "Not saved: fix the problem shown next to the projects." {
		t.Errorf("alert %q", got)
	}
	if got := env.saved(t, orgEnabled); len(got.SyncStatusForward) != 0 {
		t.Errorf("saved %v despite the 422", got)
	}

	// Fixing the row and saving again clears the error.
	tb.choose(t, ids["basic-tracker"], "Done", "To Do")
	tb.do(t, chromedp.Click(chromedp.ID("save")))
	tb.waitFor(t, `document.getElementById('status').textContent === 'Saved.'`)
	if n := eval[int](t, tb, `document.querySelectorAll('.row-errors li, [aria-invalid="true"]').length`); n != 0 || tb.alert(t) != "" {
		t.Errorf("%d error marks and alert %q left after a good save", n, tb.alert(t))
	}
	tb.expectClean(t, "status of 422")
}

// TestBrowserEditConflict: another admin saves while the page is open; the
// page's save is refused with 412, says so, and reloads on request.
func TestBrowserEditConflict(t *testing.T) {
	env := pageApp(t)
	ids := sampleIDs()
	tb := newTab(t)
	tb.open(t, env.url, orgEnabled)
	tb.addProject(t, ids["Contoso Web"])
	tb.choose(t, ids["Contoso Web"], "Done", "Committed")

	// The other admin.
	url := env.url + "/organizations/fabrikam/config"
	resp, _ := do(t, http.MethodGet, url, nil)
	other := fmt.Sprintf(`{"sync_status_forward":{%q:{"on_resolve":"Closed","on_unresolve":"Active"}},"sync_comments":true}`, ids["Tailspin Toys"])
	resp, body := doBody(t, http.MethodPut, url, map[string]string{"Content-Type": "application/json", "If-Match": resp.Header.Get("ETag")}, other)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("the other admin's save: %d %s", resp.StatusCode, body)
	}

	tb.do(t, chromedp.Click(chromedp.ID("save")))
	tb.waitFor(t, `!document.getElementById('alert').hidden`)
	if got := tb.alert(t); !strings.HasPrefix(got, "Someone else saved this configuration after you opened it") {
		t.Errorf("alert %q", got)
	}
	want := Saved{SyncComments: true, SyncStatusForward: orgconfig.StatusMapping{ids["Tailspin Toys"]: {OnResolve: "Closed", OnUnresolve: "Active"}}}
	if got := env.saved(t, orgEnabled); !cmp.Equal(want, got) {
		t.Errorf("the page overwrote the other admin's save: %+v", got)
	}

	tb.do(t, chromedp.Click(chromedp.CSS(`#alert button`)))
	tb.waitFor(t, `document.getElementById('status').textContent === 'Reloaded the latest saved configuration.'`)
	if diff := cmp.Diff([]rowView{{Project: "Tailspin Toys", OnResolve: "Closed", OnUnresolve: "Active", Errors: []string{}}}, tb.rows(t)); diff != "" {
		t.Errorf("rows after reload (-want +got):\n%s", diff)
	}
	// Now the page holds the latest version: its save goes through.
	tb.do(t, chromedp.Click(chromedp.ID("save")))
	tb.waitFor(t, `document.getElementById('status').textContent === 'Saved.'`)
	tb.expectClean(t, "status of 412")
}

// TestBrowserSaveRefused: a 403 (the feature was turned off after the page
// loaded) and a server that is gone are both said plainly.
func TestBrowserSaveRefused(t *testing.T) {
	env := pageApp(t)
	tb := newTab(t)
	tb.open(t, env.url, orgEnabled)

	env.gate.Disable("fabrikam", orgconfig.FeatureIssueSync)
	tb.do(t, chromedp.Click(chromedp.ID("save")))
	tb.waitFor(t, `!document.getElementById('alert').hidden`)
	if got := tb.alert(t); !strings.HasPrefix(got, "You may not change this configuration: ") {
		t.Errorf("alert after a 403: %q", got)
	}

	env.srv.Close()
	tb.do(t, chromedp.Click(chromedp.ID("save")))
	tb.waitFor(t, `document.getElementById('alert').textContent.startsWith('Could not reach the server')`)
	tb.expectClean(t, "status of 403", "net::ERR_CONNECTION_REFUSED")
}

// TestBrowserStateRenamed: with each project offered its own states (the
// example's default), a state renamed in Azure DevOps after the page
// loaded is refused at save, and shown at that project's row.
func TestBrowserStateRenamed(t *testing.T) {
	env := pageApp(t)
	ids := sampleIDs()
	tb := newTab(t)
	tb.open(t, env.url, orgEnabled)
	tb.addProject(t, ids["Fabrikam Fiber"])
	tb.addProject(t, ids["Contoso Web"])
	tb.choose(t, ids["Fabrikam Fiber"], "Resolved", "Active")
	tb.choose(t, ids["Contoso Web"], "Done", "Committed")

	// Fabrikam Fiber's process (Agile) renames "Resolved".
	org := azdotest.SampleOrg()
	for i, p := range org.Processes {
		if p.ID != azdotest.AgileProcessID {
			continue
		}
		for j, wit := range p.WorkItemTypes {
			for k, st := range wit.States {
				if st.Name == "Resolved" {
					org.Processes[i].WorkItemTypes[j].States[k].Name = "Fixed"
				}
			}
		}
	}
	if err := env.fakes[orgEnabled].SetOrg(org); err != nil {
		t.Fatal(err)
	}

	tb.do(t, chromedp.Click(chromedp.ID("save")))
	tb.waitFor(t, `document.getElementById('status').textContent === 'Not saved.'`)
	rows := tb.rows(t)
	if len(rows) != 2 || len(rows[0].Errors) != 0 || len(rows[1].Errors) != 1 || !strings.Contains(rows[1].Errors[0], `"Resolved" is not one of its states`) {
		t.Errorf("rows %+v: want one error about \"Resolved\" at Fabrikam Fiber and none at Contoso Web", rows)
	}
	tb.expectClean(t, "status of 422")
}

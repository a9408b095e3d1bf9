package main

import (
	"encoding/json"
	"net/http"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/azdosync/azdosync/orgconfig"
)

// TestBrowserRowSaysItsType shows, next to each mapped project, which work
// item type its states are of (the reference name in the tooltip).
func TestBrowserRowSaysItsType(t *testing.T) {
	env := pageApp(t)
	ids := sampleIDs()
	tb := newTab(t)
	tb.open(t, env.url, orgEnabled)
	tb.addProject(t, ids["Woodgrove Bank"])
	tb.addProject(t, ids["basic-tracker"])
	got := eval[[]string](t, tb, `[...document.querySelectorAll('.row')].map((r) => {
		const type = r.querySelector('.project-type');
		return r.querySelector('.project-name').textContent + ': ' + (type ? type.textContent + ' (' + type.title + ')' : 'no type');
	})`)
	want := []string{
		"basic-tracker: states of Issue (Microsoft.VSTS.WorkItemTypes.Issue)",
		"Woodgrove Bank: states of Bug (AgileCustom.Bug)",
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("rows (-want +got):\n%s", diff)
	}
	tb.expectClean(t)
}

// TestTypesInJSON checks that the form says each project's type, by
// project ID (TestGetStates checks one project's states).
func TestTypesInJSON(t *testing.T) {
	env := pageApp(t)
	ids := sampleIDs()
	_, body := do(t, http.MethodGet, env.url+"/organizations/fabrikam/config", nil)
	var form struct {
		Types map[string]orgconfig.WorkItemType `json:"types"`
	}
	if err := json.Unmarshal(body, &form); err != nil {
		t.Fatalf("%v: %s", err, body)
	}
	bug := orgconfig.WorkItemType{Name: "Bug", ReferenceName: "Microsoft.VSTS.WorkItemTypes.Bug"}
	want := map[string]orgconfig.WorkItemType{
		ids["basic-tracker"]:  {Name: "Issue", ReferenceName: "Microsoft.VSTS.WorkItemTypes.Issue"},
		ids["Contoso Web"]:    bug,
		ids["Fabrikam Fiber"]: bug,
		ids["Tailspin Toys"]:  bug,
		ids["Woodgrove Bank"]: {Name: "Bug", ReferenceName: "AgileCustom.Bug"},
	}
	if diff := cmp.Diff(want, form.Types); diff != "" {
		t.Errorf("form types (-want +got):\n%s", diff)
	}
}

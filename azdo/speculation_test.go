package azdo_test

import (
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/azdosync/azdosync/azdo/azdotest"
)

// TestSystemProcessesAskedUpFrontAreBounded follows one Client through
// four Builds of an organization that has the four system processes but
// puts its projects on an inherited one: its first lookup asks all four
// system processes' types alongside the process list (four small requests
// wasted, once); later lookups ask up front only the system processes the
// last list said projects use: none, then, once a project moved to Scrum,
// Scrum (asked after the list the first time, up front the next).
func TestSystemProcessesAskedUpFrontAreBounded(t *testing.T) {
	custom := azdotest.CustomAgileProcess()
	org := azdotest.Org{
		Processes: []azdotest.Process{azdotest.AgileProcess(), azdotest.ScrumProcess(), azdotest.CMMIProcess(), azdotest.BasicProcess(), custom},
	}
	for _, name := range []string{"One", "Two", "Three"} {
		org.Projects = append(org.Projects, azdotest.Project{ID: azdotest.StableID("project/" + name), Name: name, ProcessID: custom.ID})
	}
	srv, c := newPair(t, org, nil)
	name := map[string]string{
		strings.ToLower(azdotest.AgileProcessID): "Agile", strings.ToLower(azdotest.ScrumProcessID): "Scrum",
		strings.ToLower(azdotest.CMMIProcessID): "CMMI", strings.ToLower(azdotest.BasicProcessID): "Basic",
		strings.ToLower(custom.ID): "Agile Custom",
	}
	asked := func() []string {
		var out []string
		for _, r := range srv.Requests() {
			if r.Endpoint == azdotest.EndpointProcessWorkItemTypes {
				out = append(out, name[strings.ToLower(strings.Split(r.Path, "/")[5])])
			}
		}
		slices.Sort(out)
		return out
	}
	for i, want := range [][]string{
		{"Agile", "Agile Custom", "Basic", "CMMI", "Scrum"},
		{"Agile Custom"},
		{"Agile Custom", "Scrum"}, // Scrum after the list
		{"Agile Custom", "Scrum"}, // Scrum up front
	} {
		if i == 2 {
			moved := org
			moved.Projects = slices.Clone(org.Projects)
			moved.Projects[0].ProcessID = azdotest.ScrumProcessID
			if err := srv.SetOrg(moved); err != nil {
				t.Fatal(err)
			}
		}
		srv.ResetStats()
		cfg := uncachedBuild(t, c)
		if len(cfg.Problems) != 0 || len(cfg.States) != 3 {
			t.Fatalf("Build %d: %d projects with states, problems %v", i, len(cfg.States), cfg.Problems)
		}
		if diff := cmp.Diff(want, asked()); diff != "" {
			t.Errorf("Build %d: processes whose types were asked (-want +got):\n%s", i, diff)
		}
	}
}

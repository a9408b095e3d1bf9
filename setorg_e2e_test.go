package azdosync_test

import (
	"slices"
	"testing"

	"github.com/azdosync/azdosync/azdo"
	"github.com/azdosync/azdosync/azdo/azdotest"
	"github.com/azdosync/azdosync/features"
	"github.com/azdosync/azdosync/orgconfig"
	"github.com/google/go-cmp/cmp"
)

// TestChangesBetweenBuilds deletes a project and renames a state of the
// fake organization between two Builds of an uncached Builder (and a
// Client whose process lookup is not kept): the second form shows the
// organization as it is now, over HTTP through the real SDK.
func TestChangesBetweenBuilds(t *testing.T) {
	for _, processAPI := range []bool{true, false} {
		name := map[bool]string{true: "process api", false: "per project"}[processAPI]
		t.Run(name, func(t *testing.T) {
			org := azdotest.SampleOrg()
			srv := azdotest.NewServer(t, org, azdotest.WithPAT("pat"))
			c, err := azdo.New(srv.URL(), azdo.PAT("pat"), azdo.WithProcessAPI(processAPI))
			if err != nil {
				t.Fatal(err)
			}
			b, err := orgconfig.NewBuilder(c, features.Static(true))
			if err != nil {
				t.Fatal(err)
			}
			agile, gone := org.Projects[0], org.Projects[2]
			summary := func() (names []string, agileStates []string) {
				t.Helper()
				cfg, err := b.Build(t.Context(), "org-1")
				if err != nil || len(cfg.Problems) != 0 {
					t.Fatalf("Build = %v, problems %v", err, cfg.Problems)
				}
				for _, p := range cfg.Projects {
					names = append(names, p.Name)
				}
				for _, s := range cfg.States[agile.ID] {
					agileStates = append(agileStates, s.Name)
				}
				return names, agileStates
			}
			names, states := summary()
			if diff := cmp.Diff([]string{"basic-tracker", "Contoso Web", "Fabrikam Fiber", "Tailspin Toys", "Woodgrove Bank"}, names); diff != "" {
				t.Fatalf("projects before (-want +got):\n%s", diff)
			}

			if !slices.Contains(states, "Resolved") {
				t.Fatalf("states of %q before: %v, want Resolved among them", agile.Name, states)
			}

			changed := azdotest.SampleOrg()
			changed.Projects = append(changed.Projects[:2:2], changed.Projects[3:]...)
			bug := &changed.Processes[0].WorkItemTypes[0]
			if changed.Processes[0].ID != agile.ProcessID || bug.Name != "Bug" {
				t.Fatal("the sample organization changed; update the test")
			}
			var wantStates []string
			for _, s := range states {
				if s == "Resolved" {
					s = "Fixed"
				}
				wantStates = append(wantStates, s)
			}
			for i := range bug.States {
				if bug.States[i].Name == "Resolved" {
					bug.States[i].Name = "Fixed"
				}
			}
			if err := srv.SetOrg(changed); err != nil {
				t.Fatal(err)
			}

			names, states = summary()
			if diff := cmp.Diff([]string{"basic-tracker", "Contoso Web", "Fabrikam Fiber", "Woodgrove Bank"}, names); diff != "" {
				t.Errorf("projects after %q was deleted (-want +got):\n%s", gone.Name, diff)
			}
			if diff := cmp.Diff(wantStates, states); diff != "" {
				t.Errorf("states of %q after Resolved was renamed Fixed (-want +got):\n%s", agile.Name, diff)
			}
		})
	}
}

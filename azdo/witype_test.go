package azdo_test

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/azdosync/azdosync/azdo"
	"github.com/azdosync/azdosync/azdo/azdotest"
	"github.com/azdosync/azdosync/features"
	"github.com/azdosync/azdosync/orgconfig"
)

// typed is what WorkItemTypeStates answers for one project.
type typed struct {
	Type   orgconfig.WorkItemType
	States []orgconfig.State
}

func typeStatesOf(t *testing.T, c *azdo.Client, org azdotest.Org) map[string]typed {
	t.Helper()
	listed(t, t.Context(), c) // as a Build does: its process lookup serves the calls below
	out := make(map[string]typed)
	for _, p := range org.Projects {
		typ, states, err := c.WorkItemTypeStates(t.Context(), p.ID)
		if err != nil {
			t.Fatalf("%s: %v", p.Name, err)
		}
		out[p.Name] = typed{typ, states}
	}
	return out
}

var (
	germanBug = []orgconfig.State{st("Neu", "Proposed", "b2b2b2"), st("Aktiv", "InProgress", "007acc"), st("Gelöst", "Resolved", "ff9d00"), st("Geschlossen", "Completed", "339933")}
	defect    = []orgconfig.State{st("Reported", "Proposed", "b2b2b2"), st("Fixing", "InProgress", "007acc"), st("Fixed", "Resolved", "ff9d00"), st("Verified", "Completed", "339933")}
)

// TestLocalizedCollection finds each project's bug type by identity on a
// German collection: by reference name through the process API, through
// the Bug category on XML processes (whose default may be a custom type),
// with two requests per XML project.
func TestLocalizedCollection(t *testing.T) {
	org := azdotest.LocalizedOrg()
	for _, tt := range []struct {
		name    string
		srvOpts []azdotest.Option
		webshop orgconfig.WorkItemType
		// per-project requests: category and states for each project asked
		// one by one
		perProject int
	}{
		{"process api", nil, orgconfig.WorkItemType{Name: "Fehler", ReferenceName: azdo.RefBug}, 2 * 2},
		// Without it, the category names the type by display name only.
		{"no process api", []azdotest.Option{azdotest.WithoutProcessAPI()}, orgconfig.WorkItemType{Name: "Fehler"}, 3 * 2},
	} {
		t.Run(tt.name, func(t *testing.T) {
			srv, c := newPair(t, org, tt.srvOpts)
			want := map[string]typed{
				"Webshop": {tt.webshop, germanBug},
				"Lager":   {orgconfig.WorkItemType{Name: "Fehler"}, germanBug},
				"Mängel":  {orgconfig.WorkItemType{Name: "Defect"}, defect},
			}
			if diff := cmp.Diff(want, typeStatesOf(t, c, org)); diff != "" {
				t.Errorf("types and states (-want +got):\n%s", diff)
			}
			if n := len(perProjectRequests(srv)); n != tt.perProject {
				t.Errorf("%d per-project requests, want %d: %q", n, tt.perProject, perProjectRequests(srv))
			}
			if n := srv.Count(azdotest.EndpointWorkItemTypeStates); n != tt.perProject/2 {
				t.Errorf("%d state requests, want %d", n, tt.perProject/2)
			}
		})
	}
}

// TestProjectWorkItemTypes chooses the type per project: Task in one
// project, the custom Defect by reference name in another, the defaults
// elsewhere; on both paths.
func TestProjectWorkItemTypes(t *testing.T) {
	org := azdotest.SampleOrg()
	defects := azdotest.DefectProcess()
	org.Processes = append(org.Processes, defects)
	org.Projects = append(org.Projects, azdotest.Project{ID: azdotest.StableID("project/Defects"), Name: "Defects", ProcessID: defects.ID})
	fiber := projectByName(t, org, "Fabrikam Fiber").ID
	choose := func(projectID string) []string {
		switch projectID {
		case fiber:
			return []string{azdo.RefTask}
		case org.Projects[5].ID:
			return []string{"Custom.Defect", azdo.RefBug}
		}
		return nil
	}
	task := []orgconfig.State{st("New", "Proposed", "b2b2b2"), st("Active", "InProgress", "007acc"), st("Closed", "Completed", "339933"), st("Removed", "Removed", "ffffff")}
	for _, tt := range []struct {
		name     string
		srvOpts  []azdotest.Option
		wantTask orgconfig.WorkItemType
	}{
		{"process api", nil, orgconfig.WorkItemType{Name: "Task", ReferenceName: azdo.RefTask}},
		{"no process api", []azdotest.Option{azdotest.WithoutProcessAPI()}, orgconfig.WorkItemType{Name: "Task", ReferenceName: azdo.RefTask}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			srv, c := newPair(t, org, tt.srvOpts, azdo.WithProjectWorkItemTypes(choose))
			got := typeStatesOf(t, c, org)
			if diff := cmp.Diff(typed{tt.wantTask, task}, got["Fabrikam Fiber"]); diff != "" {
				t.Errorf("Fabrikam Fiber (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(typed{orgconfig.WorkItemType{Name: "Defect", ReferenceName: "Custom.Defect"}, defect}, got["Defects"]); diff != "" {
				t.Errorf("Defects (-want +got):\n%s", diff)
			}
			if got := got["Contoso Web"].Type.Name; got != "Bug" {
				t.Errorf("Contoso Web's type %q, want the default Bug", got)
			}
			// Fabrikam Fiber's Task and the Defects' Defect cost one
			// request each on the per-project path.
			for _, r := range srv.Requests() {
				if (r.Project == fiber || r.Project == org.Projects[5].ID) && r.Endpoint != azdotest.EndpointWorkItemType {
					t.Errorf("request %s %s for a project whose type is asked by reference name", r.Endpoint, r.Path)
				}
			}
		})
	}
}

// TestProjectWorkItemTypesEmptyName fails the project whose chosen types
// include an empty name, naming it, and asks nothing for it.
func TestProjectWorkItemTypesEmptyName(t *testing.T) {
	org := azdotest.SampleOrg()
	srv, c := newPair(t, org, nil, azdo.WithProjectWorkItemTypes(func(string) []string { return []string{"Bug", " "} }))
	_, _, err := c.WorkItemTypeStates(t.Context(), org.Projects[0].ID)
	if err == nil || !strings.Contains(err.Error(), "work item type 1 that WithProjectWorkItemTypes gave for project "+org.Projects[0].ID+" is empty") {
		t.Fatalf("error %v, want one naming the empty type and the project", err)
	}
	if n := srv.Count(); n != 0 {
		t.Errorf("%d requests, want none", n)
	}
}

// mapStore is an in-memory orgconfig.SharedCache whose claims always
// succeed.
type mapStore struct {
	mu   sync.Mutex
	vals map[string][]byte
}

func (m *mapStore) Get(_ context.Context, key string) ([]byte, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.vals[key], nil
}

func (m *mapStore) Set(_ context.Context, key string, v []byte, _ time.Duration) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.vals == nil {
		m.vals = make(map[string][]byte)
	}
	m.vals[key] = v
	return nil
}

func (m *mapStore) Delete(_ context.Context, key string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	delete(m.vals, key)
	return nil
}

func (m *mapStore) Claim(context.Context, string, time.Duration) (func(context.Context), error) {
	return func(context.Context) {}, nil
}

// TestConfigTypes checks that the form says which type each project's
// states are of, and that a replica reading the snapshot from a shared
// cache says the same without asking Azure DevOps.
func TestConfigTypes(t *testing.T) {
	org := azdotest.LocalizedOrg()
	want := map[string]orgconfig.WorkItemType{
		projectByName(t, org, "Webshop").ID: {Name: "Fehler", ReferenceName: azdo.RefBug},
		projectByName(t, org, "Lager").ID:   {Name: "Fehler"},
		projectByName(t, org, "Mängel").ID:  {Name: "Defect"},
	}
	store := &mapStore{}
	build := func() (*orgconfig.Config, *azdotest.Server) {
		srv, c := newPair(t, org, nil)
		b, err := orgconfig.NewBuilder(c, features.Static(true), orgconfig.WithCacheTTL(time.Minute), orgconfig.WithSharedCache(store, "de"))
		if err != nil {
			t.Fatal(err)
		}
		cfg, err := b.Build(t.Context(), "platform-org")
		if err != nil {
			t.Fatal(err)
		}
		if len(cfg.Problems) != 0 {
			t.Fatalf("problems: %v", cfg.Problems)
		}
		return cfg, srv
	}
	first, _ := build()
	if diff := cmp.Diff(want, first.Types); diff != "" {
		t.Errorf("types (-want +got):\n%s", diff)
	}
	second, srv := build()
	if diff := cmp.Diff(want, second.Types); diff != "" {
		t.Errorf("types from the shared cache (-want +got):\n%s", diff)
	}
	if n := srv.Count(); n != 0 {
		t.Errorf("the second replica made %d requests, want 0", n)
	}
}

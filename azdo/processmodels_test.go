package azdo_test

import (
	"errors"
	"net/http"
	"strconv"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/azdosync/azdosync/azdo"
	"github.com/azdosync/azdosync/azdo/azdotest"
	"github.com/azdosync/azdosync/features"
	"github.com/azdosync/azdosync/orgconfig"
)

func st(name, category, color string) orgconfig.State {
	return orgconfig.State{Name: name, Category: category, Color: color}
}

// mixedOrg has projects on an inherited process, a system process and two
// XML processes: one with a customized Bug, one without Bug (its projects
// use Issue). listed says whether the process list names the XML
// processes' projects.
func mixedOrg(listed bool) (azdotest.Org, map[string][]orgconfig.State) {
	custom := azdotest.CustomAgileProcess()
	scrum := azdotest.ScrumProcess()
	xmlAgile := azdotest.AgileProcess()
	xmlAgile.ID, xmlAgile.Name, xmlAgile.XML, xmlAgile.ListsNoProjects = azdotest.StableID("process/Agile XML"), "Agile XML", true, !listed
	xmlAgile.WorkItemTypes = append([]azdotest.WorkItemType(nil), xmlAgile.WorkItemTypes...)
	xmlAgile.WorkItemTypes[0] = azdotest.WorkItemType{Name: "Bug", ReferenceName: "Microsoft.VSTS.WorkItemTypes.Bug", States: []azdotest.State{
		{Name: "New", Category: "Proposed", Color: "b2b2b2"}, {Name: "Active", Category: "InProgress", Color: "007acc"},
		{Name: "Verified", Category: "Resolved", Color: "ff9d00"}, {Name: "Closed", Category: "Completed", Color: "339933"},
	}}
	xmlBasic := azdotest.BasicProcess()
	xmlBasic.ID, xmlBasic.Name, xmlBasic.XML, xmlBasic.ListsNoProjects = azdotest.StableID("process/Basic XML"), "Basic XML", true, !listed

	project := func(name string, p azdotest.Process) azdotest.Project {
		return azdotest.Project{ID: azdotest.StableID("project/" + name), Name: name, ProcessID: p.ID}
	}
	org := azdotest.Org{
		Name:      "mixed",
		Processes: []azdotest.Process{custom, scrum, xmlAgile, xmlBasic},
		Projects: []azdotest.Project{
			project("Inherited One", custom), project("Inherited Two", custom), project("Scrum One", scrum),
			project("XML Agile One", xmlAgile), project("XML Agile Two", xmlAgile), project("XML Basic", xmlBasic),
		},
	}
	customBug := []orgconfig.State{st("New", "Proposed", "b2b2b2"), st("Triaged", "Proposed", "5688e0"), st("Active", "InProgress", "007acc"), st("Resolved", "Resolved", "ff9d00"), st("Closed", "Completed", "339933")}
	xmlBug := []orgconfig.State{st("New", "Proposed", "b2b2b2"), st("Active", "InProgress", "007acc"), st("Verified", "Resolved", "ff9d00"), st("Closed", "Completed", "339933")}
	want := map[string][]orgconfig.State{
		org.Projects[0].ID: customBug,
		org.Projects[1].ID: customBug,
		org.Projects[2].ID: {st("New", "Proposed", "b2b2b2"), st("Approved", "Proposed", "b2b2b2"), st("Committed", "InProgress", "007acc"), st("Done", "Completed", "339933"), st("Removed", "Removed", "ffffff")},
		org.Projects[3].ID: xmlBug,
		org.Projects[4].ID: xmlBug,
		org.Projects[5].ID: {st("To Do", "Proposed", "b2b2b2"), st("Doing", "InProgress", "007acc"), st("Done", "Completed", "339933")},
	}
	return org, want
}

// TestEveryProcessModel builds the form of an organization mixing
// inherited, system and XML processes: every project gets its states, the
// XML ones by the per-project path, the others by their process.
func TestEveryProcessModel(t *testing.T) {
	for _, tt := range []struct {
		name   string
		listed bool
		// process work item type requests: the inherited and the system
		// process, plus the XML ones when the list names their projects
		// (they answer 400), plus the three system processes this
		// organization lacks, asked up front by a Client's first lookup
		processTypes int
	}{
		{"xml processes answer 400", true, 4 + 3},
		{"xml processes list no projects", false, 2 + 3},
	} {
		t.Run(tt.name, func(t *testing.T) {
			org, want := mixedOrg(tt.listed)
			srv, c := newPair(t, org, nil)
			b, err := orgconfig.NewBuilder(c, features.Static(true))
			if err != nil {
				t.Fatal(err)
			}
			cfg, err := b.Build(t.Context(), "platform-org")
			if err != nil {
				t.Fatal(err)
			}
			if len(cfg.Problems) != 0 || cfg.Reason != "" {
				t.Fatalf("Build problems %v, reason %q; want none", cfg.Problems, cfg.Reason)
			}
			if diff := cmp.Diff(want, cfg.States); diff != "" {
				t.Errorf("states (-want +got):\n%s", diff)
			}
			got := map[azdotest.Endpoint]int{}
			for _, ep := range []azdotest.Endpoint{
				azdotest.EndpointLocations, azdotest.EndpointProjects, azdotest.EndpointProcesses,
				azdotest.EndpointProcessWorkItemTypes, azdotest.EndpointWorkItemTypeStates, azdotest.EndpointWorkItemTypes,
				azdotest.EndpointWorkItemTypeCategory, azdotest.EndpointWorkItemType,
			} {
				got[ep] = srv.Count(ep)
			}
			wantCounts := map[azdotest.Endpoint]int{
				azdotest.EndpointLocations:            0, // pinned routes
				azdotest.EndpointProjects:             1,
				azdotest.EndpointProcesses:            1,
				azdotest.EndpointProcessWorkItemTypes: tt.processTypes,
				// Each XML project asks its Bug category; the XML Agile ones
				// then ask their Bug's states, XML Basic (no Bug category)
				// asks its Issue type.
				azdotest.EndpointWorkItemTypeCategory: 3,
				azdotest.EndpointWorkItemTypeStates:   2,
				azdotest.EndpointWorkItemType:         1,
				azdotest.EndpointWorkItemTypes:        0,
			}
			if diff := cmp.Diff(wantCounts, got); diff != "" {
				t.Errorf("requests by endpoint (-want +got):\n%s", diff)
			}
			if total := srv.Count(); total != 1+1+tt.processTypes+6 {
				t.Errorf("%d requests in all, want %d", total, 1+1+tt.processTypes+6)
			}
			xmlProjects := map[string]bool{org.Projects[3].ID: true, org.Projects[4].ID: true, org.Projects[5].ID: true}
			for _, r := range srv.Requests() {
				if r.Project != "" && !xmlProjects[r.Project] {
					t.Errorf("per-project request for %s, which is not on an XML process", r.Project)
				}
			}
		})
	}
}

// TestProcessTypesRefused checks each answer of the process work item type
// route: a 4xx other than 401 and 429 sends the process's projects to the
// per-project path; 401, 429 and 5xx fail the lookup.
func TestProcessTypesRefused(t *testing.T) {
	org := azdotest.SampleOrg()
	org.Processes, org.Projects = org.Processes[4:], org.Projects[4:] // the inherited process only
	woodgrove := org.Projects[0]
	wantStates := sampleStates()[woodgrove.ID]
	for _, tt := range []struct {
		status     int
		wantErr    error
		perProject int // per-project requests
	}{
		{http.StatusBadRequest, nil, 1},
		{http.StatusForbidden, nil, 1},
		{http.StatusNotFound, nil, 1},
		{http.StatusConflict, nil, 1},
		{http.StatusUnauthorized, azdo.ErrUnauthorized, 0},
		{http.StatusTooManyRequests, azdo.ErrRateLimited, 0},
		{http.StatusServiceUnavailable, azdo.ErrUnavailable, 0},
	} {
		t.Run(http.StatusText(tt.status), func(t *testing.T) {
			opts := []azdo.Option{azdo.WithRetry(2, 10*time.Millisecond)}
			fault := azdotest.Fault{Endpoint: azdotest.EndpointProcessWorkItemTypes, Status: tt.status}
			if tt.status == http.StatusTooManyRequests {
				fault.RetryAfter = "60" // longer than the retry policy waits: fails at once
			}
			srv, c := newPair(t, org, []azdotest.Option{azdotest.WithFaults(fault)}, opts...)
			listed(t, t.Context(), c)
			got, err := c.WorkItemStates(t.Context(), woodgrove.ID)
			if tt.wantErr != nil {
				if !errors.Is(err, tt.wantErr) {
					t.Fatalf("WorkItemStates error = %v, want %v", err, tt.wantErr)
				}
			} else {
				if err != nil {
					t.Fatal(err)
				}
				if diff := cmp.Diff(wantStates, got); diff != "" {
					t.Errorf("states (-want +got):\n%s", diff)
				}
			}
			if n := srv.Count(azdotest.EndpointWorkItemTypeStates); n != tt.perProject {
				t.Errorf("%d per-project requests, want %d", n, tt.perProject)
			}
		})
	}
}

// TestProcessWithoutWantedTypes checks that a process listing none of the
// wanted types sends its projects to the per-project path, which asks the
// Bug category, then each other type in turn.
func TestProcessWithoutWantedTypes(t *testing.T) {
	epics := azdotest.Process{ID: azdotest.StableID("process/Epics"), Name: "Epics", WorkItemTypes: []azdotest.WorkItemType{
		{Name: "Epic", ReferenceName: "Microsoft.VSTS.WorkItemTypes.Epic", States: []azdotest.State{{Name: "New", Category: "Proposed", Color: "b2b2b2"}}},
	}}
	org := azdotest.Org{Processes: []azdotest.Process{epics, azdotest.AgileProcess()}, Projects: []azdotest.Project{
		{ID: azdotest.StableID("project/E"), Name: "E", ProcessID: epics.ID},
		{ID: azdotest.StableID("project/A"), Name: "A", ProcessID: azdotest.AgileProcessID},
	}}
	srv, c := newPair(t, org, nil)
	listed(t, t.Context(), c)
	for _, p := range org.Projects {
		if _, err := c.WorkItemStates(t.Context(), p.ID); err != nil {
			t.Fatal(err)
		}
	}
	base := "/fabrikam/" + org.Projects[0].ID + "/_apis/wit/"
	want := []string{
		base + "workItemTypeCategories/Microsoft.BugCategory",
		base + "workItemTypes/Microsoft.VSTS.WorkItemTypes.Issue",
		base + "workItemTypes/Microsoft.VSTS.WorkItemTypes.Task",
	}
	if diff := cmp.Diff(want, perProjectRequests(srv)); diff != "" {
		t.Errorf("per-project requests (-want +got):\n%s", diff)
	}
}

// TestProcessLookupBoundedByClient checks that the process lookup asks
// every used process at once, bounded only by WithMaxConcurrentRequests
// (there is no hidden bound of its own).
func TestProcessLookupBoundedByClient(t *testing.T) {
	var org azdotest.Org
	for i := range 12 {
		p := azdotest.AgileProcess()
		p.ID, p.Name = azdotest.StableID("process/"+strconv.Itoa(i)), "Agile "+strconv.Itoa(i)
		org.Processes = append(org.Processes, p)
		org.Projects = append(org.Projects, azdotest.Project{ID: azdotest.StableID("project/" + p.Name), Name: p.Name, ProcessID: p.ID})
	}
	for _, tt := range []struct {
		name          string
		opts          []azdo.Option
		wantMin, want int // the four asked up front may overlap the twelve
	}{
		{"default bound of 16", nil, 12, 16},
		{"bound of 3", []azdo.Option{azdo.WithMaxConcurrentRequests(3)}, 3, 3},
	} {
		t.Run(tt.name, func(t *testing.T) {
			// The latency keeps every request in flight long enough for all
			// that may run at once to overlap.
			srv, c := newPair(t, org, []azdotest.Option{azdotest.WithLatency(50 * time.Millisecond)}, tt.opts...)
			listed(t, t.Context(), c)
			if _, err := c.WorkItemStates(t.Context(), org.Projects[0].ID); err != nil {
				t.Fatal(err)
			}
			// 12, and the four system processes', asked up front by a
			// Client's first lookup (this organization lacks them: 404).
			if n := srv.Count(azdotest.EndpointProcessWorkItemTypes); n != 12+4 {
				t.Fatalf("%d process work item type requests, want 16", n)
			}
			if got := srv.MaxInFlight(); got < tt.wantMin || got > tt.want {
				t.Errorf("at most %d requests in flight, want %d to %d", got, tt.wantMin, tt.want)
			}
		})
	}
}

// perProjectRequests lists the paths of the per-project path's requests
// (a category, a type, a type's states), in the order they were answered.
func perProjectRequests(srv *azdotest.Server) []string {
	var out []string
	for _, r := range srv.Requests() {
		switch r.Endpoint {
		case azdotest.EndpointWorkItemTypeCategory, azdotest.EndpointWorkItemType, azdotest.EndpointWorkItemTypeStates:
			out = append(out, r.Path)
		}
	}
	return out
}

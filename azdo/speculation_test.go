package azdo_test

import (
	"context"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/azdosync/azdosync/azdo"
	"github.com/azdosync/azdosync/azdo/azdotest"
)

// TestSystemProcessesAskedUpFrontAreBounded follows one Client through
// four Builds of an organization that has the four system processes but
// puts its projects on an inherited one: its first lookup asks all four
// system processes' types alongside the process list (four small requests
// wasted, once); later lookups ask up front only the system processes the
// last list said projects use: none, then, once a project moved to Scrum,
// Scrum (asked after the list the first time, up front the next).
//
// What the Client sends is recorded at its transport, not read from the
// fake's log: a request asked up front that no project uses is given up
// once the lookup is done, so it may end before the fake sees it, or be
// logged by the fake only after the next Build has started.
func TestSystemProcessesAskedUpFrontAreBounded(t *testing.T) {
	custom := azdotest.CustomAgileProcess()
	org := azdotest.Org{
		Processes: []azdotest.Process{azdotest.AgileProcess(), azdotest.ScrumProcess(), azdotest.CMMIProcess(), azdotest.BasicProcess(), custom},
	}
	for _, name := range []string{"One", "Two", "Three"} {
		org.Projects = append(org.Projects, azdotest.Project{ID: azdotest.StableID("project/" + name), Name: name, ProcessID: custom.ID})
	}
	sent := &recordPaths{base: http.DefaultTransport}
	srv, c := newPair(t, org, nil, azdo.WithHTTPClient(&http.Client{Transport: sent}))
	name := map[string]string{
		strings.ToLower(azdotest.AgileProcessID): "Agile", strings.ToLower(azdotest.ScrumProcessID): "Scrum",
		strings.ToLower(azdotest.CMMIProcessID): "CMMI", strings.ToLower(azdotest.BasicProcessID): "Basic",
		strings.ToLower(custom.ID): "Agile Custom",
	}
	asked := func() []string {
		var out []string
		for _, p := range sent.take() {
			// /{org}/_apis/work/processes/{id}/workitemtypes
			if segs := strings.Split(p, "/"); len(segs) == 7 && segs[4] == "processes" && strings.EqualFold(segs[6], "workitemtypes") {
				out = append(out, name[strings.ToLower(segs[5])])
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
		sent.take()
		cfg := buildForm(t, c)
		if len(cfg.Problems) != 0 || len(cfg.States) != 3 {
			t.Fatalf("Build %d: %d projects with states, problems %v", i, len(cfg.States), cfg.Problems)
		}
		if diff := cmp.Diff(want, asked()); diff != "" {
			t.Errorf("Build %d: processes whose types were asked (-want +got):\n%s", i, diff)
		}
	}
}

// recordPaths is a base transport that records the path of every request
// sent through it.
type recordPaths struct {
	base  http.RoundTripper
	mu    sync.Mutex
	paths []string
}

func (r *recordPaths) RoundTrip(req *http.Request) (*http.Response, error) {
	r.mu.Lock()
	r.paths = append(r.paths, req.URL.Path)
	r.mu.Unlock()
	return r.base.RoundTrip(req)
}

// take returns the paths recorded since the last take.
func (r *recordPaths) take() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	p := r.paths
	r.paths = nil
	return p
}

// hangPath is a base transport whose requests to paths containing its
// string never answer: they end when their context does.
type hangPath string

func (h hangPath) RoundTrip(r *http.Request) (*http.Response, error) {
	if strings.Contains(strings.ToLower(r.URL.Path), string(h)) {
		<-r.Context().Done()
		return nil, r.Context().Err()
	}
	return http.DefaultTransport.RoundTrip(r)
}

// TestUnusedSpeculationDoesNotHoldProjects checks that a system process
// asked up front that the process list then says no project uses cannot
// hold Projects: its request, hanging, is given up once the lookup knows
// it is not needed, rather than waited for until the deadline fails the
// call.
func TestUnusedSpeculationDoesNotHoldProjects(t *testing.T) {
	org := azdotest.Org{Processes: []azdotest.Process{azdotest.AgileProcess(), azdotest.ScrumProcess()}}
	org.Projects = []azdotest.Project{{ID: azdotest.StableID("project/One"), Name: "One", ProcessID: azdotest.AgileProcessID}}
	_, c := newPair(t, org, nil, azdo.WithHTTPClient(&http.Client{Transport: hangPath(strings.ToLower(azdotest.ScrumProcessID))}))
	ctx, cancel := context.WithTimeout(t.Context(), 5*time.Second)
	defer cancel()
	got, err := c.Projects(ctx)
	if err != nil {
		t.Fatalf("Projects: %v", err)
	}
	if len(got) != 1 {
		t.Fatalf("Projects = %v, want One", got)
	}
	states, err := c.WorkItemStates(ctx, got[0].ID)
	if err != nil || len(states) == 0 {
		t.Errorf("WorkItemStates = %v, %v; want Agile's Bug states", states, err)
	}
}

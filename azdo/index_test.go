package azdo_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/azdosync/azdosync/azdo"
	"github.com/azdosync/azdosync/azdo/azdotest"
	"github.com/azdosync/azdosync/orgconfig"
)

// endpointCounts counts the requests of each endpoint a Build may send.
func endpointCounts(srv *azdotest.Server) map[azdotest.Endpoint]int {
	got := map[azdotest.Endpoint]int{}
	for _, ep := range []azdotest.Endpoint{
		azdotest.EndpointLocations, azdotest.EndpointProjects, azdotest.EndpointProcesses,
		azdotest.EndpointProcessWorkItemTypes, azdotest.EndpointWorkItemTypeStates, azdotest.EndpointWorkItemTypes,
		azdotest.EndpointWorkItemType, azdotest.EndpointWorkItemTypeCategory,
	} {
		if n := srv.Count(ep); n > 0 {
			got[ep] = n
		}
	}
	return got
}

// perProjectCount counts the requests of the per-project path.
func perProjectCount(srv *azdotest.Server) int {
	return srv.Count(azdotest.EndpointWorkItemTypeStates, azdotest.EndpointWorkItemType, azdotest.EndpointWorkItemTypeCategory)
}

// TestStatesAsFreshAsTheBuild renames a state between two Builds of an
// uncached Builder on a Client with default options: the second Build
// shows the new name (the Client used to keep each process's states for
// 30 s), and each Build costs 1 + pages + P requests, its 1 000 state
// fetches none.
func TestStatesAsFreshAsTheBuild(t *testing.T) {
	org := azdotest.ScaledOrg(1000)
	srv, c := newPair(t, org, nil)
	agile := org.Projects[0]
	if agile.ProcessID != azdotest.AgileProcessID {
		t.Fatal("the scaled organization changed; update the test")
	}
	bugStates := func(cfg *orgconfig.Config) []string {
		var names []string
		for _, s := range cfg.States[agile.ID] {
			names = append(names, s.Name)
		}
		return names
	}
	for i, rename := range []string{"", "Fixed", "Mended"} {
		if rename != "" {
			changed := azdotest.ScaledOrg(1000)
			bug := &changed.Processes[0].WorkItemTypes[0]
			for j := range bug.States {
				if bug.States[j].Category == orgconfig.CategoryResolved {
					bug.States[j].Name = rename
				}
			}
			if err := srv.SetOrg(changed); err != nil {
				t.Fatal(err)
			}
		}
		srv.ResetStats()
		cfg := buildForm(t, c)
		if len(cfg.Problems) != 0 || len(cfg.States) != 1000 {
			t.Fatalf("Build %d: %d projects with states, problems %v", i, len(cfg.States), cfg.Problems)
		}
		want := "Resolved"
		if rename != "" {
			want = rename
		}
		if got := bugStates(cfg); !slices.Contains(got, want) {
			t.Errorf("Build %d: states of %s are %v, want %q among them", i, agile.Name, got, want)
		}
		// No discovery: the routes are pinned. The four system processes'
		// types are asked alongside the list (all four on the first
		// Build, then those the last list said projects use: here the
		// same four).
		wantCounts := map[azdotest.Endpoint]int{
			azdotest.EndpointProjects: 1, azdotest.EndpointProcesses: 1, azdotest.EndpointProcessWorkItemTypes: 4,
		}
		if diff := cmp.Diff(wantCounts, endpointCounts(srv)); diff != "" {
			t.Errorf("Build %d: requests by endpoint (-want +got):\n%s", i, diff)
		}
	}
}

// TestIndexServesEachProjectOnce checks that the states a Projects call
// looked up are handed out once per project: asked again, a project's
// states come from Azure DevOps, not from a copy kept by the Client.
func TestIndexServesEachProjectOnce(t *testing.T) {
	org := azdotest.SampleOrg()
	srv, c := newPair(t, org, nil)
	fabrikam := projectByName(t, org, "Fabrikam Fiber")
	listed(t, t.Context(), c)
	first, err := c.WorkItemStates(t.Context(), fabrikam.ID)
	if err != nil {
		t.Fatal(err)
	}
	if n := perProjectCount(srv); n != 0 {
		t.Fatalf("%d per-project requests for a listed project, want 0", n)
	}
	again, err := c.WorkItemStates(t.Context(), fabrikam.ID)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(first, again); diff != "" {
		t.Errorf("states asked again (-first +again):\n%s", diff)
	}
	if n := perProjectCount(srv); n != 2 { // its Bug category, then the Bug's states
		t.Errorf("%d per-project requests for the project asked again, want 2", n)
	}
}

// TestFailedProcessListOncePerBuild is issue 16's repro: the process list
// answering 503 made every wave of state fetches start a lookup of its own
// (56 process-list requests for 100 projects; a truncated list with
// WithRetry(2, 10ms) made 127). The failed lookup is now tried once per
// Build, its retries included, and stands for every project's states.
func TestFailedProcessListOncePerBuild(t *testing.T) {
	for _, tt := range []struct {
		name  string
		fault azdotest.Fault
		kind  error
		text  string
		tries int
	}{
		{"503", azdotest.Fault{Status: http.StatusServiceUnavailable}, azdo.ErrUnavailable, "list processes: 503", 2},
		{"truncated", azdotest.Fault{Kind: azdotest.FaultTruncated}, azdo.ErrBadResponse, "list processes: ", 1},
		{"malformed", azdotest.Fault{Kind: azdotest.FaultMalformed}, azdo.ErrBadResponse, "list processes: could not decode", 1},
	} {
		t.Run(tt.name, func(t *testing.T) {
			f := tt.fault
			f.Endpoint = azdotest.EndpointProcesses
			srv, c := newPair(t, azdotest.ScaledOrg(100), []azdotest.Option{azdotest.WithFaults(f)}, azdo.WithRetry(2, 10*time.Millisecond))
			cfg := buildForm(t, c)
			// The four system processes' types are asked alongside the list,
			// and go unused.
			want := map[azdotest.Endpoint]int{
				azdotest.EndpointProjects: 1, azdotest.EndpointProcesses: tt.tries, azdotest.EndpointProcessWorkItemTypes: 4,
			}
			if diff := cmp.Diff(want, endpointCounts(srv)); diff != "" {
				t.Errorf("requests by endpoint (-want +got):\n%s", diff)
			}
			if len(cfg.Problems) != 100 || cfg.Reason != orgconfig.ReasonNoStates {
				t.Fatalf("%d problems, reason %q; want one per project and %q", len(cfg.Problems), cfg.Reason, orgconfig.ReasonNoStates)
			}
			for _, p := range cfg.Problems {
				if !errors.Is(p, tt.kind) || !strings.Contains(p.Error(), tt.text) {
					t.Fatalf("problem %v, want the process list's failure (%v, %q)", p, tt.kind, tt.text)
				}
			}
		})
	}
}

// rewriteProcesses is a base transport that hands the process list's body
// to edit before the Client reads it.
type rewriteProcesses func(list []map[string]any)

func (f rewriteProcesses) RoundTrip(r *http.Request) (*http.Response, error) {
	resp, err := http.DefaultTransport.RoundTrip(r)
	if err != nil || r.Method != http.MethodGet || !strings.HasSuffix(r.URL.Path, "/_apis/work/processes") {
		return resp, err
	}
	defer resp.Body.Close()
	var body struct {
		Count int              `json:"count"`
		Value []map[string]any `json:"value"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&body); err != nil {
		return nil, err
	}
	f(body.Value)
	b, err := json.Marshal(body)
	if err != nil {
		return nil, err
	}
	resp.Body, resp.ContentLength = io.NopCloser(bytes.NewReader(b)), int64(len(b))
	resp.Header.Del("Content-Length")
	return resp, nil
}

// perProjectAsked returns the names of the projects whose types were asked
// one by one, sorted.
func perProjectAsked(srv *azdotest.Server, org azdotest.Org) []string {
	names := map[string]string{}
	for _, p := range org.Projects {
		names[strings.ToLower(p.ID)] = p.Name
	}
	seen := map[string]bool{}
	var out []string
	for _, r := range srv.Requests() {
		perProject := r.Endpoint == azdotest.EndpointWorkItemTypeStates || r.Endpoint == azdotest.EndpointWorkItemType ||
			r.Endpoint == azdotest.EndpointWorkItemTypeCategory
		if perProject && !seen[r.Project] {
			seen[r.Project] = true
			out = append(out, names[strings.ToLower(r.Project)])
		}
	}
	slices.Sort(out)
	return out
}

// TestMalformedProcessEntries checks that a malformed entry of the process
// list costs only the projects it names, which are asked one by one: a
// process whose typeId is not a UUID, a project ID that is not one, and an
// entry that is not an object. The whole lookup used to fail, and every
// project with it.
func TestMalformedProcessEntries(t *testing.T) {
	org := azdotest.SampleOrg()
	edit := rewriteProcesses(func(list []map[string]any) {
		for _, p := range list {
			switch p["typeId"] {
			case azdotest.ScrumProcessID:
				p["typeId"] = "not-a-uuid"
			case azdotest.CMMIProcessID:
				p["projects"].([]any)[0].(map[string]any)["id"] = "{garbage}"
			case azdotest.BasicProcessID:
				p["projects"] = "all of them"
			}
		}
	})
	srv, c := newPair(t, org, nil, azdo.WithHTTPClient(&http.Client{Transport: edit}))
	cfg := buildForm(t, c)
	if len(cfg.Problems) != 0 {
		t.Fatalf("problems: %v", cfg.Problems)
	}
	if diff := cmp.Diff(sampleStates(), cfg.States); diff != "" {
		t.Errorf("states (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{"Contoso Web", "Tailspin Toys", "basic-tracker"}, perProjectAsked(srv, org)); diff != "" {
		t.Errorf("projects asked one by one (-want +got):\n%s", diff)
	}
	if n := srv.Count(azdotest.EndpointProcesses); n != 1 {
		t.Errorf("%d process-list requests, want 1", n)
	}
}

// failProcess is a base transport that answers the work item types of one
// process itself, with status and body, and counts them.
type failProcess struct {
	id     string
	status int
	body   string
	tries  *atomic.Int32
}

func (f failProcess) RoundTrip(r *http.Request) (*http.Response, error) {
	if !strings.Contains(r.URL.Path, "/_apis/work/processes/"+f.id) {
		return http.DefaultTransport.RoundTrip(r)
	}
	f.tries.Add(1)
	return &http.Response{
		StatusCode: f.status, Status: fmt.Sprintf("%d %s", f.status, http.StatusText(f.status)),
		Proto: "HTTP/1.1", ProtoMajor: 1, ProtoMinor: 1, Request: r,
		Header:        http.Header{"Content-Type": {"application/json"}},
		Body:          io.NopCloser(strings.NewReader(f.body)),
		ContentLength: int64(len(f.body)),
	}, nil
}

// TestFailedProcessTypesCostOnlyTheirProjects checks that a process whose
// work item types fail (500; 503 after retries; a body that does not
// parse) costs only its own projects: they report the failure once, and
// the others have their states. The whole lookup used to fail, for every
// project, and be asked again by every wave of state fetches.
func TestFailedProcessTypesCostOnlyTheirProjects(t *testing.T) {
	org := azdotest.SampleOrg()
	fabrikam := projectByName(t, org, "Fabrikam Fiber")
	if fabrikam.ProcessID != azdotest.AgileProcessID {
		t.Fatal("the sample organization changed; update the test")
	}
	for _, tt := range []struct {
		status int
		body   string
		kind   error
		tries  int32
	}{
		{http.StatusInternalServerError, `{"message":"boom"}`, azdo.ErrUnavailable, 1},
		{http.StatusServiceUnavailable, `{"message":"busy"}`, azdo.ErrUnavailable, 2},
		{http.StatusOK, `{"count":1,"value":[{"name":`, azdo.ErrBadResponse, 1},
	} {
		t.Run(fmt.Sprint(tt.status), func(t *testing.T) {
			tries := new(atomic.Int32)
			srv, c := newPair(t, org, nil, azdo.WithRetry(2, 10*time.Millisecond),
				azdo.WithHTTPClient(&http.Client{Transport: failProcess{azdotest.AgileProcessID, tt.status, tt.body, tries}}))
			cfg := buildForm(t, c)
			want := sampleStates()
			delete(want, fabrikam.ID)
			if diff := cmp.Diff(want, cfg.States); diff != "" {
				t.Errorf("states (-want +got):\n%s", diff)
			}
			if len(cfg.Problems) != 1 || !errors.Is(cfg.Problems[0], tt.kind) || !strings.Contains(cfg.Problems[0].Error(), "list process work item types") {
				t.Fatalf("problems %v, want one of kind %v, for %s", cfg.Problems, tt.kind, fabrikam.Name)
			}
			var opErr *orgconfig.OpError
			if !errors.As(cfg.Problems[0], &opErr) || opErr.ProjectID != fabrikam.ID {
				t.Errorf("problem %v names another project", cfg.Problems[0])
			}
			if n := tries.Load(); n != tt.tries {
				t.Errorf("Agile's types asked %d times, want %d", n, tt.tries)
			}
			if n := perProjectCount(srv); n != 0 {
				t.Errorf("%d per-project requests, want 0", n)
			}
		})
	}
}

// TestProcessesOfUnlistedProjectsCostNothing checks that processes naming
// only projects the organization does not list (being deleted, here) are
// never asked for their work item types: 200 such processes used to cost
// 200 requests.
func TestProcessesOfUnlistedProjectsCostNothing(t *testing.T) {
	org := azdotest.SampleOrg()
	for i := range 200 {
		p := azdotest.AgileProcess()
		p.ID, p.Name, p.ParentID = azdotest.StableID(fmt.Sprint("process/gone ", i)), fmt.Sprint("Gone ", i), azdotest.AgileProcessID
		org.Processes = append(org.Processes, p)
		org.Projects = append(org.Projects, azdotest.Project{
			ID: azdotest.StableID(fmt.Sprint("project/gone ", i)), Name: fmt.Sprint("Gone ", i), ProcessID: p.ID, State: "deleting",
		})
	}
	srv, c := newPair(t, org, nil)
	cfg := buildForm(t, c)
	if len(cfg.Problems) != 0 || len(cfg.States) != 5 {
		t.Fatalf("%d projects with states, problems %v; want 5, none", len(cfg.States), cfg.Problems)
	}
	if n := srv.Count(azdotest.EndpointProcessWorkItemTypes); n != 5 {
		t.Errorf("%d process work item type requests, want 5 (the listed projects' processes)", n)
	}
}

// TestProcessCap checks that at most 1 000 processes are asked for their
// work item types in one Build: the project of the 1 001st has a problem
// saying so instead of a request.
func TestProcessCap(t *testing.T) {
	var org azdotest.Org
	for i := range 1001 {
		p := azdotest.BasicProcess()
		p.ID, p.Name, p.ParentID = azdotest.StableID(fmt.Sprint("process/", i)), fmt.Sprintf("Basic %04d", i), azdotest.BasicProcessID
		org.Processes = append(org.Processes, p)
		org.Projects = append(org.Projects, azdotest.Project{ID: azdotest.StableID(fmt.Sprint("project/", i)), Name: fmt.Sprintf("P%04d", i), ProcessID: p.ID})
	}
	srv, c := newPair(t, org, nil)
	cfg := buildForm(t, c)
	// And the four system processes', asked alongside the list by a
	// Client's first lookup (this organization lacks them: 404).
	if n := srv.Count(azdotest.EndpointProcessWorkItemTypes); n != 1000+4 {
		t.Errorf("%d process work item type requests, want 1004", n)
	}
	if len(cfg.States) != 1000 || len(cfg.Problems) != 1 || !strings.Contains(cfg.Problems[0].Error(), "more than 1000 processes") {
		t.Fatalf("%d projects with states, problems %v; want 1000 and one naming the cap", len(cfg.States), cfg.Problems)
	}
	var opErr *orgconfig.OpError
	if !errors.As(cfg.Problems[0], &opErr) || opErr.ProjectName != "P1000" {
		t.Errorf("problem %v, want it for P1000, the project of the last process", cfg.Problems[0])
	}
}

package azdotest_test

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/azdosync/azdosync/azdo/azdotest"
	"github.com/google/go-cmp/cmp"
)

// get requests path below the server's organization with a PAT.
func get(t *testing.T, srv *azdotest.Server, method, path string) (*http.Response, string) {
	t.Helper()
	req, err := http.NewRequestWithContext(t.Context(), method, srv.URL()+path, nil)
	if err != nil {
		t.Fatal(err)
	}
	req.SetBasicAuth("", "pat")
	resp, err := srv.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp, string(body)
}

// TestProjectPaging checks the continuation algorithm of the service
// (ADO-WIRE.md §2), including its edge cases.
func TestProjectPaging(t *testing.T) {
	srv := azdotest.NewServer(t, azdotest.ScaledOrg(7), azdotest.WithPageSize(0))
	for _, tt := range []struct {
		query     string
		wantCount int
		wantToken string
	}{
		{"", 7, ""},
		{"?$top=3", 3, "3"},
		{"?$top=3&continuationToken=3", 3, "6"},
		{"?$top=3&continuationToken=6", 1, ""},
		{"?$top=100", 7, ""},                   // $top beyond count is "invalid": everything, no header
		{"?$top=0", 0, "0"},                    // an empty page with header 0
		{"?$top=3&continuationToken=9", 0, ""}, // a token beyond count with a valid $top: an empty page
		{"?continuationToken=5", 2, ""},
		{"?$skip=2&$top=2", 2, "4"},
	} {
		t.Run(tt.query, func(t *testing.T) {
			resp, body := get(t, srv, http.MethodGet, "/_apis/projects"+tt.query)
			var page struct {
				Count int               `json:"count"`
				Value []json.RawMessage `json:"value"`
			}
			if err := json.Unmarshal([]byte(body), &page); err != nil {
				t.Fatal(err)
			}
			got := []any{len(page.Value), resp.Header.Get("x-ms-continuationtoken")}
			if diff := cmp.Diff([]any{tt.wantCount, tt.wantToken}, got); diff != "" {
				t.Errorf("page (-want +got):\n%s", diff)
			}
		})
	}
}

func TestRoutingAndErrors(t *testing.T) {
	org := azdotest.SampleOrg()
	srv := azdotest.NewServer(t, org, azdotest.WithPAT("pat"))
	agile := org.Projects[0]
	for _, tt := range []struct {
		method, path string
		wantStatus   int
		wantInBody   string
	}{
		{http.MethodOptions, "/_apis", 200, `"routeTemplate":"_apis/{resource}/{*projectId}"`},
		{http.MethodGet, "/_APIS/resourceAreas", 200, `"79134c72-4a58-4b42-976c-04e7115f32bf"`},
		{http.MethodGet, "/" + strings.ToUpper(agile.Name[:1]) + agile.Name[1:] + "/_apis/wit/workitemtypes/bug/states", 200, `"name":"Resolved","color":"ff9d00","category":"Resolved"`},
		{http.MethodGet, "/" + agile.ID + "/_apis/wit/workitemtypes/NoSuchType/states", 200, `{"count":0,"value":[]}`},
		{http.MethodGet, "/NoSuchProject/_apis/wit/workitemtypes/Bug/states", 404, `TF200016: The following project does not exist: NoSuchProject`},
		{http.MethodGet, "/" + agile.ID + "/_apis/wit/workItemTypes/Microsoft.VSTS.WorkItemTypes.Task", 200, `"name":"Task","referenceName":"Microsoft.VSTS.WorkItemTypes.Task"`},
		{http.MethodGet, "/" + agile.ID + "/_apis/wit/workItemTypes/bug", 200, `"referenceName":"Microsoft.VSTS.WorkItemTypes.Bug"`},
		{http.MethodGet, "/" + agile.ID + "/_apis/wit/workItemTypes/Epic", 404, `VS402323: Work item type Epic does not exist`},
		{http.MethodGet, "/" + agile.ID + "/_apis/wit/workItemTypeCategories/Microsoft.BugCategory", 200, `"defaultWorkItemType":{"name":"Bug"`},
		{http.MethodGet, "/" + org.Projects[3].ID + "/_apis/wit/workItemTypeCategories/Microsoft.BugCategory", 404, `"typeKey":"WorkItemTypeCategoryNotFoundException"`},
		{http.MethodGet, "/_apis/work/processes/" + azdotest.AgileProcessID + "/workItemTypes/Microsoft.VSTS.WorkItemTypes.Bug/states", 200, `"stateCategory":"Resolved"`},
		{http.MethodGet, "/_apis/work/processes/" + azdotest.AgileProcessID + "/workItemTypes/Nope/states", 404, `VS402805`},
		{http.MethodGet, "/_apis/work/processes/00000000-0000-0000-0000-000000000009/workItemTypes", 404, `VS402362`},
		{http.MethodGet, "/_apis/nothing", 404, `"typeKey":"ApiResourceNotFoundException"`},
	} {
		t.Run(tt.method+" "+tt.path, func(t *testing.T) {
			resp, body := get(t, srv, tt.method, tt.path)
			if resp.StatusCode != tt.wantStatus || !strings.Contains(body, tt.wantInBody) {
				t.Errorf("%d %s\nwant %d containing %s", resp.StatusCode, body, tt.wantStatus, tt.wantInBody)
			}
			if ct := resp.Header.Get("Content-Type"); ct != "application/json; charset=utf-8" {
				t.Errorf("Content-Type = %q", ct)
			}
		})
	}
	t.Run("wrong credentials", func(t *testing.T) {
		req, _ := http.NewRequestWithContext(t.Context(), http.MethodGet, srv.URL()+"/_apis/projects", nil)
		req.SetBasicAuth("", "nope")
		resp, err := srv.Client().Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusUnauthorized {
			t.Errorf("status = %d, want 401", resp.StatusCode)
		}
	})
}

func TestFaultsAreCountedAndUsedUp(t *testing.T) {
	org := azdotest.SampleOrg()
	target := org.Projects[1]
	srv := azdotest.NewServer(t, org, azdotest.WithFaults(azdotest.Fault{
		Endpoint: azdotest.EndpointWorkItemTypeStates, Project: target.Name, Times: 2, Status: 503, RetryAfter: "2",
	}))
	var got []int
	for _, p := range []string{target.ID, target.ID, org.Projects[0].ID, target.ID} {
		resp, _ := get(t, srv, http.MethodGet, "/"+p+"/_apis/wit/workitemtypes/Bug/states")
		got = append(got, resp.StatusCode)
	}
	if diff := cmp.Diff([]int{503, 503, 200, 200}, got); diff != "" {
		t.Errorf("statuses (-want +got):\n%s", diff)
	}
	if n := srv.Count(azdotest.EndpointWorkItemTypeStates); n != 4 {
		t.Errorf("Count = %d, want 4", n)
	}
	log := srv.Requests()
	if log[0].Status != 503 || log[0].Project != target.ID {
		t.Errorf("first logged request = %+v", log[0])
	}
}

// TestCount checks the one counting method: all requests, one endpoint,
// several endpoints (each counted once), and requests that failed.
func TestCount(t *testing.T) {
	srv := azdotest.NewServer(t, azdotest.SampleOrg(), azdotest.WithPAT("pat"),
		azdotest.WithFaults(azdotest.Fault{Endpoint: azdotest.EndpointProcesses, Times: 1, Status: 503}))
	get(t, srv, http.MethodGet, "/_apis/projects")
	get(t, srv, http.MethodGet, "/_apis/projects")
	get(t, srv, http.MethodGet, "/_apis/work/processes")
	get(t, srv, http.MethodGet, "/_apis/nothing-here")
	got := map[string]int{
		"all":                srv.Count(),
		"projects":           srv.Count(azdotest.EndpointProjects),
		"projects+processes": srv.Count(azdotest.EndpointProjects, azdotest.EndpointProcesses),
		"projects twice":     srv.Count(azdotest.EndpointProjects, azdotest.EndpointProjects),
		"unknown":            srv.Count(azdotest.EndpointUnknown),
		"locations":          srv.Count(azdotest.EndpointLocations),
	}
	want := map[string]int{"all": 4, "projects": 2, "projects+processes": 3, "projects twice": 2, "unknown": 1, "locations": 0}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Count (-want +got):\n%s", diff)
	}
	srv.ResetStats()
	if n := srv.Count(); n != 0 {
		t.Errorf("Count after ResetStats = %d, want 0", n)
	}
}

// TestOptionsAreChecked gives Start, NewServer and Inject invalid
// arguments: each names the problem, and nothing starts or is injected.
func TestOptionsAreChecked(t *testing.T) {
	for _, tt := range []struct {
		name string
		opt  azdotest.Option
		want string
	}{
		{"nil", nil, "azdotest: start: option 0 is nil"},
		{"negative page size", azdotest.WithPageSize(-1), "azdotest: start: page size must not be negative, got -1"},
		{"negative max page size", azdotest.WithMaxPageSize(-5), "azdotest: start: max page size must not be negative, got -5"},
		{"negative latency", azdotest.WithLatency(-time.Second), "azdotest: start: latency must not be negative, got -1s"},
		{"empty pat", azdotest.WithPAT(""), "azdotest: start: personal access token must not be empty"},
		{"empty bearer", azdotest.WithBearer(""), "azdotest: start: bearer token must not be empty"},
		{"fault status", azdotest.WithFaults(azdotest.Fault{}, azdotest.Fault{Status: 42}), "azdotest: start: fault 1: status 42 is not between 200 and 599"},
		{"fault times", azdotest.WithFaults(azdotest.Fault{Times: -1}), "azdotest: start: fault 0: times must not be negative, got -1"},
		{"fault delay", azdotest.WithFaults(azdotest.Fault{Kind: azdotest.FaultDelay, Delay: -time.Millisecond}), "azdotest: start: fault 0: delay must not be negative, got -1ms"},
		{"fault size", azdotest.WithFaults(azdotest.Fault{Kind: azdotest.FaultOversized, Size: -1}), "azdotest: start: fault 0: size must not be negative, got -1"},
		{"fault kind", azdotest.WithFaults(azdotest.Fault{Kind: 99}), "azdotest: start: fault 0: unknown kind 99"},
		{"fault body", azdotest.WithFaults(azdotest.Fault{Body: "x", EmptyBody: true}), "azdotest: start: fault 0: a body and an empty body both given"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			srv, err := azdotest.Start(azdotest.SampleOrg(), azdotest.WithPAT("pat"), tt.opt)
			if srv != nil {
				srv.Close()
			}
			want := strings.Replace(tt.want, "option 0", "option 1", 1)
			if err == nil || err.Error() != want || srv != nil {
				t.Errorf("Start = %v, %v; want nil, %q", srv, err, want)
			}

			tb := &fatalRecorder{TB: t}
			done := make(chan struct{})
			go func() {
				defer close(done)
				azdotest.NewServer(tb, azdotest.SampleOrg(), tt.opt)
			}()
			<-done
			if tb.msg != tt.want {
				t.Errorf("NewServer failed the test with %q, want %q", tb.msg, tt.want)
			}
		})
	}
	t.Run("inject", func(t *testing.T) {
		srv := azdotest.NewServer(t, azdotest.SampleOrg())
		err := srv.Inject(azdotest.Fault{Endpoint: azdotest.EndpointProjects, Status: 503}, azdotest.Fault{Status: 1000})
		if want := "azdotest: inject: fault 1: status 1000 is not between 200 and 599"; err == nil || err.Error() != want {
			t.Errorf("Inject = %v, want %q", err, want)
		}
		if resp, _ := get(t, srv, http.MethodGet, "/_apis/projects"); resp.StatusCode != http.StatusOK {
			t.Errorf("status %d: a fault of the refused Inject was added", resp.StatusCode)
		}
	})
}

// fatalRecorder is a testing.TB whose Fatalf records the message and ends
// the goroutine, as the real one does.
type fatalRecorder struct {
	testing.TB
	msg string
}

func (r *fatalRecorder) Helper() {}

func (r *fatalRecorder) Fatalf(format string, args ...any) {
	r.msg = fmt.Sprintf(format, args...)
	runtime.Goexit()
}

// TestSetOrg changes the organization while the server runs: a project is
// deleted and a state renamed; the next requests see the change, and the
// caller's Org shares nothing with the server.
func TestSetOrg(t *testing.T) {
	org := azdotest.SampleOrg()
	srv := azdotest.NewServer(t, org, azdotest.WithPAT("pat"))
	gone, agile := org.Projects[2], org.Projects[0]
	statesPath := "/" + agile.ID + "/_apis/wit/workitemtypes/Bug/states"

	changed := azdotest.SampleOrg()
	changed.Projects = append(changed.Projects[:2:2], changed.Projects[3:]...)
	renamed := false
	for i, st := range changed.Processes[0].WorkItemTypes[0].States {
		if st.Name == "Resolved" {
			changed.Processes[0].WorkItemTypes[0].States[i].Name, renamed = "Fixed", true
		}
	}
	if !renamed || changed.Processes[0].ID != agile.ProcessID || changed.Processes[0].WorkItemTypes[0].Name != "Bug" {
		t.Fatal("the sample organization changed; update the test")
	}
	if err := srv.SetOrg(changed); err != nil {
		t.Fatal(err)
	}
	changed.Projects[0].Name = "edited after SetOrg" // must not reach the server

	_, body := get(t, srv, http.MethodGet, "/_apis/projects")
	if strings.Contains(body, gone.ID) || strings.Contains(body, "edited after SetOrg") || !strings.Contains(body, `"count":4`) {
		t.Errorf("projects after SetOrg: %s", body)
	}
	if resp, _ := get(t, srv, http.MethodGet, "/"+gone.ID+"/_apis/wit/workitemtypes/Bug/states"); resp.StatusCode != http.StatusNotFound {
		t.Errorf("states of the deleted project: status %d, want 404", resp.StatusCode)
	}
	if _, body := get(t, srv, http.MethodGet, statesPath); !strings.Contains(body, `"name":"Fixed"`) || strings.Contains(body, `"name":"Resolved"`) {
		t.Errorf("states after the rename: %s", body)
	}

	for _, bad := range []struct{ org azdotest.Org }{{azdotest.Org{Name: "other"}}, {azdotest.Org{ID: "00000000-0000-0000-0000-000000000001"}}} {
		if err := srv.SetOrg(bad.org); err == nil {
			t.Errorf("SetOrg(%+v) = nil, want an error: the name and ID make the URL", bad.org)
		}
	}
	if _, body := get(t, srv, http.MethodGet, "/_apis/projects"); !strings.Contains(body, `"count":4`) {
		t.Errorf("a refused SetOrg changed the organization: %s", body)
	}
}

// TestZeroServer: a Server not made by NewServer or Start answers every
// method without panicking.
func TestZeroServer(t *testing.T) {
	var s azdotest.Server
	got := []any{s.URL(), s.LocationServiceURL(), s.OrgID(), s.Count(), s.MaxInFlight(), len(s.Requests()), s.Client() != nil}
	want := []any{"", "", "", 0, 0, 0, true}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("zero Server (-want +got):\n%s", diff)
	}
	if err := s.SetOrg(azdotest.SampleOrg()); err == nil || err.Error() != "azdotest: set org: the Server was not started by NewServer or Start" {
		t.Errorf("SetOrg = %v", err)
	}
	if err := s.Inject(azdotest.Fault{Status: 503}); err != nil {
		t.Errorf("Inject = %v", err)
	}
	s.ClearFaults()
	s.ResetStats()
	s.Close()
}

// TestOrgIsChecked: an organization the fake could not serve as Azure
// DevOps would (a name that is not one URL path segment, IDs that are not
// UUIDs) is an error from Start and SetOrg, naming what is wrong. Served,
// a project ID "" failed the client with "list projects: invalid UUID
// length: 0", and a name with a space or a slash gave a URL that did not
// work.
func TestOrgIsChecked(t *testing.T) {
	project := func(id string) azdotest.Project {
		return azdotest.Project{ID: id, Name: "Web", ProcessID: azdotest.AgileProcessID}
	}
	for _, tt := range []struct {
		name string
		org  azdotest.Org
		want string
	}{
		{"name with a space", azdotest.Org{Name: "My Org"}, `organization name "My Org" must be letters, digits, '.', '_' or '-': it is a path segment of the URL`},
		{"name with a slash", azdotest.Org{Name: "a/b"}, `organization name "a/b" must be letters, digits, '.', '_' or '-': it is a path segment of the URL`},
		{"id not a uuid", azdotest.Org{ID: "not-a-guid"}, `organization id "not-a-guid" is not a UUID`},
		{"project without id", azdotest.Org{Projects: []azdotest.Project{project("")}}, `project 0 ("Web"): id "" is not a UUID`},
		{"project id not a uuid", azdotest.Org{Projects: []azdotest.Project{project(azdotest.StableID("a")), project("p1")}}, `project 1 ("Web"): id "p1" is not a UUID`},
		{"process id not a uuid", azdotest.Org{Processes: []azdotest.Process{{ID: "agile", Name: "Agile"}}}, `process 0 ("Agile"): id "agile" is not a UUID`},
	} {
		t.Run(tt.name, func(t *testing.T) {
			srv, err := azdotest.Start(tt.org)
			if srv != nil {
				srv.Close()
			}
			if want := "azdotest: start: " + tt.want; err == nil || err.Error() != want || srv != nil {
				t.Errorf("Start = %v, %v; want nil, %q", srv, err, want)
			}
			if tt.org.Name != "" || tt.org.ID != "" {
				return // SetOrg refuses another name or ID anyway
			}
			srv = azdotest.NewServer(t, azdotest.SampleOrg(), azdotest.WithPAT("pat"))
			if want := "azdotest: set org: " + tt.want; fmt.Sprint(srv.SetOrg(tt.org)) != want {
				t.Errorf("SetOrg = %v, want %q", srv.SetOrg(tt.org), want)
			}
			if _, body := get(t, srv, http.MethodGet, "/_apis/projects"); !strings.Contains(body, `"count":5`) {
				t.Errorf("a refused SetOrg changed the organization: %s", body)
			}
		})
	}
	// What works stays accepted: on-premises collection names, upper-case
	// UUIDs.
	for _, org := range []azdotest.Org{
		{Name: "DefaultCollection"},
		{Name: "fabrikam-fiber_2.0", ID: strings.ToUpper(azdotest.StableID("x")), Projects: []azdotest.Project{project(strings.ToUpper(azdotest.StableID("p")))}},
	} {
		srv, err := azdotest.Start(org)
		if err != nil {
			t.Errorf("Start(%+v): %v", org, err)
			continue
		}
		srv.Close()
	}
}

// TestScaledOrgNegative: a negative size is an empty organization, not a
// panic.
func TestScaledOrgNegative(t *testing.T) {
	if got := azdotest.ScaledOrg(-1).Projects; len(got) != 0 {
		t.Errorf("ScaledOrg(-1) has %d projects, want 0", len(got))
	}
	if got := len(azdotest.ScaledOrg(3).Projects); got != 3 {
		t.Errorf("ScaledOrg(3) has %d projects, want 3", got)
	}
}

// TestSetOrgDuringARequest: a request that arrived before SetOrg is
// answered with the organization it arrived to, even when it is answered
// after, as SetOrg's doc says; the next request sees the new one.
func TestSetOrgDuringARequest(t *testing.T) {
	org := azdotest.SampleOrg()
	srv := azdotest.NewServer(t, org, azdotest.WithPAT("pat"), azdotest.WithLatency(500*time.Millisecond))
	bodies := make(chan string, 1)
	go func() { // not get: it may not call t.Fatal off the test's goroutine
		req, _ := http.NewRequestWithContext(t.Context(), http.MethodGet, srv.URL()+"/_apis/projects", nil)
		req.SetBasicAuth("", "pat")
		resp, err := srv.Client().Do(req)
		if err != nil {
			bodies <- err.Error()
			return
		}
		defer resp.Body.Close()
		body, err := io.ReadAll(resp.Body)
		if err != nil {
			bodies <- err.Error()
			return
		}
		bodies <- string(body)
	}()
	for srv.Count(azdotest.EndpointProjects) == 0 { // arrived: now in its latency
		time.Sleep(time.Millisecond)
	}
	fewer := org
	fewer.Projects = org.Projects[:2]
	if err := srv.SetOrg(fewer); err != nil {
		t.Fatal(err)
	}
	_, after := get(t, srv, http.MethodGet, "/_apis/projects")
	before := <-bodies
	if !strings.Contains(before, `"count":5`) || !strings.Contains(after, `"count":2`) {
		t.Errorf("request begun before SetOrg: %.80s…\nrequest after: %.80s…\nwant 5 projects, then 2", before, after)
	}
}

// TestVirtualDirectory serves a collection under /tfs, as Azure DevOps
// Server does, and nothing outside it; a bad directory is refused.
func TestVirtualDirectory(t *testing.T) {
	org := azdotest.SampleOrg()
	org.Name = "DefaultCollection"
	srv := azdotest.NewServer(t, org, azdotest.WithVirtualDirectory("tfs"))
	root := strings.TrimSuffix(srv.URL(), "/tfs/DefaultCollection")
	for path, want := range map[string]int{
		"/tfs/DefaultCollection/_apis/projects":   http.StatusOK,
		"/TFS/defaultcollection/_apis/projects":   http.StatusOK,
		"/DefaultCollection/_apis/projects":       http.StatusNotFound,
		"/other/DefaultCollection/_apis/projects": http.StatusNotFound,
	} {
		resp, err := srv.Client().Get(root + path)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != want {
			t.Errorf("GET %s: %d, want %d", path, resp.StatusCode, want)
		}
	}
	for _, dir := range []string{"", "/tfs", "tfs/", "a//b", "..", "t fs"} {
		if _, err := azdotest.Start(org, azdotest.WithVirtualDirectory(dir)); err == nil {
			t.Errorf("WithVirtualDirectory(%q) was accepted", dir)
		}
	}
}

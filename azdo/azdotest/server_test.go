package azdotest_test

import (
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"

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

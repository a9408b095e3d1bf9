package main

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/azdosync/azdosync/azdo/azdotest"
	"github.com/azdosync/azdosync/orgconfig"
	"github.com/google/go-cmp/cmp"
)

var jsonHeader = map[string]string{"Content-Type": "application/json"}

func sampleIDs() map[string]string {
	ids := map[string]string{}
	for _, p := range azdotest.SampleOrg().Projects {
		ids[p.Name] = p.ID
	}
	return ids
}

func TestPutConfig(t *testing.T) {
	srv, _ := newTestApp(t)
	ids := sampleIDs()
	url := srv.URL + "/organizations/fabrikam/config"
	valid := fmt.Sprintf(`{"sync_status_forward":{%q:{"on_resolve":"Resolved","on_unresolve":"New"},%q:{"on_resolve":"Done","on_unresolve":"To Do"}},"sync_comments":true}`,
		strings.ToUpper(ids["Fabrikam Fiber"]), ids["basic-tracker"])
	for _, tt := range []struct {
		name     string
		header   map[string]string
		body     string
		want     int
		wantBody string
	}{
		{"too large", jsonHeader, `{"sync_status_forward":{"p":{"on_resolve":"` + strings.Repeat("x", maxBody) + `"}}}`, http.StatusRequestEntityTooLarge, "larger than"},
		{"unknown key", jsonHeader, `{"sync_everything":true}`, http.StatusBadRequest, `unknown key \"sync_everything\"`},
		{"key in another case", jsonHeader, `{"SYNC_COMMENTS":true}`, http.StatusBadRequest, `unknown key \"SYNC_COMMENTS\"`},
		{"duplicate key", jsonHeader, `{"sync_comments":true,"sync_comments":false}`, http.StatusBadRequest, `key \"sync_comments\" appears twice`},
		{"not a boolean", jsonHeader, `{"sync_comments":1}`, http.StatusBadRequest, `\"sync_comments\" must be true or false`},
		{"null toggle", jsonHeader, `{"sync_comments":null}`, http.StatusBadRequest, `\"sync_comments\" must be true or false`},
		{"not an object", jsonHeader, `[]`, http.StatusBadRequest, "not a JSON object"},
		{"empty body", jsonHeader, ``, http.StatusBadRequest, "read configuration: EOF"},
		{"trailing garbage", jsonHeader, `{} garbage`, http.StatusBadRequest, "unexpected data after the JSON object"},
		{"second object", jsonHeader, `{}{}`, http.StatusBadRequest, "unexpected data after the JSON object"},
		{"unfinished", jsonHeader, `{"sync_comments":true`, http.StatusBadRequest, "read configuration"},
		{"bad mapping shape", jsonHeader, `{"sync_status_forward":[]}`, http.StatusBadRequest, "parse status mapping: not a JSON object"},
		{"missing status (reference)", jsonHeader, fmt.Sprintf(`{"sync_status_forward":{%q:{"on_resolve":"","on_unresolve":"New"}}}`, ids["Fabrikam Fiber"]), http.StatusUnprocessableEntity, "Resolve and unresolve status are required."},
		{"state the project lacks", jsonHeader, fmt.Sprintf(`{"sync_status_forward":{%q:{"on_resolve":"Resolved","on_unresolve":"To Do"}}}`, ids["basic-tracker"]), http.StatusUnprocessableEntity, `\"Resolved\" is not one of its states`},
		{"trailing space is fine", jsonHeader, "{} \n", http.StatusOK, `"sync_status_forward":{}`},
		{"null mapping turns sync off", jsonHeader, `{"sync_status_forward":null}`, http.StatusOK, `"sync_status_forward":{}`},
		{"empty turns sync off", jsonHeader, `{"sync_status_forward":{}}`, http.StatusOK, `"sync_status_forward":{}`},
		{"valid", jsonHeader, valid, http.StatusOK, `"sync_comments":true`},
	} {
		t.Run(tt.name, func(t *testing.T) {
			resp, body := doBody(t, http.MethodPut, url, tt.header, tt.body)
			if resp.StatusCode != tt.want || !strings.Contains(string(body), tt.wantBody) {
				t.Errorf("%d %s\nwant %d containing %s", resp.StatusCode, body, tt.want, tt.wantBody)
			}
			if tt.want != http.StatusOK {
				p := decodeProblem(t, resp, body)
				if tt.want == http.StatusBadRequest && p.Type != "/problems/malformed-configuration" {
					t.Errorf("type %q", p.Type)
				}
			}
		})
	}

	// The last PUT is what GET shows, with project IDs as Azure DevOps
	// spells them.
	_, body := do(t, http.MethodGet, url, nil)
	var got configResponse
	if err := json.Unmarshal(body, &struct {
		Values  *Saved               `json:"values"`
		Dropped *[]orgconfig.Dropped `json:"dropped"`
	}{&got.Values, &got.Dropped}); err != nil {
		t.Fatal(err)
	}
	want := Saved{SyncComments: true, SyncStatusForward: orgconfig.StatusMapping{
		ids["Fabrikam Fiber"]: {OnResolve: "Resolved", OnUnresolve: "New"},
		ids["basic-tracker"]:  {OnResolve: "Done", OnUnresolve: "To Do"},
	}}
	if diff := cmp.Diff(want, got.Values); diff != "" {
		t.Errorf("saved values (-want +got):\n%s", diff)
	}
}

// TestPutInvalidMappingRows checks the rows of a 422: one per problem, so
// a page can show each next to its project's row.
func TestPutInvalidMappingRows(t *testing.T) {
	srv, _ := newTestApp(t)
	ids := sampleIDs()
	body := fmt.Sprintf(`{"sync_status_forward":{%q:{"on_resolve":"Resolved","on_unresolve":"Nope"},%q:{"on_resolve":"","on_unresolve":"New"}}}`,
		ids["basic-tracker"], ids["Fabrikam Fiber"])
	resp, got := doBody(t, http.MethodPut, srv.URL+"/organizations/fabrikam/config", jsonHeader, body)
	p := decodeProblem(t, resp, got)
	basic := wireRow{ProjectID: ids["basic-tracker"], Key: "on_resolve", State: "Resolved", Code: "unknown_state",
		Message: fmt.Sprintf(`project "basic-tracker" (%s): "Resolved" is not one of its states`, ids["basic-tracker"])}
	basic2 := wireRow{ProjectID: ids["basic-tracker"], Key: "on_unresolve", State: "Nope", Code: "unknown_state",
		Message: fmt.Sprintf(`project "basic-tracker" (%s): "Nope" is not one of its states`, ids["basic-tracker"])}
	fiber := wireRow{ProjectID: ids["Fabrikam Fiber"], Key: "on_resolve", Code: "status_required",
		Message: fmt.Sprintf(`project "Fabrikam Fiber" (%s): Resolve and unresolve status are required.`, ids["Fabrikam Fiber"])}
	want := wireProblem{Type: "/problems/invalid-mapping", Title: "Invalid status mapping", Status: http.StatusUnprocessableEntity,
		Detail: "the status mapping does not match the organization's projects and states",
		Errors: []wireRow{basic, basic2, fiber}}
	if ids["Fabrikam Fiber"] < ids["basic-tracker"] {
		want.Errors = []wireRow{fiber, basic, basic2}
	}
	if diff := cmp.Diff(want, p); diff != "" {
		t.Errorf("problem (-want +got):\n%s", diff)
	}
}

// TestPutIfMatch saves as two admins who loaded the same version: the
// second save is refused, and succeeds once reloaded.
func TestPutIfMatch(t *testing.T) {
	srv, _ := newTestApp(t)
	url := srv.URL + "/organizations/fabrikam/config"
	resp, _ := do(t, http.MethodGet, url, nil)
	loaded := resp.Header.Get("ETag")
	put := func(ifMatch, body string) (*http.Response, []byte) {
		t.Helper()
		h := map[string]string{"Content-Type": "application/json"}
		if ifMatch != "" {
			h["If-Match"] = ifMatch
		}
		return doBody(t, http.MethodPut, url, h, body)
	}

	resp, body := put(loaded, `{"sync_comments":true}`)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("first admin: %d %s", resp.StatusCode, body)
	}
	saved := resp.Header.Get("ETag")
	resp, body = put(loaded, `{"sync_status_reverse":true}`)
	if p := decodeProblem(t, resp, body); p.Type != "/problems/edit-conflict" || p.Status != http.StatusPreconditionFailed {
		t.Errorf("second admin with the old tag: %+v", p)
	}

	// The version in the PUT's ETag, and the GET's tag after it, let the
	// first admin save again.
	resp, _ = do(t, http.MethodGet, url, nil)
	reloaded := resp.Header.Get("ETag")
	if !strings.HasPrefix(reloaded, strings.TrimSuffix(saved, `"`)+".") {
		t.Errorf("GET tag %s does not start with the saved version %s", reloaded, saved)
	}
	for _, tt := range []struct {
		name, ifMatch string
		want          int
	}{
		{"reloaded tag", reloaded, http.StatusOK},
		{"PUT's tag", saved, http.StatusOK}, // the body did not change the values
		{"weak tag", "W/" + saved, http.StatusPreconditionFailed},
		{"in a list", `"nope", ` + saved, http.StatusOK},
		{"star", "*", http.StatusOK},
		{"garbage", "not-a-tag", http.StatusPreconditionFailed},
		{"no header", "", http.StatusOK},
		{"stale", loaded, http.StatusPreconditionFailed},
	} {
		t.Run(tt.name, func(t *testing.T) {
			resp, body := put(tt.ifMatch, `{"sync_comments":true}`)
			if resp.StatusCode != tt.want {
				t.Errorf("If-Match %s: %d %s, want %d", tt.ifMatch, resp.StatusCode, body, tt.want)
			}
		})
	}
}

// TestPutIfMatchConcurrent saves as many admins at once, all with the tag
// they loaded: exactly one wins.
func TestPutIfMatchConcurrent(t *testing.T) {
	srv, _ := newTestApp(t)
	url := srv.URL + "/organizations/fabrikam/config"
	resp, _ := do(t, http.MethodGet, url, nil)
	loaded := resp.Header.Get("ETag")
	var mu sync.Mutex
	statuses := map[int]int{}
	var wg sync.WaitGroup
	for i := 1; i < 8; i++ { // 7 different non-zero values
		wg.Go(func() {
			body := fmt.Sprintf(`{"sync_comments":%v,"sync_status_reverse":%v,"sync_forward_assignment":%v}`, i&1 == 1, i&2 == 2, i&4 == 4)
			req, _ := http.NewRequestWithContext(t.Context(), http.MethodPut, url, strings.NewReader(body))
			req.Header.Set("Content-Type", "application/json")
			req.Header.Set("If-Match", loaded)
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Error(err)
				return
			}
			resp.Body.Close()
			mu.Lock()
			statuses[resp.StatusCode]++
			mu.Unlock()
		})
	}
	wg.Wait()
	if diff := cmp.Diff(map[int]int{200: 1, 412: 6}, statuses); diff != "" {
		t.Errorf("statuses (-want +got):\n%s", diff)
	}
}

// TestPutCaseVariantIDs is issue 9 item 7: whatever is saved is keyed by
// the project ID as Azure DevOps spells it, the same every time.
func TestPutCaseVariantIDs(t *testing.T) {
	store := newMemStore()
	srv, _ := newTestAppWithStore(t, store)
	url := srv.URL + "/organizations/fabrikam/config"
	id := sampleIDs()["Fabrikam Fiber"]
	upper := strings.ToUpper(id)

	// Both spellings in one body: refused every time, nothing saved.
	both := fmt.Sprintf(`{"sync_status_forward":{%q:{"on_resolve":"Resolved","on_unresolve":"New"},%q:{"on_resolve":"Closed","on_unresolve":"Active"}}}`, upper, id)
	statuses := map[int]int{}
	for range 40 {
		resp, _ := doBody(t, http.MethodPut, url, jsonHeader, both)
		statuses[resp.StatusCode]++
	}
	if len(statuses) != 1 || statuses[http.StatusOK] != 0 {
		t.Errorf("40 PUTs naming a project in two spellings: statuses %v, want one refusal status", statuses)
	}
	if s, _, _ := store.Load(t.Context(), "fabrikam"); len(s.SyncStatusForward) != 0 {
		t.Errorf("saved %v", s.SyncStatusForward)
	}

	// One spelling, upper case: saved under Azure DevOps's spelling.
	keys := map[string]int{}
	for range 40 {
		resp, body := doBody(t, http.MethodPut, url, jsonHeader, fmt.Sprintf(`{"sync_status_forward":{%q:{"on_resolve":"Resolved","on_unresolve":"New"}}}`, upper))
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("%d %s", resp.StatusCode, body)
		}
		s, _, _ := store.Load(t.Context(), "fabrikam")
		for k := range s.SyncStatusForward {
			keys[k]++
		}
	}
	if diff := cmp.Diff(map[string]int{id: 40}, keys); diff != "" {
		t.Errorf("saved keys (-want +got):\n%s", diff)
	}
}

// TestPutDegraded: with the projects unknown, a mapping cannot be checked
// (503: the submission is not at fault, Azure DevOps could not be read),
// but turning status sync off can be saved.
func TestPutDegraded(t *testing.T) {
	const throttledHour = "Azure DevOps asked this integration to wait before sending more requests. Try again in about 60 minutes."
	srv, _ := newTestApp(t)
	url := srv.URL + "/organizations/northwind/config"
	id := sampleIDs()["Fabrikam Fiber"]
	resp, body := doBody(t, http.MethodPut, url, jsonHeader, fmt.Sprintf(`{"sync_status_forward":{%q:{"on_resolve":"Resolved","on_unresolve":"New"}}}`, id))
	if p := decodeProblem(t, resp, body); p.Status != http.StatusServiceUnavailable || p.Type != "/problems/"+probStatesUnavailable || len(p.Errors) != 0 ||
		p.Detail != throttledHour {
		t.Errorf("mapping on a degraded form: %s", body)
	}
	// northwind's Azure DevOps asked for an hour: so does the 503, for
	// clients and load balancers that honour Retry-After.
	if s, err := strconv.Atoi(resp.Header.Get("Retry-After")); err != nil || s < 3500 || s > 3600 {
		t.Errorf("503 Retry-After %q, want about 3600 (Azure DevOps's)", resp.Header.Get("Retry-After"))
	}
	resp, _ = do(t, http.MethodGet, srv.URL+"/organizations/northwind/projects/"+id+"/states", nil)
	if s, err := strconv.Atoi(resp.Header.Get("Retry-After")); resp.StatusCode != http.StatusServiceUnavailable || err != nil || s < 3500 || s > 3600 {
		t.Errorf("states on a degraded form: %d, Retry-After %q, want 503 and about 3600", resp.StatusCode, resp.Header.Get("Retry-After"))
	}
	resp, body = doBody(t, http.MethodPut, url, jsonHeader, `{"sync_status_forward":{},"sync_comments":true}`)
	if resp.StatusCode != http.StatusOK {
		t.Errorf("sync off on a degraded form: %d %s", resp.StatusCode, body)
	}
	for org, want := range map[string]orgconfig.Reason{"northwind": orgconfig.ReasonThrottled, "fabrikam": ""} {
		_, body := do(t, http.MethodGet, srv.URL+"/organizations/"+org+"/config", nil)
		var got struct {
			Reason *orgconfig.Reason `json:"reason"`
		}
		if err := json.Unmarshal(body, &got); err != nil || got.Reason == nil || *got.Reason != want {
			t.Errorf("GET %s config: reason %v (%v), want %q", org, got.Reason, err, want)
		}
	}
}

// TestGetConfigPrunesStaleMapping saves a mapping with a deleted project
// and a state the project no longer has: GET heals it and says what it
// dropped.
func TestGetConfigPrunesStaleMapping(t *testing.T) {
	ids := sampleIDs()
	store := newMemStore()
	stale := Saved{SyncStatusForward: orgconfig.StatusMapping{
		ids["Fabrikam Fiber"]:                  {OnResolve: "Resolved", OnUnresolve: "New"},
		ids["Contoso Web"]:                     {OnResolve: "Resolved", OnUnresolve: "New"}, // Scrum has no Resolved
		"00000000-0000-0000-0000-00000000dead": {OnResolve: "Done", OnUnresolve: "New"},
	}}
	if _, err := store.Save(context.Background(), "fabrikam", stale, nil); err != nil {
		t.Fatal(err)
	}
	srv, _ := newTestAppWithStore(t, store)
	_, body := do(t, http.MethodGet, srv.URL+"/organizations/fabrikam/config", nil)
	var got struct {
		Values  Saved               `json:"values"`
		Dropped []orgconfig.Dropped `json:"dropped"`
	}
	if err := json.Unmarshal(body, &got); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(orgconfig.StatusMapping{ids["Fabrikam Fiber"]: {OnResolve: "Resolved", OnUnresolve: "New"}}, got.Values.SyncStatusForward); diff != "" {
		t.Errorf("values (-want +got):\n%s", diff)
	}
	wantDropped := []orgconfig.Dropped{
		{ProjectID: "00000000-0000-0000-0000-00000000dead", Reason: orgconfig.DroppedProjectGone},
		{ProjectID: ids["Contoso Web"], State: "Resolved", Reason: orgconfig.DroppedStateGone},
	}
	if ids["Contoso Web"] < "00000000-0000-0000-0000-00000000dead" {
		wantDropped[0], wantDropped[1] = wantDropped[1], wantDropped[0]
	}
	if diff := cmp.Diff(wantDropped, got.Dropped); diff != "" {
		t.Errorf("dropped (-want +got):\n%s", diff)
	}
}

func TestGetStates(t *testing.T) {
	srv, _ := newTestApp(t)
	ids := sampleIDs()
	resp, body := do(t, http.MethodGet, srv.URL+"/organizations/fabrikam/projects/"+ids["basic-tracker"]+"/states", nil)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("status %d: %s", resp.StatusCode, body)
	}
	var got statesResponse
	if err := json.Unmarshal(body, &got); err != nil {
		t.Fatal(err)
	}
	want := statesResponse{
		Project: orgconfig.Project{ID: ids["basic-tracker"], Name: "basic-tracker"},
		Type:    &orgconfig.WorkItemType{Name: "Issue", ReferenceName: "Microsoft.VSTS.WorkItemTypes.Issue"},
		States: []orgconfig.State{
			{Name: "To Do", Category: "Proposed", Color: "b2b2b2"},
			{Name: "Doing", Category: "InProgress", Color: "007acc"},
			{Name: "Done", Category: "Completed", Color: "339933"},
		},
		Suggested: &orgconfig.ProjectStatuses{OnResolve: "Done", OnUnresolve: "To Do"},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("states (-want +got):\n%s", diff)
	}
}

// TestFileStoreConcurrentSaves saves from many goroutines: the file always
// parses, every organization's last save is kept, no temporary file is
// left.
func TestFileStoreConcurrentSaves(t *testing.T) {
	dir := t.TempDir()
	store, err := newFileStore(filepath.Join(dir, "configs.json"))
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	for i := range 40 {
		wg.Go(func() {
			org := fmt.Sprintf("org-%d", i%8)
			if _, err := store.Save(t.Context(), org, Saved{SyncComments: true, SyncStatusForward: orgconfig.StatusMapping{"p": {OnResolve: "A", OnUnresolve: fmt.Sprint(i)}}}, nil); err != nil {
				t.Error(err)
			}
			if _, _, err := store.Load(t.Context(), org); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) != 1 {
		t.Errorf("files left: %v", entries)
	}
	for i := range 8 {
		s, _, err := store.Load(t.Context(), fmt.Sprintf("org-%d", i))
		if err != nil || !s.SyncComments || len(s.SyncStatusForward) != 1 {
			t.Errorf("org-%d: %+v, %v", i, s, err)
		}
	}
}

// TestPutValidatesAgainstFreshStates shows that a PUT is checked against the
// states Azure DevOps has now, not those of the form shown a moment ago:
// the validating Builder has no cache, and the Client keeps no states
// beyond the Build that fetched them, so a PUT costs no more requests than
// one cold Build.
func TestPutValidatesAgainstFreshStates(t *testing.T) {
	srv, d := newTestApp(t)
	ids := sampleIDs()
	url := srv.URL + "/organizations/fabrikam/config"
	fake := d.servers[orgEnabled]
	if resp, body := do(t, http.MethodGet, url, nil); resp.StatusCode != http.StatusOK {
		t.Fatalf("GET: %d %s", resp.StatusCode, body)
	}
	coldBuild := fake.Count() // the GET's Build, cold

	// Fabrikam Fiber's process (Agile) renames "Resolved" to "Fixed".
	org := azdotest.SampleOrg()
	for i := range org.Processes {
		for j := range org.Processes[i].WorkItemTypes {
			for k, st := range org.Processes[i].WorkItemTypes[j].States {
				if org.Processes[i].ID == azdotest.AgileProcessID && st.Name == "Resolved" {
					org.Processes[i].WorkItemTypes[j].States[k].Name = "Fixed"
				}
			}
		}
	}
	if err := d.servers[orgEnabled].SetOrg(org); err != nil {
		t.Fatal(err)
	}

	for _, tt := range []struct {
		state string
		want  int
	}{
		{"Fixed", http.StatusOK},
		{"Resolved", http.StatusUnprocessableEntity},
	} {
		before := fake.Count()
		body := fmt.Sprintf(`{"sync_status_forward":{%q:{"on_resolve":%q,"on_unresolve":"Active"}}}`, ids["Fabrikam Fiber"], tt.state)
		if resp, got := doBody(t, http.MethodPut, url, jsonHeader, body); resp.StatusCode != tt.want {
			t.Errorf("PUT on_resolve %q: status %d, want %d: %s", tt.state, resp.StatusCode, tt.want, got)
		}
		// Fresh, but one process lookup for the whole Build: no more
		// requests than the GET's cold Build made.
		if got := fake.Count() - before; got > coldBuild {
			t.Errorf("PUT on_resolve %q made %d requests to Azure DevOps; a cold Build makes %d", tt.state, got, coldBuild)
		}
	}
}

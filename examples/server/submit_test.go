package main

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
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
		org      string
		want     int
		wantBody string
	}{
		{"wrong content type", map[string]string{"Content-Type": "text/plain"}, valid, "", http.StatusUnsupportedMediaType, "application/json"},
		{"too large", jsonHeader, `{"sync_status_forward":{"p":{"on_resolve":"` + strings.Repeat("x", maxBody) + `"}}}`, "", http.StatusRequestEntityTooLarge, "too large"},
		{"unknown key", jsonHeader, `{"sync_everything":true}`, "", http.StatusUnprocessableEntity, `unknown field \"sync_everything\"`},
		{"bad mapping shape", jsonHeader, `{"sync_status_forward":[]}`, "", http.StatusUnprocessableEntity, "parse status mapping: not a JSON object"},
		{"missing status (reference)", jsonHeader, fmt.Sprintf(`{"sync_status_forward":{%q:{"on_resolve":"","on_unresolve":"New"}}}`, ids["Fabrikam Fiber"]), "", http.StatusUnprocessableEntity, "Resolve and unresolve status are required."},
		{"state the project lacks", jsonHeader, fmt.Sprintf(`{"sync_status_forward":{%q:{"on_resolve":"Resolved","on_unresolve":"To Do"}}}`, ids["basic-tracker"]), "", http.StatusUnprocessableEntity, `\"Resolved\" is not one of its states`},
		{"gated organization", jsonHeader, `{}`, "other", http.StatusForbidden, orgconfig.ReasonNoAccess.Text()},
		{"empty turns sync off", jsonHeader, `{"sync_status_forward":{}}`, "", http.StatusOK, `"sync_status_forward":{}`},
		{"valid", jsonHeader, valid, "", http.StatusOK, `"sync_comments":true`},
	} {
		t.Run(tt.name, func(t *testing.T) {
			u := url
			if tt.org != "" {
				u = srv.URL + "/organizations/" + tt.org + "/config"
			}
			resp, body := doBody(t, http.MethodPut, u, tt.header, tt.body)
			if resp.StatusCode != tt.want || !strings.Contains(string(body), tt.wantBody) {
				t.Errorf("%d %s\nwant %d containing %s", resp.StatusCode, body, tt.want, tt.wantBody)
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
	if err := store.Save(context.Background(), "fabrikam", stale); err != nil {
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
	store := newFileStore(filepath.Join(dir, "configs.json"))
	var wg sync.WaitGroup
	for i := range 40 {
		wg.Go(func() {
			org := fmt.Sprintf("org-%d", i%8)
			if err := store.Save(t.Context(), org, Saved{SyncComments: true, SyncStatusForward: orgconfig.StatusMapping{"p": {OnResolve: "A", OnUnresolve: fmt.Sprint(i)}}}); err != nil {
				t.Error(err)
			}
			if _, err := store.Load(t.Context(), org); err != nil {
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
		s, err := store.Load(t.Context(), fmt.Sprintf("org-%d", i))
		if err != nil || !s.SyncComments || len(s.SyncStatusForward) != 1 {
			t.Errorf("org-%d: %+v, %v", i, s, err)
		}
	}
}

package main

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/azdosync/azdosync/orgconfig"
	"github.com/google/go-cmp/cmp"
)

// TestPatchConfig: PATCH merges (RFC 7396) into the saved values: a field
// absent is unchanged, a row null is removed, a row object is merged into
// the saved row; only the rows sent are validated.
func TestPatchConfig(t *testing.T) {
	store := newMemStore()
	srv, _ := newTestAppWithStore(t, store)
	ids := sampleIDs()
	fiber, basic, contoso := ids["Fabrikam Fiber"], ids["basic-tracker"], ids["Contoso Web"]
	url := srv.URL + "/organizations/fabrikam/config"
	start := Saved{SyncStatusReverse: true, SyncStatusForward: orgconfig.StatusMapping{
		fiber: {OnResolve: "Resolved", OnUnresolve: "New"},
		basic: {OnResolve: "Done", OnUnresolve: "To Do"},
		// A row a PATCH does not name is not checked again.
		"gone": {OnResolve: "Done", OnUnresolve: "To Do"},
	}}
	merge := func(t *testing.T, body string) Saved {
		t.Helper()
		if _, err := store.Save(t.Context(), orgEnabled, start, nil); err != nil {
			t.Fatal(err)
		}
		resp, got := doBody(t, http.MethodPatch, url, map[string]string{"Content-Type": "application/merge-patch+json"}, body)
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("%d %s", resp.StatusCode, got)
		}
		var answer putResponse
		if err := json.Unmarshal(got, &answer); err != nil {
			t.Fatal(err)
		}
		saved, version, err := store.Load(t.Context(), orgEnabled)
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(saved, answer.Values); diff != "" {
			t.Errorf("answered values differ from the saved (-saved +answered):\n%s", diff)
		}
		if etag := resp.Header.Get("ETag"); etag != versionETag(version) {
			t.Errorf("ETag %s, saved version %s", etag, version)
		}
		return saved
	}
	with := func(change func(s *Saved)) Saved {
		s := start.clone()
		change(&s)
		return s
	}
	for _, tt := range []struct {
		name, body string
		want       Saved
	}{
		{"empty patch", `{}`, start},
		{"a toggle alone", `{"sync_comments":true}`, with(func(s *Saved) { s.SyncComments = true })},
		{"a toggle null", `{"sync_status_reverse":null}`, with(func(s *Saved) { s.SyncStatusReverse = false })},
		{"a row removed", fmt.Sprintf(`{"sync_status_forward":{%q:null}}`, basic),
			with(func(s *Saved) { delete(s.SyncStatusForward, basic) })},
		{"an unknown row removed: nothing", `{"sync_status_forward":{"nope":null}}`, start},
		{"a row added, in capitals", fmt.Sprintf(`{"sync_status_forward":{%q:{"on_resolve":"Done","on_unresolve":"Committed"}}}`, strings.ToUpper(contoso)),
			with(func(s *Saved) {
				s.SyncStatusForward[contoso] = orgconfig.ProjectStatuses{OnResolve: "Done", OnUnresolve: "Committed"}
			})},
		{"a row merged, named in capitals", fmt.Sprintf(`{"sync_status_forward":{%q:{"on_resolve":"Closed"}}}`, strings.ToUpper(fiber)),
			with(func(s *Saved) {
				s.SyncStatusForward[fiber] = orgconfig.ProjectStatuses{OnResolve: "Closed", OnUnresolve: "New"}
			})},
		{"the mapping null", `{"sync_status_forward":null,"sync_comments":false}`,
			with(func(s *Saved) { s.SyncStatusForward = orgconfig.StatusMapping{} })},
		{"the mapping empty: nothing", `{"sync_status_forward":{}}`, start},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if diff := cmp.Diff(tt.want, merge(t, tt.body)); diff != "" {
				t.Errorf("saved (-want +got):\n%s", diff)
			}
		})
	}

	for _, tt := range []struct {
		name, contentType, body string
		want                    int
		wantBody                string
	}{
		{"a state cleared", "application/json", fmt.Sprintf(`{"sync_status_forward":{%q:{"on_unresolve":null}}}`, fiber),
			http.StatusUnprocessableEntity, `"code":"status_required"`},
		{"a state the project lacks", "application/json", fmt.Sprintf(`{"sync_status_forward":{%q:{"on_resolve":"Resolved"}}}`, basic),
			http.StatusUnprocessableEntity, `"code":"unknown_state"`},
		{"an unknown project", "application/json", `{"sync_status_forward":{"nope":{"on_resolve":"Done","on_unresolve":"New"}}}`,
			http.StatusUnprocessableEntity, `"code":"unknown_project"`},
		{"one project twice", "application/json", fmt.Sprintf(`{"sync_status_forward":{%q:null,%q:null}}`, fiber, strings.ToUpper(fiber)),
			http.StatusBadRequest, "project ids ignore case"},
		{"an unknown key", "application/json", `{"sync_everything":true}`, http.StatusBadRequest, `unknown key \"sync_everything\"`},
		{"a toggle not a boolean", "application/json", `{"sync_comments":"yes"}`, http.StatusBadRequest, "must be true, false or null"},
		{"a row not an object", "application/json", `{"sync_status_forward":{"p":[]}}`, http.StatusBadRequest, "entry must be an object or null"},
		{"an unknown row field", "application/json", `{"sync_status_forward":{"p":{"state":"x"}}}`, http.StatusBadRequest, `unknown field \"state\"`},
		{"a state not a string", "application/json", `{"sync_status_forward":{"p":{"on_resolve":1}}}`, http.StatusBadRequest, "must be a string or null"},
		{"trailing data", "application/json", `{} {}`, http.StatusBadRequest, "unexpected data after the JSON object"},
		{"not JSON", "text/plain", `{}`, http.StatusUnsupportedMediaType, "application/merge-patch+json"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := store.Save(t.Context(), orgEnabled, start, nil); err != nil {
				t.Fatal(err)
			}
			resp, body := doBody(t, http.MethodPatch, url, map[string]string{"Content-Type": tt.contentType}, tt.body)
			if resp.StatusCode != tt.want || !strings.Contains(string(body), tt.wantBody) {
				t.Errorf("%d %s\nwant %d containing %s", resp.StatusCode, body, tt.want, tt.wantBody)
			}
			decodeProblem(t, resp, body)
			if saved, _, _ := store.Load(t.Context(), orgEnabled); !cmp.Equal(start, saved) {
				t.Errorf("a refused patch changed the saved values: %+v", saved)
			}
		})
	}
}

// TestPatchIfMatch: a PATCH naming a version someone else replaced is
// refused; concurrent PATCHes without If-Match each merge into the last.
func TestPatchIfMatch(t *testing.T) {
	store := newMemStore()
	srv, _ := newTestAppWithStore(t, store)
	url := srv.URL + "/organizations/fabrikam/config"
	resp, _ := do(t, http.MethodGet, url, nil)
	loaded := resp.Header.Get("ETag")
	if resp, body := doBody(t, http.MethodPut, url, jsonHeader, `{"sync_comments":true}`); resp.StatusCode != http.StatusOK {
		t.Fatalf("PUT: %d %s", resp.StatusCode, body)
	}
	resp, body := doBody(t, http.MethodPatch, url, map[string]string{"Content-Type": "application/json", "If-Match": loaded}, `{"sync_status_reverse":true}`)
	if resp.StatusCode != http.StatusPreconditionFailed {
		t.Errorf("stale PATCH: %d %s", resp.StatusCode, body)
	}

	keys := []string{orgconfig.KeySyncForwardAssignment, orgconfig.KeySyncStatusReverse, orgconfig.KeySyncReverseAssignment}
	var wg sync.WaitGroup
	for _, key := range keys {
		wg.Go(func() {
			resp, body := doBody(t, http.MethodPatch, url, jsonHeader, fmt.Sprintf(`{%q:true}`, key))
			if resp.StatusCode != http.StatusOK {
				t.Errorf("PATCH %s: %d %s", key, resp.StatusCode, body)
			}
		})
	}
	wg.Wait()
	saved, _, _ := store.Load(t.Context(), orgEnabled)
	want := Saved{SyncComments: true, SyncForwardAssignment: true, SyncStatusReverse: true, SyncReverseAssignment: true, SyncStatusForward: orgconfig.StatusMapping{}}
	if diff := cmp.Diff(want, saved); diff != "" {
		t.Errorf("after concurrent patches (-want +got):\n%s", diff)
	}
}

// TestPostConfigAsSentry saves as Sentry's frontend does: one field per
// POST, answered 200 without a body, or 400 {"detail": …} that the
// frontend shows as the field's error.
func TestPostConfigAsSentry(t *testing.T) {
	store := newMemStore()
	srv, _ := newTestAppWithStore(t, store)
	ids := sampleIDs()
	url := srv.URL + "/organizations/fabrikam/config"
	post := func(body string) (*http.Response, []byte) {
		t.Helper()
		return doBody(t, http.MethodPost, url, jsonHeader, body)
	}

	resp, body := post(`{"sync_comments":true}`)
	if resp.StatusCode != http.StatusOK || len(body) != 0 {
		t.Errorf("POST a toggle: %d %q, want 200 without a body", resp.StatusCode, body)
	}
	resp, body = post(fmt.Sprintf(`{"sync_status_forward":{%q:{"on_resolve":"Done","on_unresolve":"To Do"}}}`, ids["basic-tracker"]))
	if resp.StatusCode != http.StatusOK || len(body) != 0 {
		t.Errorf("POST the mapping: %d %q, want 200 without a body", resp.StatusCode, body)
	}
	want := Saved{SyncComments: true, SyncStatusForward: orgconfig.StatusMapping{ids["basic-tracker"]: {OnResolve: "Done", OnUnresolve: "To Do"}}}
	if saved, _, _ := store.Load(t.Context(), orgEnabled); !cmp.Equal(want, saved) {
		t.Errorf("saved %+v, want %+v", saved, want)
	}

	// A missing state: the reference's words, naming the project.
	resp, body = post(fmt.Sprintf(`{"sync_status_forward":{%q:{"on_resolve":"Resolved","on_unresolve":""}}}`, ids["Fabrikam Fiber"]))
	var got map[string]any
	if err := json.Unmarshal(body, &got); err != nil {
		t.Fatal(err)
	}
	wantDetail := map[string]any{"detail": fmt.Sprintf(`project "Fabrikam Fiber" (%s): Resolve and unresolve status are required.`, ids["Fabrikam Fiber"])}
	if diff := cmp.Diff(wantDetail, got); resp.StatusCode != http.StatusBadRequest || resp.Header.Get("Content-Type") != "application/json" || diff != "" {
		t.Errorf("POST a row without its state: %d %s (-want +got):\n%s", resp.StatusCode, resp.Header.Get("Content-Type"), diff)
	}
	// Other failures are problems, whose "detail" the frontend shows too.
	resp, body = post(`{"sync_comments":1}`)
	if p := decodeProblem(t, resp, body); resp.StatusCode != http.StatusBadRequest || !strings.Contains(p.Detail, "must be true, false or null") {
		t.Errorf("POST a malformed toggle: %d %+v", resp.StatusCode, p)
	}
	resp, body = doBody(t, http.MethodPost, url, map[string]string{"Content-Type": "application/merge-patch+json"}, `{}`)
	if resp.StatusCode != http.StatusUnsupportedMediaType {
		t.Errorf("POST a merge patch: %d %s", resp.StatusCode, body)
	}
	if saved, _, _ := store.Load(t.Context(), orgEnabled); !cmp.Equal(want, saved) {
		t.Errorf("refused posts changed the saved values: %+v", saved)
	}
}

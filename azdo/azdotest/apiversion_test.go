package azdotest_test

import (
	"encoding/json"
	"net/http"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/azdosync/azdosync/azdo/azdotest"
)

// TestAPIVersion checks a server posing as Azure DevOps Server 2022
// (WithAPIVersion("7.0")): discovery caps every location's versions, and a
// newer api-version, in Accept or in the query, gets the 400 Server sends
// (ADO-WIRE.md §9), word for word.
func TestAPIVersion(t *testing.T) {
	srv := azdotest.NewServer(t, azdotest.SampleOrg(), azdotest.WithAPIVersion("7.0"))
	ask := func(method, path, accept string) (int, string) {
		t.Helper()
		req, err := http.NewRequestWithContext(t.Context(), method, srv.URL()+path, nil)
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("Accept", accept)
		resp, err := srv.Client().Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var body json.RawMessage
		if err := json.NewDecoder(resp.Body).Decode(&body); err != nil {
			t.Fatal(err)
		}
		return resp.StatusCode, string(body)
	}

	_, body := ask(http.MethodOptions, "/_apis", "application/json")
	var locs struct {
		Value []struct {
			ResourceName    string `json:"resourceName"`
			MaxVersion      string `json:"maxVersion"`
			ReleasedVersion string `json:"releasedVersion"`
		} `json:"value"`
	}
	if err := json.Unmarshal([]byte(body), &locs); err != nil {
		t.Fatal(err)
	}
	for _, l := range locs.Value {
		if l.MaxVersion != "7.0" || (l.ReleasedVersion != "7.0" && l.ReleasedVersion != "0.0") {
			t.Errorf("location %s: maxVersion %s, releasedVersion %s; want 7.0 and 7.0 or 0.0", l.ResourceName, l.MaxVersion, l.ReleasedVersion)
		}
	}

	const refused = `{"$id":"1","innerException":null,"message":"The requested REST API version of 7.1 is out of range for this server. The latest REST API version this server supports is 7.0.","typeName":"Microsoft.VisualStudio.Services.WebApi.VssVersionOutOfRangeException, Microsoft.VisualStudio.Services.WebApi","typeKey":"VssVersionOutOfRangeException","errorCode":0,"eventId":3000}`
	for _, tt := range []struct {
		name, path, accept string
		wantStatus         int
	}{
		{"newer in accept", "/_apis/projects", "application/json;api-version=7.1-preview.4", http.StatusBadRequest},
		{"newer in query", "/_apis/work/processes?API-Version=7.1", "application/json", http.StatusBadRequest},
		{"latest", "/_apis/projects", "application/json;api-version=7.0", http.StatusOK},
		{"older preview", "/_apis/work/processes", "application/json; api-version=6.0-preview.2", http.StatusOK},
		{"none", "/_apis/projects", "application/json", http.StatusOK},
	} {
		t.Run(tt.name, func(t *testing.T) {
			status, body := ask(http.MethodGet, tt.path, tt.accept)
			if status != tt.wantStatus {
				t.Fatalf("status %d, want %d; body %s", status, tt.wantStatus, body)
			}
			if status == http.StatusBadRequest {
				if diff := cmp.Diff(refused, body); diff != "" {
					t.Errorf("body (-want +got):\n%s", diff)
				}
			}
		})
	}
}

func TestAPIVersionInvalid(t *testing.T) {
	for _, v := range []string{"", "7", "7.x", "v7.0", "7.0-preview", "-1.0", "07.0"} {
		if _, err := azdotest.Start(azdotest.SampleOrg(), azdotest.WithAPIVersion(v)); err == nil {
			t.Errorf("WithAPIVersion(%q): no error", v)
		}
	}
}

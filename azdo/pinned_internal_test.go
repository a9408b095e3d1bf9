package azdo

import (
	"net/url"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/microsoft/azure-devops-go-api/azuredevops/v7"

	"github.com/azdosync/azdosync/azdo/azdotest"
)

// TestGetPinned asks the project route twice of Services and of a server
// posing as Azure DevOps Server 2022: Services answers the pinned route,
// without discovery; Server refuses its api-version once, after which the
// Client sends nothing pinned.
func TestGetPinned(t *testing.T) {
	type req struct {
		Endpoint azdotest.Endpoint
		Status   int
	}
	for _, tt := range []struct {
		name    string
		srvOpts []azdotest.Option
		wantOK  bool
		want    []req
	}{
		{"services", nil, true, []req{{azdotest.EndpointProjects, 200}, {azdotest.EndpointProjects, 200}}},
		{"server 2022", []azdotest.Option{azdotest.WithAPIVersion("7.0")}, false, []req{{azdotest.EndpointProjects, 400}}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			org := azdotest.SampleOrg()
			srv := azdotest.NewServer(t, org, tt.srvOpts...)
			c, err := New(srv.URL(), PAT("pat"))
			if err != nil {
				t.Fatal(err)
			}
			for range 2 {
				var page []wireProject
				resp, ok, err := c.getPinned(t.Context(), routeProjects, nil, url.Values{"stateFilter": {"wellFormed"}})
				if err != nil || ok != tt.wantOK {
					t.Fatalf("getPinned: ok %t, err %v; want ok %t, no error", ok, err, tt.wantOK)
				}
				if ok {
					if err := unmarshalCollection(resp, &page); err != nil {
						t.Fatal(err)
					}
				}
				if ok && (len(page) != len(org.Projects) || !page[0].ID.ok || page[0].ID.id.String() != org.Projects[0].ID || page[0].Name != org.Projects[0].Name) {
					t.Fatalf("page %+v, want the %d projects of the organization", page, len(org.Projects))
				}
			}
			var got []req
			for _, r := range srv.Requests() {
				got = append(got, req{r.Endpoint, r.Status})
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("requests (-want +got):\n%s", diff)
			}
		})
	}
}

// TestWireID checks that an ID that is not a UUID string is left unset,
// without failing the answer it is in.
func TestWireID(t *testing.T) {
	var page []wireProject
	body := `{"count":4,"value":[{"id":"ADCC42AB-9882-485E-A3ED-7678F01F66BC","name":"a"},{"id":"nope","name":"b"},{"id":7,"name":"c"},{"id":null,"name":"d"}]}`
	if err := (&azuredevops.Client{}).UnmarshalCollectionJson([]byte(body), &page); err != nil {
		t.Fatal(err)
	}
	got := make([]string, len(page))
	for i, p := range page {
		if p.ID.ok {
			got[i] = p.ID.id.String()
		}
	}
	if diff := cmp.Diff([]string{"adcc42ab-9882-485e-a3ed-7678f01f66bc", "", "", ""}, got); diff != "" {
		t.Errorf("ids (-want +got):\n%s", diff)
	}
}

package azdo_test

import (
	"errors"
	"net/http"
	"testing"

	"github.com/azdosync/azdosync/azdo"
	"github.com/azdosync/azdosync/azdo/azdotest"
)

// FuzzProjectsPage feeds arbitrary bodies and continuation headers to the
// project listing through the SDK: no panic, and either projects with IDs
// and no duplicates or an *APIError.
func FuzzProjectsPage(f *testing.F) {
	f.Add([]byte(`{"count":1,"value":[{"id":"00000000-0000-0000-0000-000000000001","name":"A","state":"wellFormed"}]}`), "")
	f.Add([]byte(`{"count":2,"value":[{"id":"00000000-0000-0000-0000-000000000001","name":"A"},{"id":"00000000-0000-0000-0000-000000000001","name":"B"}]}`), "1")
	f.Add([]byte(`{"count":1,"value":[{"id":"not-a-uuid","name":"A"}]}`), "")
	f.Add([]byte(`{"count":1,"value":[{"name":"no id"}]}`), "abc")
	f.Add([]byte(`[]`), "")
	f.Add([]byte(`<html>sign in</html>`), "")
	f.Add([]byte("\xef\xbb\xbf{\"value\":[]}"), "-1")
	f.Add([]byte(`{"value":null}`), "99999999999999999999")

	srv := azdotest.NewServer(f, azdotest.SampleOrg())
	c, err := azdo.New(srv.URL(), azdo.PAT("x"), azdo.WithProcessAPI(false), azdo.WithRetry(1, 0))
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, body []byte, token string) {
		srv.ClearFaults()
		if err := srv.Inject(azdotest.Fault{
			Endpoint: azdotest.EndpointProjects, Times: 1, Status: http.StatusOK, Body: string(body) + " ",
			Header: http.Header{"X-Ms-Continuationtoken": {token}},
		}); err != nil {
			t.Fatal(err)
		}
		projects, err := c.Projects(t.Context())
		if err != nil {
			var apiErr *azdo.APIError
			if !errors.As(err, &apiErr) {
				t.Fatalf("error %T %v is not an *APIError", err, err)
			}
			return
		}
		seen := map[string]bool{}
		for _, p := range projects {
			if p.ID == "" || seen[p.ID] {
				t.Fatalf("project %+v: empty or duplicate ID", p)
			}
			seen[p.ID] = true
		}
	})
}

// FuzzProcessStates feeds arbitrary process work item type lists to the
// states lookup: no panic, and either states or an *APIError.
func FuzzProcessStates(f *testing.F) {
	f.Add([]byte(`{"count":1,"value":[{"referenceName":"Microsoft.VSTS.WorkItemTypes.Bug","name":"Bug","states":[{"name":"New","stateCategory":"Proposed","order":1}]}]}`))
	f.Add([]byte(`{"count":1,"value":[{"name":"Bug","isDisabled":true,"states":[{"name":"X"}]},{"name":"Task","inherits":"Microsoft.VSTS.WorkItemTypes.Task","states":[{"name":"B","order":2},{"name":"A","order":1,"hidden":true}]}]}`))
	f.Add([]byte(`{"count":1,"value":[{"name":null,"states":null}]}`))
	f.Add([]byte(`{"value":[{"states":[{}]}]}`))
	f.Add([]byte(`not json`))

	org := azdotest.SampleOrg()
	srv := azdotest.NewServer(f, org)
	c, err := azdo.New(srv.URL(), azdo.PAT("x"), azdo.WithRetry(1, 0))
	if err != nil {
		f.Fatal(err)
	}
	project := org.Projects[0].ID
	f.Fuzz(func(t *testing.T, body []byte) {
		srv.ClearFaults()
		if err := srv.Inject(azdotest.Fault{Endpoint: azdotest.EndpointProcessWorkItemTypes, Status: http.StatusOK, Body: string(body) + " "}); err != nil {
			t.Fatal(err)
		}
		// Projects looks the states up; WorkItemStates hands them out.
		if _, err := c.Projects(t.Context()); err != nil {
			t.Fatal(err)
		}
		states, err := c.WorkItemStates(t.Context(), project)
		if err != nil {
			var apiErr *azdo.APIError
			if !errors.As(err, &apiErr) {
				t.Fatalf("error %T %v is not an *APIError", err, err)
			}
			return
		}
		if states == nil {
			t.Fatal("nil states without an error")
		}
	})
}

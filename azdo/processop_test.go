package azdo_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/azdosync/azdosync/azdo"
	"github.com/azdosync/azdosync/azdo/azdotest"
)

// A failure of one process's work item types is reported under that
// request's operation, not as the process list (which answered): the
// error used to read "azdo: list processes: 500 …", sending whoever reads
// it to the wrong endpoint.
func TestProcessLookupErrorNamesTheFailedRequest(t *testing.T) {
	for _, tt := range []struct {
		endpoint azdotest.Endpoint
		want     string
	}{
		{azdotest.EndpointProcesses, "azdo: list processes: 500 Internal Server Error"},
		{azdotest.EndpointProcessWorkItemTypes, "azdo: list process work item types: 500 Internal Server Error"},
	} {
		t.Run(string(tt.endpoint), func(t *testing.T) {
			srv := azdotest.NewServer(t, azdotest.SampleOrg(), azdotest.WithPAT("pat"),
				azdotest.WithFaults(azdotest.Fault{Endpoint: tt.endpoint, Status: 500}))
			c, err := azdo.New(srv.URL(), azdo.PAT("pat"))
			if err != nil {
				t.Fatal(err)
			}
			_, err = c.WorkItemStates(t.Context(), azdotest.SampleOrg().Projects[0].ID)
			var apiErr *azdo.APIError
			if !errors.As(err, &apiErr) || !strings.HasPrefix(err.Error(), tt.want) {
				t.Fatalf("error %v, want an *APIError beginning %q", err, tt.want)
			}
			if !errors.Is(err, azdo.ErrUnavailable) || apiErr.StatusCode != 500 {
				t.Errorf("error %v: kind or status lost (%d)", err, apiErr.StatusCode)
			}
		})
	}
}

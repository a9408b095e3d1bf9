package azdo_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/azdosync/azdosync/azdo"
	"github.com/azdosync/azdosync/azdo/azdotest"
	"github.com/azdosync/azdosync/orgconfig"
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
			listed(t, t.Context(), c)
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

// A failing TokenFunc is reported once as azdo's: the text read
// "azdo: list projects: no credentials: azdo: token func failed".
func TestTokenFuncFailureText(t *testing.T) {
	srv := azdotest.NewServer(t, azdotest.SampleOrg(), azdotest.WithBearer("token"))
	revoked := errors.New("refresh token revoked: secret-refresh-token")
	c, err := azdo.New(srv.URL(), azdo.TokenFunc(func(context.Context) (string, error) { return "", revoked }))
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.Projects(t.Context())
	var tokenErr *azdo.TokenError
	if got, want := fmt.Sprint(err), "azdo: list projects: no credentials: token func failed"; got != want {
		t.Errorf("error %q, want %q", got, want)
	}
	if !errors.Is(err, orgconfig.ErrUnauthorized) || !errors.Is(err, revoked) || !errors.As(err, &tokenErr) {
		t.Errorf("error %v: the kind, the cause or the *TokenError is lost", err)
	}
	if srv.Count() != 0 {
		t.Errorf("%d requests sent without credentials", srv.Count())
	}
}

package azdo_test

import (
	"errors"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/azdosync/azdosync/azdo"
	"github.com/azdosync/azdosync/azdo/azdotest"
	"github.com/azdosync/azdosync/orgconfig"
)

// TestConnectedAs reads who a credential authenticates as: the PAT's user,
// or the service principal behind an Entra ID token.
func TestConnectedAs(t *testing.T) {
	e := azdotest.NewEntra(t)
	srv := azdotest.NewServer(t, azdotest.SampleOrg(), azdotest.WithPAT(testToken), azdotest.WithEntra(e))
	for _, tt := range []struct {
		name string
		cred azdo.Credential
		want azdo.Identity
	}{
		{"pat", azdo.PAT(testToken), azdo.Identity{ID: azdotest.UserID, DisplayName: azdotest.UserName}},
		{"entra id", azdo.EntraID(secretCredential(t, e, azdotest.EntraTenantID, azdotest.EntraClientID)), azdo.Identity{ID: azdotest.EntraAppID, DisplayName: azdotest.EntraAppName}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			c, err := azdo.New(srv.URL(), tt.cred)
			if err != nil {
				t.Fatal(err)
			}
			got, err := c.ConnectedAs(t.Context())
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("identity (-want +got):\n%s", diff)
			}
		})
	}
	if n := srv.Count(azdotest.EndpointConnectionData); n != 2 {
		t.Errorf("%d connectionData requests, want 2", n)
	}

	// Refused credentials: an APIError naming the operation.
	c, err := azdo.New(srv.URL(), azdo.PAT("wrong"))
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.ConnectedAs(t.Context())
	var apiErr *azdo.APIError
	if !errors.Is(err, orgconfig.ErrUnauthorized) || !errors.As(err, &apiErr) || apiErr.Op != "get connection data" {
		t.Errorf("error %v, want unauthorized naming get connection data", err)
	}
	if _, err := (&azdo.Client{}).ConnectedAs(t.Context()); err == nil || err.Error() != "azdo: get connection data: the Client was not made by New" {
		t.Errorf("zero Client: %v", err)
	}
}

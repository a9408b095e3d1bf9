package azdo_test

import (
	"context"
	"testing"

	"github.com/azdosync/azdosync/azdo"
	"github.com/azdosync/azdosync/azdo/azdotest"
)

func TestProbe(t *testing.T) {
	org := azdotest.SampleOrg()
	for _, body := range []string{
		`{"authenticatedUser":{"id":"00000000-0000-0000-0000-000000000000","customDisplayName":"\u001b]0;x\u0007evil\nline"}}`,
		`{"authenticatedUser":{"id":"zz"}}`,
		`{"authenticatedUser":null}`,
		`[]`,
		`{"authenticatedUser":{"id":"6d0b5a3d-7a0c-4b0d-8f43-2f3a1e5b8c9d","providerDisplayName":123}}`,
	} {
		_, c := newPair(t, org, []azdotest.Option{azdotest.WithFaults(azdotest.Fault{Endpoint: azdotest.EndpointConnectionData, Status: 200, Body: body})})
		id, err := c.ConnectedAs(context.Background())
		t.Logf("%q %v", id, err)
	}
	for _, body := range []string{
		`{"defaultWorkItemType":{"name":".."}}`,
		`{"defaultWorkItemType":{"name":"a/b?c#d"}}`,
		`{"defaultWorkItemType":{"name":""}}`,
		`{"defaultWorkItemType":null}`,
		`"x"`,
	} {
		_, c := newPair(t, org, []azdotest.Option{azdotest.WithFaults(azdotest.Fault{Endpoint: azdotest.EndpointWorkItemTypeCategory, Status: 200, Body: body})}, azdo.WithProcessAPI(false))
		listed(t, context.Background(), c)
		st, err := c.WorkItemStates(context.Background(), org.Projects[0].ID)
		t.Logf("%v %v", st, err)
	}
}

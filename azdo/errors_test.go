package azdo_test

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/azdosync/azdosync/azdo"
	"github.com/azdosync/azdosync/azdo/azdotest"
)

// TestErrorKeepsCause: an answer the SDK cannot decode is an ErrBadResponse
// whose cause, the decoder's error, stays reachable with errors.As, while
// the text says "could not decode" without the decoder's words.
func TestErrorKeepsCause(t *testing.T) {
	_, c := newPair(t, azdotest.SampleOrg(), []azdotest.Option{azdotest.WithFaults(
		azdotest.Fault{Endpoint: azdotest.EndpointProjects, Kind: azdotest.FaultMalformed},
	)}, azdo.WithProcessAPI(false))
	_, err := c.Projects(t.Context())
	var syntaxErr *json.SyntaxError
	if !errors.Is(err, azdo.ErrBadResponse) || !errors.As(err, &syntaxErr) {
		t.Fatalf("error %v: want ErrBadResponse caused by a *json.SyntaxError", err)
	}
	if got, want := err.Error(), "azdo: list projects: could not decode the response"; got != want || strings.Contains(got, "invalid character") {
		t.Errorf("error %q, want %q", got, want)
	}
}

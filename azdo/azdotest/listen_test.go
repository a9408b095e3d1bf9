package azdotest_test

import (
	"context"
	"testing"
	"time"

	"github.com/azdosync/azdosync/azdo"
	"github.com/azdosync/azdosync/azdo/azdotest"
)

// TestEveryServerIsAskedForDiscovery starts servers one after another,
// each closed before the next, and checks that the SDK asks each one for
// location discovery (they pose as Azure DevOps Server 2022, which refuses
// the Client's pinned api-version, so that it discovers). The SDK caches discovery per URL for the life of the
// process, so a server on a port an earlier one had (the kernel reuses
// them) would get no OPTIONS request, and a test counting or faulting
// discovery would fail or pass by chance.
func TestEveryServerIsAskedForDiscovery(t *testing.T) {
	seen := map[string]bool{}
	for i := range 50 {
		srv, err := azdotest.Start(azdotest.Org{}, azdotest.WithAPIVersion("7.0"))
		if err != nil {
			t.Fatal(err)
		}
		if seen[srv.URL()] {
			t.Errorf("server %d: URL %s was an earlier server's", i, srv.URL())
		}
		seen[srv.URL()] = true
		c, err := azdo.New(srv.URL(), azdo.PAT("p"), azdo.WithProcessAPI(false))
		if err != nil {
			t.Fatal(err)
		}
		ctx, cancel := context.WithTimeout(t.Context(), 5*time.Second)
		_, err = c.Projects(ctx)
		cancel()
		if err != nil {
			t.Fatalf("server %d: %v", i, err)
		}
		if got := srv.Count(azdotest.EndpointLocations); got != 1 {
			t.Errorf("server %d (%s): %d discovery requests, want 1", i, srv.URL(), got)
		}
		srv.Close()
	}
}

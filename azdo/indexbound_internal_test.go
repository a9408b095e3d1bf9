package azdo

import (
	"context"
	"testing"

	"github.com/azdosync/azdosync/azdo/azdotest"
)

// keptEntries returns how many project entries the Client's indexes hold.
func (c *Client) keptEntries() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	n := 0
	for _, idx := range c.indexes {
		n += len(idx.entries)
	}
	return n
}

// TestIndexesBounded lists the projects of a large organization again and
// again without asking any state, under a context that never ends, as a
// project picker would: what the Client keeps for state fetches that never
// come stays within maxKeptEntries, instead of an index per call for a
// minute each (200 calls over 1 000 projects kept 38 MiB), and the newest
// index still serves.
func TestIndexesBounded(t *testing.T) {
	const projects, calls = 1000, maxKeptEntries/1000 + 10
	srv := azdotest.NewServer(t, azdotest.ScaledOrg(projects), azdotest.WithPAT("x"))
	c, err := New(srv.URL(), PAT("x"))
	if err != nil {
		t.Fatal(err)
	}
	var last string
	for range calls {
		listed, err := c.Projects(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		last = listed[len(listed)-1].ID
	}
	if n := c.keptEntries(); n > maxKeptEntries {
		t.Errorf("after %d Projects calls, %d entries kept in %d indexes, want at most %d", calls, n, c.kept(), maxKeptEntries)
	}
	if _, ok := c.take(last); !ok {
		t.Error("the newest index does not serve its projects")
	}
}

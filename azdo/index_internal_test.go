package azdo

import (
	"context"
	"testing"
	"time"
)

// kept returns how many indexes the Client holds.
func (c *Client) kept() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.indexes)
}

// TestIndexLifetime checks that nothing outlives the Build an index serves:
// an index is released as soon as every project it covers has been served,
// and, when some never are (a state project limit, a Build that stopped
// early), when the context of the Projects call that made it ends.
func TestIndexLifetime(t *testing.T) {
	c := &Client{}
	c.keep(t.Context(), map[string]indexEntry{"a": {}, "b": {}})
	if _, ok := c.take("A"); !ok || c.kept() != 1 {
		t.Fatalf("after serving a: served %t, %d indexes kept, want true and 1", ok, c.kept())
	}
	if _, ok := c.take("a"); ok {
		t.Error("a served twice")
	}
	if _, ok := c.take("b"); !ok || c.kept() != 0 {
		t.Fatalf("after serving b: served %t, %d indexes kept, want true and 0", ok, c.kept())
	}

	ctx, cancel := context.WithCancel(t.Context())
	c.keep(ctx, map[string]indexEntry{"a": {}, "b": {}})
	c.take("a")
	cancel()
	for deadline := time.Now().Add(10 * time.Second); c.kept() != 0; time.Sleep(time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("an index half served is still kept 10 s after its context ended")
		}
	}
	if _, ok := c.take("b"); ok {
		t.Error("b served from a released index")
	}
}

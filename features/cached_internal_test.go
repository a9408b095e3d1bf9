package features

import (
	"context"
	"fmt"
	"testing"
	"testing/synctest"
	"time"
)

// TestCachedForgetsKeysNeverAskedAgain checks that the cache does not grow
// with every organization ever asked: entries whose answer expired go.
func TestCachedForgetsKeysNeverAskedAgain(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		c, err := Cached(Static(true), time.Minute)
		if err != nil {
			t.Fatal(err)
		}
		for i := range 1000 {
			if _, err := c.Enabled(t.Context(), fmt.Sprintf("org-%d", i), "f"); err != nil {
				t.Fatal(err)
			}
		}
		if n := c.size(); n != 1000 {
			t.Fatalf("%d entries after 1000 organizations, want 1000", n)
		}
		time.Sleep(2 * time.Minute)
		if _, err := c.Enabled(context.Background(), "org-again", "f"); err != nil {
			t.Fatal(err)
		}
		if n := c.size(); n != 1 {
			t.Errorf("%d entries after the others expired, want 1", n)
		}
	})
}

func (c *Cache) size() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.entries)
}

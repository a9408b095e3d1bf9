package orgconfig_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/azdosync/azdosync/orgconfig"
	"github.com/google/go-cmp/cmp"
)

// TestForget checks that Forget drops the cached snapshot, so that the
// next Build fetches, and that a fetch running when it is called answers
// its Builds but is not kept, in memory nor in the shared store.
func TestForget(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		c := slowClient(100 * time.Millisecond)
		var mu sync.Mutex
		var log []string
		store := &stubShared{
			set: func(_ context.Context, key string, _ []byte, _ time.Duration) error {
				mu.Lock()
				defer mu.Unlock()
				log = append(log, "set")
				return nil
			},
			del: func(context.Context, string) error {
				mu.Lock()
				defer mu.Unlock()
				log = append(log, "delete")
				return nil
			},
		}
		b, err := orgconfig.NewBuilder(c, gateFunc(allow), orgconfig.WithCacheTTL(time.Minute), orgconfig.WithSharedCache(store, "org"))
		if err != nil {
			t.Fatal(err)
		}
		build := func() {
			if _, err := b.Build(t.Context(), "org-1"); err != nil {
				t.Fatal(err)
			}
		}
		build()
		build() // cached
		if err := b.Forget(t.Context()); err != nil {
			t.Fatal(err)
		}
		build() // fetches: 2

		// Forget while a fetch runs: its Build gets the form; the next
		// Build fetches again.
		if err := b.Forget(t.Context()); err != nil {
			t.Fatal(err)
		}
		var wg sync.WaitGroup
		wg.Go(build) // fetches: 3
		time.Sleep(50 * time.Millisecond)
		if err := b.Forget(t.Context()); err != nil {
			t.Fatal(err)
		}
		wg.Wait()
		build() // fetches: 4
		if got := c.projectCalls.Load(); got != 4 {
			t.Errorf("project list fetched %d times, want 4", got)
		}
		want := []string{"set", "delete", "set", "delete", "delete", "set"}
		if diff := cmp.Diff(want, log); diff != "" {
			t.Errorf("store calls (-want +got):\n%s", diff)
		}
	})
}

// TestForgetDuringSet checks the window between a fetch's last look at
// Forget and its Set: a Forget there deletes the key before the Set
// stores it, so the fetch deletes it again, and the next Build fetches.
func TestForgetDuringSet(t *testing.T) {
	c := sampleOrg().client()
	var b *orgconfig.Builder
	var mu sync.Mutex
	var log []string
	note := func(s string) {
		mu.Lock()
		defer mu.Unlock()
		log = append(log, s)
	}
	forgot := false
	store := &stubShared{
		set: func(ctx context.Context, _ string, _ []byte, _ time.Duration) error {
			if !forgot {
				forgot = true
				if err := b.Forget(ctx); err != nil {
					return err
				}
			}
			note("set")
			return nil
		},
		del: func(context.Context, string) error {
			note("delete")
			return nil
		},
	}
	var err error
	b, err = orgconfig.NewBuilder(c, gateFunc(allow), orgconfig.WithCacheTTL(time.Minute), orgconfig.WithSharedCache(store, "org"))
	if err != nil {
		t.Fatal(err)
	}
	for range 2 {
		if _, err := b.Build(t.Context(), "org-1"); err != nil {
			t.Fatal(err)
		}
	}
	// The first Build's Forget deleted, its Set stored, and it deleted
	// again; the second Build fetched and stored.
	want := []string{"delete", "set", "delete", "set"}
	if diff := cmp.Diff(want, log); diff != "" {
		t.Errorf("store calls (-want +got):\n%s", diff)
	}
}

// TestForgetReportsTheStore checks that Forget returns the shared store's
// error, and works without a cache and fails on a zero Builder.
func TestForgetReportsTheStore(t *testing.T) {
	boom := errors.New("store down")
	store := &stubShared{del: func(context.Context, string) error { return boom }}
	b, err := orgconfig.NewBuilder(sampleOrg().client(), gateFunc(allow), orgconfig.WithCacheTTL(time.Minute), orgconfig.WithSharedCache(store, "org"))
	if err != nil {
		t.Fatal(err)
	}
	if err := b.Forget(t.Context()); !errors.Is(err, boom) {
		t.Errorf("Forget = %v, want the store's error", err)
	}
	uncached, err := orgconfig.NewBuilder(sampleOrg().client(), gateFunc(allow))
	if err != nil {
		t.Fatal(err)
	}
	if err := uncached.Forget(t.Context()); err != nil {
		t.Errorf("Forget without a cache = %v, want nil", err)
	}
	var zero *orgconfig.Builder
	if err := zero.Forget(t.Context()); err == nil {
		t.Error("Forget on a nil Builder = nil, want an error")
	}
}

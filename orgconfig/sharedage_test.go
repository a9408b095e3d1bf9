package orgconfig

import (
	"context"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"
)

// ageStore is a SharedCache holding one stored value; claims succeed.
type ageStore struct{ val []byte }

func (s *ageStore) Get(context.Context, string) ([]byte, error)              { return s.val, nil }
func (s *ageStore) Set(context.Context, string, []byte, time.Duration) error { return nil }
func (s *ageStore) Delete(context.Context, string) error                     { return nil }
func (s *ageStore) Claim(context.Context, string, time.Duration) (func(context.Context), error) {
	return func(context.Context) {}, nil
}

// countingClient counts the project lists asked of a snapClient.
type countingClient struct {
	snapClient
	lists *atomic.Int64
}

func (c countingClient) Projects(ctx context.Context) ([]Project, error) {
	c.lists.Add(1)
	return c.snapClient.Projects(ctx)
}

// TestSharedSnapshotAge: a stored snapshot is used while younger than the
// cache TTL, counted from when its replica read the Client; a stale one,
// or one from a replica whose clock is over a minute ahead, is ignored and
// the Client is asked.
func TestSharedSnapshotAge(t *testing.T) {
	const ttl = 10 * time.Minute
	for _, tc := range []struct {
		name    string
		age     time.Duration
		wantAsk bool
	}{
		{"fresh", time.Minute, false},
		{"clock a little ahead", -30 * time.Second, false},
		{"stale", ttl + time.Second, true},
		{"clock far ahead", -2 * time.Minute, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var lists atomic.Int64
			store := &ageStore{}
			b, err := NewBuilder(countingClient{snapClient{codecSample()}, &lists}, nopGate{}, WithCacheTTL(ttl), WithSharedCache(store, "org"))
			if err != nil {
				t.Fatal(err)
			}
			fetched := time.Now().Add(-tc.age).Truncate(time.Millisecond)
			store.val = encodeSnapshot(b.key, codecSample(), fetched)
			cfg, err := b.Build(t.Context(), "org-1")
			if err != nil {
				t.Fatal(err)
			}
			if asked := lists.Load() == 1; asked != tc.wantAsk {
				t.Errorf("asked the Client: %v, want %v", asked, tc.wantAsk)
			}
			if !tc.wantAsk && !cfg.FetchedAt.Equal(fetched) {
				t.Errorf("FetchedAt %v, want the stored snapshot's %v", cfg.FetchedAt, fetched)
			}
		})
	}
}

// TestMemoryTierAgesFromTheSharedFetch: a snapshot taken from the shared
// tier stays in memory for the TTL from when its replica read the Client,
// not from when this replica read the store.
func TestMemoryTierAgesFromTheSharedFetch(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		const ttl = 10 * time.Minute
		var lists atomic.Int64
		store := &ageStore{}
		b, err := NewBuilder(countingClient{snapClient{codecSample()}, &lists}, nopGate{}, WithCacheTTL(ttl), WithSharedCache(store, "org"))
		if err != nil {
			t.Fatal(err)
		}
		store.val = encodeSnapshot(b.key, codecSample(), time.Now().Add(-ttl+time.Second))
		if _, err := b.Build(t.Context(), "org-1"); err != nil || lists.Load() != 0 {
			t.Fatalf("first Build: %v, %d project lists; want a shared hit", err, lists.Load())
		}
		store.val = nil
		time.Sleep(2 * time.Second)
		if _, err := b.Build(t.Context(), "org-1"); err != nil || lists.Load() != 1 {
			t.Errorf("Build past the shared snapshot's TTL: %v, %d project lists; want 1", err, lists.Load())
		}
	})
}

package orgconfig_test

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/azdosync/azdosync/orgconfig"
)

// stubShared is a function-field SharedCache; nil fields behave as an
// empty store whose claims always succeed.
type stubShared struct {
	get   func(ctx context.Context, key string) ([]byte, error)
	set   func(ctx context.Context, key string, v []byte, ttl time.Duration) error
	claim func(ctx context.Context, key string, ttl time.Duration) (func(context.Context), error)
	del   func(ctx context.Context, key string) error
}

func (s *stubShared) Get(ctx context.Context, key string) ([]byte, error) {
	if s.get == nil {
		return nil, nil
	}
	return s.get(ctx, key)
}

func (s *stubShared) Set(ctx context.Context, key string, v []byte, ttl time.Duration) error {
	if s.set == nil {
		return nil
	}
	return s.set(ctx, key, v, ttl)
}

func (s *stubShared) Delete(ctx context.Context, key string) error {
	if s.del == nil {
		return nil
	}
	return s.del(ctx, key)
}

func (s *stubShared) Claim(ctx context.Context, key string, ttl time.Duration) (func(context.Context), error) {
	if s.claim == nil {
		return func(context.Context) {}, nil
	}
	return s.claim(ctx, key, ttl)
}

func TestWithSharedCacheValidation(t *testing.T) {
	c := sampleOrg().client()
	for _, tc := range []struct {
		name string
		opts []orgconfig.Option
		want string
	}{
		{"nil store", []orgconfig.Option{orgconfig.WithCacheTTL(time.Minute), orgconfig.WithSharedCache(nil, "org")}, "shared cache must not be nil"},
		{"empty key", []orgconfig.Option{orgconfig.WithCacheTTL(time.Minute), orgconfig.WithSharedCache(&stubShared{}, "")}, "shared cache key"},
		{"without a ttl", []orgconfig.Option{orgconfig.WithSharedCache(&stubShared{}, "org")}, "a shared cache needs WithCacheTTL"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := orgconfig.NewBuilder(c, gateFunc(allow), tc.opts...)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("NewBuilder = %v, want an error containing %q", err, tc.want)
			}
		})
	}
}

// TestSharedCacheFailingStore: a store whose every call fails costs the
// form nothing.
func TestSharedCacheFailingStore(t *testing.T) {
	boom := errors.New("store down")
	store := &stubShared{
		get: func(context.Context, string) ([]byte, error) { return nil, boom },
		set: func(context.Context, string, []byte, time.Duration) error { return boom },
		claim: func(context.Context, string, time.Duration) (func(context.Context), error) {
			return nil, boom
		},
	}
	c := sampleOrg().client()
	b, err := orgconfig.NewBuilder(c, gateFunc(allow), orgconfig.WithCacheTTL(time.Minute), orgconfig.WithSharedCache(store, "org"))
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := b.Build(t.Context(), "org-1")
	if err != nil || len(cfg.Problems) > 0 || len(cfg.States) != 3 {
		t.Fatalf("Build = %+v, %v; want a complete form", cfg, err)
	}
}

// TestSharedCacheWaitsForClaimant: while another replica holds the claim
// and stores nothing, a Build waits half its remaining time, then fetches
// on its own and stores the result; a later Build of another Builder reads
// it without asking the Client.
func TestSharedCacheWaitsForClaimant(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var mu sync.Mutex
		stored := map[string][]byte{}
		store := &stubShared{
			get: func(_ context.Context, k string) ([]byte, error) {
				mu.Lock()
				defer mu.Unlock()
				return stored[k], nil
			},
			set: func(_ context.Context, k string, v []byte, _ time.Duration) error {
				mu.Lock()
				defer mu.Unlock()
				stored[k] = v
				return nil
			},
			claim: func(context.Context, string, time.Duration) (func(context.Context), error) {
				return nil, nil // held by a replica that never finishes
			},
		}
		c := sampleOrg().client()
		b, err := orgconfig.NewBuilder(c, gateFunc(allow), orgconfig.WithCacheTTL(time.Minute), orgconfig.WithSharedCache(store, "org"))
		if err != nil {
			t.Fatal(err)
		}
		ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
		defer cancel()
		start := time.Now()
		cfg, err := b.Build(ctx, "org-1")
		if err != nil || len(cfg.Problems) > 0 {
			t.Fatalf("Build = %v, %v", cfg, err)
		}
		if waited := time.Since(start); waited != 5*time.Second {
			t.Errorf("Build waited %v for the claimant, want 5s (half the deadline)", waited)
		}
		if got := calls(c); got != [2]int64{1, 3} {
			t.Errorf("client calls = %v, want one fetch", got)
		}

		time.Sleep(30 * time.Second)
		c2 := sampleOrg().client()
		b2, err := orgconfig.NewBuilder(c2, gateFunc(allow), orgconfig.WithCacheTTL(time.Minute), orgconfig.WithSharedCache(store, "org"))
		if err != nil {
			t.Fatal(err)
		}
		cfg2, err := b2.Build(t.Context(), "org-1")
		if err != nil || len(cfg2.Problems) > 0 || len(cfg2.States) != 3 {
			t.Fatalf("second Builder's Build = %v, %v", cfg2, err)
		}
		if got := calls(c2); got != [2]int64{} {
			t.Errorf("second Builder's client calls = %v, want none", got)
		}

		// Both tiers expire a minute after the first fetch, not a minute
		// after the second Builder read the shared value.
		time.Sleep(31 * time.Second)
		ctx2, cancel2 := context.WithTimeout(t.Context(), 2*time.Second)
		defer cancel2()
		if _, err := b2.Build(ctx2, "org-1"); err != nil {
			t.Fatal(err)
		}
		if got := calls(c2); got != [2]int64{1, 3} {
			t.Errorf("a minute after the first fetch, the second Builder's client calls = %v, want one fetch", got)
		}
	})
}

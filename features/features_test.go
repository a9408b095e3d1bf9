package features_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	"github.com/azdosync/azdosync/features"
	"github.com/azdosync/azdosync/orgconfig"
	"github.com/google/go-cmp/cmp"
)

func TestSet(t *testing.T) {
	var s features.Set
	ctx := t.Context()
	s.Enable("a", "f1", "f2")
	s.Enable("b", "f1")
	s.Disable("a", "f2")
	s.Disable("missing", "f1")
	type q struct{ org, feature string }
	got := map[q]bool{}
	for _, k := range []q{{"a", "f1"}, {"a", "f2"}, {"b", "f1"}, {"b", "f2"}, {"c", "f1"}} {
		on, err := s.Enabled(ctx, k.org, k.feature)
		if err != nil {
			t.Fatal(err)
		}
		got[k] = on
	}
	want := map[q]bool{{"a", "f1"}: true, {"a", "f2"}: false, {"b", "f1"}: true, {"b", "f2"}: false, {"c", "f1"}: false}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Enabled mismatch (-want +got):\n%s", diff)
	}
}

func TestSetConcurrentUpdates(t *testing.T) {
	var s features.Set
	var wg sync.WaitGroup
	for i := range 16 {
		org := fmt.Sprintf("org-%d", i%4)
		wg.Go(func() {
			for range 200 {
				s.Enable(org, orgconfig.FeatureIssueSync)
				if _, err := s.Enabled(t.Context(), org, orgconfig.FeatureIssueSync); err != nil {
					t.Error(err)
				}
				s.Disable(org, orgconfig.FeatureIssueSync)
			}
		})
	}
	wg.Wait()
	for i := range 4 {
		if on, _ := s.Enabled(t.Context(), fmt.Sprintf("org-%d", i), orgconfig.FeatureIssueSync); on {
			t.Errorf("org-%d still enabled after every goroutine disabled it", i)
		}
	}
}

func TestCached(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var calls atomic.Int64
		var fail atomic.Bool
		inner := features.Func(func(_ context.Context, org, _ string) (bool, error) {
			calls.Add(1)
			if fail.Load() {
				return false, errors.New("billing down")
			}
			return org == "acme", nil
		})
		c, err := features.Cached(inner, time.Minute)
		if err != nil {
			t.Fatal(err)
		}
		ctx := t.Context()
		ask := func(org string) string {
			on, err := c.Enabled(ctx, org, orgconfig.FeatureIssueSync)
			return fmt.Sprint(on, err)
		}
		var got []string
		got = append(got, ask("acme"), ask("acme"), ask("globex")) // 2 calls
		time.Sleep(time.Minute)
		fail.Store(true)
		got = append(got, ask("acme"), ask("acme")) // errors are not cached: 2 calls
		fail.Store(false)
		got = append(got, ask("acme"), ask("acme")) // 1 call
		c.Forget("acme")
		got = append(got, ask("acme")) // 1 call
		want := []string{"true <nil>", "true <nil>", "false <nil>", "false billing down", "false billing down", "true <nil>", "true <nil>", "true <nil>"}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("answers mismatch (-want +got):\n%s", diff)
		}
		if n := calls.Load(); n != 6 {
			t.Errorf("inner gate asked %d times, want 6", n)
		}
	})
}

func TestCachedRejects(t *testing.T) {
	for _, tt := range []struct {
		name string
		gate orgconfig.FeatureGate
		ttl  time.Duration
		want string
	}{
		{"nil gate", nil, time.Second, "features: cached: nil gate"},
		{"zero ttl", features.Static(true), 0, "features: cached: ttl must be positive, got 0s"},
		{"negative ttl", features.Static(true), -time.Minute, "features: cached: ttl must be positive, got -1m0s"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, err := features.Cached(tt.gate, tt.ttl)
			if err == nil || err.Error() != tt.want {
				t.Errorf("Cached error = %v, want %q", err, tt.want)
			}
		})
	}
}

// TestGatesDriveBuilder wires each gate into a Builder: the form is enabled
// or disabled as the gate says, and a gate error fails closed.
func TestGatesDriveBuilder(t *testing.T) {
	var set features.Set
	set.Enable("acme", orgconfig.FeatureIssueSync)
	failing := features.Func(func(context.Context, string, string) (bool, error) { return true, errors.New("down") })
	client := emptyClient{}
	for _, tt := range []struct {
		name       string
		gate       orgconfig.FeatureGate
		org        string
		wantReason orgconfig.Reason
	}{
		{"static on", features.Static(true), "acme", ""},
		{"static off", features.Static(false), "acme", orgconfig.ReasonNoAccess},
		{"set member", &set, "acme", ""},
		{"set non-member", &set, "globex", orgconfig.ReasonNoAccess},
		{"func error", failing, "acme", orgconfig.ReasonGateError},
	} {
		t.Run(tt.name, func(t *testing.T) {
			b, err := orgconfig.NewBuilder(client, tt.gate)
			if err != nil {
				t.Fatal(err)
			}
			cfg, err := b.Build(t.Context(), tt.org)
			if err != nil {
				t.Fatal(err)
			}
			if cfg.Reason != tt.wantReason || cfg.StatusField().DisabledReason != tt.wantReason.Text() {
				t.Errorf("reason %q, status disabledReason %q; want %q, %q", cfg.Reason, cfg.StatusField().DisabledReason, tt.wantReason, tt.wantReason.Text())
			}
		})
	}
}

type emptyClient struct{}

func (emptyClient) Projects(context.Context) ([]orgconfig.Project, error) { return nil, nil }
func (emptyClient) WorkItemStates(context.Context, string) ([]orgconfig.State, error) {
	return nil, nil
}

// TestCachedSharesOneCall is the regression test for a cache that let
// every concurrent cold caller ask the wrapped gate: 20 of them make one
// call, and all get its answer.
func TestCachedSharesOneCall(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var calls atomic.Int64
		inner := features.Func(func(ctx context.Context, org, _ string) (bool, error) {
			calls.Add(1)
			time.Sleep(100 * time.Millisecond) // a slow billing service
			return org == "acme", nil
		})
		c, err := features.Cached(inner, time.Minute)
		if err != nil {
			t.Fatal(err)
		}
		got := make([]string, 20)
		var wg sync.WaitGroup
		for i := range got {
			wg.Go(func() {
				on, err := c.Enabled(t.Context(), "acme", orgconfig.FeatureIssueSync)
				got[i] = fmt.Sprint(on, err)
			})
		}
		wg.Wait()
		for i, g := range got {
			if g != "true <nil>" {
				t.Errorf("caller %d got %s, want true <nil>", i, g)
			}
		}
		if n := calls.Load(); n != 1 {
			t.Errorf("inner gate asked %d times by 20 concurrent callers, want 1", n)
		}
	})
}

// TestCachedCallerGivesUp checks that a caller whose ctx ends stops
// waiting at once, without failing the others sharing the call.
func TestCachedCallerGivesUp(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		inner := features.Func(func(ctx context.Context, _, _ string) (bool, error) {
			time.Sleep(time.Second)
			return true, nil
		})
		c, err := features.Cached(inner, time.Minute)
		if err != nil {
			t.Fatal(err)
		}
		var wg sync.WaitGroup
		var patient string
		wg.Go(func() {
			on, err := c.Enabled(t.Context(), "acme", orgconfig.FeatureIssueSync)
			patient = fmt.Sprint(on, err)
		})
		synctest.Wait()
		ctx, cancel := context.WithTimeout(t.Context(), 100*time.Millisecond)
		defer cancel()
		start := time.Now()
		if _, err := c.Enabled(ctx, "acme", orgconfig.FeatureIssueSync); !errors.Is(err, context.DeadlineExceeded) {
			t.Errorf("impatient caller error = %v, want DeadlineExceeded", err)
		}
		if elapsed := time.Since(start); elapsed != 100*time.Millisecond {
			t.Errorf("impatient caller returned after %v, want 100ms", elapsed)
		}
		wg.Wait()
		if patient != "true <nil>" {
			t.Errorf("patient caller got %s, want true <nil>", patient)
		}
	})
}

func TestZeroCache(t *testing.T) {
	var c features.Cache
	on, err := c.Enabled(t.Context(), "acme", orgconfig.FeatureIssueSync)
	if on || err == nil || err.Error() != "features: cache: no gate; create the cache with Cached" {
		t.Errorf("Enabled on a zero Cache = %v, %v", on, err)
	}
	c.Forget("acme")
}

// TestNilGates: a nil Func, *Set or *Cache answers instead of panicking,
// so a gate left unset in a struct fails closed (or reads as an empty set)
// rather than taking the process down.
func TestNilGates(t *testing.T) {
	ctx := t.Context()
	tests := []struct {
		name    string
		gate    orgconfig.FeatureGate
		wantErr string // "" for false and no error
	}{
		{"nil Func", features.Func(nil), "features: func: nil function"},
		{"nil *Set", (*features.Set)(nil), ""},
		{"nil *Cache", (*features.Cache)(nil), "features: cache: no gate; create the cache with Cached"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			on, err := tc.gate.Enabled(ctx, "acme", orgconfig.FeatureIssueSync)
			got := ""
			if err != nil {
				got = err.Error()
			}
			if on || got != tc.wantErr {
				t.Errorf("Enabled = %v, %q; want false, %q", on, got, tc.wantErr)
			}
		})
	}
	var c *features.Cache
	c.Forget("acme")
}

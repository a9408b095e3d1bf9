package orgconfig_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/azdosync/azdosync/orgconfig"
	"github.com/google/go-cmp/cmp"
)

var errThrottled = errors.New("asked to wait 5s, longer than the deadline allows")

// throttledClient is the sample organization behind a server that asked
// for 5s of quiet: like azdo's transport, a request whose context cannot
// wait that long fails at once, any other waits it out.
func throttledClient() *stubClient {
	c := sampleOrg().client()
	projects := c.projects
	c.projects = func(ctx context.Context) ([]orgconfig.Project, error) {
		if dl, ok := ctx.Deadline(); ok && time.Until(dl) < 5*time.Second {
			return nil, errThrottled
		}
		select {
		case <-time.After(5 * time.Second):
			return projects(ctx)
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
	return c
}

// TestCachedBuildSeesItsDeadline is the regression test for a cache that
// hid the caller's deadline from the Client: a cached Build must fail fast
// into the degraded form when a wait does not fit its deadline, as an
// uncached one does, instead of waiting and ending in DeadlineExceeded.
func TestCachedBuildSeesItsDeadline(t *testing.T) {
	for _, tt := range cacheModes {
		t.Run(tt.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				b, err := orgconfig.NewBuilder(throttledClient(), gateFunc(allow), tt.opts...)
				if err != nil {
					t.Fatal(err)
				}
				ctx, cancel := context.WithTimeout(t.Context(), time.Second)
				defer cancel()
				start := time.Now()
				cfg, err := b.Build(ctx, "org-1")
				if err != nil {
					t.Fatalf("Build error = %v, want the degraded form", err)
				}
				if elapsed := time.Since(start); elapsed != 0 {
					t.Errorf("Build took %v of fake time, want 0 (no waiting)", elapsed)
				}
				want := []*orgconfig.OpError{{Op: orgconfig.OpListProjects, Err: errThrottled}}
				if diff := cmp.Diff(want, cfg.Problems, cmp.Comparer(sameError)); diff != "" {
					t.Errorf("Problems (-want +got):\n%s", diff)
				}
			})
		})
	}
}

// TestCachedBuildWaitsForItsStarter checks that a shared fetch waits as
// long as the Build that started it may: the patient Build that started it
// gets the full form, the impatient one that joined its own
// DeadlineExceeded.
func TestCachedBuildWaitsForItsStarter(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		c := throttledClient()
		b, err := orgconfig.NewBuilder(c, gateFunc(allow), orgconfig.WithCacheTTL(time.Minute))
		if err != nil {
			t.Fatal(err)
		}
		build := func(d time.Duration) string {
			ctx, cancel := context.WithTimeout(t.Context(), d)
			defer cancel()
			start := time.Now()
			cfg, err := b.Build(ctx, "org-1")
			if err != nil {
				return fmt.Sprintf("%v after %v", err, time.Since(start))
			}
			return fmt.Sprintf("%d states, %d problems after %v", len(cfg.States), len(cfg.Problems), time.Since(start))
		}
		got := make([]string, 2)
		var wg sync.WaitGroup
		wg.Go(func() { got[1] = build(10 * time.Second) })
		synctest.Wait() // the patient caller starts the fetch
		wg.Go(func() { got[0] = build(time.Second) })
		wg.Wait()
		want := []string{
			"orgconfig: build organization config: context deadline exceeded after 1s",
			"3 states, 0 problems after 5s",
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("Builds (-want +got):\n%s", diff)
		}
		if got, want := calls(c), [2]int64{1, 3}; got != want {
			t.Errorf("client calls = %v, want %v", got, want)
		}
	})
}

// TestBuildAtItsDeadlineIsDeadlineExceeded checks that a Build whose
// deadline comes returns context.DeadlineExceeded every time, even when the
// Client gives up with an error at that same instant (a request bounded by
// the deadline it was shown).
func TestBuildAtItsDeadlineIsDeadlineExceeded(t *testing.T) {
	for _, tt := range cacheModes {
		t.Run(tt.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				c := sampleOrg().client()
				c.projects = func(ctx context.Context) ([]orgconfig.Project, error) {
					if dl, ok := ctx.Deadline(); ok {
						time.Sleep(time.Until(dl))
						return nil, errDown // timed out: the form would be degraded
					}
					<-ctx.Done()
					return nil, ctx.Err()
				}
				b, err := orgconfig.NewBuilder(c, gateFunc(allow), tt.opts...)
				if err != nil {
					t.Fatal(err)
				}
				for i := range 20 {
					ctx, cancel := context.WithTimeout(t.Context(), time.Second)
					cfg, err := b.Build(ctx, "org-1")
					cancel()
					if cfg != nil || !errors.Is(err, context.DeadlineExceeded) {
						t.Fatalf("Build %d = %v, %v; want DeadlineExceeded", i, cfg, err)
					}
				}
			})
		})
	}
}

// sameError compares errors by their text and their cause.
func sameError(a, b error) bool {
	return a.Error() == b.Error() && errors.Is(a, errors.Unwrap(b)) && errors.Is(b, errors.Unwrap(a))
}

// ownTimeoutClient is a user's Client that bounds each call with a timeout
// of its own, context.WithTimeout(ctx, 300ms), over a server that never
// answers.
func ownTimeoutClient() *stubClient {
	hang := func(ctx context.Context) error {
		ctx, cancel := context.WithTimeout(ctx, 300*time.Millisecond)
		defer cancel()
		<-ctx.Done()
		return ctx.Err()
	}
	return &stubClient{
		projects: func(ctx context.Context) ([]orgconfig.Project, error) { return nil, hang(ctx) },
		states:   func(ctx context.Context, _ string) ([]orgconfig.State, error) { return nil, hang(ctx) },
	}
}

// TestSharedFetchKeepsItsDeadline is the regression test for a shared
// fetch whose context's deadline moved as Builds joined it (issue 16, item
// 1): Build A (100ms deadline) starts the fetch, Build B (3s) joins 20ms
// later, and the Client wraps each call in context.WithTimeout(ctx, 300ms),
// which relies on the parent's deadline when that is nearer. B waited its
// whole 3s for DeadlineExceeded; now, as without the cache, it gets the
// degraded form once its own call's 300ms are up.
func TestSharedFetchKeepsItsDeadline(t *testing.T) {
	for _, tt := range cacheModes {
		t.Run(tt.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				b, err := orgconfig.NewBuilder(ownTimeoutClient(), gateFunc(allow), tt.opts...)
				if err != nil {
					t.Fatal(err)
				}
				start := time.Now()
				build := func(d time.Duration) string {
					ctx, cancel := context.WithTimeout(t.Context(), d)
					defer cancel()
					cfg, err := b.Build(ctx, "org-1")
					if err != nil {
						return fmt.Sprintf("%v after %v", err, time.Since(start))
					}
					return fmt.Sprintf("reason %q, %d problems after %v", cfg.Reason, len(cfg.Problems), time.Since(start))
				}
				var got [2]string
				var wg sync.WaitGroup
				wg.Go(func() { got[0] = build(100 * time.Millisecond) })
				time.Sleep(20 * time.Millisecond)
				got[1] = build(3 * time.Second)
				wg.Wait()
				want := [2]string{
					"orgconfig: build organization config: context deadline exceeded after 100ms",
					// Without the cache B's own fetch ends 300ms after it
					// began; with it, 300ms after A's fetch ran out of time.
					`reason "unreachable", 1 problems after 320ms`,
				}
				if tt.name == "cache" {
					want[1] = `reason "unreachable", 1 problems after 400ms`
				}
				if diff := cmp.Diff(want, got); diff != "" {
					t.Errorf("Builds (-want +got):\n%s", diff)
				}
			})
		})
	}
}

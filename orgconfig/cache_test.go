package orgconfig_test

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	"github.com/azdosync/azdosync/orgconfig"
	"github.com/google/go-cmp/cmp"
)

// slowClient is the sample organization answering after a fixed delay of
// (bubbled) time, or when ctx is done, whichever comes first.
func slowClient(delay time.Duration) *stubClient {
	c := sampleOrg().client()
	projects, states := c.projects, c.states
	wait := func(ctx context.Context) error {
		select {
		case <-time.After(delay):
			return nil
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	c.projects = func(ctx context.Context) ([]orgconfig.Project, error) {
		if err := wait(ctx); err != nil {
			return nil, err
		}
		return projects(ctx)
	}
	c.states = func(ctx context.Context, id string) ([]orgconfig.State, error) {
		if err := wait(ctx); err != nil {
			return nil, err
		}
		return states(ctx, id)
	}
	return c
}

func calls(c *stubClient) [2]int64 { return [2]int64{c.projectCalls.Load(), c.stateCalls.Load()} }

func TestCacheSharesOneFetch(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		c := slowClient(100 * time.Millisecond)
		var gateCalls atomic.Int64
		gate := gateFunc(func(context.Context, string, string) (bool, error) {
			gateCalls.Add(1)
			return true, nil
		})
		b, err := orgconfig.NewBuilder(c, gate, orgconfig.WithCacheTTL(time.Minute))
		if err != nil {
			t.Fatal(err)
		}
		var wg sync.WaitGroup
		for range 10 {
			wg.Go(func() {
				cfg, err := b.Build(t.Context(), "org-1")
				if err != nil || len(cfg.Problems) > 0 || len(cfg.States) != 3 {
					t.Errorf("Build = %v, %v", cfg, err)
				}
			})
		}
		wg.Wait()
		if got, want := calls(c), [2]int64{1, 3}; got != want {
			t.Errorf("after 10 concurrent Builds, client calls = %v, want %v", got, want)
		}

		start := time.Now()
		if _, err := b.Build(t.Context(), "org-1"); err != nil {
			t.Fatal(err)
		}
		if elapsed := time.Since(start); elapsed != 0 {
			t.Errorf("cached Build took %v of fake time, want 0", elapsed)
		}
		if got, want := calls(c), [2]int64{1, 3}; got != want {
			t.Errorf("after a cached Build, client calls = %v, want %v", got, want)
		}

		time.Sleep(time.Minute)
		if _, err := b.Build(t.Context(), "org-1"); err != nil {
			t.Fatal(err)
		}
		if got, want := calls(c), [2]int64{2, 6}; got != want {
			t.Errorf("after the TTL, client calls = %v, want %v", got, want)
		}
		if got := gateCalls.Load(); got != 12 {
			t.Errorf("gate asked %d times, want once per Build (12)", got)
		}
	})
}

func TestCacheCancelledCallerDoesNotFailOthers(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		c := slowClient(100 * time.Millisecond)
		b, err := orgconfig.NewBuilder(c, gateFunc(allow), orgconfig.WithCacheTTL(time.Minute))
		if err != nil {
			t.Fatal(err)
		}
		var wg sync.WaitGroup
		var impatientErr, patientErr error
		var patient *orgconfig.Config
		wg.Go(func() {
			// Cancelled, not timed out: a deadline would bound the fetch
			// when this Build starts it.
			ctx, cancel := context.WithCancel(t.Context())
			defer time.AfterFunc(50*time.Millisecond, cancel).Stop()
			_, impatientErr = b.Build(ctx, "org-1")
		})
		wg.Go(func() { patient, patientErr = b.Build(t.Context(), "org-1") })
		wg.Wait()
		if !errors.Is(impatientErr, context.Canceled) {
			t.Errorf("impatient Build error = %v, want Canceled", impatientErr)
		}
		if patientErr != nil || len(patient.States) != 3 {
			t.Errorf("patient Build = %v, %v; want the full form", patient, patientErr)
		}
		if got, want := calls(c), [2]int64{1, 3}; got != want {
			t.Errorf("client calls = %v, want %v", got, want)
		}
	})
}

func TestCacheLastWaiterCancelsFetch(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		c := slowClient(time.Hour)
		b, err := orgconfig.NewBuilder(c, gateFunc(allow), orgconfig.WithCacheTTL(time.Minute))
		if err != nil {
			t.Fatal(err)
		}
		ctx, cancel := context.WithTimeout(t.Context(), time.Second)
		defer cancel()
		start := time.Now()
		_, err = b.Build(ctx, "org-1")
		if !errors.Is(err, context.DeadlineExceeded) {
			t.Fatalf("Build error = %v, want DeadlineExceeded", err)
		}
		if elapsed := time.Since(start); elapsed != time.Second {
			t.Errorf("Build returned after %v, want the 1s deadline", elapsed)
		}
		// A later Build starts a fresh fetch instead of joining the
		// cancelled one; synctest.Test fails if any goroutine is left.
		c.projects = sampleOrg().client().projects
		c.states = sampleOrg().client().states
		cfg, err := b.Build(t.Context(), "org-1")
		if err != nil || len(cfg.States) != 3 {
			t.Errorf("Build after cancellation = %v, %v", cfg, err)
		}
	})
}

func TestCacheKeepsNoErrors(t *testing.T) {
	var fail atomic.Bool
	fail.Store(true)
	c := sampleOrg().client()
	states := c.states
	c.states = func(ctx context.Context, id string) ([]orgconfig.State, error) {
		if id == "p2" && fail.Load() {
			return nil, errDown
		}
		return states(ctx, id)
	}
	b, err := orgconfig.NewBuilder(c, gateFunc(allow), orgconfig.WithCacheTTL(time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	var problems []int
	for range 3 {
		cfg, err := b.Build(t.Context(), "org-1")
		if err != nil {
			t.Fatal(err)
		}
		problems = append(problems, len(cfg.Problems))
		fail.Store(false)
	}
	if diff := cmp.Diff([]int{1, 0, 0}, problems); diff != "" {
		t.Errorf("problems per Build (-want +got):\n%s", diff)
	}
	if got, want := calls(c), [2]int64{2, 6}; got != want {
		t.Errorf("client calls = %v, want %v (the partial result must not be cached)", got, want)
	}
}

func TestBuildDeadline(t *testing.T) {
	for _, tt := range cacheModes {
		t.Run(tt.name, func(t *testing.T) {
			// synctest.Test also fails when a goroutine outlives the bubble.
			synctest.Test(t, func(t *testing.T) {
				c := slowClient(time.Hour)
				c.projects = sampleOrg().client().projects // states hang
				b, err := orgconfig.NewBuilder(c, gateFunc(allow), tt.opts...)
				if err != nil {
					t.Fatal(err)
				}
				ctx, cancel := context.WithTimeout(t.Context(), 250*time.Millisecond)
				defer cancel()
				start := time.Now()
				cfg, err := b.Build(ctx, "org-1")
				if cfg != nil || !errors.Is(err, context.DeadlineExceeded) {
					t.Fatalf("Build = %v, %v; want nil and DeadlineExceeded", cfg, err)
				}
				if elapsed := time.Since(start); elapsed != 250*time.Millisecond {
					t.Errorf("Build returned after %v, want 250ms", elapsed)
				}
			})
		})
	}
}

func TestBuildCancelledContext(t *testing.T) {
	c := &stubClient{}
	var asked atomic.Bool
	b, err := orgconfig.NewBuilder(c, gateFunc(func(context.Context, string, string) (bool, error) {
		asked.Store(true)
		return true, nil
	}))
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	if _, err := b.Build(ctx, "org-1"); !errors.Is(err, context.Canceled) {
		t.Errorf("Build error = %v, want Canceled", err)
	}
	if asked.Load() || calls(c) != [2]int64{} {
		t.Errorf("a cancelled Build asked the gate (%v) or the client (%v)", asked.Load(), calls(c))
	}
}

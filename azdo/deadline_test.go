package azdo_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/azdosync/azdosync/azdo"
	"github.com/azdosync/azdosync/azdo/azdotest"
	"github.com/azdosync/azdosync/features"
	"github.com/azdosync/azdosync/orgconfig"
	"github.com/google/go-cmp/cmp"
)

// TestCachedBuildUnderRetryAfter is the regression test for a Builder cache
// that ran its shared fetch without the callers' deadline: the transport
// then waited out Retry-Afters no caller could afford. A 1s Build, cached or
// not, gets the degraded form at once on a 429 asking for 5s, and the full
// form on a 200 asking to slow down for a day.
func TestCachedBuildUnderRetryAfter(t *testing.T) {
	for _, tt := range []struct {
		name       string
		fault      azdotest.Fault
		wantReason orgconfig.Reason
		wantIs     error
		wantStates int
	}{
		{"429 with Retry-After 5", azdotest.Fault{Endpoint: azdotest.EndpointProjects, Status: 429, RetryAfter: "5"},
			orgconfig.ReasonThrottled, azdo.ErrRateLimited, 0},
		{"200 with Retry-After 86400", azdotest.Fault{Endpoint: azdotest.EndpointProcesses, Times: 1, Kind: azdotest.FaultDelay, RetryAfter: "86400"},
			"", nil, 5},
	} {
		for _, cached := range []bool{false, true} {
			name := tt.name + "/no cache"
			var opts []orgconfig.Option
			if cached {
				name = tt.name + "/cache"
				opts = append(opts, orgconfig.WithCacheTTL(time.Minute))
			}
			t.Run(name, func(t *testing.T) {
				_, c := newPair(t, azdotest.SampleOrg(), []azdotest.Option{azdotest.WithFaults(tt.fault)})
				b, err := orgconfig.NewBuilder(c, features.Static(true), opts...)
				if err != nil {
					t.Fatal(err)
				}
				ctx, cancel := context.WithTimeout(t.Context(), time.Second)
				defer cancel()
				cfg, err := b.Build(ctx, "org-1")
				if err != nil {
					t.Fatalf("Build error = %v, want the form", err)
				}
				got := []any{cfg.Reason, len(cfg.States), len(cfg.Problems)}
				want := []any{tt.wantReason, tt.wantStates, 0}
				if tt.wantIs != nil {
					want[2] = 1
				}
				if diff := cmp.Diff(want, got); diff != "" {
					t.Errorf("(reason, projects with states, problems) (-want +got):\n%s\nproblems: %v", diff, cfg.Problems)
				}
				for _, p := range cfg.Problems {
					if !errors.Is(p, tt.wantIs) {
						t.Errorf("problem %v is not %v", p, tt.wantIs)
					}
				}
			})
		}
	}
}

// TestProcessLookupUnderRetryAfter checks that the process lookup, which
// runs alongside the paging, sees the deadline of the Projects call, so
// that a Retry-After too long for it fails at once and a slow-down it
// cannot afford is not waited out.
func TestProcessLookupUnderRetryAfter(t *testing.T) {
	org := azdotest.SampleOrg()
	id := org.Projects[0].ID
	t.Run("429 with Retry-After 5", func(t *testing.T) {
		// The project is on an inherited process, and the Client has
		// learnt that no project uses a system process, so that the 429
		// answers a request asked after the page, not one asked up front
		// alongside it (whose throttle the page, asked a moment later on a
		// loaded machine, would obey instead).
		custom := azdotest.CustomAgileProcess()
		org := azdotest.Org{
			Processes: []azdotest.Process{azdotest.AgileProcess(), custom},
			Projects:  []azdotest.Project{{ID: azdotest.StableID("project/One"), Name: "One", ProcessID: custom.ID}},
		}
		srv, c := newPair(t, org, nil)
		listed(t, t.Context(), c)
		if _, err := c.WorkItemStates(t.Context(), org.Projects[0].ID); err != nil {
			t.Fatal(err)
		}
		if err := srv.Inject(azdotest.Fault{Endpoint: azdotest.EndpointProcessWorkItemTypes, Status: 429, RetryAfter: "5"}); err != nil {
			t.Fatal(err)
		}
		ctx, cancel := context.WithTimeout(t.Context(), time.Second)
		defer cancel()
		listed(t, ctx, c)
		_, err := c.WorkItemStates(ctx, org.Projects[0].ID)
		if !errors.Is(err, azdo.ErrRateLimited) {
			t.Errorf("WorkItemStates error = %v, want ErrRateLimited at once", err)
		}
	})
	t.Run("200 with Retry-After 86400", func(t *testing.T) {
		_, c := newPair(t, org, []azdotest.Option{azdotest.WithFaults(
			azdotest.Fault{Endpoint: azdotest.EndpointProcesses, Times: 1, Kind: azdotest.FaultDelay, RetryAfter: "86400"},
		)})
		ctx, cancel := context.WithTimeout(t.Context(), time.Second)
		defer cancel()
		listed(t, ctx, c)
		states, err := c.WorkItemStates(ctx, id)
		if err != nil || len(states) == 0 {
			t.Errorf("WorkItemStates = %v, %v; want the states", states, err)
		}
	})
}

// TestSharedFetchKeepsTheTryTimeout checks that a patient Build joining a
// shared fetch whose try hangs, started by a Build whose deadline is
// nearer, gets the full form: the fetch runs under the impatient Build's
// deadline, and when it runs out the patient Build fetches again under its
// own (the hang is once).
func TestSharedFetchKeepsTheTryTimeout(t *testing.T) {
	srv, c := newPair(t, azdotest.SampleOrg(), []azdotest.Option{azdotest.WithFaults(
		azdotest.Fault{Endpoint: azdotest.EndpointProjects, Times: 1, Kind: azdotest.FaultHang},
	)}, azdo.WithRequestTimeout(1500*time.Millisecond))
	b, err := orgconfig.NewBuilder(c, features.Static(true), orgconfig.WithCacheTTL(time.Minute))
	if err != nil {
		t.Fatal(err)
	}
	impatient, cancel := context.WithTimeout(t.Context(), 500*time.Millisecond)
	defer cancel()
	patient, cancelPatient := context.WithTimeout(t.Context(), 4*time.Second)
	defer cancelPatient()
	done := make(chan error, 1)
	go func() {
		_, err := b.Build(impatient, "org-1")
		done <- err
	}()
	for srv.Count(azdotest.EndpointProjects) == 0 { // the impatient Build's try is hanging
		time.Sleep(10 * time.Millisecond)
	}
	cfg, err := b.Build(patient, "org-1")
	if err != nil || len(cfg.Problems) != 0 || len(cfg.States) != 5 {
		t.Errorf("patient Build = %v, %v; want the full form after one retry", cfg, err)
	}
	if err := <-done; !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("impatient Build error = %v, want DeadlineExceeded", err)
	}
}

// timeoutClient is a user's Client that bounds each call with a timeout of
// its own.
type timeoutClient struct {
	c orgconfig.Client
	d time.Duration
}

func (t timeoutClient) Projects(ctx context.Context) ([]orgconfig.Project, error) {
	ctx, cancel := context.WithTimeout(ctx, t.d)
	defer cancel()
	return t.c.Projects(ctx)
}

func (t timeoutClient) WorkItemStates(ctx context.Context, id string) ([]orgconfig.State, error) {
	ctx, cancel := context.WithTimeout(ctx, t.d)
	defer cancel()
	return t.c.WorkItemStates(ctx, id)
}

// TestSharedFetchUnderTheClientsOwnTimeout is the regression test for a
// shared fetch whose context's deadline moved as Builds joined it (issue
// 16, item 1), over HTTP: Azure DevOps never answers the project list and
// the user's Client wraps each call in context.WithTimeout(ctx, 300ms).
// Build A (100ms) starts the fetch, Build B (3s) joins 20ms later. B waited
// its whole 3s for DeadlineExceeded under WithCacheTTL; now it gets the
// degraded form after the Client's 300ms, cached or not.
func TestSharedFetchUnderTheClientsOwnTimeout(t *testing.T) {
	for _, cached := range []bool{false, true} {
		name, opts := "no cache", []orgconfig.Option(nil)
		if cached {
			name, opts = "cache", []orgconfig.Option{orgconfig.WithCacheTTL(time.Minute)}
		}
		t.Run(name, func(t *testing.T) {
			srv, c := newPair(t, azdotest.SampleOrg(), []azdotest.Option{azdotest.WithFaults(
				azdotest.Fault{Endpoint: azdotest.EndpointProjects, Kind: azdotest.FaultHang},
			)})
			b, err := orgconfig.NewBuilder(timeoutClient{c, 300 * time.Millisecond}, features.Static(true), opts...)
			if err != nil {
				t.Fatal(err)
			}
			errA := make(chan error, 1)
			go func() {
				ctx, cancel := context.WithTimeout(t.Context(), 100*time.Millisecond)
				defer cancel()
				_, err := b.Build(ctx, "org-1")
				errA <- err
			}()
			waitForRequest(srv) // B joins A's fetch, which hangs
			ctx, cancel := context.WithTimeout(t.Context(), 3*time.Second)
			defer cancel()
			start := time.Now()
			cfg, err := b.Build(ctx, "org-1")
			elapsed := time.Since(start)
			if err != nil {
				t.Fatalf("Build B error = %v after %v, want the degraded form", err, elapsed)
			}
			if cfg.Reason != orgconfig.ReasonUnreachable || len(cfg.Problems) != 1 || !errors.Is(cfg.Problems[0], context.DeadlineExceeded) {
				t.Errorf("Build B = reason %q, problems %v; want unreachable, the Client's timeout", cfg.Reason, cfg.Problems)
			}
			if elapsed > 1500*time.Millisecond {
				t.Errorf("Build B took %v, want about 300ms (the Client's own timeout)", elapsed)
			}
			if err := <-errA; !errors.Is(err, context.DeadlineExceeded) {
				t.Errorf("Build A error = %v, want DeadlineExceeded", err)
			}
		})
	}
}

// TestSharedFetchUnderARetryAfterItsStarterCannotWait checks that a Build
// that joined a shared fetch whose starter could not wait for a
// Retry-After, and that can, gets what it would get without the cache:
// Azure DevOps answers the project list with a 429 asking for a second;
// Build A (500ms) gets the throttled form at once, Build B (5s), which
// joined A's fetch, waits the second and gets the full form.
func TestSharedFetchUnderARetryAfterItsStarterCannotWait(t *testing.T) {
	for _, cached := range []bool{false, true} {
		name, opts := "no cache", []orgconfig.Option(nil)
		if cached {
			name, opts = "cache", []orgconfig.Option{orgconfig.WithCacheTTL(time.Minute)}
		}
		t.Run(name, func(t *testing.T) {
			srv, c := newPair(t, azdotest.SampleOrg(), []azdotest.Option{azdotest.WithFaults(azdotest.Fault{
				Endpoint: azdotest.EndpointProjects, Times: 1, Delay: 100 * time.Millisecond, Status: 429, RetryAfter: "1",
			})})
			b, err := orgconfig.NewBuilder(c, features.Static(true), opts...)
			if err != nil {
				t.Fatal(err)
			}
			type result struct {
				cfg *orgconfig.Config
				err error
			}
			resA := make(chan result, 1)
			go func() {
				ctx, cancel := context.WithTimeout(t.Context(), 500*time.Millisecond)
				defer cancel()
				cfg, err := b.Build(ctx, "org-1")
				resA <- result{cfg, err}
			}()
			waitForRequest(srv) // B joins A's fetch, whose answer takes 100ms
			ctx, cancel := context.WithTimeout(t.Context(), 5*time.Second)
			defer cancel()
			cfg, err := b.Build(ctx, "org-1")
			if err != nil || cfg.Reason != "" || len(cfg.States) != 5 {
				t.Errorf("Build B = %v, %v; want the full form after the Retry-After", cfg, err)
			}
			a := <-resA
			if a.err != nil || a.cfg.Reason != orgconfig.ReasonThrottled {
				t.Errorf("Build A = %v, %v; want the throttled form at once", a.cfg, a.err)
			}
		})
	}
}

// waitForRequest waits until srv has seen a request for the project list:
// a Build's fetch is under way. Should that take longer than the fetch,
// the next Build starts its own, and the tests above still hold.
func waitForRequest(srv *azdotest.Server) {
	for srv.Count(azdotest.EndpointProjects) == 0 {
		time.Sleep(5 * time.Millisecond)
	}
}

package azdo_test

import (
	"context"
	"runtime/metrics"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/azdosync/azdosync/azdo"
	"github.com/azdosync/azdosync/azdo/azdotest"
	"github.com/azdosync/azdosync/features"
	"github.com/azdosync/azdosync/orgconfig"
)

// TestLoad runs 300 concurrent Builds on one Builder without a cache
// against a 200-project organization: every Build is complete, the server
// never sees more requests at once than the Client allows, and the heap
// stays bounded. Each uncached Build makes its own process lookup (six
// requests: 1 800 in all), as it shows the organization as it is then.
func TestLoad(t *testing.T) {
	if testing.Short() {
		t.Skip("load test")
	}
	const builds, limit = 300, 16
	srv := azdotest.NewServer(t, azdotest.ScaledOrg(200), azdotest.WithLatency(time.Millisecond))
	c, err := azdo.New(srv.URL(), azdo.PAT("x"), azdo.WithMaxConcurrentRequests(limit))
	if err != nil {
		t.Fatal(err)
	}
	b, err := orgconfig.NewBuilder(c, features.Static(true))
	if err != nil {
		t.Fatal(err)
	}

	var peak atomic.Uint64
	stop := make(chan struct{})
	var sampler sync.WaitGroup
	sampler.Go(func() {
		sample := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
		for {
			metrics.Read(sample)
			if v := sample[0].Value.Uint64(); v > peak.Load() {
				peak.Store(v)
			}
			select {
			case <-stop:
				return
			case <-time.After(5 * time.Millisecond):
			}
		}
	})

	ctx, cancel := context.WithTimeout(t.Context(), 2*time.Minute)
	defer cancel()
	var failed atomic.Int64
	var wg sync.WaitGroup
	start := time.Now()
	for range builds {
		wg.Go(func() {
			cfg, err := b.Build(ctx, "org-1")
			if err != nil {
				if failed.Add(1) == 1 {
					t.Errorf("Build: %v", err)
				}
				return
			}
			if len(cfg.Problems) > 0 || len(cfg.States) != 200 {
				if failed.Add(1) == 1 {
					t.Errorf("Build: problems %v, %d with states", cfg.Problems, len(cfg.States))
				}
			}
		})
	}
	wg.Wait()
	close(stop)
	sampler.Wait()
	if n := failed.Load(); n > 0 {
		t.Errorf("%d of %d Builds failed", n, builds)
	}
	if got := srv.Count(azdotest.EndpointLocations); got != 0 {
		t.Errorf("%d discovery requests, want none: the routes are pinned", got)
	}
	if got := srv.MaxInFlight(); got > limit {
		t.Errorf("server saw %d requests in flight, want at most %d", got, limit)
	}
	const heapBound = 1 << 30
	if p := peak.Load(); p > heapBound {
		t.Errorf("peak heap %d MiB, want under %d MiB", p>>20, heapBound>>20)
	}
	t.Logf("%d Builds in %v: %d requests, max %d in flight (limit %d), peak heap %d MiB",
		builds, time.Since(start).Round(time.Millisecond), srv.Count(), srv.MaxInFlight(), limit, peak.Load()>>20)
}

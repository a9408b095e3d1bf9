package rediscache_test

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/azdosync/azdosync/azdo/azdotest"
	"github.com/azdosync/azdosync/internal/redistest"
	"github.com/azdosync/azdosync/orgconfig"
	"github.com/azdosync/azdosync/rediscache"
)

// TestForgetAcrossReplicas is the regression test for an admin who just
// created a project and cannot see it until the TTL passes, on any
// replica (issue 16, item 7): replica A builds the form, a project is
// added, A forgets, and replica B, with a cold memory tier, sees the new
// project. Without Forget, B reads A's snapshot from Redis.
func TestForgetAcrossReplicas(t *testing.T) {
	srv := redistest.Start(t)
	org := azdotest.SampleOrg()
	ado := azdotest.NewServer(t, org, azdotest.WithPAT(pat))
	cache := newCache(t, srv.Client())
	names := func(cfg *orgconfig.Config) []string {
		var out []string
		for _, p := range cfg.Projects {
			out = append(out, p.Name)
		}
		return out
	}
	build := func(r *replica) *orgconfig.Config {
		t.Helper()
		ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
		defer cancel()
		cfg, err := r.builder.Build(ctx, "fabrikam")
		if err != nil || len(cfg.Problems) > 0 {
			t.Fatalf("Build = %v, problems %v", err, cfg.Problems)
		}
		return cfg
	}

	a := newReplica(t, ado, cache, nil)
	defer a.tr.CloseIdleConnections()
	before := names(build(a))

	added := org
	added.Projects = append(slices.Clone(org.Projects), azdotest.Project{
		ID: azdotest.StableID("project/Northwind"), Name: "Northwind", ProcessID: azdotest.AgileProcessID,
	})
	if err := ado.SetOrg(added); err != nil {
		t.Fatal(err)
	}
	stale := newReplica(t, ado, cache, nil) // cold memory, warm Redis
	defer stale.tr.CloseIdleConnections()
	if got := names(build(stale)); !slices.Equal(got, before) {
		t.Fatalf("before Forget, a cold replica saw %v, want the shared %v", got, before)
	}

	if err := a.builder.Forget(t.Context()); err != nil {
		t.Fatalf("Forget: %v", err)
	}
	b := newReplica(t, ado, cache, nil)
	defer b.tr.CloseIdleConnections()
	ado.ResetStats()
	got := names(build(b))
	if !slices.Contains(got, "Northwind") || len(got) != len(before)+1 {
		t.Errorf("after Forget on A, replica B saw %v, want %v and Northwind", got, before)
	}
	if ado.Count() == 0 {
		t.Error("replica B made no request: it did not fetch")
	}
	if got := names(build(a)); !slices.Contains(got, "Northwind") {
		t.Errorf("after Forget, replica A saw %v, want Northwind too", got)
	}

	// A Redis that fails is reported, not hidden.
	srv.Kill()
	if err := a.builder.Forget(t.Context()); !errors.Is(err, rediscache.ErrUnavailable) {
		t.Errorf("Forget with Redis down = %v, want ErrUnavailable", err)
	}
}

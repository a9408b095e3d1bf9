package azdo_test

import (
	"context"
	"errors"
	"net/http"
	"testing"
	"time"

	"github.com/azdosync/azdosync/azdo"
	"github.com/azdosync/azdosync/azdo/azdotest"
	"github.com/azdosync/azdosync/features"
	"github.com/azdosync/azdosync/orgconfig"
)

// TestNonFollowableRedirectsReleaseTheirSlot answers the project list 20
// times with a 300, 304 or 305 carrying a Location and an empty body,
// which http.Client does not follow. Each Build must fail into a degraded
// form naming a bad response, and the Client must not be stuck afterwards:
// once the server is healthy, the next Build is complete at once.
func TestNonFollowableRedirectsReleaseTheirSlot(t *testing.T) {
	const answers, slots = 20, 4
	org := azdotest.SampleOrg()
	srv := azdotest.NewServer(t, org, azdotest.WithPAT(testToken))
	var faults []azdotest.Fault
	for i := range answers {
		status := []int{300, 304, 305}[i%3]
		faults = append(faults, azdotest.Fault{Endpoint: azdotest.EndpointProjects, Times: 1, Status: status, EmptyBody: true,
			Header: http.Header{"Location": {srv.URL() + "/_apis/projects"}}})
	}
	srv.Inject(faults...)
	c, err := azdo.New(srv.URL(), azdo.PAT(testToken), azdo.WithMaxConcurrentRequests(slots))
	if err != nil {
		t.Fatal(err)
	}
	b, err := orgconfig.NewBuilder(c, features.Static(true))
	if err != nil {
		t.Fatal(err)
	}
	build := func() (*orgconfig.Config, error) {
		ctx, cancel := context.WithTimeout(t.Context(), 2*time.Second)
		defer cancel()
		return b.Build(ctx, "org-1")
	}
	for i := range answers {
		cfg, err := build()
		if err != nil {
			t.Fatalf("Build %d after %d redirects: %v (the client is stuck)", i+1, i, err)
		}
		if len(cfg.Problems) != 1 || !errors.Is(cfg.Problems[0], azdo.ErrBadResponse) {
			t.Fatalf("Build %d: problems %v, want one bad response", i+1, cfg.Problems)
		}
	}
	start := time.Now()
	cfg, err := build()
	if err != nil {
		t.Fatalf("Build after the redirects: %v (the client is stuck)", err)
	}
	if len(cfg.Problems) != 0 || len(cfg.States) != len(org.Projects) || time.Since(start) > time.Second {
		t.Errorf("Build after the redirects: %d of %d projects with states, problems %v, after %v; want a complete form at once",
			len(cfg.States), len(org.Projects), cfg.Problems, time.Since(start))
	}
	if n := srv.Count(azdotest.EndpointProjects); n < answers+1 {
		t.Errorf("%d project list requests, want at least %d", n, answers+1)
	}
}

package azdo_test

import (
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/azdosync/azdosync/azdo/azdotest"
	"github.com/azdosync/azdosync/features"
	"github.com/azdosync/azdosync/orgconfig"
)

// TestServerVersions builds the complete form against servers posing as
// Azure DevOps Server 2019.1, 2020 and 2022 (their latest api-versions
// 5.1, 6.0, 7.0, which refuse newer ones with 400), and against Services,
// and counts the first Build's requests by endpoint and status.
func TestServerVersions(t *testing.T) {
	type key struct {
		Endpoint azdotest.Endpoint
		Status   int
	}
	// Discovery, then the project page and the process list, then the
	// types of the five processes; older servers get negotiated versions.
	services := map[key]int{
		{azdotest.EndpointLocations, 200}:            1,
		{azdotest.EndpointProjects, 200}:             1,
		{azdotest.EndpointProcesses, 200}:            1,
		{azdotest.EndpointProcessWorkItemTypes, 200}: 5,
	}
	for _, tt := range []struct {
		name    string
		version string // "" for Services
		want    map[key]int
	}{
		{"services", "", services},
		{"server 2022", "7.0", services},
		{"server 2020", "6.0", services},
		{"server 2019.1", "5.1", services},
	} {
		t.Run(tt.name, func(t *testing.T) {
			var opts []azdotest.Option
			if tt.version != "" {
				opts = append(opts, azdotest.WithAPIVersion(tt.version))
			}
			srv, c := newPair(t, azdotest.SampleOrg(), opts)
			b, err := orgconfig.NewBuilder(c, features.Static(true))
			if err != nil {
				t.Fatal(err)
			}
			cfg, err := b.Build(t.Context(), "platform-org")
			if err != nil {
				t.Fatal(err)
			}
			if len(cfg.Problems) != 0 || cfg.Reason != "" {
				t.Fatalf("Build problems %v, reason %q; want none", cfg.Problems, cfg.Reason)
			}
			if diff := cmp.Diff(sampleStates(), cfg.States); diff != "" {
				t.Errorf("states (-want +got):\n%s", diff)
			}
			got := map[key]int{}
			for _, r := range srv.Requests() {
				got[key{r.Endpoint, r.Status}]++
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("requests of the first Build (-want +got):\n%s", diff)
			}
			t.Logf("%s: %d requests", tt.name, srv.Count())
		})
	}
}

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
//
// Services answers the first round: the project page, the process list
// and the four system processes' work item types, asked at once without
// location discovery; then the inherited process's types. A Server
// refuses the pinned api-versions of that first round (400; one refusal is
// enough, but the requests already sent are refused too), and the Client
// asks the SDK's way from then on: one discovery, then the same requests
// at the negotiated versions.
func TestServerVersions(t *testing.T) {
	type key struct {
		Endpoint azdotest.Endpoint
		Status   int
	}
	services := map[key]int{
		{azdotest.EndpointProjects, 200}:             1,
		{azdotest.EndpointProcesses, 200}:            1,
		{azdotest.EndpointProcessWorkItemTypes, 200}: 4 + 1,
	}
	server := map[key]int{{azdotest.EndpointLocations, 200}: 1}
	for k, v := range services {
		server[k] = v
	}
	for _, tt := range []struct {
		name    string
		version string // "" for Services
		want    map[key]int
		refused int // at most
	}{
		{"services", "", services, 0},
		{"server 2022", "7.0", server, 6},
		{"server 2020", "6.0", server, 6},
		{"server 2019.1", "5.1", server, 6},
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
			got, refused := map[key]int{}, 0
			for _, r := range srv.Requests() {
				if r.Status == 400 {
					refused++
					continue
				}
				got[key{r.Endpoint, r.Status}]++
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("answered requests of the first Build (-want +got):\n%s", diff)
			}
			if refused > tt.refused || (tt.refused > 0 && refused == 0) {
				t.Errorf("%d requests refused, want 1 to %d", refused, tt.refused)
			}
			t.Logf("%s: %d requests, %d of them refused", tt.name, srv.Count(), refused)
		})
	}
}

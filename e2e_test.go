// Tests of several packages together: orgconfig driven through azdo and the
// real SDK over HTTP against azdotest, gated by features. They live at the
// module root so that orgconfig's own tests depend on no adapter.
package azdosync_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/azdosync/azdosync/azdo"
	"github.com/azdosync/azdosync/azdo/azdotest"
	"github.com/azdosync/azdosync/features"
	"github.com/azdosync/azdosync/internal/golden"
	"github.com/azdosync/azdosync/orgconfig"
	"github.com/google/go-cmp/cmp"
)

// TestEndToEnd builds the form of azdotest's sample organization through
// azdo and the real SDK over HTTP.
func TestEndToEnd(t *testing.T) {
	for _, tt := range []struct {
		golden  string
		srvOpts []azdotest.Option
		opts    []orgconfig.Option
	}{
		{"form_sample.json", nil, nil},
		{"form_sample.json", []azdotest.Option{azdotest.WithoutProcessAPI()}, nil},
		{"form_sample_per_project.json", nil, []orgconfig.Option{orgconfig.WithPerProjectChoices()}},
	} {
		t.Run(tt.golden, func(t *testing.T) {
			srv := azdotest.NewServer(t, azdotest.SampleOrg(), append(tt.srvOpts, azdotest.WithPAT("pat"))...)
			c, err := azdo.New(srv.URL(), azdo.PAT("pat"))
			if err != nil {
				t.Fatal(err)
			}
			b, err := orgconfig.NewBuilder(c, features.Static(true), tt.opts...)
			if err != nil {
				t.Fatal(err)
			}
			cfg, err := b.Build(t.Context(), "org-1")
			if err != nil {
				t.Fatal(err)
			}
			if len(cfg.Problems) != 0 {
				t.Fatalf("Problems: %v", cfg.Problems)
			}
			golden.JSON(t, tt.golden, cfg.Fields)
		})
	}
}

func TestEndToEndDegraded(t *testing.T) {
	org := azdotest.SampleOrg()
	basic := org.Projects[3]
	for _, tt := range []struct {
		name       string
		fault      azdotest.Fault
		wantReason orgconfig.Reason
		wantIs     error
		wantStates int
	}{
		{"projects 401", azdotest.Fault{Endpoint: azdotest.EndpointProjects, Status: 401}, orgconfig.ReasonUnauthorized, orgconfig.ErrUnauthorized, 0},
		{"projects 403", azdotest.Fault{Endpoint: azdotest.EndpointProjects, Status: 403}, orgconfig.ReasonForbidden, orgconfig.ErrForbidden, 0},
		{"projects 500", azdotest.Fault{Endpoint: azdotest.EndpointProjects, Status: 500}, orgconfig.ReasonUnreachable, azdo.ErrUnavailable, 0},
		{"processes 401", azdotest.Fault{Endpoint: azdotest.EndpointProcesses, Status: 401}, orgconfig.ReasonUnauthorized, orgconfig.ErrUnauthorized, 0},
		{"one project's states 404 on fallback", azdotest.Fault{Endpoint: azdotest.EndpointWorkItemTypeCategory, Project: basic.Name, Status: 404}, "", azdo.ErrNotFound, 4},
	} {
		t.Run(tt.name, func(t *testing.T) {
			var srvOpts []azdotest.Option
			if tt.fault.Endpoint == azdotest.EndpointWorkItemTypeCategory {
				srvOpts = append(srvOpts, azdotest.WithoutProcessAPI())
			}
			srv := azdotest.NewServer(t, org, append(srvOpts, azdotest.WithFaults(tt.fault))...)
			c, err := azdo.New(srv.URL(), azdo.PAT("pat"))
			if err != nil {
				t.Fatal(err)
			}
			b, err := orgconfig.NewBuilder(c, features.Static(true))
			if err != nil {
				t.Fatal(err)
			}
			cfg, err := b.Build(t.Context(), "org-1")
			if err != nil {
				t.Fatal(err)
			}
			status := cfg.StatusField()
			got := []any{cfg.Reason, status.DisabledReason, len(cfg.States), len(cfg.Problems)}
			if diff := cmp.Diff([]any{tt.wantReason, tt.wantReason.Text(), tt.wantStates, 1}, got); diff != "" {
				t.Errorf("(reason, disabledReason, states, problems) (-want +got):\n%s\nproblems: %v", diff, cfg.Problems)
			}
			if len(cfg.Problems) > 0 && !errors.Is(cfg.Problems[0], tt.wantIs) {
				t.Errorf("problem %v is not %v", cfg.Problems[0], tt.wantIs)
			}
			// Each layer says its part once: no operation is named twice
			// (it read "orgconfig: list projects: azdo: list projects: 401 …").
			for _, p := range cfg.Problems {
				for _, op := range []string{orgconfig.OpListProjects, orgconfig.OpWorkItemStates, "list processes"} {
					if n := strings.Count(p.Error(), op); n > 1 {
						t.Errorf("problem %q names %q %d times", p, op, n)
					}
				}
				t.Logf("problem: %v", p)
			}
		})
	}
}

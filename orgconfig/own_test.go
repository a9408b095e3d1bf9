package orgconfig_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/azdosync/azdosync/orgconfig"
	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

// configOpts compare Configs field by field, and their problems by text and
// cause.
// configOpts compare Configs by what they hold, not when it was fetched
// (TestFetchedAt checks that).
var configOpts = cmp.Options{cmpopts.IgnoreUnexported(orgconfig.Config{}), cmpopts.IgnoreFields(orgconfig.Config{}, "FetchedAt"), cmp.Comparer(sameError)}

// mutateAll changes every part of cfg a caller can reach: fields and their
// slices, maps and choices, projects, states, problems.
func mutateAll(cfg *orgconfig.Config) {
	for _, f := range cfg.Fields {
		switch f := f.(type) {
		case *orgconfig.ChoiceMapperField:
			f.Label, f.Disabled, f.DisabledReason = "changed", true, "changed"
			for i := range f.AddDropdown.Items {
				f.AddDropdown.Items[i] = orgconfig.DropdownItem{Value: "changed", Label: "changed"}
			}
			f.AddDropdown.Items = append(f.AddDropdown.Items, orgconfig.DropdownItem{})
			mutateSelectors(&f.MappedSelectors)
			for id, sel := range f.PerItemSelectors {
				mutateSelectors(&sel)
				f.PerItemSelectors[id] = sel
			}
			if f.PerItemSelectors != nil {
				f.PerItemSelectors["added"] = orgconfig.Selectors{}
			}
		case *orgconfig.BooleanField:
			f.Label, f.Disabled = "changed", true
		}
	}
	cfg.Fields[0] = nil
	cfg.Fields = append(cfg.Fields, nil)
	for i := range cfg.Projects {
		cfg.Projects[i].Name = "changed"
	}
	cfg.Projects = append(cfg.Projects, orgconfig.Project{ID: "added"})
	for id, states := range cfg.States {
		for i := range states {
			states[i] = orgconfig.State{Name: "changed"}
		}
		cfg.States[id] = append(states, orgconfig.State{Name: "added"})
	}
	cfg.States["added"] = nil
	for _, op := range cfg.Problems {
		op.Op, op.ProjectID, op.ProjectName, op.Err = "changed", "changed", "changed", nil
	}
	cfg.Problems = append(cfg.Problems, &orgconfig.OpError{Err: errors.New("added")})
	cfg.Reason = "changed"
}

func mutateSelectors(s *orgconfig.Selectors) {
	for _, sel := range []*orgconfig.Selector{&s.OnResolve, &s.OnUnresolve} {
		for i := range sel.Choices {
			sel.Choices[i] = orgconfig.Choice{"changed", "changed"}
		}
		sel.Choices = append(sel.Choices, orgconfig.Choice{"added", "added"})
		sel.Placeholder = "changed"
	}
}

// TestConfigIsTheCallersOwn changes every part of a Config from a cached
// Builder: neither the next Build's Config nor one built before sees it.
// Then it changes two projects' states and choices in a Config: its other
// projects, with the same states or the same union, do not see it.
func TestConfigIsTheCallersOwn(t *testing.T) {
	for _, tt := range []struct {
		name string
		opts []orgconfig.Option
	}{
		{"union", nil},
		{"per-project", []orgconfig.Option{orgconfig.WithPerProjectChoices()}},
		{"per-project, limited", []orgconfig.Option{orgconfig.WithPerProjectChoices(), orgconfig.WithStateProjectLimit(2)}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			o := sampleOrg()
			// Alpha and beta have the same states; with the limit of 2,
			// zeta and omega have none and are offered the union.
			o.states["p1"], o.states["p2"], o.states["p4"] = scrumBug, scrumBug, scrumBug
			o.projects = append(o.projects, orgconfig.Project{ID: "p4", Name: "omega"})
			// Each Builder's Client answers with its own copies, as
			// azdo's does: were want to share memory with what the
			// Builder under test hands out, changing one would change
			// the other and the comparisons below would pass.
			ref, err := orgconfig.NewBuilder(o.copy().client(), gateFunc(allow), tt.opts...)
			if err != nil {
				t.Fatal(err)
			}
			want, err := ref.Build(t.Context(), "org-1")
			if err != nil {
				t.Fatal(err)
			}
			b, err := orgconfig.NewBuilder(o.copy().client(), gateFunc(allow), append(tt.opts, orgconfig.WithCacheTTL(time.Hour))...)
			if err != nil {
				t.Fatal(err)
			}
			first, err := b.Build(t.Context(), "org-1")
			if err != nil {
				t.Fatal(err)
			}
			other, err := b.Build(t.Context(), "org-1")
			if err != nil {
				t.Fatal(err)
			}
			mutateAll(first)
			next, err := b.Build(t.Context(), "org-1")
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(want, next, configOpts); diff != "" {
				t.Errorf("next Build after changing a Config (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(want, other, configOpts); diff != "" {
				t.Errorf("Config built before another was changed (-want +got):\n%s", diff)
			}
			mutateProjects(next, "p1", "p3")
			if diff := cmp.Diff(withoutProjects(want, "p1", "p3"), withoutProjects(next, "p1", "p3"), configOpts); diff != "" {
				t.Errorf("the other projects after changing p1's and p3's (-want +got):\n%s", diff)
			}
		})
	}
}

// mutateProjects changes, in place, the states and per-project choices of
// the projects ids: the regression test for projects with the same states
// (or none, offered the union) sharing one slice of them in Config.States
// and one set of choices in the per-project selectors (issue 16, item 5).
func mutateProjects(cfg *orgconfig.Config, ids ...string) {
	status := cfg.StatusField()
	for _, id := range ids {
		for i := range cfg.States[id] {
			cfg.States[id][i].Name = "changed"
		}
		sel := status.PerItemSelectors[id]
		for _, s := range []orgconfig.Selector{sel.OnResolve, sel.OnUnresolve} {
			for i := range s.Choices {
				s.Choices[i] = orgconfig.Choice{"changed", "changed"}
			}
		}
	}
}

// withoutProjects drops the states and per-project selectors of ids from
// cfg, to compare the other projects'.
func withoutProjects(cfg *orgconfig.Config, ids ...string) *orgconfig.Config {
	for _, id := range ids {
		delete(cfg.States, id)
		delete(cfg.StatusField().PerItemSelectors, id)
	}
	return cfg
}

// TestSharedDegradedConfigsAreSeparate changes every part of a degraded
// Config, problems included, that shared its fetch with another Build: the
// other Config does not see it.
func TestSharedDegradedConfigsAreSeparate(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		c := slowClient(time.Second)
		states := c.states
		c.states = func(ctx context.Context, id string) ([]orgconfig.State, error) {
			if id == "p2" {
				return nil, errDown
			}
			return states(ctx, id)
		}
		b, err := orgconfig.NewBuilder(c, gateFunc(allow), orgconfig.WithCacheTTL(time.Hour), orgconfig.WithPerProjectChoices())
		if err != nil {
			t.Fatal(err)
		}
		cfgs := make([]*orgconfig.Config, 3)
		var wg sync.WaitGroup
		for i := range cfgs {
			wg.Go(func() {
				var err error
				if cfgs[i], err = b.Build(t.Context(), "org-1"); err != nil {
					t.Error(err)
				}
			})
		}
		wg.Wait()
		if got := calls(c); got != [2]int64{1, 3} {
			t.Fatalf("client calls = %v, want one shared fetch", got)
		}
		if len(cfgs[0].Problems) != 1 {
			t.Fatalf("problems %v, want one", cfgs[0].Problems)
		}
		mutateAll(cfgs[0])
		// The reference comes from a Builder of its own: comparing the
		// Configs of the shared fetch with each other could not tell that
		// all of them saw the change.
		ref, err := orgconfig.NewBuilder(c, gateFunc(allow), orgconfig.WithPerProjectChoices())
		if err != nil {
			t.Fatal(err)
		}
		wantCfg, err := ref.Build(t.Context(), "org-1")
		if err != nil {
			t.Fatal(err)
		}
		for i, cfg := range cfgs[1:] {
			if diff := cmp.Diff(wantCfg, cfg, configOpts); diff != "" {
				t.Errorf("Config %d of the fetch after another was changed (-want +got):\n%s", i+1, diff)
			}
		}
		want := []*orgconfig.OpError{{Op: orgconfig.OpWorkItemStates, ProjectID: "p2", ProjectName: "beta", Err: errDown}}
		if diff := cmp.Diff(want, cfgs[1].Problems, configOpts); diff != "" {
			t.Errorf("problems after another Config's were changed (-want +got):\n%s", diff)
		}
	})
}

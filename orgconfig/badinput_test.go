package orgconfig_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/azdosync/azdosync/orgconfig"
	"github.com/google/go-cmp/cmp"
)

// TestBuildHostileServerData feeds the Builder what a broken or hostile
// server could answer: sane forms, no panics.
func TestBuildHostileServerData(t *testing.T) {
	huge := strings.Repeat("x", 1<<20)
	t.Run("empty and huge state names", func(t *testing.T) {
		c := org{
			projects: []orgconfig.Project{{ID: "p1", Name: "One"}},
			states: map[string][]orgconfig.State{"p1": {
				{Name: "", Category: "Proposed"}, {Name: huge, Category: "Proposed"},
				{Name: strings.Repeat("y", orgconfig.MaxChoiceLen), Category: "Completed"}, {Name: "Open", Category: "Proposed"},
			}},
		}.client()
		for _, opts := range [][]orgconfig.Option{nil, {orgconfig.WithPerProjectChoices()}} {
			b, err := orgconfig.NewBuilder(c, gateFunc(allow), opts...)
			if err != nil {
				t.Fatal(err)
			}
			cfg, err := b.Build(t.Context(), "org-1")
			if err != nil {
				t.Fatal(err)
			}
			status := cfg.StatusField()
			choices := status.MappedSelectors.OnResolve.Choices
			if status.PerItemMapping {
				choices = status.PerItemSelectors["p1"].OnResolve.Choices
			}
			want := []orgconfig.Choice{{"Open", "Open"}, {strings.Repeat("y", orgconfig.MaxChoiceLen), strings.Repeat("y", orgconfig.MaxChoiceLen)}}
			if diff := cmp.Diff(want, choices); diff != "" {
				t.Errorf("choices (-want +got):\n%s", diff)
			}
		}
	})
	t.Run("duplicate ids and names", func(t *testing.T) {
		c := org{
			projects: []orgconfig.Project{{ID: "b", Name: "Twin"}, {ID: "a", Name: "Twin"}, {ID: "b", Name: "Impostor"}, {ID: "B", Name: "Impostor in capitals"}},
			states:   map[string][]orgconfig.State{"a": agileBug, "b": scrumBug},
		}.client()
		b, err := orgconfig.NewBuilder(c, gateFunc(allow))
		if err != nil {
			t.Fatal(err)
		}
		cfg, err := b.Build(t.Context(), "org-1")
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff([]orgconfig.Project{{ID: "a", Name: "Twin"}, {ID: "b", Name: "Twin"}}, cfg.Projects); diff != "" {
			t.Errorf("projects (-want +got):\n%s", diff)
		}
		if got := c.stateCalls.Load(); got != 2 {
			t.Errorf("%d state fetches, want one per distinct project (2)", got)
		}
	})
	t.Run("100 000 projects", func(t *testing.T) {
		const n = 100_000
		projects := make([]orgconfig.Project, n)
		for i := range projects {
			projects[i] = orgconfig.Project{ID: fmt.Sprintf("%06d", n-i), Name: fmt.Sprintf("Project %06d", n-i)}
		}
		c := &stubClient{
			projects: func(context.Context) ([]orgconfig.Project, error) { return projects, nil },
			states:   func(context.Context, string) ([]orgconfig.State, error) { return agileBug, nil },
		}
		b, err := orgconfig.NewBuilder(c, gateFunc(allow), orgconfig.WithConcurrency(64))
		if err != nil {
			t.Fatal(err)
		}
		cfg, err := b.Build(t.Context(), "org-1")
		if err != nil {
			t.Fatal(err)
		}
		items := cfg.StatusField().AddDropdown.Items
		if len(items) != n || items[0].Value != "000001" || items[n-1].Value != fmt.Sprintf("%06d", n) || len(cfg.States) != n {
			t.Errorf("%d items (first %v, last %v), %d with states", len(items), items[0], items[n-1], len(cfg.States))
		}
		if got := len(cfg.StatusField().MappedSelectors.OnResolve.Choices); got != 4 {
			t.Errorf("%d choices, want 4", got)
		}
	})
}

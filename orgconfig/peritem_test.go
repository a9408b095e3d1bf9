package orgconfig_test

import (
	"context"
	"encoding/json"
	"errors"
	"testing"

	"github.com/azdosync/azdosync/orgconfig"
	"github.com/google/go-cmp/cmp"
)

// TestPerProjectNeverEmitsWhatItCannotFill: with WithPerProjectChoices, a
// form whose projects or states are unknown carries flat selectors and no
// "perItemMapping", and a per-item form has selectors for every project of
// the drop-down.
func TestPerProjectNeverEmitsWhatItCannotFill(t *testing.T) {
	placeholder := orgconfig.Selector{Choices: []orgconfig.Choice{}, Placeholder: "Select a status"}
	empty := orgconfig.Selectors{OnResolve: placeholder, OnUnresolve: placeholder}
	failing := func(context.Context, string) ([]orgconfig.State, error) { return nil, errors.New("boom") }
	tests := []struct {
		name    string
		client  *stubClient
		gate    gateFunc
		perItem []string // the projects with per-item selectors; nil: flat
		flat    orgconfig.Selectors
	}{
		{
			name:    "all states known",
			client:  sampleOrg().client(),
			gate:    allow,
			perItem: []string{"p1", "p2", "p3"},
		},
		{
			name:    "some states unknown: the union for them",
			client:  failingStates(sampleOrg(), "p2"),
			gate:    allow,
			perItem: []string{"p1", "p2", "p3"},
		},
		{
			name: "no states known",
			client: &stubClient{
				projects: func(context.Context) ([]orgconfig.Project, error) { return sampleOrg().projects, nil },
				states:   failing,
			},
			gate: allow,
			flat: empty,
		},
		{
			name: "project list failed",
			client: &stubClient{projects: func(context.Context) ([]orgconfig.Project, error) {
				return nil, errors.New("boom")
			}},
			gate: allow,
			flat: empty,
		},
		{
			name:   "gated",
			client: &stubClient{},
			gate:   func(context.Context, string, string) (bool, error) { return false, nil },
			flat:   empty,
		},
		{
			name: "no projects",
			client: &stubClient{
				projects: func(context.Context) ([]orgconfig.Project, error) { return nil, nil },
			},
			gate: allow,
			flat: empty,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b, err := orgconfig.NewBuilder(tt.client, tt.gate, orgconfig.WithPerProjectChoices())
			if err != nil {
				t.Fatal(err)
			}
			cfg, err := b.Build(t.Context(), "org-1")
			if err != nil {
				t.Fatal(err)
			}
			f := cfg.StatusField()
			data, err := json.Marshal(f)
			if err != nil {
				t.Fatal(err)
			}
			var wire map[string]json.RawMessage
			if err := json.Unmarshal(data, &wire); err != nil {
				t.Fatal(err)
			}
			_, hasPerItem := wire["perItemMapping"]
			if tt.perItem == nil {
				if f.PerItemMapping || hasPerItem || f.PerItemSelectors != nil {
					t.Errorf("per-item field %s, want flat selectors", data)
				}
				if diff := cmp.Diff(tt.flat, f.MappedSelectors); diff != "" {
					t.Errorf("flat selectors (-want +got):\n%s", diff)
				}
				return
			}
			if !f.PerItemMapping || !hasPerItem {
				t.Fatalf("flat field %s, want per-item selectors", data)
			}
			var got []string
			for _, it := range f.AddDropdown.Items {
				if _, ok := f.PerItemSelectors[it.Value]; ok {
					got = append(got, it.Value)
				}
			}
			if diff := cmp.Diff(tt.perItem, got); diff != "" {
				t.Errorf("projects with selectors (-want +got):\n%s", diff)
			}
			if len(f.PerItemSelectors) != len(f.AddDropdown.Items) {
				t.Errorf("%d per-item selectors for %d projects", len(f.PerItemSelectors), len(f.AddDropdown.Items))
			}
		})
	}
}

package orgconfig_test

import (
	"context"
	"testing"

	"github.com/azdosync/azdosync/internal/golden"
	"github.com/azdosync/azdosync/orgconfig"
)

func TestFormGolden(t *testing.T) {
	tests := []struct {
		name  string
		gate  gateFunc
		opts  []orgconfig.Option
		saved orgconfig.StatusMapping // given to PrefillSelectors
	}{
		{"form.json", allow, nil, nil},
		{"form_per_project.json", allow, []orgconfig.Option{orgconfig.WithPerProjectChoices()}, nil},
		{"form_gated.json", func(ctx context.Context, _, _ string) (bool, error) { return false, nil }, nil, nil},
		{"form_lazy.json", allow, []orgconfig.Option{orgconfig.WithStatesURL("/organizations/org-1/search")},
			orgconfig.StatusMapping{"p2": {OnResolve: "Done", OnUnresolve: "New"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b, err := orgconfig.NewBuilder(sampleOrg().client(), tt.gate, tt.opts...)
			if err != nil {
				t.Fatal(err)
			}
			cfg, err := b.Build(t.Context(), "org-1")
			if err != nil {
				t.Fatal(err)
			}
			cfg.PrefillSelectors(tt.saved)
			golden.JSON(t, tt.name, cfg.Fields)
		})
	}
}

package orgconfig_test

import (
	"context"
	"testing"

	"github.com/azdosync/azdosync/internal/golden"
	"github.com/azdosync/azdosync/orgconfig"
)

func TestFormGolden(t *testing.T) {
	tests := []struct {
		name string
		gate gateFunc
		opts []orgconfig.Option
	}{
		{"form.json", allow, nil},
		{"form_per_project.json", allow, []orgconfig.Option{orgconfig.WithPerProjectChoices()}},
		{"form_gated.json", func(ctx context.Context, _, _ string) (bool, error) { return false, nil }, nil},
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
			golden.JSON(t, tt.name, cfg.Fields)
		})
	}
}

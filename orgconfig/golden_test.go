package orgconfig_test

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"testing"

	"github.com/azdosync/azdosync/orgconfig"
	"github.com/google/go-cmp/cmp"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata")

// golden compares got with testdata/name, or rewrites it with -update.
func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("read golden file (run go test -update to create it): %v", err)
	}
	if diff := cmp.Diff(string(want), string(got)); diff != "" {
		t.Errorf("%s mismatch (-want +got):\n%s", path, diff)
	}
}

func formJSON(t *testing.T, cfg *orgconfig.Config) []byte {
	t.Helper()
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetIndent("", "  ")
	if err := enc.Encode(cfg.Fields); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

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
			golden(t, tt.name, formJSON(t, cfg))
		})
	}
}

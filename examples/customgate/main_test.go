package main

import (
	"bytes"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestCustomGate(t *testing.T) {
	var out bytes.Buffer
	if err := run(&out); err != nil {
		t.Fatal(err)
	}
	want := `acme     enabled: 5 projects to map
globex   disabled: Your organization does not have access to this feature
initech  disabled: Could not verify access to this feature
initech  problem: orgconfig: check feature gate: billing: no plan for organization "initech" (no plan: true)
`
	if diff := cmp.Diff(want, out.String()); diff != "" {
		t.Errorf("output (-want +got):\n%s", diff)
	}
}

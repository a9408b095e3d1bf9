package main

import (
	"bytes"
	"strings"
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

func TestCustomGateCommandLine(t *testing.T) {
	for _, tt := range []struct {
		args       []string
		code       int
		wantStdout string
		wantStderr string
	}{
		{[]string{"-h"}, 0, "", "usage: customgate"},
		{[]string{"-nope"}, 2, "", "flag provided but not defined: -nope"},
		{[]string{"extra"}, 2, "", `customgate: unexpected argument "extra"`},
		{nil, 0, "acme     enabled: 5 projects to map", ""},
	} {
		var stdout, stderr bytes.Buffer
		code := runMain(tt.args, &stdout, &stderr)
		if code != tt.code || !strings.Contains(stdout.String(), tt.wantStdout) || !strings.Contains(stderr.String(), tt.wantStderr) {
			t.Errorf("%q: exit %d (want %d)\nstdout:\n%s\nstderr:\n%s", tt.args, code, tt.code, stdout.String(), stderr.String())
		}
	}
}

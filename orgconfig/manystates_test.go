package orgconfig_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/azdosync/azdosync/orgconfig"
)

// TestManyStatesWithinDeadline: a project whose work item type has a
// hostile number of states (100 000, a few megabytes of answer) is
// assembled in time linear in them: each project's own choices were
// deduplicated by comparing every state with every earlier one, minutes
// of CPU past the Build's deadline, in every Build and, with
// WithStatesURL, every answer of the states URL.
func TestManyStatesWithinDeadline(t *testing.T) {
	const n = 100_000
	states := make([]orgconfig.State, n)
	for i := range states {
		states[i] = orgconfig.State{Name: fmt.Sprintf("state %06d", i), Category: "InProgress"}
	}
	c := &stubClient{
		projects: func(context.Context) ([]orgconfig.Project, error) {
			return []orgconfig.Project{{ID: "p1", Name: "One"}}, nil
		},
		states: func(context.Context, string) ([]orgconfig.State, error) { return states, nil },
	}
	gate := gateFunc(func(context.Context, string, string) (bool, error) { return true, nil })
	for _, opt := range []orgconfig.Option{orgconfig.WithPerProjectChoices(), orgconfig.WithStatesURL("/states")} {
		b, err := orgconfig.NewBuilder(c, gate, opt)
		if err != nil {
			t.Fatal(err)
		}
		const deadline = 5 * time.Second
		ctx, cancel := context.WithTimeout(t.Context(), deadline)
		start := time.Now()
		cfg, err := b.Build(ctx, "org-1")
		if err == nil {
			choices, ok := cfg.StatusChoices("p1")
			if !ok || len(choices) != n {
				t.Errorf("%d choices for the project, want %d", len(choices), n)
			}
		}
		elapsed := time.Since(start)
		cancel()
		if err != nil || elapsed > deadline {
			t.Errorf("Build and StatusChoices: %v after %v, want the form within the deadline of %v", err, elapsed.Round(time.Millisecond), deadline)
		}
	}
}

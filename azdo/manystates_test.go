package azdo_test

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/azdosync/azdosync/azdo"
	"github.com/azdosync/azdosync/azdo/azdotest"
)

// TestTooManyStates: a work item type with more than azdo.MaxTypeStates
// states is a broken or hostile answer (Azure DevOps types have a few):
// its projects get ErrBadResponse instead of their own copy of it each,
// which for 100 000 states (a few megabytes of answer) and 1 000 projects
// came to gigabytes. A type with MaxTypeStates states is served, on both
// paths.
func TestTooManyStates(t *testing.T) {
	for _, n := range []int{azdo.MaxTypeStates, azdo.MaxTypeStates + 1} {
		custom := azdotest.CustomAgileProcess()
		bug := custom.WorkItemTypes[0]
		bug.States = make([]azdotest.State, n)
		for i := range bug.States {
			bug.States[i] = azdotest.State{Name: fmt.Sprintf("State %04d", i), Category: "InProgress", Color: "007acc"}
		}
		custom.WorkItemTypes = []azdotest.WorkItemType{bug}
		org := azdotest.Org{
			Processes: []azdotest.Process{azdotest.AgileProcess(), custom},
			Projects:  []azdotest.Project{{ID: azdotest.StableID("project/One"), Name: "One", ProcessID: custom.ID}},
		}
		for _, process := range []bool{true, false} {
			_, c := newPair(t, org, nil, azdo.WithProcessAPI(process))
			listed(t, t.Context(), c)
			states, err := c.WorkItemStates(t.Context(), org.Projects[0].ID)
			switch {
			case n <= azdo.MaxTypeStates && (err != nil || len(states) != n):
				t.Errorf("%d states, process API %t: got %d states, %v", n, process, len(states), err)
			case n > azdo.MaxTypeStates && (!errors.Is(err, azdo.ErrBadResponse) || !strings.Contains(err.Error(), "more than 1000 states")):
				t.Errorf("%d states, process API %t: error %v, want ErrBadResponse naming the limit", n, process, err)
			}
		}
	}
}

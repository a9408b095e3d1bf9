package orgconfig_test

import (
	"context"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/azdosync/azdosync/orgconfig"
)

// typedClient is a stubClient that also says each project's type.
type typedClient struct {
	*stubClient
	types map[string]orgconfig.WorkItemType
}

func (c *typedClient) WorkItemTypeStates(ctx context.Context, id string) (orgconfig.WorkItemType, []orgconfig.State, error) {
	states, err := c.WorkItemStates(ctx, id)
	return c.types[id], states, err
}

// TestConfigTypes checks that Build asks a TypedClient for the types and
// hands each Config its own map of them, leaving out projects whose type
// is unknown; a plain Client gives none.
func TestConfigTypes(t *testing.T) {
	bug := orgconfig.WorkItemType{Name: "Bug", ReferenceName: "Microsoft.VSTS.WorkItemTypes.Bug"}
	c := &typedClient{sampleOrg().client(), map[string]orgconfig.WorkItemType{"p1": bug, "p2": {Name: "Fehler"}}}
	b, err := orgconfig.NewBuilder(c, gateFunc(allow), orgconfig.WithCacheTTL(time.Minute))
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]orgconfig.WorkItemType{"p1": bug, "p2": {Name: "Fehler"}}
	first, err := b.Build(t.Context(), "org")
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(want, first.Types); diff != "" {
		t.Errorf("types (-want +got):\n%s", diff)
	}
	first.Types["p1"] = orgconfig.WorkItemType{Name: "changed"}
	first.Types["added"] = orgconfig.WorkItemType{Name: "added"}
	second, err := b.Build(t.Context(), "org") // from the cache
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(want, second.Types); diff != "" {
		t.Errorf("types of a cached Build after changing another Config's (-want +got):\n%s", diff)
	}

	plain, err := orgconfig.NewBuilder(sampleOrg().client(), gateFunc(allow))
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := plain.Build(t.Context(), "org")
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Types != nil {
		t.Errorf("types %v from a Client that is not a TypedClient, want nil", cfg.Types)
	}
}

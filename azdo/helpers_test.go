package azdo_test

import (
	"context"
	"testing"

	"github.com/azdosync/azdosync/azdo"
	"github.com/azdosync/azdosync/azdo/azdotest"
	"github.com/azdosync/azdosync/features"
	"github.com/azdosync/azdosync/orgconfig"
)

const testToken = "t0ken-S3CRET-do-not-leak"

// newPair starts a fake organization accepting testToken and a Client for
// it; extra client options come after the test defaults.
func newPair(t *testing.T, org azdotest.Org, srvOpts []azdotest.Option, opts ...azdo.Option) (*azdotest.Server, *azdo.Client) {
	t.Helper()
	srv := azdotest.NewServer(t, org, append([]azdotest.Option{azdotest.WithPAT(testToken)}, srvOpts...)...)
	c, err := azdo.New(srv.URL(), azdo.PAT(testToken), opts...)
	if err != nil {
		t.Fatal(err)
	}
	return srv, c
}

// projectByName finds a project of a fake organization.
func projectByName(t *testing.T, org azdotest.Org, name string) azdotest.Project {
	t.Helper()
	for _, p := range org.Projects {
		if p.Name == name {
			return p
		}
	}
	t.Fatalf("no project %q", name)
	return azdotest.Project{}
}

// listed calls Projects, as a Build does before it asks for states: the
// process lookup of that call serves the WorkItemStates calls that follow.
func listed(t *testing.T, ctx context.Context, c *azdo.Client) {
	t.Helper()
	if _, err := c.Projects(ctx); err != nil {
		t.Fatal(err)
	}
}

// buildForm builds c's form with the feature on and no cache.
func buildForm(t *testing.T, c *azdo.Client) *orgconfig.Config {
	t.Helper()
	b, err := orgconfig.NewBuilder(c, features.Static(true))
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := b.Build(t.Context(), "org-1")
	if err != nil {
		t.Fatal(err)
	}
	return cfg
}

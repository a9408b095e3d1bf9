package azdo_test

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/azdosync/azdosync/azdo/azdotest"
	"github.com/azdosync/azdosync/orgconfig"
)

// TestOverlongProjectNamesLeftOut: a project whose name is longer than
// any Azure DevOps allows (64 characters) by far, over 256 bytes, is a
// broken or hostile entry and is left out, as one without a name is:
// pages of 32 MiB full of such names, up to WithMaxProjects projects, were
// all kept, gigabytes of names, and put in every form.
func TestOverlongProjectNamesLeftOut(t *testing.T) {
	org := azdotest.SampleOrg()
	longest := strings.Repeat("ü", 128) // 256 bytes: kept
	org.Projects[0].Name = longest
	org.Projects[1].Name = strings.Repeat("x", 257)
	_, c := newPair(t, org, nil)
	got, err := c.Projects(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	var want []orgconfig.Project
	for i, p := range org.Projects {
		if i != 1 {
			want = append(want, orgconfig.Project{ID: p.ID, Name: p.Name})
		}
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Projects (-want +got):\n%s", diff)
	}
}

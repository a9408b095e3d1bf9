package azdo_test

import (
	"errors"
	"net/http"
	"strconv"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/azdosync/azdosync/azdo"
	"github.com/azdosync/azdosync/azdo/azdotest"
	"github.com/azdosync/azdosync/orgconfig"
)

// projectQueries returns the query and status of every project request.
func projectQueries(srv *azdotest.Server) []string {
	var out []string
	for _, r := range srv.Requests() {
		if r.Endpoint == azdotest.EndpointProjects {
			out = append(out, http.StatusText(r.Status)+" "+r.Query)
		}
	}
	return out
}

func TestProjectsPaging(t *testing.T) {
	org := azdotest.ScaledOrg(250)
	org.Projects = append(org.Projects,
		azdotest.Project{ID: azdotest.StableID("deleting"), Name: "Being deleted", ProcessID: azdotest.AgileProcessID, State: "deleting"})
	var want []orgconfig.Project
	for _, p := range org.Projects[:250] {
		want = append(want, orgconfig.Project{ID: p.ID, Name: p.Name})
	}
	const ok, bad = "OK ", "Bad Request "
	for _, tt := range []struct {
		name    string
		srvOpts []azdotest.Option
		opts    []azdo.Option
		want    []string
	}{
		{
			name: "one page of up to 1 000",
			want: []string{ok + "%24top=1000&stateFilter=wellFormed"},
		},
		{
			// A page shorter than asked is not the end; the token is.
			name:    "server caps $top at 100",
			srvOpts: []azdotest.Option{azdotest.WithMaxPageSize(100)},
			want: []string{
				ok + "%24top=1000&stateFilter=wellFormed",
				ok + "%24top=1000&continuationToken=100&stateFilter=wellFormed",
				ok + "%24top=1000&continuationToken=200&stateFilter=wellFormed",
			},
		},
		{
			name:    "server caps $top at 7",
			srvOpts: []azdotest.Option{azdotest.WithMaxPageSize(7)},
			want: func() []string {
				out := []string{ok + "%24top=1000&stateFilter=wellFormed"}
				for off := 7; off < 250; off += 7 {
					out = append(out, ok+"%24top=1000&continuationToken="+strconv.Itoa(off)+"&stateFilter=wellFormed")
				}
				return out
			}(),
		},
		{
			name: "page size 120",
			opts: []azdo.Option{azdo.WithProjectPageSize(120)},
			want: []string{
				ok + "%24top=120&stateFilter=wellFormed",
				ok + "%24top=120&continuationToken=120&stateFilter=wellFormed",
				ok + "%24top=120&continuationToken=240&stateFilter=wellFormed",
			},
		},
		{
			name:    "$top refused on the first page",
			srvOpts: []azdotest.Option{azdotest.WithFaults(azdotest.Fault{Endpoint: azdotest.EndpointProjects, Times: 1, Status: http.StatusBadRequest})},
			want: []string{
				bad + "%24top=1000&stateFilter=wellFormed",
				ok + "stateFilter=wellFormed",
				ok + "continuationToken=100&stateFilter=wellFormed",
				ok + "continuationToken=200&stateFilter=wellFormed",
			},
		},
	} {
		t.Run(tt.name, func(t *testing.T) {
			srv, c := newPair(t, org, tt.srvOpts, append([]azdo.Option{azdo.WithProcessAPI(false)}, tt.opts...)...)
			got, err := c.Projects(t.Context())
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("Projects mismatch (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tt.want, projectQueries(srv)); diff != "" {
				t.Errorf("project requests (-want +got):\n%s", diff)
			}
		})
	}
}

// TestProjectsBadRequestAskedWithoutTopOnce checks that a 400 is retried
// without $top once only: a second 400 is the answer.
func TestProjectsBadRequestAskedWithoutTopOnce(t *testing.T) {
	srv, c := newPair(t, azdotest.SampleOrg(), []azdotest.Option{azdotest.WithFaults(
		azdotest.Fault{Endpoint: azdotest.EndpointProjects, Status: http.StatusBadRequest, Body: `{"message":"The request is invalid.","typeKey":"InvalidArgumentValueException"}`},
	)}, azdo.WithProcessAPI(false))
	_, err := c.Projects(t.Context())
	var apiErr *azdo.APIError
	if !errors.As(err, &apiErr) || !errors.Is(err, azdo.ErrBadResponse) || apiErr.StatusCode != http.StatusBadRequest || apiErr.Op != "list projects" {
		t.Fatalf("Projects error = %v; want a list projects APIError with status 400", err)
	}
	want := []string{"Bad Request %24top=1000&stateFilter=wellFormed", "Bad Request stateFilter=wellFormed"}
	if diff := cmp.Diff(want, projectQueries(srv)); diff != "" {
		t.Errorf("project requests (-want +got):\n%s", diff)
	}
}

// TestProjectsPageSizeOption checks the option's validation.
func TestProjectsPageSizeOption(t *testing.T) {
	for _, n := range []int{0, -1} {
		if _, err := azdo.New("https://dev.azure.com/fabrikam", azdo.PAT("x"), azdo.WithProjectPageSize(n)); err == nil {
			t.Errorf("WithProjectPageSize(%d): no error", n)
		}
	}
}

// TestProjectsLimit checks that paging stops past WithMaxProjects with
// ErrTooManyProjects, and that an organization at the limit lists whole.
func TestProjectsLimit(t *testing.T) {
	org := azdotest.ScaledOrg(250)
	capped := []azdotest.Option{azdotest.WithMaxPageSize(100)}

	srv, c := newPair(t, org, capped, azdo.WithProcessAPI(false), azdo.WithMaxProjects(150))
	got, err := c.Projects(t.Context())
	var apiErr *azdo.APIError
	if !errors.Is(err, azdo.ErrTooManyProjects) || !errors.As(err, &apiErr) || apiErr.Op != "list projects" {
		t.Fatalf("Projects = %d projects, %v; want a list projects error of kind ErrTooManyProjects", len(got), err)
	}
	if want := "azdo: list projects: the organization has more than 150 projects, the most WithMaxProjects allows"; err.Error() != want {
		t.Errorf("error %q, want %q", err, want)
	}
	if n := srv.Count(azdotest.EndpointProjects); n != 2 {
		t.Errorf("%d project pages asked, want 2 (paging stops at the limit)", n)
	}

	_, c = newPair(t, org, capped, azdo.WithProcessAPI(false), azdo.WithMaxProjects(250))
	if got, err := c.Projects(t.Context()); err != nil || len(got) != 250 {
		t.Errorf("at the limit: Projects = %d projects, %v; want 250", len(got), err)
	}
	for _, n := range []int{0, -5} {
		if _, err := azdo.New("https://dev.azure.com/fabrikam", azdo.PAT("x"), azdo.WithMaxProjects(n)); err == nil {
			t.Errorf("WithMaxProjects(%d): no error", n)
		}
	}
}

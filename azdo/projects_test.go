package azdo_test

import (
	"errors"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/azdosync/azdosync/azdo"
	"github.com/azdosync/azdosync/azdo/azdotest"
	"github.com/azdosync/azdosync/orgconfig"
)

// projectQueries returns the status and query of every project request,
// sorted (pages asked at once arrive in any order).
func projectQueries(srv *azdotest.Server) []string {
	var out []string
	for _, r := range srv.Requests() {
		if r.Endpoint == azdotest.EndpointProjects {
			out = append(out, http.StatusText(r.Status)+" "+r.Query)
		}
	}
	slices.Sort(out)
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
			// A page shorter than asked is not the end; the token is. Pages
			// are asked one after the other: the page at 200 ends the list,
			// and none is asked past it (pages asked four at once used to ask
			// 300 and 400 too).
			name:    "server caps $top at 100",
			srvOpts: []azdotest.Option{azdotest.WithMaxPageSize(100)},
			want:    pages(ok, "%24top=1000&", 0, 100, 200),
		},
		{
			name:    "server caps $top at 7",
			srvOpts: []azdotest.Option{azdotest.WithMaxPageSize(7)},
			want:    pages(ok, "%24top=1000&", 0, 7, 245),
		},
		{
			name:    "one page at a time under a small request bound",
			srvOpts: []azdotest.Option{azdotest.WithMaxPageSize(100)},
			opts:    []azdo.Option{azdo.WithMaxConcurrentRequests(3)},
			want:    pages(ok, "%24top=1000&", 0, 100, 200),
		},
		{
			name: "page size 120",
			opts: []azdo.Option{azdo.WithProjectPageSize(120)},
			want: pages(ok, "%24top=120&", 0, 120, 240),
		},
		{
			name:    "$top refused on the first page",
			srvOpts: []azdotest.Option{azdotest.WithFaults(azdotest.Fault{Endpoint: azdotest.EndpointProjects, Times: 1, Status: http.StatusBadRequest})},
			want:    sorted(append(pages(ok, "", 0, 100, 200), bad+"%24top=1000&stateFilter=wellFormed")),
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
	// The second page passes the limit: paging stops there.
	if n := srv.Count(azdotest.EndpointProjects); n != 2 {
		t.Errorf("%d project pages asked, want 2", n)
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

// pages returns the sorted status and query of project pages at offsets
// from first to last by step; top is "" or "%24top=N&".
func pages(status, top string, first, step, last int) []string {
	var out []string
	for off := first; off <= last; off += step {
		q := top + "stateFilter=wellFormed"
		if off > 0 {
			q = top + "continuationToken=" + strconv.Itoa(off) + "&stateFilter=wellFormed"
		}
		out = append(out, status+q)
	}
	return sorted(out)
}

func sorted(s []string) []string {
	slices.Sort(s)
	return s
}

// shortPages is a base transport that asks the server for 90 projects
// instead of what the client asked on the pages at the given tokens, as a
// busy server answers fewer than asked.
type shortPages map[string]bool

func (s shortPages) RoundTrip(r *http.Request) (*http.Response, error) {
	q := r.URL.Query()
	if s[q.Get("continuationToken")] {
		r = r.Clone(r.Context())
		q.Set("$top", "90")
		r.URL.RawQuery = q.Encode()
	}
	return http.DefaultTransport.RoundTrip(r)
}

// TestProjectsShortPage checks that a page shorter than its neighbours is
// followed from its own token: every project once, in order.
func TestProjectsShortPage(t *testing.T) {
	org := azdotest.ScaledOrg(400)
	var want []orgconfig.Project
	for _, p := range org.Projects {
		want = append(want, orgconfig.Project{ID: p.ID, Name: p.Name})
	}
	srv, c := newPair(t, org, []azdotest.Option{azdotest.WithMaxPageSize(100)},
		azdo.WithProcessAPI(false), azdo.WithHTTPClient(&http.Client{Transport: shortPages{"100": true, "190": true}}))
	got, err := c.Projects(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Projects mismatch (-want +got):\n%s", diff)
	}
	// 0; 100 (short: next 190); 190 (short: next 280); 280; 380 (the end).
	if n := srv.Count(azdotest.EndpointProjects); n != 5 {
		t.Errorf("%d project requests, want 5", n)
	}
}

// failPage is a base transport that answers 500 to the project page at
// one continuation token.
type failPage string

func (f failPage) RoundTrip(r *http.Request) (*http.Response, error) {
	if r.URL.Query().Get("continuationToken") == string(f) {
		return &http.Response{StatusCode: 500, Status: "500 Internal Server Error", Proto: "HTTP/1.1", ProtoMajor: 1, ProtoMinor: 1,
			Request: r, Header: http.Header{}, Body: http.NoBody}, nil
	}
	return http.DefaultTransport.RoundTrip(r)
}

// TestProjectsLaterPageFails checks that a failing page after the first
// fails Projects, naming the operation.
func TestProjectsLaterPageFails(t *testing.T) {
	for _, processAPI := range []bool{false, true} {
		_, c := newPair(t, azdotest.ScaledOrg(250), []azdotest.Option{azdotest.WithMaxPageSize(100)},
			azdo.WithProcessAPI(processAPI), azdo.WithHTTPClient(&http.Client{Transport: failPage("200")}))
		got, err := c.Projects(t.Context())
		if !errors.Is(err, azdo.ErrUnavailable) || !strings.HasPrefix(err.Error(), "azdo: list projects: ") {
			t.Errorf("process api %t: Projects = %d projects, %v; want the third page's 500", processAPI, len(got), err)
		}
	}
}

package azdo_test

import (
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/azdosync/azdosync/azdo"
	"github.com/azdosync/azdosync/azdo/azdotest"
	"github.com/azdosync/azdosync/features"
	"github.com/azdosync/azdosync/orgconfig"
	"github.com/google/go-cmp/cmp"
	"github.com/microsoft/azure-devops-go-api/azuredevops/v7"
)

// sampleStates is what every project of SampleOrg should report: Bug
// states, Issue for Basic (no Bug), the custom state but not the hidden
// one for the inherited process.
func sampleStates() map[string][]orgconfig.State {
	s := func(name, cat, color string) orgconfig.State {
		return orgconfig.State{Name: name, Category: cat, Color: color}
	}
	org := azdotest.SampleOrg()
	id := func(name string) string {
		for _, p := range org.Projects {
			if p.Name == name {
				return p.ID
			}
		}
		panic(name)
	}
	return map[string][]orgconfig.State{
		id("Fabrikam Fiber"): {s("New", "Proposed", "b2b2b2"), s("Active", "InProgress", "007acc"), s("Resolved", "Resolved", "ff9d00"), s("Closed", "Completed", "339933")},
		id("Contoso Web"):    {s("New", "Proposed", "b2b2b2"), s("Approved", "Proposed", "b2b2b2"), s("Committed", "InProgress", "007acc"), s("Done", "Completed", "339933"), s("Removed", "Removed", "ffffff")},
		id("Tailspin Toys"):  {s("Proposed", "Proposed", "b2b2b2"), s("Active", "InProgress", "007acc"), s("Resolved", "Resolved", "ff9d00"), s("Closed", "Completed", "339933")},
		id("basic-tracker"):  {s("To Do", "Proposed", "b2b2b2"), s("Doing", "InProgress", "007acc"), s("Done", "Completed", "339933")},
		id("Woodgrove Bank"): {s("New", "Proposed", "b2b2b2"), s("Triaged", "Proposed", "5688e0"), s("Active", "InProgress", "007acc"), s("Resolved", "Resolved", "ff9d00"), s("Closed", "Completed", "339933")},
	}
}

func TestWorkItemStatesBothPaths(t *testing.T) {
	for _, tt := range []struct {
		name    string
		srvOpts []azdotest.Option
		opts    []azdo.Option
	}{
		{"process api", nil, nil},
		{"process api off in client", nil, []azdo.Option{azdo.WithProcessAPI(false)}},
		{"server without process api", []azdotest.Option{azdotest.WithoutProcessAPI()}, nil},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, c := newPair(t, azdotest.SampleOrg(), tt.srvOpts, tt.opts...)
			got := map[string][]orgconfig.State{}
			for _, p := range azdotest.SampleOrg().Projects {
				st, err := c.WorkItemStates(t.Context(), p.ID)
				if err != nil {
					t.Fatalf("WorkItemStates(%s): %v", p.Name, err)
				}
				got[p.ID] = st
			}
			if diff := cmp.Diff(sampleStates(), got); diff != "" {
				t.Errorf("states mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

// TestWorkItemStatesAreTheCallers: the slice WorkItemStates returns is the
// caller's own. Editing it changes neither what the next call returns (for
// the same project, from the process lookup's cache) nor another project
// of the same process (STYLE.md: values handed to callers are theirs).
func TestWorkItemStatesAreTheCallers(t *testing.T) {
	org := azdotest.SampleOrg()
	_, c := newPair(t, org, nil)
	want := sampleStates()
	a, b := org.Projects[0].ID, org.Projects[2].ID // Agile and CMMI: both have Bug
	for _, id := range []string{a, b} {
		st, err := c.WorkItemStates(t.Context(), id)
		if err != nil || len(st) == 0 {
			t.Fatalf("WorkItemStates(%s) = %v, %v", id, st, err)
		}
		st[0].Name, st[0].Category = "edited", "edited"
		_ = append(st[:1], orgconfig.State{Name: "appended"})
	}
	got := map[string][]orgconfig.State{}
	for _, id := range []string{a, b} {
		st, err := c.WorkItemStates(t.Context(), id)
		if err != nil {
			t.Fatal(err)
		}
		got[id] = st
	}
	if diff := cmp.Diff(map[string][]orgconfig.State{a: want[a], b: want[b]}, got); diff != "" {
		t.Errorf("states after the caller edited its copies (-want +got):\n%s", diff)
	}
}

// TestFallbackOrderOnBasicProject checks the per-project path on a project
// without Bug: its Bug category does not exist, so Issue is asked next, by
// reference name: two requests.
func TestFallbackOrderOnBasicProject(t *testing.T) {
	org := azdotest.SampleOrg()
	basic := projectByName(t, org, "basic-tracker")
	srv, c := newPair(t, org, []azdotest.Option{azdotest.WithoutProcessAPI()})
	typ, states, err := c.WorkItemTypeStates(t.Context(), basic.ID)
	if err != nil {
		t.Fatal(err)
	}
	if want := (orgconfig.WorkItemType{Name: "Issue", ReferenceName: azdo.RefIssue}); typ != want || len(states) != 3 {
		t.Errorf("type %+v with %d states, want %+v with 3", typ, len(states), want)
	}
	want := []string{
		"/fabrikam/" + basic.ID + "/_apis/wit/workItemTypeCategories/Microsoft.BugCategory",
		"/fabrikam/" + basic.ID + "/_apis/wit/workItemTypes/Microsoft.VSTS.WorkItemTypes.Issue",
	}
	if diff := cmp.Diff(want, perProjectRequests(srv)); diff != "" {
		t.Errorf("per-project requests (-want +got):\n%s", diff)
	}
}

func TestStatesCostPerProcessNotPerProject(t *testing.T) {
	org := azdotest.ScaledOrg(300)
	srv, c := newPair(t, org, nil)
	b, err := orgconfig.NewBuilder(c, features.Static(true), orgconfig.WithConcurrency(16))
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := b.Build(t.Context(), "org-1")
	if err != nil {
		t.Fatal(err)
	}
	if len(cfg.Projects) != 300 || len(cfg.States) != 300 || len(cfg.Problems) != 0 {
		t.Fatalf("Build: %d projects, %d with states, problems %v; want 300, 300, none", len(cfg.Projects), len(cfg.States), cfg.Problems)
	}
	got := map[azdotest.Endpoint]int{}
	for _, ep := range []azdotest.Endpoint{
		azdotest.EndpointWorkItemTypeStates, azdotest.EndpointWorkItemTypes, azdotest.EndpointProcesses,
		azdotest.EndpointProcessWorkItemTypes, azdotest.EndpointProjects, azdotest.EndpointLocations,
	} {
		got[ep] = srv.Count(ep)
	}
	want := map[azdotest.Endpoint]int{
		azdotest.EndpointWorkItemTypeStates:   0,
		azdotest.EndpointWorkItemTypes:        0,
		azdotest.EndpointProcesses:            1,
		azdotest.EndpointProcessWorkItemTypes: 4,
		azdotest.EndpointProjects:             1,
		azdotest.EndpointLocations:            0, // pinned routes
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("requests by endpoint (-want +got):\n%s", diff)
	}
}

func TestRetries(t *testing.T) {
	org := azdotest.SampleOrg()
	for _, tt := range []struct {
		name        string
		fault       azdotest.Fault
		minElapsed  time.Duration
		wantProject int // project requests made
	}{
		{"429 with Retry-After 1", azdotest.Fault{Endpoint: azdotest.EndpointProjects, Times: 1, Status: 429, RetryAfter: "1"}, time.Second, 2},
		{"503 twice", azdotest.Fault{Endpoint: azdotest.EndpointProjects, Times: 2, Status: 503}, 0, 3},
		{"502 plain text", azdotest.Fault{Endpoint: azdotest.EndpointProjects, Times: 1, Status: 502, ContentType: "text/plain", Body: "Bad Gateway"}, 0, 2},
		{"504 empty", azdotest.Fault{Endpoint: azdotest.EndpointProjects, Times: 1, Status: 504, EmptyBody: true}, 0, 2},
		{"dropped connection", azdotest.Fault{Endpoint: azdotest.EndpointProjects, Times: 1, Kind: azdotest.FaultDrop}, 0, 2},
	} {
		t.Run(tt.name, func(t *testing.T) {
			srv, c := newPair(t, org, []azdotest.Option{azdotest.WithFaults(tt.fault)}, azdo.WithProcessAPI(false))
			start := time.Now()
			ps, err := c.Projects(t.Context())
			elapsed := time.Since(start)
			if err != nil || len(ps) != len(org.Projects) {
				t.Fatalf("Projects = %d projects, %v; want %d", len(ps), err, len(org.Projects))
			}
			if elapsed < tt.minElapsed || elapsed > tt.minElapsed+3*time.Second {
				t.Errorf("Projects took %v, want about %v", elapsed, tt.minElapsed)
			}
			if got := srv.Count(azdotest.EndpointProjects); got != tt.wantProject {
				t.Errorf("project requests = %d, want %d", got, tt.wantProject)
			}
		})
	}
}

func TestErrorKinds(t *testing.T) {
	org := azdotest.SampleOrg()
	projects := azdotest.EndpointProjects
	for _, tt := range []struct {
		name       string
		fault      azdotest.Fault
		opts       []azdo.Option
		wantKind   error
		wantStatus int
		wantText   string
	}{
		{"401 json", azdotest.Fault{Endpoint: projects, Status: 401}, nil, azdo.ErrUnauthorized, 401, "TF400813"},
		{"401 html", azdotest.Fault{Endpoint: projects, Status: 401, ContentType: "text/html", Body: "<html>Access Denied</html>"}, nil, azdo.ErrUnauthorized, 401, "unauthorized"},
		{"401 empty", azdotest.Fault{Endpoint: projects, Status: 401, EmptyBody: true}, nil, azdo.ErrUnauthorized, 401, "unauthorized"},
		{"403", azdotest.Fault{Endpoint: projects, Status: 403}, nil, azdo.ErrForbidden, 403, "VS402356"},
		{"404", azdotest.Fault{Endpoint: projects, Status: 404}, nil, azdo.ErrNotFound, 404, "TF200016"},
		{"429 beyond max wait", azdotest.Fault{Endpoint: projects, Status: 429, RetryAfter: "60"}, nil, azdo.ErrRateLimited, 429, "retry after 1m0s"},
		{"500", azdotest.Fault{Endpoint: projects, Status: 500}, nil, azdo.ErrUnavailable, 500, "Internal Server Error"},
		{"503 storm", azdotest.Fault{Endpoint: projects, Status: 503}, []azdo.Option{azdo.WithRetry(2, 10*time.Millisecond)}, azdo.ErrUnavailable, 503, "Service Unavailable"},
		{"203 sign-in page", azdotest.Fault{Endpoint: projects, Kind: azdotest.FaultSignIn}, nil, azdo.ErrUnauthorized, 203, "sign-in page"},
		{"malformed json", azdotest.Fault{Endpoint: projects, Kind: azdotest.FaultMalformed}, nil, azdo.ErrBadResponse, 0, "could not decode"},
		{"truncated body", azdotest.Fault{Endpoint: projects, Kind: azdotest.FaultTruncated}, nil, azdo.ErrBadResponse, 200, "cut short"},
		{"oversized body", azdotest.Fault{Endpoint: projects, Kind: azdotest.FaultOversized, Size: 2 << 20}, []azdo.Option{azdo.WithMaxResponseBytes(1 << 20)}, azdo.ErrBadResponse, 200, "larger than 1048576 bytes"},
		{"connection dropped", azdotest.Fault{Endpoint: projects, Kind: azdotest.FaultDrop}, []azdo.Option{azdo.WithRetry(2, 10*time.Millisecond)}, azdo.ErrUnavailable, 0, "could not reach"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, c := newPair(t, org, []azdotest.Option{azdotest.WithFaults(tt.fault)}, append([]azdo.Option{azdo.WithProcessAPI(false)}, tt.opts...)...)
			_, err := c.Projects(t.Context())
			if !errors.Is(err, tt.wantKind) {
				t.Fatalf("error %v is not %v", err, tt.wantKind)
			}
			var apiErr *azdo.APIError
			if !errors.As(err, &apiErr) {
				t.Fatalf("error %T is not an *APIError", err)
			}
			if apiErr.Op != "list projects" || apiErr.StatusCode != tt.wantStatus {
				t.Errorf("APIError Op=%q Status=%d, want %q %d", apiErr.Op, apiErr.StatusCode, "list projects", tt.wantStatus)
			}
			if !strings.Contains(err.Error(), tt.wantText) {
				t.Errorf("error %q does not contain %q", err, tt.wantText)
			}
			if strings.Contains(err.Error(), "invalid character") || strings.Contains(err.Error(), "<html") {
				t.Errorf("error %q leaks a decoder message or HTML", err)
			}
			if tt.wantKind == azdo.ErrUnauthorized && !errors.Is(err, orgconfig.ErrUnauthorized) {
				t.Errorf("error %q is not orgconfig.ErrUnauthorized", err)
			}
		})
	}
}

func TestRetryAfterOn200SlowsLaterRequests(t *testing.T) {
	org := azdotest.SampleOrg()
	srv, c := newPair(t, org, []azdotest.Option{azdotest.WithFaults(
		azdotest.Fault{Endpoint: azdotest.EndpointProjects, Times: 1, Kind: azdotest.FaultDelay, RetryAfter: "1"},
	)}, azdo.WithProcessAPI(false))
	if _, err := c.Projects(t.Context()); err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	if _, err := c.Projects(t.Context()); err != nil {
		t.Fatal(err)
	}
	if elapsed := time.Since(start); elapsed < 900*time.Millisecond {
		t.Errorf("second Projects started after %v; want it to wait out the Retry-After of 1s", elapsed)
	}
	if got := srv.Count(azdotest.EndpointProjects); got != 2 {
		t.Errorf("project requests = %d, want 2", got)
	}
}

func TestConcurrentBuildsWithSessionHeader(t *testing.T) {
	org := azdotest.ScaledOrg(60)
	srv, c := newPair(t, org, []azdotest.Option{azdotest.WithSessionHeader()})
	b, err := orgconfig.NewBuilder(c, features.Static(true))
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	errs := make(chan error, 64)
	for range 64 {
		wg.Go(func() {
			cfg, err := b.Build(t.Context(), "org-1")
			switch {
			case err != nil:
				errs <- err
			case len(cfg.Problems) > 0:
				errs <- fmt.Errorf("problems: %v", cfg.Problems)
			case len(cfg.States) != 60:
				errs <- fmt.Errorf("%d projects with states, want 60", len(cfg.States))
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	if n := srv.Count(azdotest.EndpointWorkItemTypeStates); n != 0 {
		t.Errorf("%d per-project state requests, want 0", n)
	}
}

// TestLongRetryAfterOn200 checks that a long Retry-After on a success (the
// service's "slow down", at least 60s in practice) slows later requests by
// at most the retry policy's longest wait instead of failing them.
func TestLongRetryAfterOn200(t *testing.T) {
	org := azdotest.SampleOrg()
	_, c := newPair(t, org, []azdotest.Option{azdotest.WithFaults(
		azdotest.Fault{Endpoint: azdotest.EndpointProjects, Times: 1, Kind: azdotest.FaultDelay, RetryAfter: "60"},
	)}, azdo.WithProcessAPI(false), azdo.WithRetry(4, 300*time.Millisecond))
	if _, err := c.Projects(t.Context()); err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	if _, err := c.Projects(t.Context()); err != nil {
		t.Fatalf("second Projects: %v", err)
	}
	if elapsed := time.Since(start); elapsed < 250*time.Millisecond || elapsed > 5*time.Second {
		t.Errorf("second Projects took %v; want it slowed by about the 300ms max wait", elapsed)
	}
}

// TestSessionHeaderNeverReachesTheSDK checks that the SDK's package-level
// SessionId stays untouched. The SDK overwrites it, without a lock, from
// the X-TFS-Session header of every answer, looked up by that raw key:
// net/http canonicalizes keys (X-Tfs-Session) so only a base RoundTripper
// handing back raw keys triggers it, as this test's does.
func TestSessionHeaderNeverReachesTheSDK(t *testing.T) {
	before := azuredevops.SessionId
	srv := azdotest.NewServer(t, azdotest.SampleOrg(), azdotest.WithSessionHeader())
	raw := roundTripFunc(func(r *http.Request) (*http.Response, error) {
		resp, err := http.DefaultTransport.RoundTrip(r)
		if err == nil {
			resp.Header["X-TFS-Session"] = []string{"00000000-0000-0000-0000-00000000beef"}
		}
		return resp, err
	})
	c, err := azdo.New(srv.URL(), azdo.PAT(testToken), azdo.WithHTTPClient(&http.Client{Transport: raw}))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.Projects(t.Context()); err != nil {
		t.Fatal(err)
	}
	if _, err := c.WorkItemStates(t.Context(), azdotest.SampleOrg().Projects[0].ID); err != nil {
		t.Fatal(err)
	}
	if azuredevops.SessionId != before {
		t.Errorf("SDK SessionId changed from %q to %q", before, azuredevops.SessionId)
	}
}

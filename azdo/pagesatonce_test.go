package azdo_test

import (
	"errors"
	"fmt"
	"math"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/azdosync/azdosync/azdo"
	"github.com/azdosync/azdosync/azdo/azdotest"
	"github.com/azdosync/azdosync/orgconfig"
)

// pageOverlap is a base transport that records how many project pages
// after the first were in flight at once.
type pageOverlap struct {
	base         http.RoundTripper
	mu           sync.Mutex
	now, maxSeen int
}

func (p *pageOverlap) RoundTrip(r *http.Request) (*http.Response, error) {
	later := r.URL.Query().Get("continuationToken") != ""
	if later {
		p.mu.Lock()
		p.now++
		p.maxSeen = max(p.maxSeen, p.now)
		p.mu.Unlock()
		defer func() { p.mu.Lock(); p.now--; p.mu.Unlock() }()
	}
	return p.base.RoundTrip(r)
}

// TestProjectPagesAskedAtOnce checks that, with the process list naming
// how many projects there are, the pages after a full first page are
// asked at once, none past the end; that a short page is followed from
// its own token (the pages asked after it go unused); and that a list
// naming fewer projects than there are leaves the rest to one page at a
// time.
func TestProjectPagesAskedAtOnce(t *testing.T) {
	const ok = "OK "
	for _, tt := range []struct {
		name    string
		org     azdotest.Org
		short   shortPages
		want    []string
		overlap int // later pages in flight at once, at least
	}{
		{
			name:    "400 projects in pages of 100",
			org:     azdotest.ScaledOrg(400),
			want:    pages(ok, "%24top=1000&", 0, 100, 300),
			overlap: 3,
		},
		{
			name:  "a short page",
			org:   azdotest.ScaledOrg(400),
			short: shortPages{"100": true},
			want: sorted([]string{ // 200 and 300 were asked with 100, and go unused
				ok + "%24top=1000&stateFilter=wellFormed", ok + "%24top=90&continuationToken=100&stateFilter=wellFormed",
				ok + "%24top=1000&continuationToken=190&stateFilter=wellFormed", ok + "%24top=1000&continuationToken=200&stateFilter=wellFormed",
				ok + "%24top=1000&continuationToken=290&stateFilter=wellFormed", ok + "%24top=1000&continuationToken=300&stateFilter=wellFormed",
				ok + "%24top=1000&continuationToken=390&stateFilter=wellFormed",
			}),
			overlap: 3,
		},
		{
			name: "the list names three quarters",
			org: func() azdotest.Org {
				o := azdotest.ScaledOrg(400)
				o.Processes[3].ListsNoProjects = true
				return o
			}(),
			want:    pages(ok, "%24top=1000&", 0, 100, 300),
			overlap: 2,
		},
	} {
		t.Run(tt.name, func(t *testing.T) {
			var base http.RoundTripper = http.DefaultTransport
			if tt.short != nil {
				base = tt.short
			}
			ov := &pageOverlap{base: base}
			srv, c := newPair(t, tt.org, []azdotest.Option{azdotest.WithMaxPageSize(100), azdotest.WithLatency(50 * time.Millisecond)},
				azdo.WithHTTPClient(&http.Client{Transport: ov}))
			got, err := c.Projects(t.Context())
			if err != nil {
				t.Fatal(err)
			}
			var want []orgconfig.Project
			for _, p := range tt.org.Projects {
				want = append(want, orgconfig.Project{ID: p.ID, Name: p.Name})
			}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("Projects mismatch (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tt.want, projectQueries(srv)); diff != "" {
				t.Errorf("project requests (-want +got):\n%s", diff)
			}
			if ov.maxSeen < tt.overlap {
				t.Errorf("at most %d later pages in flight at once, want at least %d", ov.maxSeen, tt.overlap)
			}
		})
	}
}

// TestPagesAtOnceStopAtMaxProjects checks that the pages asked at once
// stop at WithMaxProjects: with 5 000 projects in pages of 100 and at most
// 250 allowed, Projects fails with ErrTooManyProjects after the pages at
// 0, 100 and 200, not after asking the 49 pages the process list counts.
func TestPagesAtOnceStopAtMaxProjects(t *testing.T) {
	srv, c := newPair(t, azdotest.ScaledOrg(5000), []azdotest.Option{azdotest.WithMaxPageSize(100)}, azdo.WithMaxProjects(250))
	_, err := c.Projects(t.Context())
	if !errors.Is(err, azdo.ErrTooManyProjects) {
		t.Fatalf("Projects error = %v, want ErrTooManyProjects", err)
	}
	if diff := cmp.Diff(pages("OK ", "%24top=1000&", 0, 100, 200), projectQueries(srv)); diff != "" {
		t.Errorf("project requests (-want +got):\n%s", diff)
	}
}

// TestPagesAtOnceWithoutProjectLimit: WithMaxProjects(math.MaxInt), "no
// limit", still asks the pages at once.
func TestPagesAtOnceWithoutProjectLimit(t *testing.T) {
	ov := &pageOverlap{base: http.DefaultTransport}
	srv, c := newPair(t, azdotest.ScaledOrg(400), []azdotest.Option{azdotest.WithMaxPageSize(100), azdotest.WithLatency(50 * time.Millisecond)},
		azdo.WithMaxProjects(math.MaxInt), azdo.WithHTTPClient(&http.Client{Transport: ov}))
	got, err := c.Projects(t.Context())
	if err != nil || len(got) != 400 {
		t.Fatalf("Projects: %d projects, %v", len(got), err)
	}
	if diff := cmp.Diff(pages("OK ", "%24top=1000&", 0, 100, 300), projectQueries(srv)); diff != "" {
		t.Errorf("project requests (-want +got):\n%s", diff)
	}
	if ov.maxSeen < 3 {
		t.Errorf("at most %d later pages in flight at once, want 3", ov.maxSeen)
	}
}

// TestPagesAtOnceWithProjectsInOtherStates: the process list names
// projects in every state, the project list only the well-formed ones, so
// its count can be far too high. With 6 well-formed and 200 deleting
// projects in pages of 5, Projects asked the 41 pages the count needs at
// once, 40 of them past the end; now it asks at most
// WithMaxConcurrentRequests pages at once, so 3 of them with a bound of 4.
func TestPagesAtOnceWithProjectsInOtherStates(t *testing.T) {
	org := azdotest.ScaledOrg(6)
	var want []orgconfig.Project
	for _, p := range org.Projects {
		want = append(want, orgconfig.Project{ID: p.ID, Name: p.Name})
	}
	for i := range 200 {
		org.Projects = append(org.Projects, azdotest.Project{ID: azdotest.StableID(fmt.Sprint("deleting", i)),
			Name: fmt.Sprint("Deleting ", i), ProcessID: azdotest.AgileProcessID, State: "deleting"})
	}
	srv, c := newPair(t, org, []azdotest.Option{azdotest.WithMaxPageSize(5)}, azdo.WithMaxConcurrentRequests(4))
	got, err := c.Projects(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Projects mismatch (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(pages("OK ", "%24top=1000&", 0, 5, 20), projectQueries(srv)); diff != "" {
		t.Errorf("project requests (-want +got):\n%s", diff)
	}
}

// TestPagesAtOnceInRounds: with more pages than WithMaxConcurrentRequests,
// the pages after the first are asked that many at a time, each round when
// the one before it is used up, none past the end.
func TestPagesAtOnceInRounds(t *testing.T) {
	ov := &pageOverlap{base: http.DefaultTransport}
	srv, c := newPair(t, azdotest.ScaledOrg(1000), []azdotest.Option{azdotest.WithMaxPageSize(100), azdotest.WithLatency(20 * time.Millisecond)},
		azdo.WithMaxConcurrentRequests(4), azdo.WithHTTPClient(&http.Client{Transport: ov}))
	got, err := c.Projects(t.Context())
	if err != nil || len(got) != 1000 {
		t.Fatalf("Projects: %d projects, %v", len(got), err)
	}
	if diff := cmp.Diff(pages("OK ", "%24top=1000&", 0, 100, 900), projectQueries(srv)); diff != "" {
		t.Errorf("project requests (-want +got):\n%s", diff)
	}
	if ov.maxSeen < 3 {
		t.Errorf("at most %d later pages in flight at once, want at least 3", ov.maxSeen)
	}
}

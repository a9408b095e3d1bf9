package azdo_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/azdosync/azdosync/azdo"
	"github.com/azdosync/azdosync/azdo/azdotest"
	"github.com/azdosync/azdosync/features"
	"github.com/azdosync/azdosync/orgconfig"
)

// TestNonFollowableRedirectsReleaseTheirSlot answers the project list 20
// times with a 300, 304 or 305 carrying a Location and an empty body,
// which http.Client does not follow. Each Build must fail into a degraded
// form naming a bad response, and the Client must not be stuck afterwards:
// once the server is healthy, the next Build is complete at once.
func TestNonFollowableRedirectsReleaseTheirSlot(t *testing.T) {
	const answers, slots = 20, 4
	org := azdotest.SampleOrg()
	srv := azdotest.NewServer(t, org, azdotest.WithPAT(testToken))
	var faults []azdotest.Fault
	for i := range answers {
		status := []int{300, 304, 305}[i%3]
		faults = append(faults, azdotest.Fault{Endpoint: azdotest.EndpointProjects, Times: 1, Status: status, EmptyBody: true,
			Header: http.Header{"Location": {srv.URL() + "/_apis/projects"}}})
	}
	srv.Inject(faults...)
	c, err := azdo.New(srv.URL(), azdo.PAT(testToken), azdo.WithMaxConcurrentRequests(slots))
	if err != nil {
		t.Fatal(err)
	}
	b, err := orgconfig.NewBuilder(c, features.Static(true))
	if err != nil {
		t.Fatal(err)
	}
	build := func() (*orgconfig.Config, error) {
		ctx, cancel := context.WithTimeout(t.Context(), 2*time.Second)
		defer cancel()
		return b.Build(ctx, "org-1")
	}
	for i := range answers {
		cfg, err := build()
		if err != nil {
			t.Fatalf("Build %d after %d redirects: %v (the client is stuck)", i+1, i, err)
		}
		if len(cfg.Problems) != 1 || !errors.Is(cfg.Problems[0], azdo.ErrBadResponse) {
			t.Fatalf("Build %d: problems %v, want one bad response", i+1, cfg.Problems)
		}
	}
	start := time.Now()
	cfg, err := build()
	if err != nil {
		t.Fatalf("Build after the redirects: %v (the client is stuck)", err)
	}
	if len(cfg.Problems) != 0 || len(cfg.States) != len(org.Projects) || time.Since(start) > time.Second {
		t.Errorf("Build after the redirects: %d of %d projects with states, problems %v, after %v; want a complete form at once",
			len(cfg.States), len(org.Projects), cfg.Problems, time.Since(start))
	}
	if n := srv.Count(azdotest.EndpointProjects); n < answers+1 {
		t.Errorf("%d project list requests, want at least %d", n, answers+1)
	}
}

// TestOversizedRedirectBody answers the location discovery (OPTIONS
// _apis) with a 307 to a healthy organization and a 64 MiB body, streamed.
// With a 1 MiB limit the Client reads about that much, then gives up with
// ErrBadResponse; it never follows the redirect with the body read whole.
func TestOversizedRedirectBody(t *testing.T) {
	const limit, size, chunk = 1 << 20, 64 << 20, 64 << 10
	healthy := azdotest.NewServer(t, azdotest.SampleOrg(), azdotest.WithPAT(testToken))
	target, err := url.Parse(healthy.URL())
	if err != nil {
		t.Fatal(err)
	}
	proxy := httputil.NewSingleHostReverseProxy(&url.URL{Scheme: target.Scheme, Host: target.Host})
	var written atomic.Int64
	done := make(chan struct{}, 1)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodOptions {
			proxy.ServeHTTP(w, r)
			return
		}
		defer func() { done <- struct{}{} }()
		w.Header().Set("Location", healthy.URL()+"/_apis")
		w.Header().Set("Content-Type", "text/plain")
		w.WriteHeader(http.StatusTemporaryRedirect)
		buf := []byte(strings.Repeat("x", chunk))
		for written.Load() < size {
			n, err := w.Write(buf)
			written.Add(int64(n))
			if err != nil {
				return // the client stopped reading
			}
		}
	}))
	t.Cleanup(srv.Close)
	c, err := azdo.New(srv.URL+"/fabrikam", azdo.PAT(testToken), azdo.WithMaxResponseBytes(limit))
	if err != nil {
		t.Fatal(err)
	}
	b, err := orgconfig.NewBuilder(c, features.Static(true))
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(t.Context(), 5*time.Second)
	defer cancel()
	cfg, err := b.Build(ctx, "org-1")
	if err != nil {
		t.Fatal(err)
	}
	if len(cfg.Problems) != 1 || !errors.Is(cfg.Problems[0], azdo.ErrBadResponse) ||
		!strings.Contains(cfg.Problems[0].Error(), "307 Temporary Redirect: response body larger than 1048576 bytes") {
		t.Errorf("problems %v, want one ErrBadResponse naming the 307 and the limit", cfg.Problems)
	}
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("the redirect body was still being sent 5s after the Build")
	}
	// The limit, plus what the sockets' buffers hold.
	if n := written.Load(); n > 16<<20 {
		t.Errorf("the server sent %d MiB of the redirect body before the client stopped reading, limit 1 MiB", n>>20)
	}
}

// TestRetryAfterOnlyOnRefusals answers one project list with a status and
// Retry-After: 3600. Only 429 and 503 are refusals that hold back later
// requests; a 200 asks to slow down (within the caller's deadline); every
// other status ignores the header.
func TestRetryAfterOnlyOnRefusals(t *testing.T) {
	for _, tt := range []struct {
		status               int
		wantFirst, wantLater error // nil: success
		wantRetryAfter       time.Duration
	}{
		{status: 429, wantFirst: azdo.ErrRateLimited, wantLater: azdo.ErrRateLimited, wantRetryAfter: time.Hour},
		{status: 503, wantFirst: azdo.ErrUnavailable, wantLater: azdo.ErrRateLimited, wantRetryAfter: time.Hour},
		{status: 200},
		{status: 302},
		{status: 404, wantFirst: azdo.ErrNotFound},
		{status: 403, wantFirst: azdo.ErrForbidden},
		{status: 500, wantFirst: azdo.ErrUnavailable},
		{status: 502},
		{status: 304, wantFirst: azdo.ErrBadResponse},
	} {
		t.Run(http.StatusText(tt.status), func(t *testing.T) {
			srv := azdotest.NewServer(t, azdotest.SampleOrg(), azdotest.WithPAT(testToken))
			f := azdotest.Fault{Endpoint: azdotest.EndpointProjects, Times: 1, Status: tt.status, RetryAfter: "3600"}
			switch {
			case tt.status == 200:
				f.Kind = azdotest.FaultDelay
			case tt.status >= 300 && tt.status < 400:
				f.EmptyBody = true
				f.Header = http.Header{"Location": {srv.URL() + "/_apis/projects"}}
			}
			srv.Inject(f)
			c, err := azdo.New(srv.URL(), azdo.PAT(testToken), azdo.WithRetry(3, 10*time.Millisecond))
			if err != nil {
				t.Fatal(err)
			}
			call := func() error {
				ctx, cancel := context.WithTimeout(t.Context(), time.Second)
				defer cancel()
				_, err := c.Projects(ctx)
				return err
			}
			err = call()
			if !errors.Is(err, tt.wantFirst) || (err == nil) != (tt.wantFirst == nil) {
				t.Fatalf("first call: %v, want %v", err, tt.wantFirst)
			}
			var apiErr *azdo.APIError
			if errors.As(err, &apiErr) && apiErr.RetryAfter != tt.wantRetryAfter {
				t.Errorf("first call: RetryAfter %v, want %v", apiErr.RetryAfter, tt.wantRetryAfter)
			}
			start := time.Now()
			err = call()
			if !errors.Is(err, tt.wantLater) || (err == nil) != (tt.wantLater == nil) || time.Since(start) > 500*time.Millisecond {
				t.Errorf("later call: %v after %v, want %v at once", err, time.Since(start), tt.wantLater)
			}
		})
	}
}

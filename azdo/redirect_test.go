package azdo_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"strings"
	"sync"
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
	if err := srv.Inject(faults...); err != nil {
		t.Fatal(err)
	}
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
	// An organization name no other test uses: the SDK caches discovery per
	// URL for the life of the process, and srv, a plain httptest server, may
	// get the port of a closed azdotest server of the sample organization.
	org := azdotest.SampleOrg()
	org.Name = "oversized-redirect"
	healthy := azdotest.NewServer(t, org, azdotest.WithPAT(testToken))
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
		defer func() {
			select { // never blocks: a second OPTIONS must not hang srv.Close
			case done <- struct{}{}:
			default:
			}
		}()
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
	t.Cleanup(srv.CloseClientConnections) // first: ends a handler still writing
	c, err := azdo.New(srv.URL+"/"+org.Name, azdo.PAT(testToken), azdo.WithMaxResponseBytes(limit))
	if err != nil {
		t.Fatal(err)
	}
	azdo.UseSDKPath(c) // the redirect is on discovery, which runs on the SDK path
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
	// Give the handler time to see the closed connection (a busy machine
	// may be slow to), then check how much it could send: the limit, plus
	// what the sockets' buffers hold.
	select {
	case <-done:
	case <-time.After(5 * time.Second):
	}
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
			if err := srv.Inject(f); err != nil {
				t.Fatal(err)
			}
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

// TestRedirectTargetHostRules redirects every request of an organization
// to hosts its URL could not name: link-local, unspecified and numeric
// IPv4 spellings. Each redirect is refused with an error naming the host
// problem, and no request leaves for the target.
func TestRedirectTargetHostRules(t *testing.T) {
	for _, tt := range []struct{ target, want string }{
		{"https://169.254.169.254/latest/meta-data", `refused a redirect: host 169.254.169.254 is not a unicast server address`},
		{"https://[fe80::1]/x", `refused a redirect: host fe80::1 is not a unicast server address`},
		{"https://0.0.0.0:8443/x", `refused a redirect: host 0.0.0.0 is not a unicast server address`},
		{"https://[::ffff:169.254.169.254]/x", `refused a redirect: host ::ffff:169.254.169.254 is not a unicast server address`},
		{"https://0/x", `refused a redirect: host "0" reads as a numeric ipv4 address`},
		{"https://2852039166/x", `refused a redirect: host "2852039166" reads as a numeric ipv4 address`},
		{"https://0xA9FEA9FE/x", `refused a redirect: host "0xa9fea9fe" reads as a numeric ipv4 address`},
		{"https://0251.0376.0251.0376/x", `refused a redirect: host "0251.0376.0251.0376" reads as a numeric ipv4 address`},
		{"https://[fd00:ec2::254]/latest/meta-data", `refused a redirect: host fd00:ec2::254 is a cloud metadata service address`},
		{"https://[fd20:ce::254]/computeMetadata/v1", `refused a redirect: host fd20:ce::254 is a cloud metadata service address`},
		{"https://[64:ff9b::a9fe:a9fe]/x", `refused a redirect: host 64:ff9b::a9fe:a9fe is the nat64 form of 169.254.169.254, which is not a server address`},
		{"https://[64:ff9b::7f00:1]/x", `refused a redirect: host 64:ff9b::7f00:1 is the nat64 form of 127.0.0.1, which is not a server address`},
		{"https://[::a9fe:a9fe]/x", `refused a redirect: host ::a9fe:a9fe is an ipv4-compatible ipv6 address`},
		{"https://[::ffff:a9fe:a9fe]/x", `refused a redirect: host ::ffff:a9fe:a9fe is not a unicast server address`},
		{"https://me:hunter2@dev.azure.com/x", `refused a redirect to a location with credentials in it`},
		{"https://me@dev.azure.com/x", `refused a redirect to a location with credentials in it`},
	} {
		t.Run(tt.target, func(t *testing.T) {
			org := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				http.Redirect(w, r, tt.target, http.StatusFound)
			}))
			t.Cleanup(org.Close)
			orgHost := strings.TrimPrefix(org.URL, "http://")
			var mu sync.Mutex
			var elsewhere []string
			base := roundTripFunc(func(r *http.Request) (*http.Response, error) {
				if r.URL.Host != orgHost {
					mu.Lock()
					elsewhere = append(elsewhere, r.URL.Host)
					mu.Unlock()
					return nil, errors.New("test: dialled " + r.URL.Host)
				}
				return http.DefaultTransport.RoundTrip(r)
			})
			c, err := azdo.New(org.URL+"/org", azdo.PAT(testToken), azdo.WithHTTPClient(&http.Client{Transport: base}))
			if err != nil {
				t.Fatal(err)
			}
			_, err = c.Projects(t.Context())
			if !errors.Is(err, azdo.ErrBadResponse) || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("Projects error = %v, want ErrBadResponse containing %q", err, tt.want)
			}
			if err != nil && strings.Contains(err.Error(), "hunter2") {
				t.Errorf("Projects error %q shows the redirect's password", err)
			}
			mu.Lock()
			defer mu.Unlock()
			if len(elsewhere) != 0 {
				t.Errorf("requests left for %v", elsewhere)
			}
		})
	}
}

// TestRedirectNeverDowngradesHTTPS redirects an https organization to a
// plain-http server on the same loopback host: refused, and the plain
// server is never asked.
func TestRedirectNeverDowngradesHTTPS(t *testing.T) {
	var plainHits atomic.Int64
	plain := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		plainHits.Add(1)
		http.Error(w, "plain", http.StatusNotFound)
	}))
	t.Cleanup(plain.Close)
	org := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, plain.URL+r.URL.Path, http.StatusTemporaryRedirect)
	}))
	t.Cleanup(org.Close)
	c, err := azdo.New(org.URL+"/org", azdo.PAT(testToken), azdo.WithHTTPClient(org.Client()))
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.Projects(t.Context())
	if !errors.Is(err, azdo.ErrBadResponse) || !strings.Contains(err.Error(), "refused a redirect from https to plain http") {
		t.Errorf("Projects error = %v, want a refused downgrade", err)
	}
	if n := plainHits.Load(); n != 0 {
		t.Errorf("the plain-http server was asked %d times", n)
	}
}

// TestForeignBodyNeverInProblems redirects the organization to another
// host whose error answers carry text: none of it reaches an error or the
// form's problems, which name the host and the status instead.
func TestForeignBodyNeverInProblems(t *testing.T) {
	const secret = "INTERNAL-ONLY db=10.9.8.7 user=svc"
	for _, tt := range []struct{ name, contentType, body string }{
		{"text", "text/plain; charset=utf-8", secret},
		{"json envelope", "application/json; charset=utf-8", `{"message":"` + secret + `","typeKey":"InternalThing"}`},
	} {
		t.Run(tt.name, func(t *testing.T) {
			other := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Type", tt.contentType)
				w.WriteHeader(http.StatusGone)
				_, _ = w.Write([]byte(tt.body))
			}))
			t.Cleanup(other.Close)
			org := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				http.Redirect(w, r, other.URL+r.URL.Path, http.StatusTemporaryRedirect)
			}))
			t.Cleanup(org.Close)
			orgURL := strings.Replace(org.URL, "127.0.0.1", "localhost", 1) + "/org"
			c, err := azdo.New(orgURL, azdo.PAT(testToken))
			if err != nil {
				t.Fatal(err)
			}
			b, err := orgconfig.NewBuilder(c, features.Static(true))
			if err != nil {
				t.Fatal(err)
			}
			cfg, err := b.Build(t.Context(), "org-1")
			if err != nil {
				t.Fatal(err)
			}
			if len(cfg.Problems) == 0 {
				t.Fatal("no problems; want the failed redirect")
			}
			otherHost := strings.TrimPrefix(other.URL, "http://")
			for _, p := range cfg.Problems {
				var apiErr *azdo.APIError
				if !errors.As(p, &apiErr) || apiErr.StatusCode != http.StatusGone || apiErr.TypeKey != "" {
					t.Errorf("problem %#v: want a 410 APIError without a typeKey", p)
				}
				if strings.Contains(p.Error(), "INTERNAL") || !strings.Contains(p.Error(), otherHost) {
					t.Errorf("problem %q: want the host %s named and nothing of its body", p, otherHost)
				}
			}
		})
	}
}

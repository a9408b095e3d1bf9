package azdo_test

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/azdosync/azdosync/azdo"
	"github.com/azdosync/azdosync/azdo/azdotest"
)

// TestHostileDiscoveryAnswers answers the location discovery (OPTIONS
// _apis) with a 200 whose locations lack fields the SDK dereferences
// without checking (it panics on a nil minVersion, routeTemplate, id...),
// or lack the project list's location (the SDK would cache that answer,
// for every Client of the organization, for the life of the process). Each
// must fail the call with ErrBadResponse, without a panic, and leave
// nothing behind: once the server answers well, Projects lists the
// organization. Entries the Client does not use may be incomplete.
func TestHostileDiscoveryAnswers(t *testing.T) {
	const projects = `{"id":"603fe2ac-9723-48b9-88ad-09305aa6c6e1","area":"core","resourceName":"projects","routeTemplate":"_apis/{resource}/{*projectId}","resourceVersion":4,"minVersion":"1.0","maxVersion":"7.2","releasedVersion":"7.1"}`
	for _, tc := range []struct {
		name, body string
		ok         bool
	}{
		{"no minVersion", `{"count":1,"value":[{"id":"603fe2ac-9723-48b9-88ad-09305aa6c6e1","area":"core","resourceName":"projects","routeTemplate":"_apis/{resource}/{*projectId}","resourceVersion":4,"maxVersion":"7.2","releasedVersion":"7.1"}]}`, false},
		{"no routeTemplate", `{"count":1,"value":[{"id":"603fe2ac-9723-48b9-88ad-09305aa6c6e1","area":"core","resourceName":"projects","resourceVersion":4,"minVersion":"1.0","maxVersion":"7.2","releasedVersion":"7.1"}]}`, false},
		{"no releasedVersion", `{"count":1,"value":[{"id":"603fe2ac-9723-48b9-88ad-09305aa6c6e1","area":"core","resourceName":"projects","routeTemplate":"_apis/{resource}/{*projectId}","resourceVersion":4,"minVersion":"1.0","maxVersion":"5.0"}]}`, false},
		{"null entry", `{"count":2,"value":[null,` + projects + `]}`, true},
		{"entry without id", `{"count":2,"value":[{"area":"x"},` + projects + `]}`, true},
		{"empty list", `{"count":0,"value":[]}`, false},
		{"null list", `{"count":0,"value":null}`, false},
		{"byte order mark", "\xef\xbb\xbf" + `{"count":1,"value":[` + projects + `]}`, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			org := azdotest.SampleOrg()
			srv, c := newPair(t, org, nil, azdo.WithProcessAPI(false), azdo.WithRetry(1, 0))
			azdo.UseSDKPath(c) // as after an older server refused a pinned route: discovery
			if err := srv.Inject(azdotest.Fault{Endpoint: azdotest.EndpointLocations, Times: 1, Status: http.StatusOK, Body: tc.body}); err != nil {
				t.Fatal(err)
			}
			got, err := c.Projects(t.Context())
			if tc.ok {
				if err != nil || len(got) != len(org.Projects) {
					t.Fatalf("Projects: %d projects, %v; want %d", len(got), err, len(org.Projects))
				}
				return
			}
			if !errors.Is(err, azdo.ErrBadResponse) {
				t.Fatalf("Projects: %v, want ErrBadResponse", err)
			}
			got, err = c.Projects(t.Context())
			if err != nil {
				t.Fatalf("Projects after a good discovery: %v", err)
			}
			if diff := cmp.Diff(len(org.Projects), len(got)); diff != "" {
				t.Errorf("projects after a good discovery (-want +got):\n%s", diff)
			}
		})
	}
}

// TestSwitchingProtocolsAnswer answers the project list with 101 Switching
// Protocols and then neither sends nor closes anything. net/http hands such
// an answer back with the raw connection as its body, which neither the
// request's context nor its timeout ends: reading it hung the call, past
// every deadline, with its request slot taken. It must fail at once with
// ErrBadResponse, and the Client stay usable.
func TestSwitchingProtocolsAnswer(t *testing.T) {
	healthy := azdotest.NewServer(t, azdotest.SampleOrg(), azdotest.WithPAT(testToken))
	target, err := url.Parse(healthy.URL())
	if err != nil {
		t.Fatal(err)
	}
	proxy := httputil.NewSingleHostReverseProxy(&url.URL{Scheme: target.Scheme, Host: target.Host})
	var upgraded atomic.Int32
	stop := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodOptions || upgraded.Add(1) > 2 {
			proxy.ServeHTTP(w, r)
			return
		}
		conn, bw, err := w.(http.Hijacker).Hijack()
		if err != nil {
			return
		}
		defer conn.Close()
		_, _ = bw.WriteString("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n")
		_ = bw.Flush()
		<-stop
	}))
	t.Cleanup(srv.Close)
	t.Cleanup(func() { close(stop) }) // first: ends the stalled handlers
	c, err := azdo.New(srv.URL+"/fabrikam", azdo.PAT(testToken), azdo.WithProcessAPI(false), azdo.WithMaxConcurrentRequests(1))
	if err != nil {
		t.Fatal(err)
	}
	for i := range 2 {
		done := make(chan error, 1)
		go func() {
			_, err := c.Projects(t.Context())
			done <- err
		}()
		select {
		case err := <-done:
			if !errors.Is(err, azdo.ErrBadResponse) {
				t.Fatalf("Projects %d: %v, want ErrBadResponse", i+1, err)
			}
		case <-time.After(2 * time.Second):
			t.Fatalf("Projects %d still waiting after 2s on a 101 answer", i+1)
		}
	}
	got, err := c.Projects(t.Context())
	if err != nil || len(got) != len(azdotest.SampleOrg().Projects) {
		t.Fatalf("Projects after the 101 answers: %d projects, %v", len(got), err)
	}
}

// TestServiceMessagesAreBounded answers errors whose message is huge: the
// JSON envelope's (60 KB, under the 64 KiB an error body is read to) was
// kept whole, so a server failing every project's states this way put
// 12 MB into the Config.Problems of 200 projects, into every cached
// snapshot and every form served. The message is cut (at 1000 bytes for
// the envelope's, 200 for plain text) on a rune boundary, marked "…".
func TestServiceMessagesAreBounded(t *testing.T) {
	for _, tc := range []struct {
		name, contentType, body, want string
	}{
		{"json envelope", "", `{"message":"TF1: ` + strings.Repeat("é", 30000) + `","typeKey":"X"}`,
			"azdo: list projects: 403 Forbidden: TF1: " + strings.Repeat("é", 497) + "…"},
		{"plain text", "text/plain; charset=utf-8", "a" + strings.Repeat("é", 300),
			"azdo: list projects: 403 Forbidden: a" + strings.Repeat("é", 99) + "…"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, c := newPair(t, azdotest.SampleOrg(), []azdotest.Option{azdotest.WithFaults(azdotest.Fault{
				Endpoint: azdotest.EndpointProjects, Status: http.StatusForbidden, ContentType: tc.contentType, Body: tc.body})},
				azdo.WithProcessAPI(false))
			_, err := c.Projects(t.Context())
			if diff := cmp.Diff(tc.want, fmt.Sprint(err)); diff != "" {
				t.Errorf("error (-want +got):\n%s", diff)
			}
		})
	}
}

// TestHostileDiscoveryAfterRedirect redirects the location discovery to
// another path of the organization's host, which answers locations the SDK
// would panic on: the answer is vetted wherever the discovery was led.
func TestHostileDiscoveryAfterRedirect(t *testing.T) {
	const incomplete = `{"count":1,"value":[{"id":"603fe2ac-9723-48b9-88ad-09305aa6c6e1","area":"core","resourceName":"projects","resourceVersion":4,"minVersion":"1.0","maxVersion":"7.2","releasedVersion":"7.1"}]}`
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/hostile-redirect/_apis":
			w.Header().Set("Location", "/moved/_apis")
			w.WriteHeader(http.StatusTemporaryRedirect)
		case "/moved/_apis":
			w.Header().Set("Content-Type", "application/json; charset=utf-8")
			_, _ = w.Write([]byte(incomplete))
		default:
			http.NotFound(w, r)
		}
	}))
	t.Cleanup(srv.Close)
	// An organization name no azdotest server has: the SDK caches discovery
	// per URL for the life of the process, and this server's port may be
	// one a closed azdotest "fabrikam" had.
	c, err := azdo.New(srv.URL+"/hostile-redirect", azdo.PAT(testToken), azdo.WithProcessAPI(false), azdo.WithRetry(1, 0))
	if err != nil {
		t.Fatal(err)
	}
	azdo.UseSDKPath(c)
	if _, err := c.Projects(t.Context()); !errors.Is(err, azdo.ErrBadResponse) {
		t.Fatalf("Projects: %v, want ErrBadResponse", err)
	}
}

// FuzzDiscovery feeds arbitrary location discovery answers (OPTIONS _apis)
// to the SDK through the Client: no panic, and either projects or an
// *APIError. Each input gets an organization URL of its own, as the SDK
// caches locations by URL for the life of the process.
func FuzzDiscovery(f *testing.F) {
	const projects = `{"id":"603fe2ac-9723-48b9-88ad-09305aa6c6e1","area":"core","resourceName":"projects","routeTemplate":"_apis/{resource}/{*projectId}","resourceVersion":4,"minVersion":"1.0","maxVersion":"7.2","releasedVersion":"7.1"}`
	f.Add([]byte(`{"count":1,"value":[` + projects + `]}`))
	f.Add([]byte(`{"count":1,"value":[{"id":"603fe2ac-9723-48b9-88ad-09305aa6c6e1","area":"core","resourceName":"projects","routeTemplate":"_apis/{resource}","resourceVersion":4,"minVersion":"x","maxVersion":"1","releasedVersion":"7.1"}]}`))
	f.Add([]byte(`{"count":1,"value":[{"id":"603fe2ac-9723-48b9-88ad-09305aa6c6e1","area":"core","resourceName":"projects","routeTemplate":"{","resourceVersion":-1,"minVersion":"1.0","maxVersion":"1.0","releasedVersion":""}]}`))
	f.Add([]byte(`{"value":[null]}`))
	f.Add([]byte("\xef\xbb\xbf{\"value\":{}}"))
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
		_, _ = w.Write([]byte(`{"count":1,"value":[{"id":"00000000-0000-0000-0000-000000000001","name":"A","state":"wellFormed"}]}`))
	}))
	f.Cleanup(srv.Close)
	var n atomic.Int64
	f.Fuzz(func(t *testing.T, body []byte) {
		hc := &http.Client{Transport: roundTripFunc(func(r *http.Request) (*http.Response, error) {
			if r.Method != http.MethodOptions {
				return http.DefaultTransport.RoundTrip(r)
			}
			return &http.Response{StatusCode: http.StatusOK, Header: http.Header{"Content-Type": {"application/json"}},
				Body: io.NopCloser(bytes.NewReader(body)), ContentLength: int64(len(body)), Request: r}, nil
		})}
		c, err := azdo.New(fmt.Sprintf("%s/o%d", srv.URL, n.Add(1)), azdo.PAT(testToken), azdo.WithHTTPClient(hc), azdo.WithProcessAPI(false), azdo.WithRetry(1, 0))
		if err != nil {
			t.Fatal(err)
		}
		azdo.UseSDKPath(c)
		if _, err := c.Projects(t.Context()); err != nil {
			var apiErr *azdo.APIError
			if !errors.As(err, &apiErr) {
				t.Fatalf("error %T %v is not an *APIError", err, err)
			}
		}
	})
}

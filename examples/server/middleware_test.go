package main

import (
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/azdosync/azdosync/azdo"
	"github.com/azdosync/azdosync/azdo/azdotest"
)

// routePattern finds the patterns registered on the mux in the server's
// source, so that a route added later is walked too.
var routePattern = regexp.MustCompile(`mux\.HandleFunc\("([A-Z]+) ([^"]+)"`)

// TestEveryResponseIsSecured walks every route of the server (read from
// its source), with every method, and the answers no handler of ours
// writes (the mux's 404 and 405, its path-cleaning redirects, the redirect
// to the page): each carries a Content-Security-Policy and
// X-Content-Type-Options: nosniff, where net/http's text/html redirects
// carried neither.
func TestEveryResponseIsSecured(t *testing.T) {
	srv, _ := newTestApp(t)
	project := azdotest.SampleOrg().Projects[0].ID
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	var paths []string
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		src, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range routePattern.FindAllStringSubmatch(string(src), -1) {
			p := strings.NewReplacer("{org}", "fabrikam", "{id}", project, "{slug}", probUnknownOrganization,
				"{file}", "app.js", "{$}", "").Replace(m[2])
			if strings.Contains(p, "{") {
				t.Fatalf("route %q: the test does not know what to put for its wildcard", m[0])
			}
			paths = append(paths, p)
		}
	}
	if len(paths) < 10 {
		t.Fatalf("found only %d routes in the source: %v", len(paths), paths)
	}
	paths = append(paths,
		"/", "/nowhere", "/organizations/unknown/config", "/assets/missing.js",
		"/organizations//fabrikam/", "/organizations/fabrikam/../fabrikam/config", "/organizations/./fabrikam/", // path cleaning
	)
	slices.Sort(paths)
	paths = slices.Compact(paths)

	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	statuses := map[int]bool{}
	for _, path := range paths {
		for _, method := range []string{"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"} {
			req, err := http.NewRequestWithContext(t.Context(), method, srv.URL+path, strings.NewReader("{}"))
			if err != nil {
				t.Fatal(err)
			}
			resp, err := client.Do(req)
			if err != nil {
				t.Fatalf("%s %s: %v", method, path, err)
			}
			_, _ = io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			statuses[resp.StatusCode] = true
			if resp.Header.Get("Content-Security-Policy") == "" || resp.Header.Get("X-Content-Type-Options") != "nosniff" {
				t.Errorf("%s %s: %d %s without CSP or nosniff: %v", method, path, resp.StatusCode, resp.Header.Get("Content-Type"), resp.Header)
			}
		}
	}
	for _, want := range []int{200, 204, 301, 404, 405} {
		if !statuses[want] {
			t.Errorf("no answer with status %d among %v: the walk missed a kind of answer", want, statuses)
		}
	}
}

// TestHandlerPanic: a handler that panics (here an organization whose
// Connect panics) answers 500 with a problem, its stack is logged once
// (not again by net/http), and the server, even the same connection, goes
// on serving.
func TestHandlerPanic(t *testing.T) {
	logs := &syncBuffer{}
	logger := newLogger(logs)
	d, err := startDemo(logger, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(d.Close)
	boom := organization{Name: "boom", Connect: func(...azdo.Option) (*azdo.Client, error) { panic("boom: a bug") }}
	a, err := newApp(appConfig{Orgs: append(d.orgs, boom), Gate: d.gate, Store: newMemStore(), Timeout: 5 * time.Second, CacheTTL: time.Minute, Logger: logger})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewUnstartedServer(a.routes())
	netLogs := &syncBuffer{}
	srv.Config.ErrorLog = log.New(netLogs, "", 0)
	srv.Start()
	t.Cleanup(srv.Close)

	client := &http.Client{Transport: &http.Transport{MaxConnsPerHost: 1}} // one connection for all
	t.Cleanup(client.CloseIdleConnections)
	get := func(path string) (*http.Response, []byte) {
		t.Helper()
		req, err := http.NewRequestWithContext(t.Context(), http.MethodGet, srv.URL+path, nil)
		if err != nil {
			t.Fatal(err)
		}
		resp, err := client.Do(req)
		if err != nil {
			t.Fatalf("GET %s: %v", path, err)
		}
		defer resp.Body.Close()
		body, err := io.ReadAll(resp.Body)
		if err != nil {
			t.Fatalf("GET %s: %v", path, err)
		}
		return resp, body
	}
	for range 2 {
		resp, body := get("/organizations/boom/config")
		if resp.StatusCode != http.StatusInternalServerError {
			t.Fatalf("status %d, want 500: %s", resp.StatusCode, body)
		}
		p := decodeProblem(t, resp, body)
		if strings.Contains(string(body), "boom") || resp.Header.Get("Content-Security-Policy") == "" {
			t.Errorf("problem %+v shows the panic, or the answer lacks its CSP: %s", p, body)
		}
		if resp, body := get("/organizations/fabrikam/config"); resp.StatusCode != http.StatusOK {
			t.Errorf("after the panic: status %d: %s", resp.StatusCode, body)
		}
	}
	if n := strings.Count(logs.String(), `"msg":"handler panicked"`); n != 2 {
		t.Errorf("%d panics logged for 2, want one each:\n%s", n, logs)
	}
	if !strings.Contains(logs.String(), "boom: a bug") || !strings.Contains(logs.String(), "runtime/debug.Stack") {
		t.Errorf("the log lacks the panic or its stack:\n%s", logs)
	}
	if netLogs.String() != "" {
		t.Errorf("net/http logged too:\n%s", netLogs)
	}
}

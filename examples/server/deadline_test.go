package main

import (
	"encoding/json"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/azdosync/azdosync/azdo/azdotest"
)

// TestConfigWithinTimeout: when Azure DevOps is slow, GET config answers
// within the build timeout, the identity lookup included, instead of
// giving that lookup a timeout of its own after the Build took most of
// one (up to 40 s with the default -timeout of 20 s, past the server's
// write timeout of 30 s: the browser got no answer).
func TestConfigWithinTimeout(t *testing.T) {
	// The Build takes half the timeout (the project list is slow), leaving
	// the other half, on a loaded machine, for the rest of it.
	const timeout, slow = 3 * time.Second, 1500 * time.Millisecond
	d, err := startDemo(slog.New(slog.DiscardHandler), nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(d.Close)
	if err := d.servers[orgEnabled].Inject(
		azdotest.Fault{Endpoint: azdotest.EndpointProjects, Kind: azdotest.FaultDelay, Delay: slow},
		azdotest.Fault{Endpoint: azdotest.EndpointConnectionData, Kind: azdotest.FaultHang},
	); err != nil {
		t.Fatal(err)
	}
	a, err := newApp(appConfig{Orgs: d.orgs, Gate: d.gate, Store: newMemStore(), Timeout: timeout, CacheTTL: time.Minute, Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(a.routes())
	t.Cleanup(srv.Close)

	start := time.Now()
	resp, body := do(t, http.MethodGet, srv.URL+"/organizations/"+orgEnabled+"/config", nil)
	elapsed := time.Since(start)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("status %d: %s", resp.StatusCode, body)
	}
	var got struct {
		Reason string `json:"reason"`
	}
	if err := json.Unmarshal(body, &got); err != nil || got.Reason != "" {
		t.Errorf("reason %q (%v), want the complete form", got.Reason, err)
	}
	if elapsed > timeout+slow/2 {
		t.Errorf("GET config took %v, want the build timeout of %v and little more (not %v more)", elapsed.Round(time.Millisecond), timeout, slow)
	}
}

package main

import (
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/azdosync/azdosync/azdo"
	"github.com/azdosync/azdosync/azdo/azdotest"
	"github.com/azdosync/azdosync/features"
	"github.com/azdosync/azdosync/internal/redistest"
)

// TestReplicasShareRedis: two replicas of the service with -redis; the
// second serves the form without a request to Azure DevOps.
func TestReplicasShareRedis(t *testing.T) {
	rds := redistest.Start(t)
	fake := azdotest.NewServer(t, azdotest.SampleOrg(), azdotest.WithPAT("pat"))
	replica := func() *httptest.Server {
		cache, closeRedis, err := openRedis(rds.URL(), slog.New(slog.DiscardHandler))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { closeRedis() })
		var gate features.Set
		gate.Enable("fabrikam", "organizations:integrations-issue-sync")
		connect := func(opts ...azdo.Option) (*azdo.Client, error) {
			return azdo.New(fake.URL(), azdo.PAT("pat"), append([]azdo.Option{azdo.WithSharedThrottle(cache, "identity")}, opts...)...)
		}
		a, err := newApp(appConfig{Orgs: []organization{{Name: "fabrikam", Connect: connect}}, Gate: &gate, Store: newMemStore(),
			Timeout: 5 * time.Second, CacheTTL: time.Minute, Shared: cache, Logger: slog.New(slog.DiscardHandler)})
		if err != nil {
			t.Fatal(err)
		}
		srv := httptest.NewServer(a.routes())
		t.Cleanup(srv.Close)
		return srv
	}
	a, b := replica(), replica()
	resp, body := do(t, http.MethodGet, a.URL+"/organizations/fabrikam/config", nil)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("replica A: status %d: %s", resp.StatusCode, body)
	}
	first := fake.Count()
	resp, body2 := do(t, http.MethodGet, b.URL+"/organizations/fabrikam/config", nil)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("replica B: status %d: %s", resp.StatusCode, body2)
	}
	if got := fake.Count() - first; got != 0 {
		t.Errorf("replica B made %d requests to Azure DevOps, want 0", got)
	}
	if resp.Header.Get("ETag") == "" || string(body) != string(body2) {
		t.Errorf("replicas answered differently:\n%s\n%s", body, body2)
	}
}

func TestOpenRedisBadURL(t *testing.T) {
	_, _, err := openRedis("redis://:s3cret-pw@host:notaport/0", slog.New(slog.DiscardHandler))
	if err == nil || strings.Contains(err.Error(), "s3cret") {
		t.Errorf("openRedis = %v, want an error without the password", err)
	}
}

package azdo_test

import (
	"context"
	"net"
	"net/http"
	"sync/atomic"
	"testing"

	"github.com/azdosync/azdosync/azdo"
	"github.com/azdosync/azdosync/features"
	"github.com/azdosync/azdosync/orgconfig"
)

// TestNoSuchHost: an organization URL whose host does not exist disables
// the status field with ReasonNotFound at once, without retries. The
// dialer answers as the resolver does for an unknown name (NXDOMAIN), so
// that the test asks no DNS server.
func TestNoSuchHost(t *testing.T) {
	var dials atomic.Int32
	tr := &http.Transport{DialContext: func(_ context.Context, _, addr string) (net.Conn, error) {
		dials.Add(1)
		host, _, _ := net.SplitHostPort(addr)
		return nil, &net.OpError{Op: "dial", Net: "tcp", Err: &net.DNSError{Err: "no such host", Name: host, IsNotFound: true}}
	}}
	c, err := azdo.New("https://tfs.fabrikam.example/tfs/DefaultCollection", azdo.PAT(testToken), azdo.WithHTTPClient(&http.Client{Transport: tr}))
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
	want := "azdo: list projects: could not reach azure devops: dial tcp: lookup tfs.fabrikam.example: no such host"
	if cfg.Reason != orgconfig.ReasonNotFound || len(cfg.Problems) != 1 || cfg.Problems[0].Error() != want {
		t.Errorf("reason %q, problems %q; want %q, %q", cfg.Reason, cfg.Problems, orgconfig.ReasonNotFound, want)
	}
	if f := cfg.StatusField(); f.DisabledReason != orgconfig.ReasonNotFound.Text() {
		t.Errorf("disabledReason %q", f.DisabledReason)
	}
	if n := dials.Load(); n != 1 {
		t.Errorf("%d dials, want 1: an unknown host is not retried", n)
	}
}

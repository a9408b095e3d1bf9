package azdo_test

import (
	"net"
	"net/http"
	"sync"
	"testing"

	"github.com/azdosync/azdosync/azdo"
	"github.com/azdosync/azdosync/orgconfig"
)

// TestNoSuchHost: an organization URL whose host does not exist disables
// the status field with ReasonNotFound at once, without retries. The
// transport fails as net/http's does when the resolver knows no such name
// (NXDOMAIN), so that the test asks no DNS server.
func TestNoSuchHost(t *testing.T) {
	var mu sync.Mutex
	asked := map[string]int{} // by method and path
	tr := roundTripFunc(func(r *http.Request) (*http.Response, error) {
		mu.Lock()
		asked[r.Method+" "+r.URL.Path]++
		mu.Unlock()
		return nil, &net.OpError{Op: "dial", Net: "tcp", Err: &net.DNSError{Err: "no such host", Name: r.URL.Hostname(), IsNotFound: true}}
	})
	c, err := azdo.New("https://tfs.fabrikam.example/tfs/DefaultCollection", azdo.PAT(testToken), azdo.WithHTTPClient(&http.Client{Transport: tr}),
		azdo.WithProcessAPI(false)) // no process lookup beside the project list: one request, asked once
	if err != nil {
		t.Fatal(err)
	}
	cfg := buildForm(t, c)
	want := "azdo: list projects: could not reach azure devops: dial tcp: lookup tfs.fabrikam.example: no such host"
	if cfg.Reason != orgconfig.ReasonNotFound || len(cfg.Problems) != 1 || cfg.Problems[0].Error() != want {
		t.Errorf("reason %q, problems %q; want %q, %q", cfg.Reason, cfg.Problems, orgconfig.ReasonNotFound, want)
	}
	if f := cfg.StatusField(); f.DisabledReason != orgconfig.ReasonNotFound.Text() {
		t.Errorf("disabledReason %q", f.DisabledReason)
	}
	mu.Lock()
	defer mu.Unlock()
	for req, n := range asked {
		if n != 1 {
			t.Errorf("%s asked %d times, want once: an unknown host is not retried", req, n)
		}
	}
}

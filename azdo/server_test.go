package azdo_test

import (
	"context"
	"net"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/azdosync/azdosync/azdo"
	"github.com/azdosync/azdosync/azdo/azdotest"
)

// toServer is an http.Client that dials srv whatever host a URL names, as
// a network whose DNS names srv's machine "tfs" would; no DNS server is
// asked.
func toServer(srv *azdotest.Server) *http.Client {
	u, _ := url.Parse(srv.URL())
	var d net.Dialer
	return &http.Client{Transport: &http.Transport{DialContext: func(ctx context.Context, network, _ string) (net.Conn, error) {
		return d.DialContext(ctx, network, u.Host)
	}}}
}

// TestServerCollections builds the form of Azure DevOps Server
// collections under a virtual directory, https on loopback and plain http
// off it (with WithInsecureHTTP), through azdotest served under /tfs.
func TestServerCollections(t *testing.T) {
	org := azdotest.SampleOrg()
	org.Name = "DefaultCollection"
	srv := azdotest.NewServer(t, org, azdotest.WithPAT(testToken), azdotest.WithVirtualDirectory("tfs"), azdotest.WithoutProcessAPI())
	if !strings.HasSuffix(srv.URL(), "/tfs/DefaultCollection") {
		t.Fatalf("URL %s does not end in /tfs/DefaultCollection", srv.URL())
	}
	want := []string{"basic-tracker", "Contoso Web", "Fabrikam Fiber", "Tailspin Toys", "Woodgrove Bank"}
	for _, tt := range []struct {
		name, url string
		opts      []azdo.Option
	}{
		{"loopback", srv.URL(), nil},
		{"http off loopback", "http://tfs:8080/tfs/DefaultCollection", []azdo.Option{azdo.WithInsecureHTTP(), azdo.WithHTTPClient(toServer(srv))}},
		{"another collection name's case", "http://TFS:8080/TFS/defaultcollection/", []azdo.Option{azdo.WithInsecureHTTP(), azdo.WithHTTPClient(toServer(srv))}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			c, err := azdo.New(tt.url, azdo.PAT(testToken), tt.opts...)
			if err != nil {
				t.Fatal(err)
			}
			cfg := buildForm(t, c)
			var got []string
			for _, p := range cfg.Projects {
				got = append(got, p.Name)
			}
			if diff := cmp.Diff(want, got); diff != "" || len(cfg.Problems) != 0 || len(cfg.States) != 5 {
				t.Errorf("problems %v, %d projects with states, projects (-want +got):\n%s", cfg.Problems, len(cfg.States), diff)
			}
		})
	}
	for _, r := range srv.Requests() {
		if !strings.HasPrefix(strings.ToLower(r.Path), "/tfs/defaultcollection/") {
			t.Errorf("%s %s is outside the collection", r.Method, r.Path)
		}
	}
}

// TestInsecureHTTP: plain http off loopback needs the option, and never
// reaches Azure DevOps Services.
func TestInsecureHTTP(t *testing.T) {
	for _, tt := range []struct {
		url     string
		opts    []azdo.Option
		wantErr string
	}{
		{"http://tfs:8080/tfs/DefaultCollection", nil, "azdo: new client: organization url must use https (http is allowed only for loopback hosts)"},
		{"http://tfs:8080/tfs/DefaultCollection", []azdo.Option{azdo.WithInsecureHTTP()}, ""},
		{"HTTP://tfs/tfs/Collection", []azdo.Option{azdo.WithInsecureHTTP()}, ""},
		{"http://dev.azure.com/fabrikam", []azdo.Option{azdo.WithInsecureHTTP()}, "azdo: new client: organization url must use https: Azure DevOps Services does not answer plain http (WithInsecureHTTP is for Azure DevOps Server)"},
		{"http://fabrikam.visualstudio.com", []azdo.Option{azdo.WithInsecureHTTP()}, "azdo: new client: organization url must use https: Azure DevOps Services does not answer plain http (WithInsecureHTTP is for Azure DevOps Server)"},
		{"http://169.254.169.254/tfs", []azdo.Option{azdo.WithInsecureHTTP()}, "azdo: new client: organization url host 169.254.169.254 is not a unicast server address"},
		{"http://tfs/tfs", []azdo.Option{azdo.WithInsecureHTTP(), azdo.WithAllowedHosts("server")}, `azdo: new client: organization url host "tfs" is not in the allowed hosts`},
	} {
		c, err := azdo.New(tt.url, azdo.PAT(testToken), tt.opts...)
		switch {
		case tt.wantErr == "" && err != nil:
			t.Errorf("%s: %v", tt.url, err)
		case tt.wantErr == "" && !strings.HasPrefix(c.URL(), "http://"):
			t.Errorf("%s: URL %s, want http", tt.url, c.URL())
		case tt.wantErr != "" && (err == nil || err.Error() != tt.wantErr):
			t.Errorf("%s: error %v, want %q", tt.url, err, tt.wantErr)
		}
	}
}

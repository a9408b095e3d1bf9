package azdo_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/azdosync/azdosync/azdo"
	"github.com/azdosync/azdosync/azdo/azdotest"
	"github.com/azdosync/azdosync/orgconfig"
	"github.com/google/go-cmp/cmp"
)

func TestNewRejectsURLs(t *testing.T) {
	long := "https://" + strings.Repeat("a", 250) + ".com/org"
	for _, tt := range []struct {
		url, opt, want string
	}{
		{"", "", "empty organization url"},
		{"dev.azure.com/org", "", "must be absolute"},
		{"ftp://dev.azure.com/org", "", `scheme "ftp" is not https`},
		{"http://dev.azure.com/org", "", "must use https"},
		{"http://10.0.0.1/org", "", "must use https"},
		{"https://user:" + testToken + "@dev.azure.com/org", "", "must not contain credentials"},
		{"https://dev.azure.com/org?x=1", "", "must not have a query or fragment"},
		{"https://dev.azure.com/org#frag", "", "must not have a query or fragment"},
		{"https://dev.azure.com", "", "must be https://dev.azure.com/{organization}"},
		{"https://dev.azure.com/org/project", "", "must be https://dev.azure.com/{organization}"},
		{"https://bücher.example/org", "", "is not a valid host name"},
		{long, "", "longer than 253 characters"},
		{"https://evil.example.com/org", "dev.azure.com", `host "evil.example.com" is not in the allowed hosts`},
		{"https://%zz", "", "does not parse"},
		{"https://0.0.0.0/org", "", "is not a unicast server address"},
		{"https://169.254.169.254/latest", "", "is not a unicast server address"},
		{"https://[fe80::1]/org", "", "is not a unicast server address"},
		{"https://224.0.0.1/org", "", "is not a unicast server address"},
		{"https://[fd00:ec2::254]/org", "", "is a cloud metadata service address"},
		{"https://[64:ff9b::a9fe:a9fe]/org", "", "is the nat64 form of 169.254.169.254"},
		{"https://[::a9fe:a9fe]/org", "", "is an ipv4-compatible ipv6 address"},
		{"https://[::ffff:a9fe:a9fe]/org", "", "is not a unicast server address"},
		{"https://0/org", "", `host "0" reads as a numeric ipv4 address`},
		{"https://0:8443/org", "", `host "0" reads as a numeric ipv4 address`},
		{"https://2852039166/org", "", `host "2852039166" reads as a numeric ipv4 address`},
		{"https://0xa9fea9fe/org", "", `host "0xa9fea9fe" reads as a numeric ipv4 address`},
		{"https://0XA9FEA9FE/org", "", `host "0xa9fea9fe" reads as a numeric ipv4 address`},
		{"https://0251.0376.0251.0376/org", "", `host "0251.0376.0251.0376" reads as a numeric ipv4 address`},
		{"https://169.254.43518/org", "", `host "169.254.43518" reads as a numeric ipv4 address`},
		{"https://0xa9.0xfe.0xa9.0xfe/org", "", `host "0xa9.0xfe.0xa9.0xfe" reads as a numeric ipv4 address`},
		{"https://010.0.0.1/org", "", `host "010.0.0.1" reads as a numeric ipv4 address`},
		{"http://127.1/org", "", `host "127.1" reads as a numeric ipv4 address`},
		{"https://1.2.3.4.5/org", "", `host "1.2.3.4.5" reads as a numeric ipv4 address`},
		{"https://tfs.0x10/org", "", `host "tfs.0x10" reads as a numeric ipv4 address`},
		{"https://dev.azure.com:99999/org", "", `port "99999" is not a port number`},
		{"https://dev.azure.com:0/org", "", `port "0" is not a port number`},
		{"javascript:alert(1)", "", "must be absolute"},
		{"https://dev.azure.com/org\nHost: evil", "", "does not parse"},
	} {
		t.Run(tt.url, func(t *testing.T) {
			var opts []azdo.Option
			if tt.opt != "" {
				opts = append(opts, azdo.WithAllowedHosts(tt.opt))
			}
			c, err := azdo.New(tt.url, azdo.PAT(testToken), opts...)
			if err == nil {
				t.Fatalf("New(%q) = %v, want an error", tt.url, c)
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error %q does not contain %q", err, tt.want)
			}
			if strings.Contains(err.Error(), testToken) {
				t.Errorf("error %q contains the token", err)
			}
		})
	}
}

func TestNewAcceptsURLs(t *testing.T) {
	for _, tt := range []struct{ in, want string }{
		{"https://dev.azure.com/Fabrikam/", "https://dev.azure.com/Fabrikam"},
		{"https://fabrikam.visualstudio.com", "https://fabrikam.visualstudio.com"},
		{"https://FABRIKAM.visualstudio.com/DefaultCollection/", "https://fabrikam.visualstudio.com/DefaultCollection"},
		{"https://tfs.example.com/tfs/DefaultCollection", "https://tfs.example.com/tfs/DefaultCollection"},
		{"http://127.0.0.1:8080/org", "http://127.0.0.1:8080/org"},
		{"http://[::1]:8080/org", "http://[::1]:8080/org"},
		{"http://localhost/org", "http://localhost/org"},
		{"https://xn--bcher-kva.example/org", "https://xn--bcher-kva.example/org"},
		{"https://10.1.2.3/tfs/Coll", "https://10.1.2.3/tfs/Coll"},
		{"https://0x1.example.com/org", "https://0x1.example.com/org"},
		{"https://123.example.com/org", "https://123.example.com/org"},
	} {
		c, err := azdo.New(tt.in, azdo.PAT(testToken), azdo.WithAllowedHosts("*.visualstudio.com", "dev.azure.com", "tfs.example.com", "127.0.0.1", "::1", "localhost", "xn--bcher-kva.example", "10.1.2.3", "*.example.com"))
		if err != nil {
			t.Errorf("New(%q): %v", tt.in, err)
			continue
		}
		if c.URL() != tt.want {
			t.Errorf("New(%q).URL() = %q, want %q", tt.in, c.URL(), tt.want)
		}
	}
}

func TestNewRejectsOptions(t *testing.T) {
	for _, tt := range []struct {
		name string
		cred azdo.Credential
		opt  azdo.Option
		want string
	}{
		{"nil credential", nil, nil, "azdo: new client: nil credential"},
		{"empty pat", azdo.PAT(""), nil, "azdo: new client: credential: empty token"},
		{"empty bearer", azdo.Bearer(""), nil, "azdo: new client: credential: empty token"},
		{"nil token func", azdo.TokenFunc(nil), nil, "azdo: new client: credential: nil token func"},
		{"nil option", azdo.PAT("x"), nil, "azdo: new client: option 0 is nil"},
		{"zero attempts", azdo.PAT("x"), azdo.WithRetry(0, 0), "azdo: new client: retry attempts must be at least 1, got 0"},
		{"zero timeout", azdo.PAT("x"), azdo.WithRequestTimeout(0), "azdo: new client: request timeout must be positive, got 0s"},
		{"no types", azdo.PAT("x"), azdo.WithWorkItemTypes(), "azdo: new client: work item types must not be empty"},
		{"nil http client", azdo.PAT("x"), azdo.WithHTTPClient(nil), "azdo: new client: http client must not be nil"},
		{"nil logger", azdo.PAT("x"), azdo.WithLogger(nil), "azdo: new client: logger must not be nil"},
		{"zero body", azdo.PAT("x"), azdo.WithMaxResponseBytes(0), "azdo: new client: max response bytes must be positive, got 0"},
		{"empty allowed host", azdo.PAT("x"), azdo.WithAllowedHosts("dev.azure.com", ""), `azdo: new client: allowed host "" is not a host name (such as dev.azure.com or *.visualstudio.com)`},
		{"allowed host with scheme", azdo.PAT("x"), azdo.WithAllowedHosts("https://dev.azure.com"), `azdo: new client: allowed host "https://dev.azure.com" is not a host name (such as dev.azure.com or *.visualstudio.com)`},
		{"allowed host with port", azdo.PAT("x"), azdo.WithAllowedHosts("dev.azure.com:443"), `azdo: new client: allowed host "dev.azure.com:443" is not a host name (such as dev.azure.com or *.visualstudio.com)`},
		{"allowed host with path", azdo.PAT("x"), azdo.WithAllowedHosts("dev.azure.com/org"), `azdo: new client: allowed host "dev.azure.com/org" is not a host name (such as dev.azure.com or *.visualstudio.com)`},
		{"bare wildcard", azdo.PAT("x"), azdo.WithAllowedHosts("*"), `azdo: new client: allowed host "*" is not a host name (such as dev.azure.com or *.visualstudio.com)`},
		{"inner wildcard", azdo.PAT("x"), azdo.WithAllowedHosts("dev.*.com"), `azdo: new client: allowed host "dev.*.com" is not a host name (such as dev.azure.com or *.visualstudio.com)`},
	} {
		t.Run(tt.name, func(t *testing.T) {
			opts := []azdo.Option{tt.opt}
			if tt.opt == nil && tt.name != "nil option" {
				opts = nil
			}
			_, err := azdo.New("https://dev.azure.com/org", tt.cred, opts...)
			if err == nil || err.Error() != tt.want {
				t.Errorf("New error = %v, want %q", err, tt.want)
			}
		})
	}
}

func TestCredentialsAccepted(t *testing.T) {
	org := azdotest.SampleOrg()
	for _, tt := range []struct {
		name string
		cred azdo.Credential
	}{
		{"pat", azdo.PAT(testToken)},
		{"bearer", azdo.Bearer(testToken)},
		{"token func", azdo.TokenFunc(func(context.Context) (string, error) { return testToken, nil })},
	} {
		t.Run(tt.name, func(t *testing.T) {
			srv := azdotest.NewServer(t, org, azdotest.WithPAT(testToken), azdotest.WithBearer(testToken))
			c, err := azdo.New(srv.URL(), tt.cred)
			if err != nil {
				t.Fatal(err)
			}
			ps, err := c.Projects(t.Context())
			if err != nil || len(ps) != len(org.Projects) {
				t.Fatalf("Projects = %d, %v", len(ps), err)
			}
		})
	}
	t.Run("wrong token", func(t *testing.T) {
		srv := azdotest.NewServer(t, org, azdotest.WithPAT(testToken))
		c, err := azdo.New(srv.URL(), azdo.PAT("wrong"))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := c.Projects(t.Context()); !errors.Is(err, orgconfig.ErrUnauthorized) {
			t.Errorf("Projects error = %v, want unauthorized", err)
		}
	})
	t.Run("token func error is redacted", func(t *testing.T) {
		srv := azdotest.NewServer(t, org)
		cause := errors.New("refresh failed for " + testToken)
		c, err := azdo.New(srv.URL(), azdo.TokenFunc(func(context.Context) (string, error) { return "", cause }))
		if err != nil {
			t.Fatal(err)
		}
		_, err = c.Projects(t.Context())
		if !errors.Is(err, cause) || !errors.Is(err, orgconfig.ErrUnauthorized) {
			t.Errorf("error %v should be unauthorized and wrap the token func's error", err)
		}
		if strings.Contains(err.Error(), testToken) {
			t.Errorf("error %q contains the token", err)
		}
		if srv.Count() != 0 {
			t.Errorf("%d requests were sent without credentials", srv.Count())
		}
	})
}

func TestCredentialsNeverPrinted(t *testing.T) {
	var logs bytes.Buffer
	logger := slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	creds := []azdo.Credential{
		azdo.PAT(testToken), azdo.Bearer(testToken),
		azdo.TokenFunc(func(context.Context) (string, error) { return testToken, nil }),
	}
	for _, cred := range creds {
		c, err := azdo.New("https://dev.azure.com/org", cred, azdo.WithLogger(logger))
		if err != nil {
			t.Fatal(err)
		}
		holder := struct {
			C    *azdo.Client
			Cred azdo.Credential
			priv azdo.Credential
		}{c, cred, cred}
		var out []string
		for _, verb := range []string{"%v", "%+v", "%#v", "%s"} {
			out = append(out, fmt.Sprintf(verb, cred), fmt.Sprintf(verb, c), fmt.Sprintf(verb, holder))
		}
		logger.Info("values", "cred", cred, "client", c, "holder", holder)
		for _, s := range append(out, logs.String()) {
			if strings.Contains(s, testToken) || strings.Contains(s, "OnQwa2VuLVMzQ1JFVC1kby1ub3QtbGVhaw") { // the Basic header value
				t.Errorf("token printed: %s", s)
			}
		}
	}
}

// TestRedirects checks that a redirect to another host never carries the
// credentials, that WithAllowedHosts refuses redirects off the list, and
// that a redirect to the sign-in page is ErrUnauthorized.
func TestRedirects(t *testing.T) {
	var mu sync.Mutex
	var seen []string
	other := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		seen = append(seen, r.Method+" auth="+r.Header.Get("Authorization"))
		mu.Unlock()
		http.Error(w, "gone", http.StatusGone)
	}))
	t.Cleanup(other.Close)
	target := other.URL
	redirector := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, target+r.URL.Path, http.StatusTemporaryRedirect)
	}))
	t.Cleanup(redirector.Close)
	orgURL := strings.Replace(redirector.URL, "127.0.0.1", "localhost", 1) + "/org"

	t.Run("other host gets no credentials", func(t *testing.T) {
		c, err := azdo.New(orgURL, azdo.PAT(testToken), azdo.WithProcessAPI(false))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := c.Projects(t.Context()); err == nil {
			t.Fatal("Projects succeeded against a redirect to a 410")
		}
		mu.Lock()
		defer mu.Unlock()
		if diff := cmp.Diff([]string{"GET auth="}, seen); diff != "" {
			t.Errorf("requests at the other host (-want +got):\n%s", diff)
		}
	})
	t.Run("allowed hosts refuse the redirect", func(t *testing.T) {
		mu.Lock()
		seen = nil
		mu.Unlock()
		c, err := azdo.New(orgURL, azdo.PAT(testToken), azdo.WithAllowedHosts("localhost"), azdo.WithProcessAPI(false))
		if err != nil {
			t.Fatal(err)
		}
		_, err = c.Projects(t.Context())
		if err == nil || !strings.Contains(err.Error(), `refused a redirect to host "127.0.0.1"`) {
			t.Errorf("Projects error = %v, want a refused redirect", err)
		}
		mu.Lock()
		defer mu.Unlock()
		if len(seen) != 0 {
			t.Errorf("the other host was asked: %v", seen)
		}
	})
	t.Run("sign-in redirect is unauthorized", func(t *testing.T) {
		target = "https://app.vssps.visualstudio.com/_signin?realm=dev.azure.com"
		c, err := azdo.New(orgURL, azdo.PAT(testToken), azdo.WithProcessAPI(false))
		if err != nil {
			t.Fatal(err)
		}
		_, err = c.Projects(t.Context())
		if !errors.Is(err, orgconfig.ErrUnauthorized) {
			t.Errorf("Projects error = %v, want unauthorized", err)
		}
	})
}

func TestWithHTTPClientIsCopied(t *testing.T) {
	srv := azdotest.NewServer(t, azdotest.SampleOrg())
	base := &countingTransport{}
	hc := &http.Client{Transport: base, Timeout: time.Minute}
	c, err := azdo.New(srv.URL(), azdo.PAT(testToken), azdo.WithHTTPClient(hc), azdo.WithProcessAPI(false))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.Projects(t.Context()); err != nil {
		t.Fatal(err)
	}
	if hc.Transport != base || hc.CheckRedirect != nil || hc.Timeout != time.Minute {
		t.Errorf("the caller's http.Client was modified: %+v", hc)
	}
	if n := base.n.Load(); n != int64(srv.Count()) || n == 0 {
		t.Errorf("base transport saw %d requests, server %d", n, srv.Count())
	}
}

// countingTransport counts the requests it passes to http.DefaultTransport.
type countingTransport struct{ n atomic.Int64 }

func (c *countingTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	c.n.Add(1)
	return http.DefaultTransport.RoundTrip(r)
}

type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

// TestOptionsApplyWhereTheyAreGiven: an option that does not apply to New
// or OrgURL is an error naming it, not ignored; bad arguments have kinds.
func TestOptionsApplyWhereTheyAreGiven(t *testing.T) {
	_, err := azdo.New("https://dev.azure.com/org", azdo.PAT("x"), azdo.WithLocationService("https://app.vssps.visualstudio.com"))
	if want := "azdo: new client: WithLocationService applies to OrgURL, not to New"; err == nil || err.Error() != want {
		t.Errorf("New with WithLocationService: %v, want %q", err, want)
	}
	for _, opt := range []azdo.Option{azdo.WithWorkItemTypes("Bug"), azdo.WithProcessAPI(false), azdo.WithMaxProjects(1),
		azdo.WithProjectPageSize(1), azdo.WithMaxConcurrentRequests(1), azdo.WithMaxSlowDown(0),
		azdo.WithProjectWorkItemTypes(func(string) []string { return nil }), azdo.WithInsecureHTTP()} {
		_, err := azdo.OrgURL(context.Background(), "fabrikam", opt)
		if err == nil || !strings.HasPrefix(err.Error(), "azdo: look up organization url: With") || !strings.HasSuffix(err.Error(), " applies to New, not to OrgURL") {
			t.Errorf("OrgURL with a Client's option: %v", err)
		}
	}
	for _, tt := range []struct {
		err  error
		kind error
	}{
		{func() error { _, err := azdo.New("http://dev.azure.com/org", azdo.PAT("x")); return err }(), azdo.ErrInvalidURL},
		{func() error { _, err := azdo.New("https://dev.azure.com/org", azdo.PAT("a b")); return err }(), azdo.ErrInvalidCredential},
		{func() error { _, err := azdo.New("https://dev.azure.com/org", nil); return err }(), azdo.ErrInvalidCredential},
		{func() error { _, err := azdo.OrgURL(context.Background(), "not an account"); return err }(), azdo.ErrInvalidAccount},
		{func() error {
			_, err := azdo.OrgURL(context.Background(), "fabrikam", azdo.WithLocationService("ftp://x"))
			return err
		}(), azdo.ErrInvalidURL},
	} {
		if !errors.Is(tt.err, tt.kind) {
			t.Errorf("%v: not %v", tt.err, tt.kind)
		}
	}
	if _, err := azdo.New("https://dev.azure.com/org", azdo.PAT("x"), azdo.WithUserAgent(" acme")); err == nil {
		t.Error("WithUserAgent with a leading space: no error")
	}
}

// TestUserAgent: every request names the library, or the program that
// WithUserAgent names, after the SDK's words.
func TestUserAgent(t *testing.T) {
	for _, tt := range []struct {
		opts []azdo.Option
		want string
	}{
		{nil, "azdosync/"},
		{[]azdo.Option{azdo.WithUserAgent("acme-sync/2.1")}, "acme-sync/2.1"},
	} {
		// A server per case: a Client's lookups may still be in flight
		// when Projects has failed; Close waits for them.
		var mu sync.Mutex
		var agents []string
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			mu.Lock()
			agents = append(agents, r.Header.Get("User-Agent"))
			mu.Unlock()
			http.NotFound(w, r)
		}))
		c, err := azdo.New(srv.URL+"/org", azdo.PAT("x"), tt.opts...)
		if err != nil {
			t.Fatal(err)
		}
		c.Projects(context.Background()) // 404: only the header matters
		if _, err := azdo.OrgURL(context.Background(), "org", append(tt.opts, azdo.WithLocationService(srv.URL))...); err == nil {
			t.Fatal("OrgURL: no error from a 404")
		}
		srv.Close()
		mu.Lock()
		if len(agents) < 2 {
			t.Errorf("%d requests, want at least 2", len(agents))
		}
		for _, a := range agents {
			if !strings.Contains(a, tt.want) {
				t.Errorf("User-Agent %q, want it to hold %q", a, tt.want)
			}
		}
		mu.Unlock()
	}
}

package azdo_test

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/azdosync/azdosync/azdo"
	"github.com/azdosync/azdosync/azdo/azdotest"
)

// authRecorder is a base transport that remembers the Authorization
// header of every request it sends.
type authRecorder struct {
	mu   sync.Mutex
	auth []string
}

func (a *authRecorder) RoundTrip(r *http.Request) (*http.Response, error) {
	a.mu.Lock()
	a.auth = append(a.auth, r.Header.Get("Authorization"))
	a.mu.Unlock()
	return http.DefaultTransport.RoundTrip(r)
}

func TestOrgURL(t *testing.T) {
	srv := azdotest.NewServer(t, azdotest.SampleOrg(), azdotest.WithPAT(testToken))
	for _, tt := range []struct {
		name, account, wantQuery string
	}{
		{"by name", "fabrikam", "accountName=fabrikam&api-version=5.0-preview.1"},
		{"by name in another case", "Fabrikam", "accountName=Fabrikam&api-version=5.0-preview.1"},
		{"by id", srv.OrgID(), "api-version=5.0-preview.1&hostId=" + srv.OrgID()},
		{"by upper-case id", strings.ToUpper(srv.OrgID()), "api-version=5.0-preview.1&hostId=" + srv.OrgID()},
	} {
		t.Run(tt.name, func(t *testing.T) {
			rec := &authRecorder{}
			before := len(srv.Requests())
			got, err := azdo.OrgURL(t.Context(), tt.account,
				azdo.WithLocationService(srv.LocationServiceURL()), azdo.WithHTTPClient(&http.Client{Transport: rec}))
			if err != nil {
				t.Fatal(err)
			}
			if got != srv.URL() {
				t.Errorf("OrgURL = %q, want %q", got, srv.URL())
			}
			// The URL found works with New and the token.
			c, err := azdo.New(got, azdo.PAT(testToken))
			if err != nil {
				t.Fatal(err)
			}
			if _, err := c.Projects(t.Context()); err != nil {
				t.Fatalf("Projects at the URL found: %v", err)
			}
			var gotReqs []azdotest.Request
			for _, r := range srv.Requests()[before:] {
				if r.Endpoint == azdotest.EndpointLocationService {
					gotReqs = append(gotReqs, r)
				}
			}
			wantReqs := []azdotest.Request{{
				Method: http.MethodGet, Path: "/_apis/resourceAreas/79134C72-4A58-4B42-976C-04E7115F32BF", Query: tt.wantQuery,
				Endpoint: azdotest.EndpointLocationService, Status: http.StatusOK,
			}}
			if diff := cmp.Diff(wantReqs, gotReqs); diff != "" {
				t.Errorf("lookup requests (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff([]string{""}, rec.auth); diff != "" {
				t.Errorf("Authorization headers sent (-want +got):\n%s", diff)
			}
		})
	}
}

func TestOrgURLErrors(t *testing.T) {
	core := azdotest.EndpointLocationService
	for _, tt := range []struct {
		name       string
		account    string
		faults     []azdotest.Fault
		opts       []azdo.Option
		wantKind   error
		wantStatus int
		wantText   string
		wantCount  int // lookups that reached the server
	}{
		{"unknown name", "contoso", nil, nil, azdo.ErrNotFound, 404, "not found", 1},
		{"unknown id", "0d6b4b27-5e2e-4f2b-9c0a-6a7c2b9e1f00", nil, nil, azdo.ErrNotFound, 404, "not found", 1},
		{"no locationUrl", "fabrikam", []azdotest.Fault{{Endpoint: core, Status: 200, Body: `{"id":"79134c72-4a58-4b42-976c-04e7115f32bf","name":"Core"}`}}, nil, azdo.ErrNotFound, 200, "knows no url", 1},
		{"null answer", "fabrikam", []azdotest.Fault{{Endpoint: core, Status: 200, Body: `null`}}, nil, azdo.ErrNotFound, 200, "knows no url", 1},
		{"plain http answer", "fabrikam", []azdotest.Fault{{Endpoint: core, Status: 200, Body: `{"locationUrl":"http://dev.azure.com/fabrikam/"}`}}, nil, azdo.ErrBadResponse, 200, "must use https", 1},
		{"answer with credentials", "fabrikam", []azdotest.Fault{{Endpoint: core, Status: 200, Body: `{"locationUrl":"https://me:hunter2@dev.azure.com/fabrikam/"}`}}, nil, azdo.ErrBadResponse, 200, "must not contain credentials", 1},
		{"answer off the allowed hosts", "fabrikam", []azdotest.Fault{{Endpoint: core, Status: 200, Body: `{"locationUrl":"https://evil.example.com/fabrikam/"}`}}, []azdo.Option{azdo.WithAllowedHosts("127.0.0.1", "dev.azure.com")}, azdo.ErrBadResponse, 200, "not in the allowed hosts", 1},
		{"locationUrl twice", "fabrikam", []azdotest.Fault{{Endpoint: core, Status: 200, Body: `{"locationUrl":"https://dev.azure.com/fabrikam/","locationUrl":"https://evil.example.com/x"}`}}, nil, azdo.ErrBadResponse, 200, `key "locationUrl" appears twice`, 1},
		{"locationUrl twice in two cases", "fabrikam", []azdotest.Fault{{Endpoint: core, Status: 200, Body: `{"locationUrl":"https://dev.azure.com/fabrikam/","LocationUrl":"https://evil.example.com/x"}`}}, nil, azdo.ErrBadResponse, 200, `key "locationUrl" appears twice, also as "LocationUrl"`, 1},
		{"another key twice", "fabrikam", []azdotest.Fault{{Endpoint: core, Status: 200, Body: `{"id":"a","ID":"b","locationUrl":"https://dev.azure.com/fabrikam/"}`}}, nil, azdo.ErrBadResponse, 200, `key "id" appears twice, also as "ID"`, 1},
		{"LOCATIONURL", "fabrikam", []azdotest.Fault{{Endpoint: core, Status: 200, Body: `{"LOCATIONURL":"https://dev.azure.com/fabrikam/"}`}}, nil, azdo.ErrBadResponse, 200, `key "LOCATIONURL" is not spelled locationUrl`, 1},
		{"data after the answer", "fabrikam", []azdotest.Fault{{Endpoint: core, Status: 200, Body: `{"locationUrl":"https://dev.azure.com/fabrikam/"} {"locationUrl":"https://evil.example.com/x"}`}}, nil, azdo.ErrBadResponse, 200, "data after the answer", 1},
		{"garbage after the answer", "fabrikam", []azdotest.Fault{{Endpoint: core, Status: 200, Body: `{"locationUrl":"https://dev.azure.com/fabrikam/"}x`}}, nil, azdo.ErrBadResponse, 200, "data after the answer", 1},
		{"locationUrl not a string", "fabrikam", []azdotest.Fault{{Endpoint: core, Status: 200, Body: `{"locationUrl":["https://dev.azure.com/fabrikam/"]}`}}, nil, azdo.ErrBadResponse, 200, "locationUrl is not a string", 1},
		{"an array", "fabrikam", []azdotest.Fault{{Endpoint: core, Status: 200, Body: `[{"locationUrl":"https://dev.azure.com/fabrikam/"}]`}}, nil, azdo.ErrBadResponse, 200, "not a JSON object", 1},
		{"malformed answer", "fabrikam", []azdotest.Fault{{Endpoint: core, Kind: azdotest.FaultMalformed}}, nil, azdo.ErrBadResponse, 200, "could not decode", 1},
		{"oversized answer", "fabrikam", []azdotest.Fault{{Endpoint: core, Kind: azdotest.FaultOversized, Size: 64 << 10}}, []azdo.Option{azdo.WithMaxResponseBytes(1 << 10)}, azdo.ErrBadResponse, 200, "larger than 1024 bytes", 1},
		{"503 storm", "fabrikam", []azdotest.Fault{{Endpoint: core, Status: 503}}, []azdo.Option{azdo.WithRetry(3, 10*time.Millisecond)}, azdo.ErrUnavailable, 503, "Service Unavailable", 3},
		{"429 beyond max wait", "fabrikam", []azdotest.Fault{{Endpoint: core, Status: 429, RetryAfter: "60"}}, nil, azdo.ErrRateLimited, 429, "retry after 1m0s", 1},
		{"empty account", "", nil, nil, nil, 0, "account must be an organization id", 0},
		{"account with a slash", "fabrikam/x", nil, nil, nil, 0, "account must be an organization id", 0},
		{"account with a space", "fab rikam", nil, nil, nil, 0, "account must be an organization id", 0},
		{"account starting with a hyphen", "-fabrikam", nil, nil, nil, 0, "account must be an organization id", 0},
		{"location service over plain http", "fabrikam", nil, []azdo.Option{azdo.WithLocationService("http://app.vssps.visualstudio.com")}, nil, 0, "location service url must use https", 0},
		{"location service off the allowed hosts", "fabrikam", nil, []azdo.Option{azdo.WithAllowedHosts("dev.azure.com")}, nil, 0, `location service url host "127.0.0.1" is not in the allowed hosts`, 0},
		{"nil option", "fabrikam", nil, []azdo.Option{nil}, nil, 0, "option 1 is nil", 0},
	} {
		t.Run(tt.name, func(t *testing.T) {
			srv := azdotest.NewServer(t, azdotest.SampleOrg(), azdotest.WithFaults(tt.faults...))
			opts := append([]azdo.Option{azdo.WithLocationService(srv.LocationServiceURL())}, tt.opts...)
			got, err := azdo.OrgURL(t.Context(), tt.account, opts...)
			if err == nil {
				t.Fatalf("OrgURL = %q, want an error", got)
			}
			if !strings.Contains(err.Error(), tt.wantText) || !strings.HasPrefix(err.Error(), "azdo: look up organization url: ") {
				t.Errorf("error %q does not name the operation or lacks %q", err, tt.wantText)
			}
			if strings.Contains(err.Error(), "hunter2") {
				t.Errorf("error %q leaks a password", err)
			}
			if n := srv.Count(azdotest.EndpointLocationService); n != tt.wantCount {
				t.Errorf("%d lookups reached the server, want %d", n, tt.wantCount)
			}
			if tt.wantKind == nil {
				return
			}
			var apiErr *azdo.APIError
			if !errors.Is(err, tt.wantKind) || !errors.As(err, &apiErr) {
				t.Fatalf("error %v is not an *APIError of kind %v", err, tt.wantKind)
			}
			if apiErr.Op != "look up organization url" || apiErr.StatusCode != tt.wantStatus {
				t.Errorf("APIError Op=%q Status=%d, want %q %d", apiErr.Op, apiErr.StatusCode, "look up organization url", tt.wantStatus)
			}
		})
	}
}

func TestOrgURLCanceled(t *testing.T) {
	srv := azdotest.NewServer(t, azdotest.SampleOrg(), azdotest.WithFaults(azdotest.Fault{Endpoint: azdotest.EndpointLocationService, Kind: azdotest.FaultHang}))
	ctx, cancel := context.WithTimeout(t.Context(), 50*time.Millisecond)
	defer cancel()
	_, err := azdo.OrgURL(ctx, "fabrikam", azdo.WithLocationService(srv.LocationServiceURL()))
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("OrgURL error = %v, want context.DeadlineExceeded", err)
	}
}

// TestOrgURLRefusesDowngrade: an https location service answering a plain
// http URL (here a local port, which New would accept as loopback) would
// have the token sent in clear; OrgURL refuses it. An http URL from an
// http (loopback, test) location service is still accepted.
func TestOrgURLRefusesDowngrade(t *testing.T) {
	tls := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
		_, _ = io.WriteString(w, `{"id":"79134c72-4a58-4b42-976c-04e7115f32bf","name":"Core","locationUrl":"http://127.0.0.1:8500/fabrikam/"}`)
	}))
	t.Cleanup(tls.Close)
	got, err := azdo.OrgURL(t.Context(), "fabrikam", azdo.WithLocationService(tls.URL), azdo.WithHTTPClient(tls.Client()))
	var apiErr *azdo.APIError
	if !errors.As(err, &apiErr) || !errors.Is(err, azdo.ErrBadResponse) || !strings.Contains(err.Error(), "an https location service answered a plain http url") {
		t.Errorf("OrgURL = %q, %v; want ErrBadResponse naming the downgrade", got, err)
	}

	plain := httptest.NewServer(tls.Config.Handler)
	t.Cleanup(plain.Close)
	got, err = azdo.OrgURL(t.Context(), "fabrikam", azdo.WithLocationService(plain.URL))
	if err != nil || got != "http://127.0.0.1:8500/fabrikam" {
		t.Errorf("OrgURL from an http location service = %q, %v; want the http url", got, err)
	}
}

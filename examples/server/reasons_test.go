package main

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/azdosync/azdosync/azdo"
	"github.com/azdosync/azdosync/azdo/azdotest"
	"github.com/azdosync/azdosync/orgconfig"
)

// Organizations whose form is degraded for one reason each, beside
// northwind (throttled).
const (
	orgLost      = "lost"      // its URL names no collection: 404
	orgKeyless   = "keyless"   // its credential produces no token
	orgSprawling = "sprawling" // more projects than its Client lists
	orgBusy      = "busy"      // throttled without saying how long (429, no Retry-After)
)

// reasonOrganizations are orgLost, orgKeyless, orgSprawling and orgBusy.
func reasonOrganizations(t *testing.T) []organization {
	t.Helper()
	srv := azdotest.NewServer(t, azdotest.SampleOrg(), azdotest.WithPAT("pat"),
		azdotest.WithFaults(azdotest.Fault{Status: http.StatusNotFound})) // every route
	plain := azdotest.NewServer(t, azdotest.SampleOrg(), azdotest.WithPAT("pat"))
	busy := azdotest.NewServer(t, azdotest.SampleOrg(), azdotest.WithPAT("pat"),
		azdotest.WithFaults(azdotest.Fault{Endpoint: azdotest.EndpointProjects, Status: http.StatusTooManyRequests}))
	noToken := azdo.TokenFunc(func(context.Context) (string, error) { return "", errors.New("refresh token revoked") })
	connect := func(url string, cred azdo.Credential, own ...azdo.Option) func(...azdo.Option) (*azdo.Client, error) {
		return func(opts ...azdo.Option) (*azdo.Client, error) { return azdo.New(url, cred, append(own, opts...)...) }
	}
	return []organization{
		{Name: orgLost, Connect: connect(srv.URL(), azdo.PAT("pat"))},
		{Name: orgKeyless, Connect: connect(plain.URL(), noToken)},
		{Name: orgSprawling, Connect: connect(plain.URL(), azdo.PAT("pat"), azdo.WithMaxProjects(2))},
		{Name: orgBusy, Connect: connect(busy.URL(), azdo.PAT("pat"), azdo.WithRetry(2, 10*time.Millisecond))},
	}
}

// reasonCases are what each degraded organization's form says, and the
// status of a request that needs its states.
var reasonCases = []struct {
	org    string
	reason orgconfig.Reason
	text   string
	status int
}{
	{orgDegraded, orgconfig.ReasonThrottled, "Azure DevOps asked this integration to wait before sending more requests. Try again in about 60 minutes.", http.StatusServiceUnavailable},
	{orgLost, orgconfig.ReasonNotFound, orgconfig.ReasonNotFound.Text(), http.StatusBadGateway},
	{orgKeyless, orgconfig.ReasonNoCredential, orgconfig.ReasonNoCredential.Text(), http.StatusBadGateway},
	{orgSprawling, orgconfig.ReasonTooManyProjects, orgconfig.ReasonTooManyProjects.Text(), http.StatusBadGateway},
	{orgBusy, orgconfig.ReasonThrottled, "Azure DevOps asked this integration to wait before sending more requests. Try again later.", http.StatusServiceUnavailable},
}

// TestReasons: each reason reaches the form's JSON, and a request needing
// the states answers its status with the reason as detail.
func TestReasons(t *testing.T) {
	env := pageApp(t, withReasons)
	id := sampleIDs()["Fabrikam Fiber"]
	for _, tc := range reasonCases {
		t.Run(tc.org, func(t *testing.T) {
			fields, _ := formJSON(t, env.url, tc.org)
			if !fields[0].Disabled || fields[0].DisabledReason != tc.text {
				t.Errorf("status field disabled %v with %q, want %q", fields[0].Disabled, fields[0].DisabledReason, tc.text)
			}
			resp, body := do(t, http.MethodGet, env.url+"/organizations/"+tc.org+"/projects/"+id+"/states", nil)
			want := wireProblem{Type: "/problems/" + probStatesUnavailable, Title: "States unavailable", Status: tc.status, Detail: tc.text}
			if diff := cmp.Diff(want, decodeProblem(t, resp, body)); diff != "" {
				t.Errorf("states (-want +got):\n%s", diff)
			}
			// Only northwind's Azure DevOps said how long to wait.
			if got := resp.Header.Get("Retry-After"); (got != "") != (tc.org == orgDegraded) {
				t.Errorf("states: Retry-After %q", got)
			}
		})
	}
}

// TestBrowserReasons: the page says each reason plainly, next to the
// status field.
func TestBrowserReasons(t *testing.T) {
	env := pageApp(t, withReasons)
	tb := newTab(t)
	for _, tc := range reasonCases {
		tb.open(t, env.url, tc.org)
		if got := eval[string](t, tb, `document.querySelector('.field .reason').textContent`); got != tc.text {
			t.Errorf("%s: the page says %q, want %q", tc.org, got, tc.text)
		}
	}
	tb.expectClean(t)
}

// TestBrowserConnectedAs: the page names the account the integration acts
// as, and nothing for a gated organization (Azure DevOps is not asked).
func TestBrowserConnectedAs(t *testing.T) {
	env := pageApp(t, withReasons)
	tb := newTab(t)
	for org, want := range map[string]string{orgEnabled: "Connected as " + azdotest.UserName, orgGated: "", orgKeyless: ""} {
		tb.open(t, env.url, org)
		if got := eval[string](t, tb, `(document.querySelector('#connected:not([hidden])') || {}).textContent || ''`); got != want {
			t.Errorf("%s: %q, want %q", org, got, want)
		}
	}
	if n := env.fakes[orgGated].Count(azdotest.EndpointConnectionData); n != 0 {
		t.Errorf("the gated organization's Azure DevOps was asked %d times who it is", n)
	}
	tb.expectClean(t)
}

// TestConnectedAsJSON: the form's JSON names the account the integration
// acts as, once Azure DevOps said it, and not for a gated organization.
func TestConnectedAsJSON(t *testing.T) {
	env := pageApp(t)
	for org, want := range map[string]string{orgEnabled: azdotest.UserName, orgGated: ""} {
		for range 2 {
			_, body := do(t, http.MethodGet, env.url+"/organizations/"+org+"/config", nil)
			var got struct {
				ConnectedAs *string `json:"connectedAs"`
			}
			if err := json.Unmarshal(body, &got); err != nil {
				t.Fatal(err)
			}
			if (got.ConnectedAs == nil) != (want == "") || got.ConnectedAs != nil && *got.ConnectedAs != want {
				t.Errorf("%s: connectedAs %v, want %q", org, got.ConnectedAs, want)
			}
		}
	}
	if n := env.fakes[orgEnabled].Count(azdotest.EndpointConnectionData); n != 1 {
		t.Errorf("asked who the credential is %d times for two loads, want once", n)
	}
}

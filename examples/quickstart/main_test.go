package main

import (
	"bytes"
	"encoding/json"
	"os"
	"strings"
	"testing"

	"github.com/azdosync/azdosync/azdo/azdotest"
	"github.com/google/go-cmp/cmp"
)

func env(m map[string]string) func(string) string { return func(k string) string { return m[k] } }

func TestQuickstartSample(t *testing.T) {
	var stdout, stderr bytes.Buffer
	if code := run(nil, &stdout, &stderr, env(nil)); code != 0 {
		t.Fatalf("exit %d, stderr:\n%s", code, stderr.String())
	}
	var fields []map[string]any
	if err := json.Unmarshal(stdout.Bytes(), &fields); err != nil {
		t.Fatalf("stdout is not the form JSON: %v\n%s", err, stdout.String())
	}
	var names []string
	for _, f := range fields {
		names = append(names, f["name"].(string))
	}
	want := []string{"sync_status_forward", "sync_forward_assignment", "sync_comments", "sync_status_reverse", "sync_reverse_assignment"}
	if diff := cmp.Diff(want, names); diff != "" {
		t.Errorf("field names (-want +got):\n%s", diff)
	}
	if !strings.Contains(stderr.String(), "projects: 5 (states for 5), distinct states: 12") ||
		!strings.Contains(stderr.String(), "connected as: "+azdotest.UserName+" ("+azdotest.UserID+")\n") ||
		!strings.Contains(stderr.String(), "problems: 0") {
		t.Errorf("summary:\n%s", stderr.String())
	}
}

func TestQuickstartGated(t *testing.T) {
	var stdout, stderr bytes.Buffer
	if code := run([]string{"-feature=false"}, &stdout, &stderr, env(nil)); code != 0 {
		t.Fatalf("exit %d, stderr:\n%s", code, stderr.String())
	}
	if got := strings.Count(stdout.String(), `"disabledReason": "Your organization does not have access to this feature"`); got != 5 {
		t.Errorf("%d fields disabled with the feature reason, want 5:\n%s", got, stdout.String())
	}
	if !strings.Contains(stderr.String(), "requests: 0") {
		t.Errorf("the gated form made requests:\n%s", stderr.String())
	}
	// Zero projects and zero problems alone read like an empty
	// organization: the summary says the form is gated, and why.
	if want := "form: disabled (no_access): Your organization does not have access to this feature (-feature=false)\n"; !strings.Contains(stderr.String(), want) {
		t.Errorf("summary:\n%s\nwant it to contain %q", stderr.String(), want)
	}
}

func TestQuickstartRealOrgFlags(t *testing.T) {
	srv := azdotest.NewServer(t, azdotest.SampleOrg(), azdotest.WithPAT("a-real-looking-pat"))
	var stdout, stderr bytes.Buffer
	code := run([]string{"-org", srv.URL(), "-pat-env", "MY_PAT", "-limit", "2"}, &stdout, &stderr, env(map[string]string{"MY_PAT": "a-real-looking-pat"}))
	if code != 0 {
		t.Fatalf("exit %d, stderr:\n%s", code, stderr.String())
	}
	if !strings.Contains(stderr.String(), "projects: 5 (states for 2)") {
		t.Errorf("summary:\n%s", stderr.String())
	}
}

func TestQuickstartUsageErrors(t *testing.T) {
	for _, tt := range []struct {
		name string
		args []string
		env  map[string]string
		code int
		want string
	}{
		{"help", []string{"-h"}, nil, 0, "usage: quickstart [flags]"},
		{"missing token", []string{"-org", "https://dev.azure.com/fabrikam"}, nil, 2, "quickstart: -org needs a personal access token in $AZDO_PAT or $AZDO_PERSONAL_ACCESS_TOKEN\n"},
		{"missing token, env url", nil, map[string]string{"AZDO_ORG_URL": "https://dev.azure.com/fabrikam"}, 2, "quickstart: $AZDO_ORG_URL needs a personal access token in $AZDO_PAT or $AZDO_PERSONAL_ACCESS_TOKEN\n"},
		{"bad url before missing token", []string{"-org", "http://dev.azure.com/fabrikam"}, nil, 2, "quickstart: -org: azdo: new client: "},
		{"terraform's variables", nil, map[string]string{"AZDO_ORG_SERVICE_URL": "ftp://x/y", "AZDO_PERSONAL_ACCESS_TOKEN": "secret-pat-value"}, 2, "quickstart: $AZDO_ORG_SERVICE_URL: "},
		{"missing token, other variable", []string{"-account", "fabrikam", "-pat-env", "MY_PAT"}, nil, 2, "quickstart: -account needs a personal access token in $MY_PAT\n"},
		{"bad url", []string{"-org", "http://dev.azure.com/fabrikam"}, map[string]string{"AZDO_PAT": "secret-pat-value"}, 2, "quickstart: -org: "},
		{"token with a newline", []string{"-org", "https://dev.azure.com/fabrikam", "-pat-env", "MY_PAT"}, map[string]string{"MY_PAT": "secret-pat-value\n"}, 2, "quickstart: $MY_PAT: azdo: new client: credential: token contains white space"},
		{"env url", nil, map[string]string{"AZDO_ORG_URL": "ftp://x/y", "AZDO_PAT": "secret-pat-value"}, 2, `quickstart: $AZDO_ORG_URL: `},
		{"flag over env", []string{"-org", "ftp://x/y"}, map[string]string{"AZDO_ORG_URL": "https://dev.azure.com/fabrikam", "AZDO_PAT": "secret-pat-value"}, 2, `quickstart: -org: `},
		{"empty org", []string{"-org", ""}, nil, 2, "quickstart: -org: azdo: new client: empty organization url\n"},
		{"org and account", []string{"-org", "https://dev.azure.com/fabrikam", "-account", "fabrikam"}, nil, 2, "quickstart: give -org or -account, not both\n"},
		{"negative limit", []string{"-limit", "-1"}, nil, 2, "-limit must not be negative"},
		{"bad account", []string{"-account", "fab rikam!"}, map[string]string{"AZDO_PAT": "secret-pat-value"}, 2, `quickstart: -account "fab rikam!": azdo: look up organization url: account must be`},
		{"bad location service", []string{"-account", "fabrikam", "-location-service", "ftp://x"}, map[string]string{"AZDO_PAT": "secret-pat-value"}, 2, `quickstart: -account "fabrikam": azdo: look up organization url: location service url scheme "ftp" is not https`},
		{"unknown flag", []string{"-nope"}, nil, 2, "flag provided but not defined"},
		{"unreachable", []string{"-org", "http://127.0.0.1:1/org", "-timeout", "2s"}, map[string]string{"AZDO_PAT": "secret-pat-value"}, 1, "quickstart: the form is degraded (unreachable): Could not reach Azure DevOps"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			code := run(tt.args, &stdout, &stderr, env(tt.env))
			if code != tt.code || !strings.Contains(stderr.String(), tt.want) {
				t.Errorf("exit %d (want %d), stderr:\n%s\nwant it to contain %q", code, tt.code, stderr.String(), tt.want)
			}
			if strings.Contains(stdout.String()+stderr.String(), "secret-pat-value") {
				t.Errorf("the token was printed")
			}
		})
	}
}

// TestQuickstartDegraded: a form Azure DevOps refused is printed, and the
// exit status says it is degraded.
func TestQuickstartDegraded(t *testing.T) {
	forbidden := azdotest.NewServer(t, azdotest.SampleOrg(), azdotest.WithPAT("pat"),
		azdotest.WithFaults(azdotest.Fault{Endpoint: azdotest.EndpointProjects, Kind: azdotest.FaultStatus, Status: 403}))
	refusing := azdotest.NewServer(t, azdotest.SampleOrg(), azdotest.WithPAT("another-pat"))
	for _, tt := range []struct {
		name, url, want string
	}{
		{"forbidden", forbidden.URL(), "quickstart: the form is degraded (forbidden): Azure DevOps did not allow this integration to read its projects."},
		{"refused", refusing.URL(), "quickstart: the form is degraded (unauthorized): Azure DevOps refused the credentials"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			code := run([]string{"-org", tt.url}, &stdout, &stderr, env(map[string]string{"AZDO_PAT": "pat"}))
			if code != 1 || !strings.Contains(stderr.String(), tt.want) {
				t.Errorf("exit %d (want 1), stderr:\n%s\nwant it to contain %q", code, stderr.String(), tt.want)
			}
			if !strings.Contains(stdout.String(), `"disabledReason"`) {
				t.Errorf("the form was not printed:\n%s", stdout.String())
			}
		})
	}
}

// TestQuickstartAccount looks the organization up by name and by ID in
// azdotest's location service, as the reference integration does.
func TestQuickstartAccount(t *testing.T) {
	srv := azdotest.NewServer(t, azdotest.SampleOrg(), azdotest.WithPAT("pat"))
	for _, account := range []string{"fabrikam", "FABRIKAM", srv.OrgID()} {
		t.Run(account, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			code := run([]string{"-account", account, "-location-service", srv.LocationServiceURL()}, &stdout, &stderr, env(map[string]string{"AZDO_PAT": "pat"}))
			if code != 0 {
				t.Fatalf("exit %d, stderr:\n%s", code, stderr.String())
			}
			want := "organization: " + srv.URL() + " (from -account " + account + ")\n"
			if !strings.Contains(stderr.String(), want) || !strings.Contains(stderr.String(), "projects: 5 (states for 5)") {
				t.Errorf("stderr:\n%s\nwant it to contain %q", stderr.String(), want)
			}
		})
	}
	var stdout, stderr bytes.Buffer
	code := run([]string{"-account", "nobody", "-location-service", srv.LocationServiceURL()}, &stdout, &stderr, env(map[string]string{"AZDO_PAT": "pat"}))
	if code != 1 || !strings.HasPrefix(stderr.String(), `quickstart: -account "nobody": `) || stdout.Len() != 0 {
		t.Errorf("unknown account: exit %d, stdout %q, stderr:\n%s", code, stdout.String(), stderr.String())
	}
}

// TestQuickstartEntra signs in with -entra: azidentity's
// DefaultAzureCredential reads a service principal from the AZURE_*
// variables and gets its token from a fake Entra endpoint
// (AZURE_AUTHORITY_HOST), which the fake organization accepts.
func TestQuickstartEntra(t *testing.T) {
	e := azdotest.NewEntra(t)
	srv := azdotest.NewServer(t, azdotest.SampleOrg(), azdotest.WithEntra(e))
	entraTransport = e.Client()
	t.Cleanup(func() { entraTransport = nil })
	t.Setenv("AZURE_TOKEN_CREDENTIALS", "EnvironmentCredential") // nothing else is tried: no managed identity endpoint, no CLI
	t.Setenv("AZURE_AUTHORITY_HOST", e.AuthorityHost())
	t.Setenv("AZURE_TENANT_ID", azdotest.EntraTenantID)
	t.Setenv("AZURE_CLIENT_ID", azdotest.EntraClientID)
	t.Setenv("AZURE_CLIENT_SECRET", azdotest.EntraClientSecret)
	t.Setenv("AZDO_ORG_URL", srv.URL())

	var stdout, stderr bytes.Buffer
	if code := run([]string{"-entra"}, &stdout, &stderr, os.Getenv); code != 0 {
		t.Fatalf("exit %d, stderr:\n%s", code, stderr.String())
	}
	if !strings.Contains(stderr.String(), "projects: 5 (states for 5)") || e.TokenRequests() != 1 ||
		!strings.Contains(stderr.String(), "connected as: "+azdotest.EntraAppName+" ("+azdotest.EntraAppID+")\n") {
		t.Errorf("%d token requests, summary:\n%s", e.TokenRequests(), stderr.String())
	}
	if strings.Contains(stdout.String()+stderr.String(), azdotest.EntraClientSecret) {
		t.Errorf("the secret was printed")
	}

	// Consent withdrawn: the form is degraded, saying why.
	e.SetConsent(false)
	stdout.Reset()
	stderr.Reset()
	code := run([]string{"-entra"}, &stdout, &stderr, os.Getenv)
	if want := "AADSTS65001: The user or administrator has not consented"; code != 1 || !strings.Contains(stderr.String(), want) ||
		!strings.Contains(stderr.String(), "the form is degraded (no_credential)") {
		t.Errorf("exit %d (want 1), stderr:\n%s\nwant it to contain %q", code, stderr.String(), want)
	}

	stderr.Reset()
	if code := run([]string{"-entra"}, &stdout, &stderr, env(nil)); code != 2 || !strings.Contains(stderr.String(), "-entra needs a real organization") {
		t.Errorf("-entra without an organization: exit %d, stderr:\n%s", code, stderr.String())
	}
}

// TestQuickstartTerraformVariables: the variables the Terraform provider
// for Azure DevOps reads name the organization and the token too.
func TestQuickstartTerraformVariables(t *testing.T) {
	srv := azdotest.NewServer(t, azdotest.SampleOrg(), azdotest.WithPAT("tf-pat"))
	var stdout, stderr bytes.Buffer
	code := run(nil, &stdout, &stderr, env(map[string]string{"AZDO_ORG_SERVICE_URL": srv.URL(), "AZDO_PERSONAL_ACCESS_TOKEN": "tf-pat"}))
	if want := "organization: " + srv.URL() + " (from $AZDO_ORG_SERVICE_URL)\n"; code != 0 || !strings.Contains(stderr.String(), want) {
		t.Errorf("exit %d, stderr:\n%s\nwant it to contain %q", code, stderr.String(), want)
	}
}

// TestQuickstartSummaryHasNoControlCharacters: what Azure DevOps says
// (who the credential acts as, the message of a failed request) reaches
// the summary without its control characters, so that a hostile server
// cannot send escape sequences to the terminal of whoever runs the
// quickstart (retitle it, clear it, rewrite the lines above).
func TestQuickstartSummaryHasNoControlCharacters(t *testing.T) {
	srv := azdotest.NewServer(t, azdotest.SampleOrg(), azdotest.WithPAT("pat"), azdotest.WithFaults(
		azdotest.Fault{Endpoint: azdotest.EndpointConnectionData, Status: 200,
			Body: `{"authenticatedUser":{"id":"6d0b5a3d-7a0c-4b0d-8f43-2f3a1e5b8c9d","providerDisplayName":"Evil\u001b]0;owned\u0007\u001b[2J"}}`},
		azdotest.Fault{Endpoint: azdotest.EndpointProcessWorkItemTypes, Status: 500,
			Body: `{"message":"\u001b[1A\u001b[2Kproblems: 0\r","typeKey":"X"}`},
	))
	var stdout, stderr bytes.Buffer
	if code := run([]string{"-org", srv.URL()}, &stdout, &stderr, env(map[string]string{"AZDO_PAT": "pat"})); code != 1 {
		t.Fatalf("exit %d, want 1 (the form is degraded), stderr:\n%s", code, stderr.String())
	}
	summary := stderr.String()
	if i := strings.IndexFunc(summary, func(r rune) bool { return r != '\n' && (r < ' ' || r == 0x7f) }); i >= 0 {
		t.Errorf("summary holds control character %q:\n%q", summary[i], summary)
	}
	for _, want := range []string{`connected as: "Evil\x1b]0;owned\a\x1b[2J" (6d0b5a3d-7a0c-4b0d-8f43-2f3a1e5b8c9d)`, `\x1b[1A\x1b[2Kproblems: 0\r`} {
		if !strings.Contains(summary, want) {
			t.Errorf("summary:\n%s\nwant it to contain %s", summary, want)
		}
	}
}

// TestQuickstartNeverEchoesAToken: a token given where a flag's value or
// an argument was expected (-pat-env $AZDO_PAT, or the token after the
// flags) is not repeated in the usage error, which a CI log would keep.
func TestQuickstartNeverEchoesAToken(t *testing.T) {
	const pat = "x7kq2mzv4b9r1n8c3d6f5g0h2j4k6l8p1q3s5t7v9w2y4a6c8e0g" // a PAT's shape: 52 of [a-z0-9]
	srv := azdotest.NewServer(t, azdotest.SampleOrg(), azdotest.WithPAT(pat))
	for _, args := range [][]string{
		{"-org", srv.URL(), pat},
		{"-org", srv.URL(), "-pat-env", pat},
	} {
		var stdout, stderr bytes.Buffer
		code := run(args, &stdout, &stderr, env(nil))
		if code != 2 {
			t.Errorf("%d arguments: exit %d, want 2 (usage)", len(args), code)
		}
		if strings.Contains(stderr.String()+stdout.String(), pat) {
			t.Errorf("%d arguments: the token is in the output:\n%s", len(args), stderr.String())
		}
	}
}

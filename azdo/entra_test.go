package azdo_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/cloud"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"
	"github.com/Azure/azure-sdk-for-go/sdk/azidentity"
	"github.com/google/go-cmp/cmp"

	"github.com/azdosync/azdosync/azdo"
	"github.com/azdosync/azdosync/azdo/azdotest"
	"github.com/azdosync/azdosync/features"
	"github.com/azdosync/azdosync/orgconfig"
)

// entraOptions points azidentity at the fake Entra endpoint: its
// authority host, a transport trusting its certificate, no instance
// discovery (which would ask login.microsoftonline.com).
func entraOptions(e *azdotest.Entra) azcore.ClientOptions {
	return azcore.ClientOptions{
		Cloud:     cloud.Configuration{ActiveDirectoryAuthorityHost: e.AuthorityHost()},
		Transport: e.Client(),
	}
}

func secretCredential(t *testing.T, e *azdotest.Entra, tenant, clientID string) azcore.TokenCredential {
	t.Helper()
	cred, err := azidentity.NewClientSecretCredential(tenant, clientID, azdotest.EntraClientSecret,
		&azidentity.ClientSecretCredentialOptions{ClientOptions: entraOptions(e), DisableInstanceDiscovery: true})
	if err != nil {
		t.Fatal(err)
	}
	return cred
}

// workloadCredential reads its client assertion from a file, as a
// Kubernetes workload identity does.
func workloadCredential(t *testing.T, e *azdotest.Entra) azcore.TokenCredential {
	t.Helper()
	file := filepath.Join(t.TempDir(), "token")
	if err := os.WriteFile(file, []byte(azdotest.EntraClientAssertion), 0o600); err != nil {
		t.Fatal(err)
	}
	cred, err := azidentity.NewWorkloadIdentityCredential(&azidentity.WorkloadIdentityCredentialOptions{
		ClientOptions: entraOptions(e), DisableInstanceDiscovery: true,
		TenantID: azdotest.EntraTenantID, ClientID: azdotest.EntraClientID, TokenFilePath: file,
	})
	if err != nil {
		t.Fatal(err)
	}
	return cred
}

// noRefusals fails when the server refused any request: an expired or
// unknown token was sent.
func noRefusals(t *testing.T, srv *azdotest.Server) {
	t.Helper()
	for _, r := range srv.Requests() {
		if r.Status == 401 {
			t.Errorf("%s %s was refused: an expired or unknown token was sent", r.Method, r.Path)
		}
	}
}

// TestEntraIDCredentials builds the form with azidentity's client secret
// and workload identity credentials.
func TestEntraIDCredentials(t *testing.T) {
	e := azdotest.NewEntra(t)
	srv := azdotest.NewServer(t, azdotest.SampleOrg(), azdotest.WithEntra(e))
	for name, cred := range map[string]azcore.TokenCredential{
		"client secret":     secretCredential(t, e, azdotest.EntraTenantID, azdotest.EntraClientID),
		"workload identity": workloadCredential(t, e),
	} {
		t.Run(name, func(t *testing.T) {
			c, err := azdo.New(srv.URL(), azdo.EntraID(cred))
			if err != nil {
				t.Fatal(err)
			}
			cfg := buildForm(t, c)
			if len(cfg.Problems) != 0 || cfg.Reason != "" || len(cfg.Projects) != 5 {
				t.Errorf("reason %q, %d projects, problems %v", cfg.Reason, len(cfg.Projects), cfg.Problems)
			}
		})
	}
	noRefusals(t, srv)
	if got := e.TokenRequests(); got != 2 {
		t.Errorf("%d token requests for two credentials' Builds, want 2 (one each)", got)
	}
}

// TestEntraIDOneRefresh: a token about to expire is replaced once, however
// many Builds need it at once.
func TestEntraIDOneRefresh(t *testing.T) {
	e := azdotest.NewEntra(t)
	srv := azdotest.NewServer(t, azdotest.SampleOrg(), azdotest.WithEntra(e))
	// The first tokens are due for refresh 2s after they are issued.
	e.SetTokenLifetime(azdo.DefaultEntraRefreshBefore + 2*time.Second)
	c, err := azdo.New(srv.URL(), azdo.EntraID(secretCredential(t, e, azdotest.EntraTenantID, azdotest.EntraClientID)))
	if err != nil {
		t.Fatal(err)
	}
	want := buildForm(t, c)
	e.SetTokenLifetime(time.Hour)
	// Every token issued so far was issued before now: all are due 2s on,
	// however long the first Build took.
	time.Sleep(2*time.Second + 100*time.Millisecond)
	before := e.TokenRequests()

	var wg sync.WaitGroup
	cfgs := make([]*orgconfig.Config, 50)
	for i := range cfgs {
		wg.Go(func() {
			b, err := orgconfig.NewBuilder(c, features.Static(true))
			if err != nil {
				t.Error(err)
				return
			}
			cfgs[i], err = b.Build(t.Context(), "org-1")
			if err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	if got := e.TokenRequests() - before; got != 1 {
		t.Errorf("50 concurrent Builds after the token was due made %d token requests, want 1", got)
	}
	for i, cfg := range cfgs {
		if cfg == nil {
			continue
		}
		if diff := cmp.Diff(want.Projects, cfg.Projects); diff != "" || len(cfg.Problems) != 0 {
			t.Errorf("Build %d: problems %v, projects (-want +got):\n%s", i, cfg.Problems, diff)
		}
	}
	noRefusals(t, srv)
}

// TestEntraIDNeverSendsExpired: a token past its expiry is never sent,
// neither the one kept (refreshed instead) nor one the credential hands
// out already expired (nothing is sent).
func TestEntraIDNeverSendsExpired(t *testing.T) {
	e := azdotest.NewEntra(t)
	srv := azdotest.NewServer(t, azdotest.SampleOrg(), azdotest.WithEntra(e))
	e.SetTokenLifetime(2 * time.Second)
	c, err := azdo.New(srv.URL(), azdo.EntraID(secretCredential(t, e, azdotest.EntraTenantID, azdotest.EntraClientID), azdo.EntraRefreshBefore(time.Second)))
	if err != nil {
		t.Fatal(err)
	}
	if cfg := buildForm(t, c); len(cfg.Problems) != 0 {
		t.Fatalf("first Build: %v", cfg.Problems)
	}
	e.SetTokenLifetime(time.Hour)
	time.Sleep(2*time.Second + 100*time.Millisecond) // every token issued so far has expired
	if cfg := buildForm(t, c); len(cfg.Problems) != 0 {
		t.Errorf("Build after the token expired: %v", cfg.Problems)
	}
	noRefusals(t, srv)

	// A credential handing out an expired token: Azure DevOps is not asked.
	e.SetTokenLifetime(0)
	srv.ResetStats()
	c, err = azdo.New(srv.URL(), azdo.EntraID(secretCredential(t, e, azdotest.EntraTenantID, azdotest.EntraClientID)))
	if err != nil {
		t.Fatal(err)
	}
	cfg := buildForm(t, c)
	if cfg.Reason != orgconfig.ReasonNoCredential || len(cfg.Problems) != 1 ||
		!strings.Contains(cfg.Problems[0].Error(), "the credential returned a token that has expired") {
		t.Errorf("reason %q, problems %v; want no_credential, an expired token", cfg.Reason, cfg.Problems)
	}
	if n := srv.Count(); n != 0 {
		t.Errorf("%d requests reached Azure DevOps with an expired token", n)
	}
}

// TestEntraIDFailuresReachTheAdmin: Entra's own refusals (consent, an
// unknown application or tenant) disable the status field with
// ReasonNoCredential and are named in Problems, code and text, without
// the secret; Azure DevOps is not contacted.
func TestEntraIDFailuresReachTheAdmin(t *testing.T) {
	e := azdotest.NewEntra(t)
	srv := azdotest.NewServer(t, azdotest.SampleOrg(), azdotest.WithEntra(e))
	for _, tt := range []struct {
		name             string
		tenant, clientID string
		noConsent        bool
		want             string
	}{
		{"consent", azdotest.EntraTenantID, azdotest.EntraClientID, true,
			"azdo: list projects: no credentials: entra id token: AADSTS65001: The user or administrator has not consented to use the application with ID '" + azdotest.EntraClientID + "' named 'azdotest'. Send an interactive authorization request for this user and resource."},
		{"unknown application", azdotest.EntraTenantID, "00000000-1111-2222-3333-444444444444", false,
			"azdo: list projects: no credentials: entra id token: AADSTS700016: Application with identifier '00000000-1111-2222-3333-444444444444' was not found in the directory '" + azdotest.EntraTenantID + "'."},
		{"unknown tenant", "contoso-typo", azdotest.EntraClientID, false,
			"azdo: list projects: no credentials: entra id token: AADSTS90002: Tenant 'contoso-typo' not found."},
	} {
		t.Run(tt.name, func(t *testing.T) {
			e.SetConsent(!tt.noConsent)
			defer e.SetConsent(true)
			srv.ResetStats()
			c, err := azdo.New(srv.URL(), azdo.EntraID(secretCredential(t, e, tt.tenant, tt.clientID)))
			if err != nil {
				t.Fatal(err)
			}
			cfg := buildForm(t, c)
			if cfg.Reason != orgconfig.ReasonNoCredential || len(cfg.Problems) != 1 {
				t.Fatalf("reason %q, problems %v", cfg.Reason, cfg.Problems)
			}
			got := cfg.Problems[0].Error()
			if !strings.HasPrefix(got, tt.want) {
				t.Errorf("problem\n%s\nwant it to start with\n%s", got, tt.want)
			}
			if strings.Contains(got, azdotest.EntraClientSecret) {
				t.Errorf("problem %q holds the secret", got)
			}
			var authErr *azidentity.AuthenticationFailedError
			if !errors.Is(cfg.Problems[0], azdo.ErrNoCredential) || !errors.Is(cfg.Problems[0], orgconfig.ErrUnauthorized) || !errors.As(cfg.Problems[0], &authErr) {
				t.Errorf("problem %v: the kind or azidentity's error is lost", cfg.Problems[0])
			}
			if f := cfg.StatusField(); f == nil || f.DisabledReason != orgconfig.ReasonNoCredential.Text() {
				t.Errorf("status field %+v, want disabled with %q", f, orgconfig.ReasonNoCredential.Text())
			}
			if n := srv.Count(); n != 0 {
				t.Errorf("%d requests reached Azure DevOps", n)
			}
		})
	}
}

// TestEntraIDInvalid: New refuses a nil credential or a bad option.
func TestEntraIDInvalid(t *testing.T) {
	for _, tt := range []struct {
		cred azdo.Credential
		want string
	}{
		{azdo.EntraID(nil), "azdo: new client: credential: nil entra id token credential"},
		{azdo.EntraID(fakeTokenCredential{}, azdo.EntraRefreshBefore(0)), "azdo: new client: credential: entra refresh before must be positive and at most 1h, got 0s"},
		{azdo.EntraID(fakeTokenCredential{}, nil), "azdo: new client: credential: entra option 0 is nil"},
	} {
		if _, err := azdo.New("https://dev.azure.com/fabrikam", tt.cred); err == nil || err.Error() != tt.want {
			t.Errorf("error %v, want %q", err, tt.want)
		}
	}
}

// staticTokenCredential hands out its token, valid for an hour.
type staticTokenCredential string

func (c staticTokenCredential) GetToken(context.Context, policy.TokenRequestOptions) (azcore.AccessToken, error) {
	return azcore.AccessToken{Token: string(c), ExpiresOn: time.Now().Add(time.Hour)}, nil
}

type fakeTokenCredential struct{}

func (fakeTokenCredential) GetToken(context.Context, policy.TokenRequestOptions) (azcore.AccessToken, error) {
	return azcore.AccessToken{}, errors.New("unused")
}

// sequenceTokenCredential hands out its tokens in turn, each valid for an
// hour, then the last one again.
type sequenceTokenCredential struct {
	mu     sync.Mutex
	tokens []string
	asked  int
}

func (c *sequenceTokenCredential) GetToken(context.Context, policy.TokenRequestOptions) (azcore.AccessToken, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	tok := c.tokens[min(c.asked, len(c.tokens)-1)]
	c.asked++
	return azcore.AccessToken{Token: tok, ExpiresOn: time.Now().Add(time.Hour)}, nil
}

// TestEntraIDBadTokenNotKept: a token the credential returns that cannot
// be sent (empty, or with a line break) fails the request without
// reaching Azure DevOps, and is not kept for the hour it claims to last:
// the next request asks the credential again and succeeds.
func TestEntraIDBadTokenNotKept(t *testing.T) {
	for _, bad := range []string{"", "bad\ntoken"} {
		srv := azdotest.NewServer(t, azdotest.SampleOrg(), azdotest.WithBearer("good-token"))
		cred := &sequenceTokenCredential{tokens: []string{bad, "good-token"}}
		c, err := azdo.New(srv.URL(), azdo.EntraID(cred))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := c.ConnectedAs(t.Context()); !errors.Is(err, azdo.ErrNoCredential) {
			t.Errorf("token %q: first call error %v, want ErrNoCredential", bad, err)
		}
		if n := srv.Count(); n != 0 {
			t.Errorf("token %q: %d requests reached Azure DevOps with it", bad, n)
		}
		if _, err := c.ConnectedAs(t.Context()); err != nil {
			t.Errorf("token %q: second call error %v, want the credential asked again", bad, err)
		}
	}
}

// countingTokenCredential hands out one token, valid for an hour, after a
// pause, and counts how often it was asked.
type countingTokenCredential struct {
	token string
	asked atomic.Int32
}

func (c *countingTokenCredential) GetToken(context.Context, policy.TokenRequestOptions) (azcore.AccessToken, error) {
	c.asked.Add(1)
	time.Sleep(20 * time.Millisecond) // so that concurrent callers overlap
	return azcore.AccessToken{Token: c.token, ExpiresOn: time.Now().Add(time.Hour)}, nil
}

// TestEntraIDReusesTokens: EntraID asks its credential once for any number
// of requests, concurrent or not, while the token is fresh. azidentity's
// credentials cache tokens themselves, which hid EntraID's own cache from
// the tests over azdotest.Entra: without it they passed too.
func TestEntraIDReusesTokens(t *testing.T) {
	srv := azdotest.NewServer(t, azdotest.SampleOrg(), azdotest.WithBearer("good-token"))
	cred := &countingTokenCredential{token: "good-token"}
	c, err := azdo.New(srv.URL(), azdo.EntraID(cred))
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	for range 20 {
		wg.Go(func() {
			if _, err := c.ConnectedAs(t.Context()); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	buildForm(t, c)
	noRefusals(t, srv)
	if got, requests := cred.asked.Load(), srv.Count(); got != 1 || requests < 21 {
		t.Errorf("credential asked %d times for %d requests, want once for 21 or more", got, requests)
	}
}

// refreshDueCredential hands out a token valid for an hour whose RefreshOn
// has already come, and counts how often it was asked.
type refreshDueCredential struct{ asked atomic.Int32 }

func (c *refreshDueCredential) GetToken(context.Context, policy.TokenRequestOptions) (azcore.AccessToken, error) {
	c.asked.Add(1)
	now := time.Now()
	return azcore.AccessToken{Token: "good-token", ExpiresOn: now.Add(time.Hour), RefreshOn: now}, nil
}

// TestEntraIDHonoursRefreshOn: a token whose RefreshOn has come is used
// once and not kept, however long before its ExpiresOn: each request
// (ConnectedAs's first also discovers locations) asks the credential again.
func TestEntraIDHonoursRefreshOn(t *testing.T) {
	srv := azdotest.NewServer(t, azdotest.SampleOrg(), azdotest.WithBearer("good-token"))
	cred := &refreshDueCredential{}
	c, err := azdo.New(srv.URL(), azdo.EntraID(cred))
	if err != nil {
		t.Fatal(err)
	}
	for range 3 {
		if _, err := c.ConnectedAs(t.Context()); err != nil {
			t.Fatal(err)
		}
	}
	if got, requests := int(cred.asked.Load()), srv.Count(); got != requests || requests < 3 {
		t.Errorf("credential asked %d times for %d requests, want once a request: RefreshOn had come", got, requests)
	}
}

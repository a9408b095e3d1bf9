package azdotest

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"
)

// The one application the fake Microsoft Entra ID tenant of [Entra] knows:
// a service principal that signs in with EntraClientSecret or with the
// client assertion EntraClientAssertion (what a workload identity's token
// file holds).
const (
	EntraTenantID        = "72f988bf-86f1-41af-91ab-2d7cd011db47"
	EntraClientID        = "5f6c2c1e-8d7a-4b8e-9c35-0a1b2c3d4e5f"
	EntraClientSecret    = "azdotest-client-secret"
	EntraClientAssertion = "azdotest-client-assertion"
)

// entraScope is the scope of Azure DevOps; azdo.EntraScope (azdo imports
// this package's users, not the other way round).
const entraScope = "499b84ac-1321-427f-aa17-267ca6975798/.default"

// Entra is a fake Microsoft Entra ID token endpoint, over TLS, for tests of
// azdo.EntraID with azidentity's real credential types: give them
// AuthorityHost as their authority host, Client as their transport (it
// trusts the fake's certificate), and turn instance discovery off. It
// knows one tenant (EntraTenantID) and one application (EntraClientID),
// issues tokens for the Azure DevOps scope, and answers as Entra does when
// something is wrong: an unknown tenant (AADSTS90002), an unknown
// application (AADSTS700016), a wrong secret or assertion (AADSTS7000215),
// a missing consent (AADSTS65001, see SetConsent). A [Server] made with
// [WithEntra] accepts the tokens it issued, until they expire.
//
// Its methods are safe for concurrent use.
type Entra struct {
	ts *httptest.Server

	mu       sync.Mutex
	lifetime time.Duration
	noGrant  bool
	issued   map[string]time.Time // token: when it expires
	requests int
}

// NewEntra starts a fake Entra ID token endpoint; tb's cleanup closes it.
// Its tokens last an hour until SetTokenLifetime says otherwise.
func NewEntra(tb testing.TB) *Entra {
	tb.Helper()
	e := &Entra{lifetime: time.Hour, issued: make(map[string]time.Time)}
	e.ts = httptest.NewUnstartedServer(http.HandlerFunc(e.serve))
	// A client that hangs up mid-handshake (a test ending, a cancelled
	// request) is no news: keep net/http's complaint out of the test output.
	e.ts.Config.ErrorLog = log.New(io.Discard, "", 0)
	e.ts.StartTLS()
	tb.Cleanup(e.ts.Close)
	return e
}

// AuthorityHost is the authority host to give azidentity's credentials
// (ClientOptions.Cloud.ActiveDirectoryAuthorityHost, or
// $AZURE_AUTHORITY_HOST), such as https://127.0.0.1:PORT/.
func (e *Entra) AuthorityHost() string { return e.ts.URL + "/" }

// Client returns an *http.Client trusting the fake's certificate, for
// azidentity's ClientOptions.Transport.
func (e *Entra) Client() *http.Client { return e.ts.Client() }

// SetTokenLifetime sets how long the tokens issued from now on last
// (expires_in, in whole seconds; default 1h). 0 issues tokens already
// expired.
func (e *Entra) SetTokenLifetime(d time.Duration) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.lifetime = d.Truncate(time.Second)
}

// SetConsent sets whether the application has consent to Azure DevOps
// (default true). Without it, every token request is answered with
// AADSTS65001.
func (e *Entra) SetConsent(granted bool) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.noGrant = !granted
}

// TokenRequests returns how many token requests were answered, failed
// ones included.
func (e *Entra) TokenRequests() int {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.requests
}

// check reports whether token was issued by e and whether it has expired.
func (e *Entra) check(token string) (issued, expired bool) {
	e.mu.Lock()
	defer e.mu.Unlock()
	exp, ok := e.issued[token]
	return ok, ok && !time.Now().Before(exp)
}

func (e *Entra) serve(w http.ResponseWriter, r *http.Request) {
	segs := strings.Split(strings.Trim(r.URL.Path, "/"), "/")
	tenant := segs[0]
	rest := strings.Join(segs[1:], "/")
	switch {
	case r.Method == http.MethodGet && rest == "v2.0/.well-known/openid-configuration":
		if !strings.EqualFold(tenant, EntraTenantID) {
			e.fail(w, http.StatusBadRequest, "invalid_tenant", 90002, fmt.Sprintf("Tenant '%s' not found. Check to make sure you have the correct tenant ID and are signing into the correct cloud. Check with your subscription administrator, this may happen if there are no active subscriptions for the tenant.", tenant))
			return
		}
		base := e.ts.URL + "/" + tenant
		writeJSON(w, http.StatusOK, map[string]any{
			"token_endpoint":         base + "/oauth2/v2.0/token",
			"authorization_endpoint": base + "/oauth2/v2.0/authorize",
			"issuer":                 base + "/v2.0",
		})
	case r.Method == http.MethodPost && rest == "oauth2/v2.0/token":
		e.token(w, r, tenant)
	default:
		http.NotFound(w, r)
	}
}

func (e *Entra) token(w http.ResponseWriter, r *http.Request, tenant string) {
	e.mu.Lock()
	e.requests++
	lifetime, noGrant := e.lifetime, e.noGrant
	e.mu.Unlock()
	if err := r.ParseForm(); err != nil {
		e.fail(w, http.StatusBadRequest, "invalid_request", 900144, "The request body must contain the following parameter: 'grant_type'.")
		return
	}
	f := r.PostForm
	switch {
	case !strings.EqualFold(tenant, EntraTenantID):
		e.fail(w, http.StatusBadRequest, "invalid_tenant", 90002, fmt.Sprintf("Tenant '%s' not found.", tenant))
	case f.Get("client_id") != EntraClientID:
		e.fail(w, http.StatusBadRequest, "unauthorized_client", 700016, fmt.Sprintf("Application with identifier '%s' was not found in the directory '%s'. This can happen if the application has not been installed by the administrator of the tenant or consented to by any user in the tenant. You may have sent your authentication request to the wrong tenant.", f.Get("client_id"), tenant))
	case f.Get("client_secret") != EntraClientSecret && f.Get("client_assertion") != EntraClientAssertion:
		e.fail(w, http.StatusUnauthorized, "invalid_client", 7000215, "Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID, for a secret added to app '"+EntraClientID+"'.")
	case !strings.Contains(" "+f.Get("scope")+" ", " "+entraScope+" "):
		e.fail(w, http.StatusBadRequest, "invalid_scope", 70011, "The provided request must include a 'scope' input parameter.")
	case noGrant:
		e.fail(w, http.StatusBadRequest, "invalid_grant", 65001, fmt.Sprintf("The user or administrator has not consented to use the application with ID '%s' named 'azdotest'. Send an interactive authorization request for this user and resource.", EntraClientID))
	default:
		var b [16]byte
		_, _ = rand.Read(b[:])
		tok := "entra-" + hex.EncodeToString(b[:])
		e.mu.Lock()
		e.issued[tok] = time.Now().Add(lifetime)
		e.mu.Unlock()
		secs := int(lifetime / time.Second)
		writeJSON(w, http.StatusOK, map[string]any{
			"token_type": "Bearer", "expires_in": secs, "ext_expires_in": secs, "access_token": tok,
		})
	}
}

// fail answers as Entra does: an OAuth error whose description starts
// with the AADSTS code and ends with trace details.
func (e *Entra) fail(w http.ResponseWriter, status int, code string, aadsts int, text string) {
	now := time.Now().UTC().Format("2006-01-02 15:04:05Z")
	trace := StableID(fmt.Sprint("trace/", time.Now().UnixNano()))
	writeJSON(w, status, map[string]any{
		"error":             code,
		"error_description": fmt.Sprintf("AADSTS%d: %s\r\nTrace ID: %s\r\nCorrelation ID: %s\r\nTimestamp: %s", aadsts, text, trace, trace, now),
		"error_codes":       []int{aadsts},
		"timestamp":         now,
		"trace_id":          trace,
		"correlation_id":    trace,
	})
}

package azdo

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/microsoft/azure-devops-go-api/azuredevops/v7"
	"github.com/microsoft/azure-devops-go-api/azuredevops/v7/core"
	"github.com/microsoft/azure-devops-go-api/azuredevops/v7/location"
	"github.com/microsoft/azure-devops-go-api/azuredevops/v7/workitemtracking"
	"github.com/microsoft/azure-devops-go-api/azuredevops/v7/workitemtrackingprocess"

	"github.com/azdosync/azdosync/orgconfig"
)

var (
	_ orgconfig.TypedClient  = (*Client)(nil)
	_ orgconfig.ShapedClient = (*Client)(nil)
	_ orgconfig.OpNamer      = (*APIError)(nil)
	_ orgconfig.RetryDelayer = (*APIError)(nil)
	_ orgconfig.OpNamer      = notMadeError("")
)

// Client reads projects and work item states from one Azure DevOps
// organization. It satisfies [orgconfig.Client] and is safe for concurrent
// use. Create one with New: a zero or nil Client fails every call with an
// error saying so.
type Client struct {
	url  string // normalized organization URL
	opts settings
	hc   *http.Client

	discovery   discovery   // pinned routes until one is refused (pinned.go)
	speculation speculation // system processes asked up front (systemprocesses.go)

	core     *core.ClientImpl
	wit      *workitemtracking.ClientImpl
	process  *workitemtrackingprocess.ClientImpl
	location *location.ClientImpl

	mu      sync.Mutex      // guards indexes
	indexes []*processIndex // of Projects calls whose states are not all fetched, oldest first
}

// New returns a Client for the organization at orgURL, such as
// https://dev.azure.com/fabrikam, https://fabrikam.visualstudio.com or
// https://server/tfs/DefaultCollection. It does no network I/O.
//
// orgURL must use https (http only for loopback hosts, for tests, or with
// WithInsecureHTTP for an Azure DevOps Server without TLS) and carry
// no credentials, query or fragment; on dev.azure.com its path is one
// organization name (letters, digits and hyphens). Its host must not be an unspecified,
// link-local or multicast address, nor read as a numeric IPv4 address in
// another spelling than a.b.c.d (such as 0, 2852039166 or 0xa9fea9fe, which
// resolvers turn into 0.0.0.0 and 169.254.169.254). Redirects are held to
// the same host rules and never lead from https to http. Errors name the
// problem and never contain a token; errors.Is tells a bad URL
// ([ErrInvalidURL], checked first) from a bad credential
// ([ErrInvalidCredential]).
func New(orgURL string, cred Credential, opts ...Option) (*Client, error) {
	s, err := applyOptions(forNew, opts)
	if err != nil {
		return nil, err
	}
	u, err := parseClientURL(orgURL, s)
	if err != nil {
		return nil, invalid(ErrInvalidURL, fmt.Errorf("azdo: new client: %w", err))
	}
	if cred == nil {
		return nil, invalid(ErrInvalidCredential, errors.New("azdo: new client: nil credential"))
	}
	if err := cred.validate(); err != nil {
		return nil, invalid(ErrInvalidCredential, fmt.Errorf("azdo: new client: credential: %w", err))
	}

	hc := newHTTPClient(s, u, cred)
	c := &Client{url: u.String(), opts: s, hc: hc}

	// Area clients built directly on our http.Client: this skips the
	// SDK's resource-area discovery and its unsynchronized per-Connection
	// caches, and does no I/O.
	conn := &azuredevops.Connection{BaseUrl: c.url, SuppressFedAuthRedirect: true, UserAgent: s.userAgent}
	sdk := azuredevops.NewClientWithOptions(conn, c.url, azuredevops.WithHTTPClient(hc))
	c.core = &core.ClientImpl{Client: *sdk}
	c.wit = &workitemtracking.ClientImpl{Client: *sdk}
	c.process = &workitemtrackingprocess.ClientImpl{Client: *sdk}
	c.location = &location.ClientImpl{Client: *sdk}
	return c, nil
}

// newHTTPClient returns a copy of the configured http.Client (or a new
// one) whose transport authenticates to u's host with cred (nil: never),
// retries, throttles and bounds bodies as s says.
func newHTTPClient(s settings, u *url.URL, cred Credential) *http.Client {
	var base http.RoundTripper
	hc := &http.Client{}
	if s.httpClient != nil {
		*hc = *s.httpClient // a copy: the caller's client is not modified
		base = s.httpClient.Transport
	}
	if base == nil {
		base = guardedTransport(u, s.resolver) // checks every address dialled
	}
	tr := &transport{
		base: base, cred: cred, host: strings.ToLower(u.Host), https: u.Scheme == "https",
		maxAttempts: s.maxAttempts, maxWait: s.maxWait, requestTimeout: s.requestTimeout,
		maxBody: s.maxBody, logger: s.logger, allowed: s.allowedHosts,
		slots: make(chan struct{}, s.maxInFlight),
		store: s.throttleStore, storeKey: s.throttleKey, maxSlowDown: s.maxSlowDown,
	}
	tr.shared.TTL = sharedReadEvery
	tr.discovery.TTL = 10 * time.Second // covers callers racing the SDK's own cache
	tr.discovery.Keep = func(r *storedResponse) bool { return r.status >= 200 && r.status < 300 }
	tr.discoveryURL = u.String() + "/_apis"
	hc.Transport = tr
	return hc
}

// URL returns the normalized organization URL; "" for a Client not made
// by New.
func (c *Client) URL() string {
	if c == nil {
		return ""
	}
	return c.url
}

// String describes the Client without its credential.
func (c *Client) String() string { return "azdo.Client(" + c.URL() + ")" }

// notMade reports a call on a Client that New did not make (the zero
// value, or nil): it has no transport to ask anything with.
func (c *Client) notMade(op string) error {
	if c == nil || c.core == nil {
		return notMadeError(op)
	}
	return nil
}

// notMadeError is the error of a call on a Client not made by New; its
// value is the operation, which it names (Operation) so that
// orgconfig.OpError does not repeat it.
type notMadeError string

func (e notMadeError) Error() string {
	return "azdo: " + string(e) + ": the Client was not made by New"
}
func (e notMadeError) Operation() string { return string(e) }

// GoString describes the Client without its credential.
func (c *Client) GoString() string { return c.String() }

// Shape describes what, besides the organization, decides what this
// Client returns: its work item types (and whether a per-project choice
// of them is set, WithProjectWorkItemTypes), whether it uses the process API, and
// how many projects it lists at most (WithMaxProjects).
// orgconfig.WithSharedCache puts it in its keys, so that Builders over
// differently configured Clients never read each other's snapshots. It
// holds no URL or credential.
func (c *Client) Shape() string {
	if c == nil {
		return "azdo/v1;nil"
	}
	return fmt.Sprintf("azdo/v1;types=%q;projectTypes=%t;process=%t;maxProjects=%d", c.opts.workItemTypes, c.opts.projectTypes != nil, c.opts.processAPI, c.opts.maxProjects)
}

// fail turns an SDK error into the error a method returns: ctx's error
// when ctx is done, else an *APIError naming op.
func fail(ctx context.Context, op string, err error) error {
	if ctx.Err() != nil {
		return fmt.Errorf("azdo: %s: %w", op, ctx.Err())
	}
	return withOp(op, err)
}

// Package azdosync builds the organization configuration of an Azure DevOps
// issue-sync integration: the settings form an admin of an integration
// platform sees for one linked Azure DevOps organization.
//
// It follows the reference: Sentry's Azure DevOps integration
// (https://docs.sentry.io/organization/integrations/source-code-mgmt/azure-devops/),
// whose form, from get_organization_config in
// https://github.com/getsentry/sentry/blob/master/src/sentry/integrations/vsts/integration.py,
// it reproduces key for key, so that Sentry's frontend renders it.
//
// This package holds documentation only; the code lives in its
// subpackages:
//
//   - orgconfig: the Builder, the Client and FeatureGate interfaces it
//     consumes, the typed form fields, and the checks of what an admin
//     submits (ParseStatusMapping, Config.ValidateStatusMapping). It
//     imports neither azdo nor features.
//   - azdo: an orgconfig.Client for Azure DevOps Services and Server over
//     the official Go SDK, with retries, throttling and typed errors.
//   - azdo/azdotest: a fake Azure DevOps server for tests.
//   - features: orgconfig.FeatureGate implementations.
//   - rediscache: a Redis store the replicas of a service share, for
//     snapshots (orgconfig.WithSharedCache) and throttling
//     (azdo.WithSharedThrottle).
//
// # The flow
//
// [orgconfig.Builder.Build] asks the feature gate first, with your
// platform's organization ID (not the Azure DevOps organization, which the
// Client is tied to); an organization without the issue-sync feature gets
// every field disabled and Azure DevOps is not contacted. It then lists
// the projects, fetches the work item states of every project
// concurrently, and assembles a choice mapper
// (project → state on resolve / on unresolve) and four boolean toggles.
// json.Marshal of the fields is the reference form schema.
//
// # Failures
//
// A failure of the gate, of the project listing or of one project's states
// never fails the form: the affected field is disabled with a reason and the
// error is listed in Config.Problems as an *orgconfig.OpError, which
// errors.Is and errors.As see through (errors.Is(p, orgconfig.ErrUnauthorized)
// tells refused credentials apart), and Config.Reason says why the form is
// disabled as a code (orgconfig.ReasonForbidden, …) that does not change
// with translation. Build returns an error only when its context is done.
//
// # Timeouts and cancellation
//
// Every call that does I/O takes a context.Context first. Build returns
// promptly when the context is done, with every goroutine it started
// already ended. With a cache (orgconfig.WithCacheTTL), concurrent Builds
// share one fetch, and one caller giving up does not fail the others. Every
// context the library hands to a Client, a transport or Redis keeps the
// context.Context contract: the shared fetch runs under the deadline of the
// Build that started it, fixed for its life, so a cached Build fails fast
// into the degraded form when an uncached one would; a Build with more time
// whose shared fetch ran out of it (its deadline came, or a Retry-After did
// not fit it) fetches again under its own deadline, and a Build whose own
// deadline comes first returns context.DeadlineExceeded. A Config is the
// caller's own: changing it never reaches the cache or another Config.
//
// # Getting a client
//
//	client, err := azdo.New("https://dev.azure.com/fabrikam", azdo.PAT(pat))
//
// New checks the URL (https only, except for loopback hosts; no
// credentials, query or fragment; optionally an allow-list of hosts) and does
// no network I/O. Credentials are [azdo.EntraID] (Microsoft Entra ID,
// what Microsoft asks integrations to use), [azdo.PAT], [azdo.Bearer] or
// [azdo.TokenFunc]; none of them ever prints its secret.
//
// Where only the Azure DevOps organization's ID (or name) is stored (not
// to be confused with your platform's organization ID), as the reference
// integration stores it, [azdo.OrgURL] finds its URL first, as the
// reference's get_base_url does: one anonymous request to the
// resource-areas service, checked with New's rules.
//
//	orgURL, err := azdo.OrgURL(ctx, accountID)
//
// # Throttling and errors
//
// The azdo client retries idempotent requests on 429, 502, 503, 504 and
// connection errors with jittered exponential backoff, and honours
// Retry-After when it fits within the context's deadline and its longest
// wait (10s by default); otherwise it fails at once with azdo.ErrRateLimited.
// Failures are *azdo.APIError values whose kind errors.Is tells:
// azdo.ErrUnauthorized (which is also orgconfig.ErrUnauthorized),
// ErrForbidden (also orgconfig.ErrForbidden), ErrNotFound, ErrRateLimited,
// ErrUnavailable, ErrBadResponse, and ErrTooManyProjects past
// azdo.WithMaxProjects.
//
// # Testing with azdotest
//
// azdotest.NewServer runs a fake organization over real HTTP that the SDK
// cannot tell from Azure DevOps for the calls this module makes, with
// request counts (Server.Count), a request log, latency, fault injection
// and an organization a test can change while it runs (Server.SetOrg):
//
//	srv := azdotest.NewServer(t, azdotest.SampleOrg(), azdotest.WithPAT("pat"))
//	client, _ := azdo.New(srv.URL(), azdo.PAT("pat"))
//
// # Concurrency
//
// A Builder is safe for concurrent use. Two knobs bound the load, one per
// layer: orgconfig.WithConcurrency (8 by default) is the Builder's fan-out,
// how many projects' states one Build asks for at once;
// azdo.WithMaxConcurrentRequests (16 by default) is the Client's bound on
// requests in flight, across every Build and caller sharing the Client and
// over the Client's own lookups (the process lookup asks every used
// process at once, within that bound). Client and FeatureGate
// implementations must be safe for concurrent use.
//
// # Many replicas
//
// Replicas behind a load balancer each have their own Builders and
// Clients, but Azure DevOps limits the integration's identity across all
// of them. With one rediscache.Cache given to orgconfig.WithSharedCache
// (keyed by the Azure DevOps organization and the identity, since the
// projects listed depend on the credentials) and azdo.WithSharedThrottle
// (keyed by the identity), a cold fleet fetches an organization once
// (one replica claims the refill, the others wait for it, bounded by
// their contexts), a replica with a cold memory but a warm Redis makes no
// request, and a Retry-After one replica is given holds back the others.
// The in-process tier stays in front, and Redis is never required: when it
// is down, slow, full or holds a bad value, forms come from Azure DevOps
// within their deadlines, with at most a short timeout per operation.
//
// [orgconfig.Builder.Build]: https://pkg.go.dev/github.com/azdosync/azdosync/orgconfig#Builder.Build
// [azdo.PAT]: https://pkg.go.dev/github.com/azdosync/azdosync/azdo#PAT
// [azdo.Bearer]: https://pkg.go.dev/github.com/azdosync/azdosync/azdo#Bearer
// [azdo.TokenFunc]: https://pkg.go.dev/github.com/azdosync/azdosync/azdo#TokenFunc
// [azdo.EntraID]: https://pkg.go.dev/github.com/azdosync/azdosync/azdo#EntraID
// [azdo.OrgURL]: https://pkg.go.dev/github.com/azdosync/azdosync/azdo#OrgURL
package azdosync

// Package azdo is an [orgconfig.Client] for Azure DevOps Services
// (dev.azure.com, *.visualstudio.com) and Azure DevOps Server (on-premises
// collections), built on the official Go SDK
// (github.com/microsoft/azure-devops-go-api/azuredevops/v7).
//
// It adds what the SDK leaves out:
//
//   - Authentication per request from a [Credential] ([EntraID] for
//     Microsoft Entra ID tokens from any azcore.TokenCredential, [PAT],
//     [Bearer] or a refreshing [TokenFunc]), sent only to the organization's own host, so
//     a redirect elsewhere never carries it. Credentials never print.
//     Redirect targets meet the organization URL's host rules, never lead
//     from https to http, and the body of an answer from another host never
//     reaches an error.
//   - Retries of GET, HEAD and OPTIONS on 429, 502, 503, 504 and connection
//     errors, with jittered exponential backoff, honouring Retry-After
//     (seconds or an HTTP date) when it fits within the context's deadline
//     and the retry policy's longest wait; otherwise the request fails at
//     once with [ErrRateLimited]. A Retry-After on a refusal (429, 503)
//     holds back this Client's later requests until then, failing them at
//     once when that is too long; on a success (Azure DevOps sends it on
//     200s to ask for a slower pace) it slows them by up to the longest
//     wait; any other status ignores it. Both forms are capped at 24 hours.
//     With [WithSharedThrottle], every Client sharing a [ThrottleStore]
//     (package rediscache has one) and key obeys them too, in this process
//     or another.
//   - Errors classified from the HTTP status and Content-Type, which the SDK
//     loses: [ErrUnauthorized] (401, a 203 or HTML sign-in page, a redirect
//     to sign-in), [ErrNoCredential] (no token to send), [ErrForbidden],
//     [ErrNotFound] (also a host that does not exist), [ErrRateLimited],
//     [ErrTooManyProjects], [ErrUnavailable] and [ErrBadResponse], each an [*APIError] with the
//     operation, status, Azure DevOps typeKey, message and Retry-After. An
//     HTML page never surfaces as a JSON syntax error.
//   - A per-try timeout, a bound on response bodies, project paging across
//     continuation tokens (pages of up to 1 000, bounded in all by
//     [WithMaxProjects]), and safe concurrent use.
//   - [OrgURL]: an organization's URL from its ID or name, through the
//     anonymous resource-areas lookup.
//
// # Concurrency
//
// A Client is safe for concurrent use. [WithMaxConcurrentRequests] (16) is
// the one bound on its requests in flight: it holds across all callers —
// several Builders may share a Client, each fanning out
// orgconfig.WithConcurrency (8) state fetches — and over the Client's own
// lookups, such as the process lookup, which asks every used process at
// once. Requests beyond it wait for a slot or for their context to end.
//
// # States in a few requests
//
// WorkItemStates does not ask per project. Projects looks the states up
// while it pages: one request lists the processes with their projects and
// one per used process lists its work item types with their states, so the
// states of N projects in P processes cost 1 + P requests (the system
// processes' asked alongside the list: see below). What it learns
// is kept only for the WorkItemStates calls that follow (each listed
// project is served once; the index is released when all are, when the
// Projects context ends, a minute later, or when the indexes of later
// calls together hold over 131 072 projects): there is no cache of states,
// so each Build sees the organization as it is then, and a failed lookup
// is asked once per Projects call. A project's states are those of the
// first wanted work item type that exists and is enabled in its process:
// by default Bug, Issue, Task ([RefBug], [RefIssue], [RefTask]), or the
// types [WithWorkItemTypes] names, or those [WithProjectWorkItemTypes]
// gives for the project. Types match by reference name or the reference
// name they inherit from (so a collection created in German, whose Bug is
// "Fehler", is served alike), then by display name.
// [Client.WorkItemTypeStates] also says which type that is
// (orgconfig.TypedClient).
//
// Projects the lookup cannot serve take the per-project path: every
// project when the process list is missing or refused (older servers; any
// 4xx but 401 and 429), a process's own projects when its entry in the
// list is malformed, when its work item types cannot be read (XML
// processes answer 400) or lack every wanted type, projects no process
// names, and a project no Projects call has just listed. There the Bug is
// the default type of the project's Bug category (its display name
// localized, or a custom type an XML process files bugs as), whose states
// follow: two requests. Other types are asked one request each by name,
// the first with states winning. A 401 stops everything; 429 and 5xx are
// retried, then reported for the projects they concern.
//
// # The first Build without location discovery
//
// The SDK finds each route by location discovery (OPTIONS _apis) before
// its first request to an organization URL: a round trip of its own, paid
// by the first Build after every deploy. A Client instead asks the routes
// where Azure DevOps Services has them, with the api-versions the SDK's
// generated clients ask, still through the SDK's request machinery. The
// first Projects call sends at once the first project page, the process
// list and the work item types of the four system processes, whose IDs are
// the same in every organization: an organization on system processes is
// read in one round trip, one with inherited processes in two. Only a
// Client's first lookup asks all four system processes up front; later
// ones ask those its last process list said projects use, so an
// organization on inherited processes alone wastes four small requests
// once. The project pages and the process list are decoded into types
// holding only the fields read.
//
// A server older than those api-versions (Azure DevOps Server 2019, 2020
// and 2022 stop at 5.1, 6.0 and 7.0) refuses them with 400
// VssVersionOutOfRangeException; from then on that Client asks through the
// SDK's generated clients, which discover the routes and negotiate the
// version down. Its first Build pays the refused round trip once.
//
// # The SDK's package state
//
// The SDK writes the X-TFS-Session header of every answer into a package
// variable without a lock. It looks the header up by its raw key, which
// net/http's canonical keys never match, but a base RoundTripper may hand
// it back; the transport removes the header in both forms so the write
// never happens. SDK clients are built once per Client on the Client's own
// *http.Client, skipping the SDK's resource-area discovery and its
// unsynchronized per-Connection caches. The SDK's location cache is
// process-wide and keyed by URL and fills only after an answer, so every
// caller racing on a cold cache would send its own OPTIONS request; the
// transport answers them all with one (on the SDK path, after a refusal).
package azdo

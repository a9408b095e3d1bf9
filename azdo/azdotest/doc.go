// Package azdotest runs a fake Azure DevOps organization over real HTTP,
// for tests of code that talks to Azure DevOps through the official Go SDK
// (github.com/microsoft/azure-devops-go-api/azuredevops/v7) or through
// package azdo.
//
// The fake speaks the wire protocol the SDK expects: OPTIONS location
// discovery with the real location IDs and route templates,
// _apis/ResourceAreas, project paging with the x-ms-continuationtoken
// header computed as the service computes it, work item types (listed, one
// by name or reference name, and a type's states), work item type
// categories ([WorkItemType.Category]), processes with $expand=projects, process work item types with
// $expand=states and process states, XML processes ([Process.XML]) that
// refuse those routes as the service does, the organization lookup of the
// location service, _apis/connectionData (who a request is authenticated
// as), the service's JSON error envelope, case-insensitive routing, PAT or
// bearer checking, Microsoft Entra ID tokens ([Entra], a fake token
// endpoint over TLS for azidentity's credentials, and [WithEntra]), a
// collection under a virtual directory as Azure DevOps Server serves it
// ([WithVirtualDirectory]), and an older Azure DevOps Server's api-version
// limit ([WithAPIVersion]). It counts and logs
// requests, measures how many were in flight at once, adds latency, and
// injects faults per endpoint and project.
//
// Besides the system processes it has a collection created in German
// ([LocalizedOrg]: display names Fehler, Problem, Aufgabe, reference names
// as in English) and an XML process whose Bug category defaults to a
// custom type ([DefectProcess]).
//
// A server is created per test with [NewServer] and closed by the test's
// cleanup; tests may run in parallel. Servers share one thing: no server
// listens on a port an earlier server of the process had, because the SDK
// caches location discovery per URL for the life of the process, and a
// server on a reused port would never be asked for it. Options,
// faults and the organization are checked (its name must be one URL path
// segment, its organization, process and project IDs UUIDs): an invalid
// one fails the test in NewServer, and is an error from [Start],
// [Server.Inject] and [Server.SetOrg]. The
// organization can change while the server runs ([Server.SetOrg]), so that
// "a project deleted between two calls" is tested over HTTP. Requests are
// counted one way, [Server.Count]; [Server.Requests] is the log.
//
// # Where it differs from Azure DevOps
//
//   - Only the endpoints above exist; anything else answers 404.
//   - Projects are paged as Azure DevOps Services was seen to do (Azure
//     DevOps Server returns every project at once): 100 a page without
//     $top, $top honoured up to 1 000, larger asks capped and continued by
//     token; see [WithPageSize] and [WithMaxPageSize]. Where the true caps
//     of the service are unknown, these are the reported ones.
//   - Work item type states have no transitions, rules or layouts, and the
//     work item types have no fields or XML form (the service's answer for
//     one type is tens of KiB).
//   - A category a project lacks answers 404; the service's answer there
//     is a guess.
//   - The process of a project is the one named in [Project.ProcessID];
//     an inherited process lists its complete set of work item types
//     itself rather than merging its parent's.
//   - The location service's organization lookup ([Server.LocationServiceURL])
//     answers only for this organization and only for the core area; an
//     unknown name or ID gets a 404 whose body is a guess.
//   - Rate limiting happens only through injected faults; there is no
//     TSTU accounting.
//   - Authentication is a plain comparison with the configured PAT or
//     bearer token, or a look-up of the tokens an [Entra] issued, refused
//     once expired; there is no permission model, the identity is
//     [UserName] or [EntraAppName], and an unauthenticated request gets
//     401 (as with X-TFS-FedAuthRedirect: Suppress), never a redirect.
//   - [Entra] knows one tenant and one application, answers the
//     client-credentials grant only (a secret or a client assertion, as a
//     workload identity sends), and has no instance discovery: turn it off
//     in azidentity's options.
package azdotest

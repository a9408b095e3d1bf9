package orgconfig

import (
	"context"
	"errors"
)

// FeatureIssueSync is the feature flag that gates every field of the form.
const FeatureIssueSync = "organizations:integrations-issue-sync"

// ErrUnauthorized reports that Azure DevOps rejected the credentials or
// that they expired. Client implementations wrap it so that
// errors.Is(err, ErrUnauthorized) holds; Build then stops fetching states,
// since every further request would be refused too.
var ErrUnauthorized = errors.New("azure devops refused the credentials")

// ErrForbidden reports that Azure DevOps accepted the credentials but
// refused the request for lack of a permission (403). Client
// implementations wrap it so that errors.Is(err, ErrForbidden) holds; when
// the project list is refused so, the status field is disabled with
// [ReasonForbidden].
var ErrForbidden = errors.New("azure devops refused the request: missing permission")

// ErrNoCredential reports that the credential could not produce a token
// (an Entra ID credential or a token func failed), so Azure DevOps was not
// asked. errors.Is(err, ErrUnauthorized) holds for it too, so that Build
// stops as for refused credentials; the project list failing so disables
// the status field with [ReasonNoCredential].
var ErrNoCredential error = noCredential{}

type noCredential struct{}

func (noCredential) Error() string { return "the credential could not produce a token" }

// Is makes ErrNoCredential a kind of ErrUnauthorized.
func (noCredential) Is(target error) bool { return target == ErrUnauthorized }

// ErrNotFound reports that Azure DevOps answered 404 or that the host of
// the organization URL does not exist. The project list failing so
// disables the status field with [ReasonNotFound].
var ErrNotFound = errors.New("azure devops found no such organization or resource")

// ErrThrottled reports that Azure DevOps asked to wait longer than the
// request could. An error wrapping it may say how long with a method
// RetryDelay() time.Duration, as package azdo's do. The project list
// failing so disables the status field with [ReasonThrottled] and sets
// [Config.RetryAt].
var ErrThrottled = errors.New("azure devops asked to wait before more requests")

// ErrTooManyProjects reports that the organization has more projects than
// the Client lists. The project list failing so disables the status field
// with [ReasonTooManyProjects].
var ErrTooManyProjects = errors.New("too many projects")

// Project is an Azure DevOps project.
type Project struct {
	ID   string `json:"id"`
	Name string `json:"name"`
}

// State is a work item state of a project's issue work item type.
type State struct {
	Name string `json:"name"`
	// Category is one of the Category constants, or "" when unknown.
	Category string `json:"category"`
	// Color is the hex colour Azure DevOps shows, without '#'.
	Color string `json:"color,omitempty"`
}

// Work item state categories, in the order Azure DevOps moves through them.
// The choices of the status field are ordered by them.
const (
	CategoryProposed   = "Proposed"
	CategoryInProgress = "InProgress"
	CategoryResolved   = "Resolved"
	CategoryCompleted  = "Completed"
	CategoryRemoved    = "Removed"
)

// categoryRank orders categories for the choices; unknown categories last.
func categoryRank(category string) int {
	switch category {
	case CategoryProposed:
		return 0
	case CategoryInProgress:
		return 1
	case CategoryResolved:
		return 2
	case CategoryCompleted:
		return 3
	case CategoryRemoved:
		return 4
	}
	return 5
}

// Client reads what the form needs from one Azure DevOps organization.
//
// Implementations must be safe for concurrent use: Build calls
// WorkItemStates from several goroutines at once. Errors meaning the
// credentials were refused must wrap [ErrUnauthorized]; errors meaning a
// permission is missing must wrap [ErrForbidden]; [ErrNoCredential],
// [ErrNotFound], [ErrThrottled] and [ErrTooManyProjects] name other
// failures an admin can act on. Build never modifies
// what they return, so an implementation may hand out the same slice for
// several projects; Build does not rely on it either way.
//
// Optional interfaces refine what the Builder does with an
// implementation: a [TypedClient] says which work item type each
// project's states are of ([Config.Types]); a [ShapedClient] describes
// the configuration that decides its answers, for the keys of
// [WithSharedCache]; errors that are an [OpNamer] or a [RetryDelayer] name
// their step once in [OpError] and say until when Azure DevOps throttles
// ([Config.RetryAt]). Package azdo's Client and errors have them all. A
// Client that is a fmt.Stringer names its organization in the Builder's
// debug logs (azdo's String is its URL).
type Client interface {
	// Projects lists every project of the organization.
	Projects(ctx context.Context) ([]Project, error)
	// WorkItemStates returns the states of the project's issue work item
	// type (Bug, else Issue, else Task), in server order.
	WorkItemStates(ctx context.Context, projectID string) ([]State, error)
}

// FeatureGate decides whether an organization of your platform has a
// feature. platformOrgID is the ID given to [Builder.Build]: your
// platform's organization, not the Azure DevOps one.
//
// Implementations must be safe for concurrent use and return when ctx is
// done: Build waits for the answer, so a gate that ignores ctx holds Build
// past its deadline. Build asks on every call,
// even when projects and states come from its cache, so a gate may be
// revoked without waiting for the cache to expire. Package features has
// ready-made gates.
type FeatureGate interface {
	Enabled(ctx context.Context, platformOrgID, feature string) (bool, error)
}

// ShapedClient is an optional interface of a [Client] whose answers depend
// on its configuration as well as on the organization (package azdo's:
// its work item types, whether it uses the process API, how many projects
// it lists). [WithSharedCache] puts Shape in its keys, so that Builders
// over differently configured Clients never read each other's snapshots.
type ShapedClient interface {
	Client
	// Shape describes that configuration, the same for Clients configured
	// alike in any process; it must hold no URL or credential.
	Shape() string
}

package orgconfig

import "context"

// WorkItemType names the work item type whose states a project's
// choices are: Name is its display name (localized on Server collections
// created in another language, such as "Fehler"), ReferenceName its
// identity (such as "Microsoft.VSTS.WorkItemTypes.Bug", or "Custom.Defect"
// for a custom type). ReferenceName is "" when the Client could not tell
// it (package azdo finds a project's bug type on XML processes through
// the project's Bug category, which names types by display name only).
type WorkItemType struct {
	Name          string `json:"name"`
	ReferenceName string `json:"referenceName,omitempty"`
}

// TypedClient is an optional interface of a [Client] that also says which
// work item type a project's states are of. When the Builder's Client has
// it, Build calls WorkItemTypeStates instead of WorkItemStates and fills
// [Config.Types]; otherwise Config.Types stays empty. Package azdo's
// Client has it.
//
// WorkItemTypeStates follows the contract of [Client.WorkItemStates] (the
// same states, errors and concurrency); the type is the zero WorkItemType
// when the project has no states.
type TypedClient interface {
	Client
	WorkItemTypeStates(ctx context.Context, projectID string) (WorkItemType, []State, error)
}

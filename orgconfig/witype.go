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

// workItemStates asks the Client for a project's states, and for their
// type when it is a TypedClient.
func (b *Builder) workItemStates(ctx context.Context, projectID string) (WorkItemType, []State, error) {
	if typed, ok := b.client.(TypedClient); ok {
		return typed.WorkItemTypeStates(ctx, projectID)
	}
	states, err := b.client.WorkItemStates(ctx, projectID)
	return WorkItemType{}, states, err
}

// typeLists lists each distinct type once, in drop-down order of first
// appearance; typeOf[k] is the index of projects[k]'s type, or -1 when it
// is unknown.
func typeLists(projects []Project, types map[string]WorkItemType) (list []WorkItemType, typeOf []int) {
	typeOf = make([]int, len(projects))
	index := make(map[WorkItemType]int)
	for k, p := range projects {
		t, ok := types[p.ID]
		if !ok {
			typeOf[k] = -1
			continue
		}
		i, seen := index[t]
		if !seen {
			i = len(list)
			index[t] = i
			list = append(list, t)
		}
		typeOf[k] = i
	}
	return list, typeOf
}

// ownTypes is the types by project of a precomputed snapshot; nil when
// none is known.
func ownTypes(s *snapshot) map[string]WorkItemType {
	if len(s.typeList) == 0 {
		return nil
	}
	out := make(map[string]WorkItemType, len(s.projects))
	for k, p := range s.projects {
		if i := s.typeOf[k]; i >= 0 {
			out[p.ID] = s.typeList[i]
		}
	}
	return out
}

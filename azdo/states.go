package azdo

import (
	"context"
	"errors"
	"net/http"

	"github.com/microsoft/azure-devops-go-api/azuredevops/v7"

	"github.com/azdosync/azdosync/orgconfig"
)

// WorkItemStates returns the states of the project's issue work item type
// (see [Client.WorkItemTypeStates]).
func (c *Client) WorkItemStates(ctx context.Context, projectID string) ([]orgconfig.State, error) {
	_, states, err := c.WorkItemTypeStates(ctx, projectID)
	return states, err
}

// WorkItemTypeStates returns the project's issue work item type and its
// states: the first of the wanted types (WithProjectWorkItemTypes, else
// WithWorkItemTypes: Bug, Issue, Task) that exists and is enabled, found
// by reference name, in the server's order, without hidden states. It
// implements orgconfig.TypedClient.
//
// States come from the process index of the Projects call that listed the
// project, which serves each project it covers once (see Projects): a
// Build's state fetches cost no request of their own. A project no index
// covers, or a server without the process API, takes the per-project path: two requests for its Bug (through its Bug
// category), one per other type tried. The returned slice is the caller's
// own: changing it changes nothing the Client keeps.
func (c *Client) WorkItemTypeStates(ctx context.Context, projectID string) (orgconfig.WorkItemType, []orgconfig.State, error) {
	var none orgconfig.WorkItemType
	if err := c.notMade(orgconfig.OpWorkItemStates); err != nil {
		return none, nil, err
	}
	if projectID == "" {
		return none, nil, &APIError{Op: orgconfig.OpWorkItemStates, Kind: ErrNotFound, Message: "empty project id"}
	}
	wanted, err := c.wantedTypes(projectID)
	if err != nil {
		return none, nil, err
	}
	if e, ok := c.take(projectID); ok {
		if e.err != nil {
			// The lookup names the request that failed (the process list or
			// the project's process's work item types): keep it.
			var apiErr *APIError
			if errors.As(e.err, &apiErr) {
				cp := *apiErr // shared by the projects of the lookup
				return none, nil, &cp
			}
			return none, nil, e.err
		}
		if t, states, ok := pickType(e.types, wanted); ok {
			return t, states, nil // pickType hands out a copy
		}
	}
	return c.projectTypeStates(ctx, projectID, wanted)
}

// processUnusable reports an answer meaning the process API cannot be used
// for this request (an older server, an XML process, no permission): any
// 4xx but 401 (credentials refused: stop) and 429 (throttled: report), or
// a location the server does not register. Asking per project is the way
// on.
func processUnusable(err error) bool {
	var notRegistered azuredevops.LocationIdNotRegisteredError
	var notRegisteredPtr *azuredevops.LocationIdNotRegisteredError
	if errors.As(err, &notRegistered) || errors.As(err, &notRegisteredPtr) {
		return true
	}
	var apiErr *APIError
	if !errors.As(err, &apiErr) {
		return false
	}
	s := apiErr.StatusCode
	return s >= 400 && s < 500 && s != http.StatusUnauthorized && s != http.StatusTooManyRequests
}

func deref[T any](p *T) T {
	if p == nil {
		var zero T
		return zero
	}
	return *p
}

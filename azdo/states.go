package azdo

import (
	"context"
	"errors"
	"net/http"
	"strings"

	"github.com/google/uuid"
	"github.com/microsoft/azure-devops-go-api/azuredevops/v7"
	"github.com/microsoft/azure-devops-go-api/azuredevops/v7/workitemtrackingprocess"
	"golang.org/x/sync/errgroup"

	"github.com/azdosync/azdosync/orgconfig"
)

// processIndex is what the process API says about every project: the
// enabled work item types of the process it uses, with their states. It
// is empty when the server has no usable process API.
type processIndex struct {
	types map[string][]processType // by lower-case project ID
}

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
// States come from the process API: one lookup serves every project and is
// shared by concurrent calls and reused for the process cache TTL. A
// project the lookup does not cover, or a server without the process API,
// takes the per-project path: two requests for its Bug (through its Bug
// category), one per other type tried. The returned slice is the caller's
// own: changing it changes nothing the Client keeps.
func (c *Client) WorkItemTypeStates(ctx context.Context, projectID string) (orgconfig.WorkItemType, []orgconfig.State, error) {
	var none orgconfig.WorkItemType
	if err := c.notMade("get work item states"); err != nil {
		return none, nil, err
	}
	if projectID == "" {
		return none, nil, &APIError{Op: "get work item states", Kind: ErrNotFound, Message: "empty project id"}
	}
	wanted, err := c.wantedTypes(projectID)
	if err != nil {
		return none, nil, err
	}
	if c.opts.processAPI {
		idx, err := c.index.Get(ctx, c.fetchIndex)
		if err != nil {
			// fetchIndex names the request that failed (the process list or
			// one process's work item types): keep it.
			var apiErr *APIError
			if ctx.Err() == nil && errors.As(err, &apiErr) && apiErr.Op != "" {
				e := *apiErr // shared by the lookup's callers
				return none, nil, &e
			}
			return none, nil, fail(ctx, "list processes", err)
		}
		if t, states, ok := pickType(idx.types[strings.ToLower(projectID)], wanted); ok {
			return t, states, nil
		}
	}
	return c.projectTypeStates(ctx, projectID, wanted)
}

// fetchIndex makes 1 + P requests: the processes with their projects, then
// each used process's work item types with their states.
//
// A process whose types cannot be read (a 4xx other than 401 or 429, as
// XML processes answer) is left out, so that only its projects take the
// per-project path; so are projects no process names, and those whose
// process lacks every type they want (see WorkItemTypeStates). A 401 fails the lookup; so do 429 and 5xx once the transport's
// retries are spent.
func (c *Client) fetchIndex(ctx context.Context) (*processIndex, error) {
	expand := workitemtrackingprocess.GetProcessExpandLevelValues.Projects
	procs, err := c.process.GetListOfProcesses(ctx, workitemtrackingprocess.GetListOfProcessesArgs{Expand: &expand})
	if err != nil {
		if ctx.Err() == nil && processUnusable(err) {
			c.opts.logger.DebugContext(ctx, "azdo: no usable process api; asking per project", "err", err)
			return &processIndex{}, nil
		}
		return nil, fail(ctx, "list processes", err)
	}
	type used struct {
		id       uuid.UUID
		projects []string
		types    []processType
		ok       bool
	}
	var list []*used
	for _, p := range deref(procs) {
		if p.TypeId == nil || p.Projects == nil || len(*p.Projects) == 0 {
			continue
		}
		u := &used{id: *p.TypeId}
		for _, proj := range *p.Projects {
			if proj.Id != nil {
				u.projects = append(u.projects, proj.Id.String())
			}
		}
		list = append(list, u)
	}

	// One goroutine per process, at most as many as the requests the
	// transport lets through at once (WithMaxConcurrentRequests).
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(c.opts.maxInFlight)
	for _, u := range list {
		g.Go(func() error {
			expand := workitemtrackingprocess.GetWorkItemTypeExpandValues.States
			types, err := c.process.GetProcessWorkItemTypes(gctx, workitemtrackingprocess.GetProcessWorkItemTypesArgs{ProcessId: &u.id, Expand: &expand})
			if err != nil {
				if gctx.Err() == nil && processUnusable(err) {
					c.opts.logger.DebugContext(gctx, "azdo: process work item types unusable; its projects are asked one by one", "process", u.id.String(), "err", err)
					return nil
				}
				return fail(gctx, "list process work item types", err)
			}
			u.types, u.ok = processTypes(deref(types)), true
			return nil
		})
	}
	if err := g.Wait(); err != nil {
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		return nil, err
	}
	idx := &processIndex{types: make(map[string][]processType)}
	for _, u := range list {
		if !u.ok {
			continue
		}
		for _, id := range u.projects {
			idx.types[strings.ToLower(id)] = u.types
		}
	}
	return idx, nil
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

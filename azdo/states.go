package azdo

import (
	"context"
	"errors"
	"slices"
	"strings"

	"github.com/google/uuid"
	"github.com/microsoft/azure-devops-go-api/azuredevops/v7"
	"github.com/microsoft/azure-devops-go-api/azuredevops/v7/workitemtracking"
	"github.com/microsoft/azure-devops-go-api/azuredevops/v7/workitemtrackingprocess"
	"golang.org/x/sync/errgroup"

	"github.com/azdosync/azdosync/orgconfig"
)

// processIndex is what the process API says about every project: the
// states of the process it uses. It is empty when the server has no usable
// process API.
type processIndex struct {
	states map[string][]orgconfig.State // by lower-case project ID
}

// WorkItemStates returns the states of the project's issue work item type:
// the first of the configured types (Bug, Issue, Task) that exists and is
// enabled, in the server's order, without hidden states.
//
// States come from the process API: one lookup serves every project and is
// shared by concurrent calls and reused for the process cache TTL. A
// project the lookup does not cover, or a server without the process API,
// costs one request per type tried. The returned slice is shared between
// projects of one process and must not be modified.
func (c *Client) WorkItemStates(ctx context.Context, projectID string) ([]orgconfig.State, error) {
	if projectID == "" {
		return nil, &APIError{Op: "get work item states", Kind: ErrNotFound, Message: "empty project id"}
	}
	if c.opts.processAPI {
		idx, err := c.index.Get(ctx, c.fetchIndex)
		if err != nil {
			return nil, fail(ctx, "list processes", err)
		}
		if states, ok := idx.states[strings.ToLower(projectID)]; ok {
			return states, nil
		}
	}
	return c.typeStates(ctx, projectID)
}

// typeStates asks the project's work item types one by one; an unknown
// type answers an empty list.
func (c *Client) typeStates(ctx context.Context, projectID string) ([]orgconfig.State, error) {
	for _, typ := range c.opts.workItemTypes {
		got, err := c.wit.GetWorkItemTypeStates(ctx, workitemtracking.GetWorkItemTypeStatesArgs{Project: &projectID, Type: &typ})
		if err != nil {
			return nil, fail(ctx, "get work item states", err)
		}
		if got == nil || len(*got) == 0 {
			continue
		}
		out := make([]orgconfig.State, 0, len(*got))
		for _, s := range *got {
			out = append(out, orgconfig.State{Name: deref(s.Name), Category: deref(s.Category), Color: deref(s.Color)})
		}
		return out, nil
	}
	return []orgconfig.State{}, nil
}

// fetchIndex makes 1 + P requests: the processes with their projects, then
// each used process's work item types with their states.
func (c *Client) fetchIndex(ctx context.Context) (*processIndex, error) {
	expand := workitemtrackingprocess.GetProcessExpandLevelValues.Projects
	procs, err := c.process.GetListOfProcesses(ctx, workitemtrackingprocess.GetListOfProcessesArgs{Expand: &expand})
	if err != nil {
		if ctx.Err() == nil && processAPIMissing(err) {
			c.opts.logger.DebugContext(ctx, "azdo: no process api; asking per project", "err", err)
			return &processIndex{}, nil
		}
		return nil, fail(ctx, "list processes", err)
	}
	type used struct {
		id       uuid.UUID
		projects []string
		states   []orgconfig.State
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

	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(c.opts.concurrency)
	for _, u := range list {
		g.Go(func() error {
			expand := workitemtrackingprocess.GetWorkItemTypeExpandValues.States
			types, err := c.process.GetProcessWorkItemTypes(gctx, workitemtrackingprocess.GetProcessWorkItemTypesArgs{ProcessId: &u.id, Expand: &expand})
			if err != nil {
				if gctx.Err() == nil && processAPIMissing(err) {
					return nil // its projects fall back to asking per project
				}
				return fail(gctx, "list process work item types", err)
			}
			u.states, u.ok = pickStates(deref(types), c.opts.workItemTypes), true
			return nil
		})
	}
	if err := g.Wait(); err != nil {
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		return nil, err
	}
	idx := &processIndex{states: make(map[string][]orgconfig.State)}
	for _, u := range list {
		if !u.ok {
			continue
		}
		for _, id := range u.projects {
			idx.states[strings.ToLower(id)] = u.states
		}
	}
	return idx, nil
}

// processAPIMissing reports an answer meaning the process API cannot be
// used here (an older server, an XML process, no permission), so that
// asking per project is the way on.
func processAPIMissing(err error) bool {
	var notRegistered azuredevops.LocationIdNotRegisteredError
	var notRegisteredPtr *azuredevops.LocationIdNotRegisteredError
	return errors.Is(err, ErrForbidden) || errors.Is(err, ErrNotFound) ||
		errors.As(err, &notRegistered) || errors.As(err, &notRegisteredPtr)
}

// pickStates returns the states of the first wanted type that exists and is
// enabled, matched by display name or, for system and inherited types, by
// reference name.
func pickStates(types []workitemtrackingprocess.ProcessWorkItemType, wanted []string) []orgconfig.State {
	for _, want := range wanted {
		ref := "microsoft.vsts.workitemtypes." + strings.ToLower(strings.ReplaceAll(want, " ", ""))
		for _, t := range types {
			if t.IsDisabled != nil && *t.IsDisabled {
				continue
			}
			if !strings.EqualFold(deref(t.Name), want) && !strings.EqualFold(deref(t.ReferenceName), ref) && !strings.EqualFold(deref(t.Inherits), ref) {
				continue
			}
			states := slices.Clone(deref(t.States))
			slices.SortStableFunc(states, func(a, b workitemtrackingprocess.WorkItemStateResultModel) int {
				return deref(a.Order) - deref(b.Order)
			})
			out := make([]orgconfig.State, 0, len(states))
			for _, s := range states {
				if s.Hidden != nil && *s.Hidden {
					continue
				}
				out = append(out, orgconfig.State{Name: deref(s.Name), Category: deref(s.StateCategory), Color: deref(s.Color)})
			}
			return out
		}
	}
	return []orgconfig.State{}
}

func deref[T any](p *T) T {
	if p == nil {
		var zero T
		return zero
	}
	return *p
}

package azdo

import (
	"context"
	"errors"
	"net/http"
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
// costs one request per type tried. The returned slice is the caller's
// own: changing it changes nothing the Client keeps.
func (c *Client) WorkItemStates(ctx context.Context, projectID string) ([]orgconfig.State, error) {
	if err := c.notMade("get work item states"); err != nil {
		return nil, err
	}
	if projectID == "" {
		return nil, &APIError{Op: "get work item states", Kind: ErrNotFound, Message: "empty project id"}
	}
	if c.opts.processAPI {
		idx, err := c.index.Get(ctx, c.fetchIndex)
		if err != nil {
			// fetchIndex names the request that failed (the process list or
			// one process's work item types): keep it.
			var apiErr *APIError
			if ctx.Err() == nil && errors.As(err, &apiErr) && apiErr.Op != "" {
				e := *apiErr // shared by the lookup's callers
				return nil, &e
			}
			return nil, fail(ctx, "list processes", err)
		}
		if states, ok := idx.states[strings.ToLower(projectID)]; ok {
			return slices.Clone(states), nil // the lookup is shared: hand out a copy
		}
	}
	return c.typeStates(ctx, projectID)
}

// typeStates asks the project's work item types one by one, in the
// configured order; an unknown type answers an empty list.
//
// This is the per-project path (servers without the process API, XML
// processes, projects the process list does not name). The alternative,
// GET {project}/_apis/wit/workitemtypes, answers every type with its states
// in one request, but measured on a real Agile project (the 15-type capture
// in MethodsAndPractices/vsteam, Tests/SampleFiles/get-vsteamworkitemtype.json)
// that answer is 732 378 bytes (xmlForm, fields and transitions of every
// type), against 277 bytes for Bug's states. The sequence costs one request
// on every process with a Bug type (Agile, Scrum, CMMI and their XML
// variants), two on Basic (Issue) and three where only Task exists: at
// worst about 1 KiB and two extra round trips, which the Builder overlaps
// across projects, instead of some 700 KiB per project.
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
//
// A process whose types cannot be read (a 4xx other than 401 or 429, as
// XML processes answer) or lack every wanted type is left out, so that only
// its projects take the per-project path; so are projects no process
// names. A 401 fails the lookup; so do 429 and 5xx once the transport's
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
			u.states, u.ok = pickStates(deref(types), c.opts.workItemTypes)
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

// pickStates returns the states of the first wanted type that exists and is
// enabled, matched by display name or, for system and inherited types, by
// reference name; false when there is none.
func pickStates(types []workitemtrackingprocess.ProcessWorkItemType, wanted []string) ([]orgconfig.State, bool) {
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
			// Real data lists a hidden inherited state twice: as an
			// ordinary state and again marked hidden, with the same id. A
			// name any entry hides is hidden; a name listed twice counts once.
			skip := make(map[string]bool, len(states))
			for _, s := range states {
				if s.Hidden != nil && *s.Hidden {
					skip[strings.ToLower(deref(s.Name))] = true
				}
			}
			out := make([]orgconfig.State, 0, len(states))
			for _, s := range states {
				key := strings.ToLower(deref(s.Name))
				if skip[key] {
					continue
				}
				skip[key] = true
				out = append(out, orgconfig.State{Name: deref(s.Name), Category: deref(s.StateCategory), Color: deref(s.Color)})
			}
			return out, true
		}
	}
	return nil, false
}

func deref[T any](p *T) T {
	if p == nil {
		var zero T
		return zero
	}
	return *p
}

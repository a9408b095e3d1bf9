package azdo

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"

	"github.com/microsoft/azure-devops-go-api/azuredevops/v7/workitemtracking"
	"github.com/microsoft/azure-devops-go-api/azuredevops/v7/workitemtrackingprocess"

	"github.com/azdosync/azdosync/internal/clip"
	"github.com/azdosync/azdosync/orgconfig"
)

// Reference names of the system types a project's states are taken from
// by default, in order of preference. Reference names are not localized:
// a Bug is Microsoft.VSTS.WorkItemTypes.Bug on a collection whose display
// names are German ("Fehler") too.
const (
	RefBug   = "Microsoft.VSTS.WorkItemTypes.Bug"
	RefIssue = "Microsoft.VSTS.WorkItemTypes.Issue"
	RefTask  = "Microsoft.VSTS.WorkItemTypes.Task"
)

// bugCategory is the category whose default type a project files bugs as,
// whatever its name: the system Bug, a localized one, or a custom type an
// XML process put there.
const bugCategory = "Microsoft.BugCategory"

// MaxTypeStates is the most states a work item type may have. Azure
// DevOps types have a few; more is a broken or hostile answer, whose
// projects get ErrBadResponse: each project takes its own copy of its
// states, so 100 000 states (a few megabytes of answer) over 1 000
// projects would hold gigabytes.
const MaxTypeStates = 1000

// tooManyStates is the error of a type with more than MaxTypeStates states.
func tooManyStates(op, typ string) error {
	return &APIError{Op: op, Kind: ErrBadResponse, Message: fmt.Sprintf("work item type %q has more than %d states", clip.String(typ, 100), MaxTypeStates)}
}

// processType is one enabled work item type of a process, as the process
// API lists it, with its visible states in order.
type processType struct {
	typ      orgconfig.WorkItemType
	inherits string
	states   []orgconfig.State
}

// processTypes keeps the enabled types of one process, with their states
// in the server's order and without hidden states.
func processTypes(types []workitemtrackingprocess.ProcessWorkItemType) []processType {
	out := make([]processType, 0, len(types))
	for _, t := range types {
		if deref(t.IsDisabled) {
			continue
		}
		out = append(out, processType{
			typ:      orgconfig.WorkItemType{Name: deref(t.Name), ReferenceName: deref(t.ReferenceName)},
			inherits: deref(t.Inherits),
			states:   visibleStates(deref(t.States)),
		})
	}
	return out
}

// visibleStates orders a process type's states and drops the hidden ones.
func visibleStates(states []workitemtrackingprocess.WorkItemStateResultModel) []orgconfig.State {
	states = slices.Clone(states)
	slices.SortStableFunc(states, func(a, b workitemtrackingprocess.WorkItemStateResultModel) int {
		return deref(a.Order) - deref(b.Order)
	})
	// Real data lists a hidden inherited state twice: as an ordinary state
	// and again marked hidden, with the same id. A name any entry hides is
	// hidden; a name listed twice counts once.
	skip := make(map[string]bool, len(states))
	for _, s := range states {
		if deref(s.Hidden) {
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
	return out
}

// pickType returns the first wanted type of a process and a copy of its
// states; false when the process has none of them. A wanted entry is
// matched against reference names first (the type's own, or the one it
// inherits from), then against display names.
func pickType(types []processType, wanted []string) (orgconfig.WorkItemType, []orgconfig.State, bool) {
	for _, want := range wanted {
		for _, byName := range []bool{false, true} {
			for _, t := range types {
				match := strings.EqualFold(t.typ.ReferenceName, want) || strings.EqualFold(t.inherits, want)
				if byName {
					match = strings.EqualFold(t.typ.Name, want)
				}
				if match {
					return t.typ, slices.Clone(t.states), true
				}
			}
		}
	}
	return orgconfig.WorkItemType{}, nil, false
}

// wantedTypes returns the types to try for a project: the answer of
// WithProjectWorkItemTypes when it gives one, else WithWorkItemTypes's.
func (c *Client) wantedTypes(projectID string) ([]string, error) {
	if c.opts.projectTypes == nil {
		return c.opts.workItemTypes, nil
	}
	wanted := c.opts.projectTypes(projectID)
	if len(wanted) == 0 {
		return c.opts.workItemTypes, nil
	}
	for i, w := range wanted {
		if strings.TrimSpace(w) == "" {
			return nil, fmt.Errorf("azdo: get work item states: work item type %d that WithProjectWorkItemTypes gave for project %s is empty", i, projectID)
		}
	}
	return wanted, nil
}

// projectTypeStates asks the project's own types, in the order wanted: the
// per-project path (servers without the process API, XML processes,
// projects the process list does not name).
//
// The Bug reference name is asked through the project's Bug category,
// whose default type is the project's bug type whatever its display name
// (localized, or a custom type of an XML process); its states follow by
// that name: two requests. Any other entry is asked by GET
// {project}/_apis/wit/workitemtypes/{entry}, which takes a reference name
// or a display name and answers the type with its states in one request
// (but with its form, fields and transitions too: tens of KiB, where a
// state list is a few hundred bytes). An unknown type is a 404 and the
// next entry is tried; so is a disabled type or one without states. A
// project that does not exist fails.
func (c *Client) projectTypeStates(ctx context.Context, projectID string, wanted []string) (orgconfig.WorkItemType, []orgconfig.State, error) {
	for _, want := range wanted {
		if strings.EqualFold(want, RefBug) {
			name, known, err := c.bugCategoryDefault(ctx, projectID)
			if err != nil {
				return orgconfig.WorkItemType{}, nil, err
			}
			if known {
				if name == "" {
					continue // the project has no bug type
				}
				states, err := c.namedStates(ctx, projectID, name)
				if err != nil {
					return orgconfig.WorkItemType{}, nil, err
				}
				if len(states) > 0 {
					return orgconfig.WorkItemType{Name: name}, states, nil
				}
				continue
			}
			// No category route: ask the type by its reference name.
		}
		t, states, err := c.oneType(ctx, projectID, want)
		if err != nil {
			return orgconfig.WorkItemType{}, nil, err
		}
		if len(states) > 0 {
			return t, states, nil
		}
	}
	return orgconfig.WorkItemType{}, []orgconfig.State{}, nil
}

// bugCategoryDefault returns the display name of the default type of the
// project's Bug category. known is false when the server cannot answer
// (no such route, or a 4xx other than 401, 404 and 429); a category that
// does not exist (404) or has no default type is known and has no name.
func (c *Client) bugCategoryDefault(ctx context.Context, projectID string) (name string, known bool, err error) {
	category := bugCategory
	got, err := c.getWorkItemTypeCategory(ctx, workitemtracking.GetWorkItemTypeCategoryArgs{Project: &projectID, Category: &category})
	if err != nil {
		switch {
		case ctx.Err() != nil || projectGone(err):
		case isStatus(err, http.StatusNotFound):
			return "", true, nil
		case processUnusable(err):
			c.opts.logger.DebugContext(ctx, "azdo: bug category unusable; asking the type by name", "project", projectID, "err", err)
			return "", false, nil
		}
		return "", false, fail(ctx, orgconfig.OpWorkItemStates, err)
	}
	if got == nil || got.DefaultWorkItemType == nil {
		return "", true, nil
	}
	return deref(got.DefaultWorkItemType.Name), true, nil
}

// namedStates asks the states of the project's type by display name; an
// unknown type answers an empty list.
func (c *Client) namedStates(ctx context.Context, projectID, name string) ([]orgconfig.State, error) {
	got, err := c.getWorkItemTypeStates(ctx, workitemtracking.GetWorkItemTypeStatesArgs{Project: &projectID, Type: &name})
	if err != nil {
		return nil, fail(ctx, orgconfig.OpWorkItemStates, err)
	}
	if len(deref(got)) > MaxTypeStates {
		return nil, tooManyStates(orgconfig.OpWorkItemStates, name)
	}
	return stateColors(deref(got)), nil
}

// oneType asks one type of the project by reference or display name. An
// unknown or disabled type gives no states. A server that answers the
// type without its states (before 5.0) is asked them by its name.
func (c *Client) oneType(ctx context.Context, projectID, want string) (orgconfig.WorkItemType, []orgconfig.State, error) {
	got, err := c.getWorkItemType(ctx, workitemtracking.GetWorkItemTypeArgs{Project: &projectID, Type: &want})
	if err != nil {
		if ctx.Err() == nil && isStatus(err, http.StatusNotFound) && !projectGone(err) {
			return orgconfig.WorkItemType{}, nil, nil
		}
		return orgconfig.WorkItemType{}, nil, fail(ctx, orgconfig.OpWorkItemStates, err)
	}
	if got == nil || deref(got.IsDisabled) {
		return orgconfig.WorkItemType{}, nil, nil
	}
	t := orgconfig.WorkItemType{Name: deref(got.Name), ReferenceName: deref(got.ReferenceName)}
	if got.States == nil && t.Name != "" {
		states, err := c.namedStates(ctx, projectID, t.Name)
		return t, states, err
	}
	if len(deref(got.States)) > MaxTypeStates {
		return orgconfig.WorkItemType{}, nil, tooManyStates(orgconfig.OpWorkItemStates, t.Name)
	}
	return t, stateColors(deref(got.States)), nil
}

func stateColors(in []workitemtracking.WorkItemStateColor) []orgconfig.State {
	out := make([]orgconfig.State, 0, len(in))
	for _, s := range in {
		out = append(out, orgconfig.State{Name: deref(s.Name), Category: deref(s.Category), Color: deref(s.Color)})
	}
	return out
}

// projectGone reports the 404 of a project that does not exist (TF200016),
// as opposed to that of a type or category the project lacks.
func projectGone(err error) bool {
	var apiErr *APIError
	return errors.As(err, &apiErr) && apiErr.StatusCode == http.StatusNotFound &&
		(strings.HasPrefix(apiErr.TypeKey, "ProjectDoesNotExist") || strings.Contains(apiErr.Message, "TF200016"))
}

package azdo

import (
	"context"
	"net/url"
	"strconv"

	"github.com/google/uuid"
	"github.com/microsoft/azure-devops-go-api/azuredevops/v7"
	"github.com/microsoft/azure-devops-go-api/azuredevops/v7/core"
	"github.com/microsoft/azure-devops-go-api/azuredevops/v7/workitemtracking"
	"github.com/microsoft/azure-devops-go-api/azuredevops/v7/workitemtrackingprocess"
)

// The calls of a Build. Each takes the arguments and returns the result
// of the SDK's generated method of the same name, and asks its pinned
// route (getPinned) until the Client has had one refused; then it calls
// that method. The project pages are decoded into wire types holding only
// what is read (the process list too: see listProcesses).

// getProjects is core.ClientImpl.GetProjects: only Id, Name and State of
// each project are set (a state other than wellFormed reads "other"). A
// project whose ID is not a UUID has no Id; one with an empty name has no
// Name.
func (c *Client) getProjects(ctx context.Context, args core.GetProjectsArgs) (*core.GetProjectsResponseValue, error) {
	q := url.Values{}
	if args.StateFilter != nil {
		q.Add("stateFilter", string(*args.StateFilter))
	}
	if args.Top != nil {
		q.Add("$top", strconv.Itoa(*args.Top))
	}
	if args.ContinuationToken != nil {
		q.Add("continuationToken", strconv.Itoa(*args.ContinuationToken))
	}
	resp, ok, err := c.getPinned(ctx, routeProjects, nil, q)
	if !ok {
		return c.core.GetProjects(ctx, args)
	}
	if err != nil {
		return nil, err
	}
	token := resp.Header.Get(azuredevops.HeaderKeyContinuationToken)
	var page []wireProject
	if err := unmarshalCollection(resp, &page); err != nil {
		return nil, err
	}
	out := &core.GetProjectsResponseValue{Value: make([]core.TeamProjectReference, len(page)), ContinuationToken: token}
	ids := make([]uuid.UUID, len(page))
	for i := range page {
		p := &page[i]
		out.Value[i].State = p.State.ptr()
		if p.Name != "" {
			out.Value[i].Name = &p.Name
		}
		if p.ID.ok {
			ids[i] = p.ID.id
			out.Value[i].Id = &ids[i]
		}
	}
	return out, nil
}

// getProcessWorkItemTypes is
// workitemtrackingprocess.ClientImpl.GetProcessWorkItemTypes.
func (c *Client) getProcessWorkItemTypes(ctx context.Context, args workitemtrackingprocess.GetProcessWorkItemTypesArgs) (*[]workitemtrackingprocess.ProcessWorkItemType, error) {
	if args.ProcessId == nil {
		return c.process.GetProcessWorkItemTypes(ctx, args) // the SDK's argument error
	}
	q := url.Values{}
	if args.Expand != nil {
		q.Add("$expand", string(*args.Expand))
	}
	resp, ok, err := c.getPinned(ctx, routeProcessTypes, map[string]string{"processId": args.ProcessId.String()}, q)
	if !ok {
		return c.process.GetProcessWorkItemTypes(ctx, args)
	}
	if err != nil {
		return nil, err
	}
	var types []workitemtrackingprocess.ProcessWorkItemType
	return &types, unmarshalCollection(resp, &types)
}

// getWorkItemTypeStates is workitemtracking.ClientImpl.GetWorkItemTypeStates.
func (c *Client) getWorkItemTypeStates(ctx context.Context, args workitemtracking.GetWorkItemTypeStatesArgs) (*[]workitemtracking.WorkItemStateColor, error) {
	if args.Project == nil || *args.Project == "" || args.Type == nil || *args.Type == "" {
		return c.wit.GetWorkItemTypeStates(ctx, args) // the SDK's argument error
	}
	resp, ok, err := c.getPinned(ctx, routeTypeStates, map[string]string{"project": *args.Project, "type": *args.Type}, nil)
	if !ok {
		return c.wit.GetWorkItemTypeStates(ctx, args)
	}
	if err != nil {
		return nil, err
	}
	var states []workitemtracking.WorkItemStateColor
	return &states, unmarshalCollection(resp, &states)
}

// getWorkItemType is workitemtracking.ClientImpl.GetWorkItemType.
func (c *Client) getWorkItemType(ctx context.Context, args workitemtracking.GetWorkItemTypeArgs) (*workitemtracking.WorkItemType, error) {
	if args.Project == nil || *args.Project == "" || args.Type == nil || *args.Type == "" {
		return c.wit.GetWorkItemType(ctx, args) // the SDK's argument error
	}
	resp, ok, err := c.getPinned(ctx, routeType, map[string]string{"project": *args.Project, "type": *args.Type}, nil)
	if !ok {
		return c.wit.GetWorkItemType(ctx, args)
	}
	if err != nil {
		return nil, err
	}
	var t workitemtracking.WorkItemType
	return &t, unmarshalBody(resp, &t)
}

// getWorkItemTypeCategory is
// workitemtracking.ClientImpl.GetWorkItemTypeCategory.
func (c *Client) getWorkItemTypeCategory(ctx context.Context, args workitemtracking.GetWorkItemTypeCategoryArgs) (*workitemtracking.WorkItemTypeCategory, error) {
	if args.Project == nil || *args.Project == "" || args.Category == nil || *args.Category == "" {
		return c.wit.GetWorkItemTypeCategory(ctx, args) // the SDK's argument error
	}
	resp, ok, err := c.getPinned(ctx, routeCategory, map[string]string{"project": *args.Project, "category": *args.Category}, nil)
	if !ok {
		return c.wit.GetWorkItemTypeCategory(ctx, args)
	}
	if err != nil {
		return nil, err
	}
	var cat workitemtracking.WorkItemTypeCategory
	return &cat, unmarshalBody(resp, &cat)
}

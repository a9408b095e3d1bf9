package azdo

import (
	"context"
	"net/http"
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
	sdk := func() (*[]workitemtrackingprocess.ProcessWorkItemType, error) {
		return c.process.GetProcessWorkItemTypes(ctx, args)
	}
	if args.ProcessId == nil {
		return sdk() // the SDK's argument error
	}
	q := url.Values{}
	if args.Expand != nil {
		q.Add("$expand", string(*args.Expand))
	}
	return pinnedOrSDK(ctx, c, routeProcessTypes, map[string]string{"processId": args.ProcessId.String()}, q, unmarshalCollection, sdk)
}

// getWorkItemTypeStates is workitemtracking.ClientImpl.GetWorkItemTypeStates.
func (c *Client) getWorkItemTypeStates(ctx context.Context, args workitemtracking.GetWorkItemTypeStatesArgs) (*[]workitemtracking.WorkItemStateColor, error) {
	sdk := func() (*[]workitemtracking.WorkItemStateColor, error) { return c.wit.GetWorkItemTypeStates(ctx, args) }
	if args.Project == nil || *args.Project == "" || args.Type == nil || *args.Type == "" {
		return sdk() // the SDK's argument error
	}
	return pinnedOrSDK(ctx, c, routeTypeStates, map[string]string{"project": *args.Project, "type": *args.Type}, nil, unmarshalCollection, sdk)
}

// getWorkItemType is workitemtracking.ClientImpl.GetWorkItemType.
func (c *Client) getWorkItemType(ctx context.Context, args workitemtracking.GetWorkItemTypeArgs) (*workitemtracking.WorkItemType, error) {
	sdk := func() (*workitemtracking.WorkItemType, error) { return c.wit.GetWorkItemType(ctx, args) }
	if args.Project == nil || *args.Project == "" || args.Type == nil || *args.Type == "" {
		return sdk() // the SDK's argument error
	}
	return pinnedOrSDK(ctx, c, routeType, map[string]string{"project": *args.Project, "type": *args.Type}, nil, unmarshalBody, sdk)
}

// getWorkItemTypeCategory is
// workitemtracking.ClientImpl.GetWorkItemTypeCategory.
func (c *Client) getWorkItemTypeCategory(ctx context.Context, args workitemtracking.GetWorkItemTypeCategoryArgs) (*workitemtracking.WorkItemTypeCategory, error) {
	sdk := func() (*workitemtracking.WorkItemTypeCategory, error) {
		return c.wit.GetWorkItemTypeCategory(ctx, args)
	}
	if args.Project == nil || *args.Project == "" || args.Category == nil || *args.Category == "" {
		return sdk() // the SDK's argument error
	}
	return pinnedOrSDK(ctx, c, routeCategory, map[string]string{"project": *args.Project, "category": *args.Category}, nil, unmarshalBody, sdk)
}

// pinnedOrSDK asks r's pinned route and decodes its answer into a T with
// decode (unmarshalCollection or unmarshalBody), or calls sdk, the SDK's
// generated method, once the Client no longer uses pinned routes.
func pinnedOrSDK[T any](ctx context.Context, c *Client, r *route, values map[string]string, query url.Values, decode func(*http.Response, any) error, sdk func() (*T, error)) (*T, error) {
	resp, ok, err := c.getPinned(ctx, r, values, query)
	if !ok {
		return sdk()
	}
	if err != nil {
		return nil, err
	}
	var v T
	return &v, decode(resp, &v)
}

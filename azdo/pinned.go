package azdo

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"strings"
	"sync/atomic"

	"github.com/google/uuid"
	"github.com/microsoft/azure-devops-go-api/azuredevops/v7"
)

// route is a location of the REST API pinned to the route template and
// api-version the SDK's generated clients use with Azure DevOps Services
// (ADO-WIRE.md §1.3): what location discovery (OPTIONS _apis) would tell,
// known in advance.
type route struct {
	loc     azuredevops.ApiResourceLocation
	version string
}

func newRoute(id, area, resource, template, version string) *route {
	u := uuid.MustParse(id)
	return &route{loc: azuredevops.ApiResourceLocation{Id: &u, Area: &area, ResourceName: &resource, RouteTemplate: &template}, version: version}
}

// The routes of a Build, with the api-versions core.GetProjects,
// workitemtrackingprocess.GetListOfProcesses and GetProcessWorkItemTypes,
// and workitemtracking.GetWorkItemTypeStates, GetWorkItemType and
// GetWorkItemTypeCategory ask.
var (
	routeProjects     = newRoute("603fe2ac-9723-48b9-88ad-09305aa6c6e1", "core", "projects", "_apis/{resource}/{*projectId}", "7.1-preview.4")
	routeProcesses    = newRoute("02cc6a73-5cfb-427d-8c8e-b49fb086e8af", "processes", "processes", "_apis/work/{resource}/{processTypeId}", "7.1-preview.2")
	routeProcessTypes = newRoute("e2e9d1a6-432d-4062-8870-bfcb8c324ad7", "processes", "workItemTypes", "_apis/work/{area}/{processId}/{resource}/{witRefName}", "7.1-preview.2")
	routeTypeStates   = newRoute("7c9d7a76-4a09-43e8-b5df-bd792f4ac6aa", "wit", "workItemTypeStates", "{project}/_apis/{area}/workitemtypes/{type}/states", "7.1-preview.1")
	routeType         = newRoute("7c8d7a76-4a09-43e8-b5df-bd792f4ac6aa", "wit", "workItemTypes", "{project}/_apis/{area}/{resource}/{type}", "7.1-preview.2")
	routeCategory     = newRoute("9b9f5734-36c8-415e-ba67-f83b45c31408", "wit", "workItemTypeCategories", "{project}/_apis/{area}/{resource}/{category}", "7.1-preview.2")
)

// discovery records that a Client has had a pinned route refused: from
// then on it asks the SDK's generated clients, as for every later request.
type discovery struct{ on atomic.Bool }

// getPinned asks a GET of r with the route values and query given. The
// caller decodes the answer (unmarshalCollection, unmarshalBody), which
// closes it. ok is false when this Client no longer uses pinned routes:
// the caller then asks the SDK's generated client.
//
// The request goes to r's pinned URL with r's api-version, through the
// SDK's request and response machinery (Client.GenerateUrl,
// CreateRequestMessage, SendRequest) but without its location discovery,
// which costs the first request to each organization URL in the process a
// round trip of its own. A server older than the pinned api-version
// refuses it (400 VssVersionOutOfRangeException, as Azure DevOps Server
// 2019, 2020 and 2022 do): getPinned then reports !ok, and so does every
// later call for this Client; the SDK discovers the locations and
// negotiates the version down.
func (c *Client) getPinned(ctx context.Context, r *route, values map[string]string, query url.Values) (resp *http.Response, ok bool, err error) {
	if c.discovery.on.Load() {
		return nil, false, nil
	}
	sdk := &c.core.Client
	if values == nil {
		values = make(map[string]string, 2) // GenerateUrl adds the area and resource
	}
	u := strings.TrimRight(c.url, "/") + "/" + strings.TrimLeft(sdk.GenerateUrl(&r.loc, values, query), "/")
	req, err := sdk.CreateRequestMessage(ctx, http.MethodGet, u, r.version, nil, "", azuredevops.MediaTypeApplicationJson, nil)
	if err != nil {
		return nil, true, err
	}
	resp, err = sdk.SendRequest(req)
	if err == nil {
		return resp, true, nil
	}
	if resp != nil {
		_ = resp.Body.Close()
	}
	if !versionRefused(err) {
		return nil, true, err
	}
	if c.discovery.on.CompareAndSwap(false, true) {
		c.opts.logger.DebugContext(ctx, "azdo: the server refused a pinned api-version; discovering locations from now on", "resource", *r.loc.ResourceName, "err", err)
	}
	return nil, false, nil
}

// versionRefused reports the answer of a server older than the
// api-version asked.
func versionRefused(err error) bool {
	var apiErr *APIError
	return errors.As(err, &apiErr) && apiErr.StatusCode == http.StatusBadRequest && apiErr.TypeKey == "VssVersionOutOfRangeException"
}

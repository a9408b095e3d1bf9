package azdo

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strconv"

	"github.com/microsoft/azure-devops-go-api/azuredevops/v7/core"

	"github.com/azdosync/azdosync/orgconfig"
)

// maxProjectPages stops a server whose continuation tokens never end.
const maxProjectPages = 10000

// Projects lists every well-formed project of the organization, without
// duplicates, in server order. It asks for pages of WithProjectPageSize
// projects ($top) and follows the x-ms-continuationtoken header whatever
// size the server caps a page at: a page shorter than asked is not the
// end, only a page without a token is. A server that refuses $top (400 on
// the first page) is asked once more without it. Past WithMaxProjects
// projects it stops with ErrTooManyProjects.
//
// With the process API on, it also starts the process lookup that
// WorkItemStates needs, so that it overlaps the paging; Projects returns
// when both are done.
func (c *Client) Projects(ctx context.Context) ([]orgconfig.Project, error) {
	if !c.opts.processAPI {
		return c.listProjects(ctx)
	}
	ticket := c.index.Start(ctx, c.fetchIndex)
	projects, err := c.listProjects(ctx)
	if err != nil {
		ticket.Leave()
		return nil, err
	}
	// A failed lookup is retried by WorkItemStates, which reports it.
	if _, err := ticket.Wait(ctx); err != nil && ctx.Err() != nil {
		return nil, fmt.Errorf("azdo: list projects: %w", ctx.Err())
	}
	return projects, nil
}

func (c *Client) listProjects(ctx context.Context) ([]orgconfig.Project, error) {
	const op = "list projects"
	wellFormed := core.ProjectStateValues.WellFormed
	top := c.opts.projectPageSize
	args := core.GetProjectsArgs{StateFilter: &wellFormed, Top: &top}
	var out []orgconfig.Project
	seen := make(map[string]struct{})
	offset := 0
	for page := 0; page < maxProjectPages; page++ {
		resp, err := c.core.GetProjects(ctx, args)
		if err != nil && page == 0 && args.Top != nil && ctx.Err() == nil && isStatus(err, http.StatusBadRequest) {
			// A server that does not take $top: ask the way the SDK's
			// default does, once.
			c.opts.logger.DebugContext(ctx, "azdo: projects refused $top; asking without it", "err", err)
			args.Top = nil
			resp, err = c.core.GetProjects(ctx, args)
		}
		if err != nil {
			return nil, fail(ctx, op, err)
		}
		for _, p := range resp.Value {
			if p.Id == nil || p.Name == nil || (p.State != nil && *p.State != wellFormed) {
				continue
			}
			id := p.Id.String()
			if _, dup := seen[id]; dup {
				continue
			}
			if len(out) == c.opts.maxProjects {
				return nil, &APIError{Op: op, Kind: ErrTooManyProjects,
					Message: fmt.Sprintf("the organization has more than %d projects, the most WithMaxProjects allows", c.opts.maxProjects)}
			}
			seen[id] = struct{}{}
			out = append(out, orgconfig.Project{ID: id, Name: *p.Name})
		}
		if resp.ContinuationToken == "" {
			return out, nil
		}
		// The token is the offset of the next page; the SDK returns it as a
		// string but takes it back as an int.
		next, err := strconv.Atoi(resp.ContinuationToken)
		if err != nil || next <= offset {
			return nil, &APIError{Op: op, Kind: ErrBadResponse, Message: "invalid continuation token"}
		}
		offset = next
		args.ContinuationToken = &next
	}
	return nil, &APIError{Op: op, Kind: ErrBadResponse, Message: fmt.Sprintf("more than %d pages of projects", maxProjectPages)}
}

// isStatus reports whether err is an answer of Azure DevOps with status.
func isStatus(err error, status int) bool {
	var apiErr *APIError
	return errors.As(err, &apiErr) && apiErr.StatusCode == status
}

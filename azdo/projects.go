package azdo

import (
	"context"
	"fmt"
	"strconv"

	"github.com/microsoft/azure-devops-go-api/azuredevops/v7/core"

	"github.com/azdosync/azdosync/orgconfig"
)

// maxProjectPages stops a server whose continuation tokens never end.
const maxProjectPages = 10000

// Projects lists every well-formed project of the organization, following
// continuation tokens across pages, without duplicates, in server order.
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
	args := core.GetProjectsArgs{StateFilter: &wellFormed}
	var out []orgconfig.Project
	seen := make(map[string]struct{})
	offset := 0
	for range maxProjectPages {
		page, err := c.core.GetProjects(ctx, args)
		if err != nil {
			return nil, fail(ctx, op, err)
		}
		for _, p := range page.Value {
			if p.Id == nil || p.Name == nil || (p.State != nil && *p.State != wellFormed) {
				continue
			}
			id := p.Id.String()
			if _, dup := seen[id]; dup {
				continue
			}
			seen[id] = struct{}{}
			out = append(out, orgconfig.Project{ID: id, Name: *p.Name})
		}
		if page.ContinuationToken == "" {
			return out, nil
		}
		// The token is the offset of the next page; the SDK returns it as a
		// string but takes it back as an int.
		next, err := strconv.Atoi(page.ContinuationToken)
		if err != nil || next <= offset {
			return nil, &APIError{Op: op, Kind: ErrBadResponse, Message: "invalid continuation token"}
		}
		offset = next
		args.ContinuationToken = &next
	}
	return nil, &APIError{Op: op, Kind: ErrBadResponse, Message: fmt.Sprintf("more than %d pages of projects", maxProjectPages)}
}

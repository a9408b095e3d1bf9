package azdo

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"sync"

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
// Azure DevOps's token is an offset (the number of projects already
// fetched), so when it matches the pages so far, the next pages are asked
// up to four at once (and at most a quarter of WithMaxConcurrentRequests),
// each checked against the token of the page before it: an organization of
// 5 000 projects costs two round trips of pages, not five. The pages past
// the end that this may ask go unused.
//
// With the process API on, it also starts the process lookup that
// WorkItemStates needs, so that it overlaps the paging; Projects returns
// when both are done.
func (c *Client) Projects(ctx context.Context) ([]orgconfig.Project, error) {
	if err := c.notMade("list projects"); err != nil {
		return nil, err
	}
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
	resp, err := c.core.GetProjects(ctx, args)
	if err != nil && ctx.Err() == nil && isStatus(err, http.StatusBadRequest) {
		// A server that does not take $top: ask as the SDK does by
		// default, once.
		c.opts.logger.DebugContext(ctx, "azdo: projects refused $top; asking without it", "err", err)
		args.Top = nil
		resp, err = c.core.GetProjects(ctx, args)
	}
	if err != nil {
		return nil, fail(ctx, op, err)
	}
	list := projectList{max: c.opts.maxProjects, seen: make(map[string]struct{})}
	if err := list.add(op, resp); err != nil {
		return nil, err
	}
	window := min(maxPageWindow, max(1, c.opts.maxInFlight/4))
	requests, offset, size, token := 1, 0, len(resp.Value), resp.ContinuationToken
	for token != "" {
		// The SDK returns the token as a string but takes it back as an
		// int: Azure DevOps's token is the offset of the next page, the
		// number of projects already fetched.
		next, err := strconv.Atoi(token)
		if err != nil || next <= offset {
			return nil, &APIError{Op: op, Kind: ErrBadResponse, Message: "invalid continuation token"}
		}
		// When the token is that offset, the pages that follow start every
		// step projects: ask several at once, and check each against the
		// token of the page before it. Otherwise ask one at a time.
		step, n := next-offset, 1
		if step == size {
			n = window
		}
		if requests+n > maxProjectPages {
			return nil, &APIError{Op: op, Kind: ErrBadResponse, Message: fmt.Sprintf("more than %d pages of projects", maxProjectPages)}
		}
		offsets := make([]int, n)
		for i := range offsets {
			offsets[i] = next + i*step
		}
		pages := c.projectPages(ctx, args, offsets)
		requests += n
		for i, p := range pages {
			if p.err != nil {
				return nil, fail(ctx, op, p.err)
			}
			if err := list.add(op, p.resp); err != nil {
				return nil, err
			}
			offset, size, token = offsets[i], len(p.resp.Value), p.resp.ContinuationToken
			// The end, or a page shorter than its neighbours (a busy
			// server may answer fewer): go on from the token received.
			if token == "" || i+1 == len(pages) || token != strconv.Itoa(offsets[i+1]) {
				break
			}
		}
	}
	return list.out, nil
}

// maxPageWindow is how many project pages after the first are asked at
// once, at most (and at most a quarter of WithMaxConcurrentRequests).
const maxPageWindow = 4

type projectPage struct {
	resp *core.GetProjectsResponseValue
	err  error
}

// projectPages asks the pages at offsets at once and returns them in order.
func (c *Client) projectPages(ctx context.Context, args core.GetProjectsArgs, offsets []int) []projectPage {
	out := make([]projectPage, len(offsets))
	var wg sync.WaitGroup
	for i, o := range offsets {
		wg.Go(func() {
			a := args
			a.ContinuationToken = &o
			resp, err := c.core.GetProjects(ctx, a)
			if err == nil && resp == nil {
				resp = &core.GetProjectsResponseValue{}
			}
			out[i] = projectPage{resp, err}
		})
	}
	wg.Wait()
	return out
}

// projectList gathers well-formed projects in server order, without
// duplicates, up to max.
type projectList struct {
	out  []orgconfig.Project
	seen map[string]struct{}
	max  int
}

func (l *projectList) add(op string, resp *core.GetProjectsResponseValue) error {
	wellFormed := core.ProjectStateValues.WellFormed
	for _, p := range resp.Value {
		if p.Id == nil || p.Name == nil || (p.State != nil && *p.State != wellFormed) {
			continue
		}
		id := p.Id.String()
		if _, dup := l.seen[id]; dup {
			continue
		}
		if len(l.out) == l.max {
			return &APIError{Op: op, Kind: ErrTooManyProjects,
				Message: fmt.Sprintf("the organization has more than %d projects, the most WithMaxProjects allows", l.max)}
		}
		l.seen[id] = struct{}{}
		l.out = append(l.out, orgconfig.Project{ID: id, Name: *p.Name})
	}
	return nil
}

// isStatus reports whether err is an answer of Azure DevOps with status.
func isStatus(err error, status int) bool {
	var apiErr *APIError
	return errors.As(err, &apiErr) && apiErr.StatusCode == status
}

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
// duplicates, in server order (an entry without a UUID or a name, or with a
// name over 256 bytes, which Azure DevOps never sends, is left out). It
// asks for pages of WithProjectPageSize projects ($top) and follows the
// x-ms-continuationtoken header whatever size the server caps a page at: a
// page shorter than asked is not the end, only a page without a token is.
// Pages are asked one after the other, so none is asked past the end,
// except with the process API on: once the process list has said how many
// projects there are, the pages up to that count (and no further than
// WithMaxProjects needs) are asked WithMaxConcurrentRequests at a time,
// each batch once the one before it came back full. The process list may
// also name projects the list leaves out (being created or deleted;
// azdotest's does), so its count can be too high: then the batch that
// reaches the end asks up to WithMaxConcurrentRequests-1 pages past it, the
// most a call asks unused; when the count is not too high, none. A server
// that refuses $top (400 on the first page) is asked once more without it.
// Past WithMaxProjects projects it stops with ErrTooManyProjects.
//
// With the process API on, it also looks up the states of the listed
// projects' processes, for the WorkItemStates calls that follow: the
// process list and the system processes' work item types alongside the
// first page (see the package doc), then each other used process's work
// item types as soon as a page lists one of its projects (1 + P requests
// for P processes; a process naming no listed project costs nothing). What
// the lookup learned (each project's states, or the error that stands for
// them) is kept for those calls only: each listed project is served once,
// and the index is released when all are served, when ctx ends, or a
// minute after Projects returned, whichever comes first, and sooner when
// the indexes of later calls need its room (together they hold at most
// 131 072 projects). A failed lookup
// is thus asked once per Projects call, not once per WorkItemStates call.
func (c *Client) Projects(ctx context.Context) ([]orgconfig.Project, error) {
	if err := c.notMade(orgconfig.OpListProjects); err != nil {
		return nil, err
	}
	if !c.opts.processAPI {
		return c.listProjects(ctx, nil, nil)
	}
	lctx, cancel := context.WithCancel(ctx)
	defer cancel()
	lk := newLookup(c)
	listed := make(chan struct{})
	go func() {
		defer close(listed)
		lk.run(lctx)
	}()
	projects, err := c.listProjects(lctx, func(page []orgconfig.Project) { lk.listed(lctx, page) }, lk.count)
	if err != nil {
		cancel()
	}
	<-listed
	entries := lk.index(projects)
	if err != nil {
		return nil, err
	}
	if ctx.Err() != nil {
		return nil, fmt.Errorf("azdo: list projects: %w", ctx.Err())
	}
	c.keep(ctx, entries)
	return projects, nil
}

// listProjects pages through the projects, calling onPage (when not nil)
// with the projects each page adds.
//
// count (when not nil) is how many projects the process list names, once it
// has answered (0 if it failed). Azure DevOps's continuation token is an
// offset, so when the first page was full and its token is its length, the
// pages up to that count (up to the one that passes WithMaxProjects) are
// asked without waiting for each other, each checked against the token of
// the page before it: 5 000 projects cost two round trips of pages, not
// five. They are asked in batches of WithMaxConcurrentRequests, each once
// the one before it is used up: asking more at once would not be sooner,
// since the Client has no more requests in flight, and it bounds what a
// count that is too high wastes. The process list may name projects in
// every state (azdotest's does) and the list names only well-formed ones,
// so with 6 well-formed and 200 deleting projects in pages of 5 the count
// says 41 pages after the first where 1 is left; one batch is asked, and
// the pages in it past the end (at most WithMaxConcurrentRequests-1) are
// all a call asks unused. Should a page be shorter than the first (a busy
// server may answer fewer), the pages of its batch after it go unused and
// paging goes on from its token one page at a time, as it does when the
// list names fewer projects than there are.
func (c *Client) listProjects(ctx context.Context, onPage func([]orgconfig.Project), count func() int) ([]orgconfig.Project, error) {
	const op = orgconfig.OpListProjects
	wellFormed := core.ProjectStateValues.WellFormed
	top := c.opts.projectPageSize
	args := core.GetProjectsArgs{StateFilter: &wellFormed, Top: &top}
	resp, err := c.getProjects(ctx, args)
	if err != nil && ctx.Err() == nil && isStatus(err, http.StatusBadRequest) {
		// A server that does not take $top: ask as the SDK does by
		// default, once.
		c.opts.logger.DebugContext(ctx, "azdo: projects refused $top; asking without it", "err", err)
		args.Top = nil
		resp, err = c.getProjects(ctx, args)
	}
	list := projectList{max: c.opts.maxProjects, seen: make(map[string]struct{})}
	var ahead []projectPage // pages asked at once, in order
	step, total := 0, 0     // pages at once: step projects apart, up to total
	for offset, pages := 0, 1; ; pages++ {
		if err != nil {
			return nil, fail(ctx, op, err)
		}
		if resp == nil {
			resp = &core.GetProjectsResponseValue{}
		}
		added, addErr := list.add(op, resp)
		if addErr != nil {
			return nil, addErr
		}
		if onPage != nil && len(added) > 0 {
			onPage(added)
		}
		token := resp.ContinuationToken
		if token == "" {
			return list.out, nil
		}
		// The SDK returns the token as a string but takes it back as an
		// int: Azure DevOps's token is the offset of the next page, the
		// number of projects already fetched.
		next, convErr := strconv.Atoi(token)
		if convErr != nil || next <= offset {
			return nil, &APIError{Op: op, Kind: ErrBadResponse, Message: "invalid continuation token"}
		}
		if pages == maxProjectPages {
			return nil, &APIError{Op: op, Kind: ErrBadResponse, Message: fmt.Sprintf("more than %d pages of projects", maxProjectPages)}
		}
		if step > 0 && next != offset+step {
			// A page shorter than the first: its token leads elsewhere,
			// and the rest is asked one page at a time.
			ahead, step = nil, 0
		}
		if pages == 1 && count != nil && next == len(resp.Value) {
			step, total = next, count()
			if total > list.max {
				// Past WithMaxProjects one page is enough to fail: none
				// after it. (list.max+1 without the test would overflow
				// for a limit of math.MaxInt.)
				total = list.max + 1
			}
		}
		offset = next
		if len(ahead) == 0 && step > 0 && next < total {
			ahead = c.projectPages(ctx, args, next, step, total, min(c.opts.maxInFlight, maxProjectPages-pages))
		}
		if len(ahead) > 0 {
			resp, err, ahead = ahead[0].resp, ahead[0].err, ahead[1:]
			continue
		}
		args.ContinuationToken = &next
		resp, err = c.getProjects(ctx, args)
	}
}

// projectPage is a page of projects asked ahead, at offset.
type projectPage struct {
	offset int
	resp   *core.GetProjectsResponseValue
	err    error
}

// projectPages asks at once the pages of step projects from offset from up
// to total (at most limit of them), and returns them in order.
func (c *Client) projectPages(ctx context.Context, args core.GetProjectsArgs, from, step, total, limit int) []projectPage {
	var out []projectPage
	for o := from; o < total && len(out) < limit; o += step {
		out = append(out, projectPage{offset: o})
	}
	var wg sync.WaitGroup
	for i := range out {
		wg.Go(func() {
			a := args
			a.ContinuationToken = &out[i].offset
			out[i].resp, out[i].err = c.getProjects(ctx, a)
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

// maxProjectName is the longest project name kept, in bytes: Azure DevOps
// allows 64 characters, 256 bytes at most in UTF-8. A longer one is a
// broken or hostile entry, left out as one without a name is, so that the
// names kept stay within WithMaxProjects times this.
const maxProjectName = 256

// add adds a page's projects and returns those it added.
func (l *projectList) add(op string, resp *core.GetProjectsResponseValue) ([]orgconfig.Project, error) {
	start := len(l.out)
	wellFormed := core.ProjectStateValues.WellFormed
	for _, p := range resp.Value {
		if p.Id == nil || p.Name == nil || len(*p.Name) > maxProjectName || (p.State != nil && *p.State != wellFormed) {
			continue
		}
		id := p.Id.String()
		if _, dup := l.seen[id]; dup {
			continue
		}
		if len(l.out) == l.max {
			return nil, &APIError{Op: op, Kind: ErrTooManyProjects,
				Message: fmt.Sprintf("the organization has more than %d projects, the most WithMaxProjects allows", l.max)}
		}
		l.seen[id] = struct{}{}
		l.out = append(l.out, orgconfig.Project{ID: id, Name: *p.Name})
	}
	return l.out[start:], nil
}

// isStatus reports whether err is an answer of Azure DevOps with status.
func isStatus(err error, status int) bool {
	var apiErr *APIError
	return errors.As(err, &apiErr) && apiErr.StatusCode == status
}

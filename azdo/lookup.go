package azdo

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"sync"

	"github.com/google/uuid"
	"github.com/microsoft/azure-devops-go-api/azuredevops/v7/workitemtrackingprocess"
	"golang.org/x/sync/errgroup"

	"github.com/azdosync/azdosync/orgconfig"
)

// maxProcesses bounds the processes one Projects call asks the work item
// types of. The projects of a process past it get an error instead (a
// problem of the Build), without a request.
const maxProcesses = 1000

// lookup is the process lookup of one Projects call: the process list,
// asked alongside the first project page, then the work item types of each
// process once a project the pages list names it. It makes 1 + P requests
// for P used processes; a process naming only projects the pages do not
// list costs nothing. Failures cost only the projects they concern: a
// malformed process or project entry sends its projects to the
// per-project path, a failed process sends its own projects there (when
// unusable) or gives them its error.
//
// Projects drives it: run in a goroutine of its own, listed after each
// page, then index once the pages are done.
type lookup struct {
	c     *Client
	types errgroup.Group // the work item type fetches; they never fail the group
	pre   prefetch       // system processes' types asked with the list; set by run
	// answered is closed once the process list has answered (known).
	answered chan struct{}

	mu      sync.Mutex
	known   bool                // the process list has been answered
	byProj  map[string]*process // lower-case project ID -> its process, from the list
	waiting []string            // projects listed before the process list was known
	err     error               // the process list's failure, given to every project
	started int                 // processes whose types were asked
}

// process is one entry of the process list and what its work item types
// gave. Only the goroutine fetching its types writes types, ok and err,
// before lookup.types.Wait returns.
type process struct {
	id      uuid.UUID
	started bool
	types   []processType // its enabled types, when ok
	ok      bool
	err     error // the projects' error: the types failed, or the process is past maxProcesses
}

func newLookup(c *Client) *lookup {
	l := &lookup{c: c, answered: make(chan struct{})}
	l.types.SetLimit(c.opts.maxInFlight)
	return l
}

// run asks for the process list and starts the type fetches of the
// processes that projects listed so far name.
func (l *lookup) run(ctx context.Context) {
	l.pre = l.c.prefetchSystem(ctx) // in the same round trip as the list
	byProj, err := l.c.listProcesses(ctx)
	switch {
	case err == nil:
		l.c.speculation.listedUsed(usedProcesses(byProj))
	case ctx.Err() == nil && processUnusable(err):
		l.c.opts.logger.DebugContext(ctx, "azdo: no usable process api; asking per project", "err", err)
		l.c.speculation.listedUsed(nil)
		byProj, err = nil, nil
	}
	l.mu.Lock()
	l.known, l.byProj, l.err = true, byProj, err
	ids := l.waiting
	l.waiting = nil
	start := l.toStart(ids)
	l.mu.Unlock()
	close(l.answered)
	l.start(ctx, start)
}

// count waits for the process list and returns how many projects it
// names: 0 when it failed or named none.
func (l *lookup) count() int {
	<-l.answered
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.byProj)
}

// listed tells the lookup the projects of a page and starts the type
// fetches of the processes they are the first to name.
func (l *lookup) listed(ctx context.Context, projects []orgconfig.Project) {
	ids := make([]string, len(projects))
	for i, p := range projects {
		ids[i] = strings.ToLower(p.ID)
	}
	l.mu.Lock()
	if !l.known {
		l.waiting = append(l.waiting, ids...)
		l.mu.Unlock()
		return
	}
	start := l.toStart(ids)
	l.mu.Unlock()
	l.start(ctx, start)
}

// toStart marks the processes of ids not yet asked for as started and
// returns them; a process past maxProcesses is given its error instead.
// l.mu is held.
func (l *lookup) toStart(ids []string) []*process {
	var out []*process
	for _, id := range ids {
		p := l.byProj[id]
		if p == nil || p.started {
			continue
		}
		p.started = true
		if l.started == maxProcesses {
			p.err = &APIError{Op: "list processes", Kind: ErrBadResponse,
				Message: fmt.Sprintf("the organization uses more than %d processes; this project's process is past them", maxProcesses)}
			continue
		}
		l.started++
		out = append(out, p)
	}
	return out
}

// start asks the work item types of each process, at most
// WithMaxConcurrentRequests at once.
func (l *lookup) start(ctx context.Context, procs []*process) {
	for _, p := range procs {
		l.types.Go(func() error {
			l.fetchTypes(ctx, p)
			return nil
		})
	}
}

// fetchTypes asks one process's work item types with their states. When
// they cannot be read (a 4xx other than 401 or 429, as XML processes
// answer), its projects take the per-project
// path; any other failure is its projects' error. Which type each
// project wants is chosen when its states are asked (pickType).
func (l *lookup) fetchTypes(ctx context.Context, p *process) {
	types, err, found := l.pre.take(ctx, p.id)
	if !found {
		expand := workitemtrackingprocess.GetWorkItemTypeExpandValues.States
		types, err = l.c.getProcessWorkItemTypes(ctx, workitemtrackingprocess.GetProcessWorkItemTypesArgs{ProcessId: &p.id, Expand: &expand})
	}
	if err != nil {
		if ctx.Err() == nil && processUnusable(err) {
			l.c.opts.logger.DebugContext(ctx, "azdo: process work item types unusable; its projects are asked one by one", "process", p.id.String(), "err", err)
			return
		}
		p.err = fail(ctx, "list process work item types", err)
		return
	}
	p.types, p.ok = processTypes(deref(types)), true
	for _, t := range p.types {
		if len(t.states) > MaxTypeStates {
			p.types, p.ok = nil, false
			p.err = tooManyStates("list process work item types", t.typ.Name)
			return
		}
	}
}

// index waits for the lookup to end and returns what it says about each
// of the listed projects: nothing for a project that takes the
// per-project path.
func (l *lookup) index(projects []orgconfig.Project) map[string]indexEntry {
	_ = l.types.Wait()
	// run has ended: Projects waited for it before calling index. Every
	// type fetch has taken the prefetch it needed.
	l.pre.stop()
	out := make(map[string]indexEntry, len(projects))
	for _, pr := range projects {
		id := strings.ToLower(pr.ID)
		if l.err != nil {
			out[id] = indexEntry{err: l.err}
			continue
		}
		p := l.byProj[id]
		switch {
		case p == nil:
		case p.err != nil:
			out[id] = indexEntry{err: p.err}
		case p.ok:
			out[id] = indexEntry{types: p.types}
		}
	}
	return out
}

// listProcesses asks for the process list with each process's projects,
// as GetListOfProcesses($expand=projects) does, and returns the process of
// each project it names, by lower-case project ID.
//
// It decodes the list in one pass into wire types holding only what is
// read, where the SDK would fail the whole list on one bad entry: a value
// of the wrong shape (an entry or project that is not an object, projects
// that are not a list) decodes empty, and a typeId or project ID that is
// not a UUID is unset; such an entry, or project, is left out. Those
// projects then take the per-project path, and the others are unaffected.
func (c *Client) listProcesses(ctx context.Context) (map[string]*process, error) {
	const op = "list processes"
	q := url.Values{"$expand": {string(workitemtrackingprocess.GetProcessExpandLevelValues.Projects)}}
	resp, ok, err := c.getPinned(ctx, routeProcesses, nil, q)
	if !ok {
		resp, err = c.process.Client.Send(ctx, http.MethodGet, *routeProcesses.loc.Id, routeProcesses.version, nil, q, nil, "", "application/json", nil)
	}
	if err != nil {
		return nil, fail(ctx, op, err)
	}
	var entries []wireProcess
	err = unmarshalCollection(resp, &entries)
	var shape *json.UnmarshalTypeError
	if errors.As(err, &shape) && entries != nil {
		err = nil // some values of the wrong shape, decoded empty: see below
	}
	if err != nil {
		return nil, fail(ctx, op, err)
	}
	byProj := make(map[string]*process)
	skipped := 0
	for _, e := range entries {
		if !e.TypeID.ok {
			skipped++
			continue
		}
		p := &process{id: e.TypeID.id}
		for _, proj := range e.Projects {
			if !proj.ID.ok {
				skipped++
				continue
			}
			pid := proj.ID.id.String()
			if _, dup := byProj[pid]; !dup { // the first process naming a project wins
				byProj[pid] = p
			}
		}
	}
	if skipped > 0 {
		c.opts.logger.DebugContext(ctx, "azdo: malformed process list entries left out; their projects are asked one by one", "entries", skipped)
	}
	return byProj, nil
}

// usedProcesses returns the processes of byProj, each once.
func usedProcesses(byProj map[string]*process) []uuid.UUID {
	seen := make(map[*process]bool)
	var ids []uuid.UUID
	for _, p := range byProj {
		if !seen[p] {
			seen[p] = true
			ids = append(ids, p.id)
		}
	}
	return ids
}

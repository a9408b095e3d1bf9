package azdo

import (
	"context"
	"sync"

	"github.com/google/uuid"
	"github.com/microsoft/azure-devops-go-api/azuredevops/v7/workitemtrackingprocess"
)

// systemProcesses are the IDs of the four system processes, the same in
// every organization and collection: Agile, Scrum, CMMI, Basic.
var systemProcesses = [...]uuid.UUID{
	uuid.MustParse("adcc42ab-9882-485e-a3ed-7678f01f66bc"),
	uuid.MustParse("6b724908-ef14-45cf-84f8-768b5384da45"),
	uuid.MustParse("27450541-8e31-4150-9947-dc59f998fc01"),
	uuid.MustParse("b8a3a935-7e91-48b8-a94c-606d37c3e9f2"),
}

// speculation remembers which system processes a Client's last process
// list said its projects use, so that the next lookup asks their work
// item types alongside the list, in the same round trip, instead of
// after it. Before any list has been read (a Client's first Build) that
// is all four; an organization on inherited processes alone thus wastes
// four small requests once.
type speculation struct {
	mu     sync.Mutex
	listed bool
	used   []uuid.UUID
}

// candidates returns the system processes to ask up front.
func (s *speculation) candidates() []uuid.UUID {
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.listed {
		return systemProcesses[:]
	}
	return s.used
}

// listedUsed records the processes a process list said projects use.
func (s *speculation) listedUsed(ids []uuid.UUID) {
	var used []uuid.UUID
	for _, id := range ids {
		for _, sys := range systemProcesses {
			if id == sys {
				used = append(used, id)
			}
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.listed, s.used = true, used
}

// prefetch is the work item types of some system processes, asked before
// the process list has answered whether they are used.
type prefetch map[uuid.UUID]*prefetched

type prefetched struct {
	done   chan struct{}
	cancel context.CancelFunc // gives it up
	types  *[]workitemtrackingprocess.ProcessWorkItemType
	err    error
}

// prefetchSystem starts asking, with their states, the work item types of
// the system processes the Client's speculation names.
func (c *Client) prefetchSystem(ctx context.Context) prefetch {
	ids := c.speculation.candidates()
	if len(ids) == 0 {
		return nil
	}
	p := make(prefetch, len(ids))
	expand := workitemtrackingprocess.GetWorkItemTypeExpandValues.States
	for _, id := range ids {
		ctx, cancel := context.WithCancel(ctx)
		f := &prefetched{done: make(chan struct{}), cancel: cancel}
		p[id] = f
		go func() {
			defer close(f.done)
			f.types, f.err = c.getProcessWorkItemTypes(ctx, workitemtrackingprocess.GetProcessWorkItemTypesArgs{ProcessId: &id, Expand: &expand})
		}()
	}
	return p
}

// take returns the answer to the prefetch of process id once it is in,
// as the caller's own request would have: found is false when id was not
// prefetched (or ctx ended first), and the caller asks itself.
func (p prefetch) take(ctx context.Context, id uuid.UUID) (types *[]workitemtrackingprocess.ProcessWorkItemType, err error, found bool) {
	f := p[id]
	if f == nil {
		return nil, nil, false
	}
	select {
	case <-f.done:
		return f.types, f.err, true
	case <-ctx.Done():
		return nil, nil, false
	}
}

// stop gives up the prefetches still in flight, which no one will take
// now (the process list said their processes are not used, or failed),
// and returns once every prefetch has ended, so that none outlives the
// lookup that started it, and none holds it: a request not needed must
// not make Projects wait, or fail at its deadline.
func (p prefetch) stop() {
	for _, f := range p {
		f.cancel()
		<-f.done
	}
}

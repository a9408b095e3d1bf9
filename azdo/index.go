package azdo

import (
	"context"
	"strings"
	"time"
)

// indexLinger bounds how long an index is kept when not every project it
// covers has its states fetched (a Build with a state project limit, or one
// that stopped early).
const indexLinger = time.Minute

// maxKeptEntries bounds the project entries a Client's indexes hold
// together (about 190 bytes each): past it the oldest indexes are dropped,
// and the WorkItemStates calls they would have served take the
// per-project path. It holds 300 concurrent Builds of 200 projects, while
// a caller listing projects again and again without asking their states,
// under a context that never ends, no longer keeps an index per call for
// indexLinger.
const maxKeptEntries = 1 << 17

// processIndex is what one Projects call's process lookup says about each
// project that call listed, for the WorkItemStates calls that follow it.
// It serves each project once and lives until it has served them all, the
// context of the Projects call ends, or indexLinger has passed, whichever
// comes first; nothing outlives it. So states are as fresh as the project
// list they belong to: there is no cache of states in the Client.
type processIndex struct {
	entries map[string]indexEntry // by lower-case project ID; guarded by Client.mu
	release context.CancelFunc    // ends its lifetime
}

// indexEntry is the work item types of a project's process, or the error
// that stands for its states; a project without an entry, or whose
// process lacks every type it wants, takes the per-project path.
type indexEntry struct {
	types []processType // shared by the projects of a process: hand out copies
	err   error
}

// keep makes entries available to the WorkItemStates calls that follow,
// until they are all served, ctx ends or indexLinger passes, or newer
// indexes need the room (maxKeptEntries).
func (c *Client) keep(ctx context.Context, entries map[string]indexEntry) {
	if len(entries) == 0 {
		return
	}
	life, cancel := context.WithTimeout(ctx, indexLinger)
	idx := &processIndex{entries: entries, release: cancel}
	c.mu.Lock()
	c.indexes = append(c.indexes, idx)
	n := 0
	for _, x := range c.indexes {
		n += len(x.entries)
	}
	drop := 0
	for ; n > maxKeptEntries && drop < len(c.indexes)-1; drop++ {
		n -= len(c.indexes[drop].entries)
		c.indexes[drop].release() // its AfterFunc finds it gone
	}
	if drop > 0 {
		c.indexes = append(c.indexes[:0:0], c.indexes[drop:]...)
	}
	c.mu.Unlock()
	context.AfterFunc(life, func() { c.drop(idx) })
}

// take returns and forgets the entry of a project in the newest index
// that has one; false when none has.
func (c *Client) take(projectID string) (indexEntry, bool) {
	id := strings.ToLower(projectID)
	c.mu.Lock()
	defer c.mu.Unlock()
	for i := len(c.indexes) - 1; i >= 0; i-- {
		idx := c.indexes[i]
		e, ok := idx.entries[id]
		if !ok {
			continue
		}
		delete(idx.entries, id)
		if len(idx.entries) == 0 {
			c.indexes = append(c.indexes[:i:i], c.indexes[i+1:]...)
			idx.release() // its AfterFunc finds it gone
		}
		return e, true
	}
	return indexEntry{}, false
}

// drop forgets an index, served or not.
func (c *Client) drop(idx *processIndex) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for i, x := range c.indexes {
		if x == idx {
			c.indexes = append(c.indexes[:i:i], c.indexes[i+1:]...)
			break
		}
	}
	idx.release()
}

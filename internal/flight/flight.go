// Package flight shares one fetch between concurrent callers and keeps its
// result for a while.
//
// Unlike x/sync/singleflight, a fetch runs detached from any one caller's
// cancellation and is cancelled only when its last waiter gives up, so one
// impatient caller cannot fail the others; and the last waiter to give up
// waits for the fetch to end, so no goroutine outlives the calls that
// started it.
package flight

import (
	"context"
	"sync"
	"time"
)

// Cache holds at most one value, fetched on demand. The zero value fetches
// every time it is asked and keeps nothing; set TTL to keep values.
type Cache[T any] struct {
	// TTL is how long a kept value stays fresh; 0 keeps nothing.
	TTL time.Duration
	// Keep reports whether a fetched value may be kept; nil keeps every
	// value fetched without error.
	Keep func(T) bool

	mu      sync.Mutex
	val     T
	fetched time.Time
	has     bool
	cur     *call[T]
}

type call[T any] struct {
	done    chan struct{}
	val     T
	err     error
	waiters int // guarded by Cache.mu
	cancel  context.CancelFunc
}

// Ticket is a caller's place in a fetch: Wait for its result or Leave it.
type Ticket[T any] struct {
	c     *Cache[T]
	call  *call[T]
	val   T
	fresh bool
}

// Start returns at once with a ticket for a fresh kept value, or for the
// fetch in flight, starting one with fetch if none is. The fetch's context
// carries ctx's values but not its cancellation.
func (c *Cache[T]) Start(ctx context.Context, fetch func(context.Context) (T, error)) *Ticket[T] {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.has && time.Since(c.fetched) < c.TTL {
		return &Ticket[T]{c: c, val: c.val, fresh: true}
	}
	f := c.cur
	if f == nil {
		fctx, cancel := context.WithCancel(context.WithoutCancel(ctx))
		f = &call[T]{done: make(chan struct{}), cancel: cancel}
		c.cur = f
		go c.run(fctx, f, fetch)
	}
	f.waiters++
	return &Ticket[T]{c: c, call: f}
}

// Get is Start then Wait.
func (c *Cache[T]) Get(ctx context.Context, fetch func(context.Context) (T, error)) (T, error) {
	return c.Start(ctx, fetch).Wait(ctx)
}

// Forget drops the kept value.
func (c *Cache[T]) Forget() {
	c.mu.Lock()
	defer c.mu.Unlock()
	var zero T
	c.val, c.has = zero, false
}

func (c *Cache[T]) run(ctx context.Context, f *call[T], fetch func(context.Context) (T, error)) {
	val, err := fetch(ctx)
	c.mu.Lock()
	f.val, f.err = val, err
	if c.cur == f {
		c.cur = nil
	}
	if err == nil && c.TTL > 0 && (c.Keep == nil || c.Keep(val)) {
		c.val, c.fetched, c.has = val, time.Now(), true
	}
	c.mu.Unlock()
	f.cancel()
	close(f.done)
}

// Wait returns the fetch's result, or ctx's error when ctx is done first.
// A ticket must be waited for or left exactly once.
func (t *Ticket[T]) Wait(ctx context.Context) (T, error) {
	if t.call == nil {
		return t.val, nil
	}
	select {
	case <-t.call.done:
		t.release(false)
		return t.call.val, t.call.err
	case <-ctx.Done():
		t.release(true)
		var zero T
		return zero, ctx.Err()
	}
}

// Leave gives up the ticket without its result.
func (t *Ticket[T]) Leave() {
	if t.call != nil {
		t.release(true)
	}
}

// release drops the ticket's claim; the last claim given up cancels the
// fetch and waits for it to end.
func (t *Ticket[T]) release(giveUp bool) {
	c, f := t.c, t.call
	c.mu.Lock()
	f.waiters--
	last := f.waiters == 0
	if giveUp && last && c.cur == f {
		c.cur = nil // later callers start afresh instead of joining a cancelled fetch
	}
	c.mu.Unlock()
	if giveUp && last {
		f.cancel()
		<-f.done
	}
}

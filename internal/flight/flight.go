// Package flight shares one fetch between concurrent callers and keeps its
// result for a while.
//
// Unlike x/sync/singleflight, a fetch runs detached from any one caller's
// cancellation and is cancelled only when its last waiter gives up, so one
// impatient caller cannot fail the others; and the last waiter to give up
// waits for the fetch to end, so no goroutine outlives the calls that
// started it.
//
// Detached does not mean blind: the fetch's context reports, as its
// Deadline, the latest deadline of the callers waiting for it at the time
// it is asked (none while one of them has none). Code under the fetch that
// decides whether a wait fits the deadline (a Retry-After, a backoff) thus
// decides as it would for its most patient caller, and fails fast when even
// that caller cannot afford the wait. The deadline is reported, not
// enforced: the fetch ends when its last waiter leaves.
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
	// FetchedAt, when set and not zero for a value, is when the value was
	// first fetched (it may come from another cache); it stays fresh for
	// TTL from then. Otherwise a value is fresh for TTL from its fetch's end.
	FetchedAt func(T) time.Time

	mu      sync.Mutex
	val     T
	fetched time.Time
	has     bool
	cur     *call[T]
}

type call[T any] struct {
	done   chan struct{}
	val    T
	err    error
	cancel context.CancelFunc

	// waiting holds the context each waiting ticket was started with, for
	// the fetch's deadline. Its own lock: the fetch reads it while callers
	// join and leave, and a waiter's Deadline may be another flight's.
	mu      sync.Mutex
	waiting map[*Ticket[T]]context.Context
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
// carries the values of the ctx that started it, not its cancellation; its
// Deadline is the latest of the waiters' (see the package comment), counting
// ctx's deadline until the ticket is waited for or left.
func (c *Cache[T]) Start(ctx context.Context, fetch func(context.Context) (T, error)) *Ticket[T] {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.fresh() {
		return &Ticket[T]{c: c, val: c.val, fresh: true}
	}
	f := c.cur
	start := f == nil
	if start {
		f = &call[T]{done: make(chan struct{}), waiting: make(map[*Ticket[T]]context.Context)}
		c.cur = f
	}
	t := &Ticket[T]{c: c, call: f}
	f.mu.Lock()
	f.waiting[t] = ctx
	f.mu.Unlock()
	if start {
		inner, cancel := context.WithCancel(context.WithoutCancel(ctx))
		f.cancel = cancel
		go c.run(&fetchCtx[T]{Context: inner, call: f}, f, fetch)
	}
	return t
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

// Idle reports whether the cache holds no fresh value and no fetch is in
// flight, so that dropping it loses nothing.
func (c *Cache[T]) Idle() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.cur == nil && !c.fresh()
}

// fresh reports whether the cache holds a value younger than TTL. c.mu is
// held.
func (c *Cache[T]) fresh() bool { return c.has && time.Since(c.fetched) < c.TTL }

func (c *Cache[T]) run(ctx context.Context, f *call[T], fetch func(context.Context) (T, error)) {
	val, err := fetch(ctx)
	c.mu.Lock()
	f.val, f.err = val, err
	if c.cur == f {
		c.cur = nil
	}
	if err == nil && c.TTL > 0 && (c.Keep == nil || c.Keep(val)) {
		c.val, c.fetched, c.has = val, time.Now(), true
		if c.FetchedAt != nil {
			if at := c.FetchedAt(val); !at.IsZero() && at.Before(c.fetched) {
				c.fetched = at
			}
		}
	}
	c.mu.Unlock()
	f.cancel()
	close(f.done)
}

// fetchCtx is the context a fetch runs under: the first caller's values, a
// cancellation of its own, and the waiters' latest deadline.
type fetchCtx[T any] struct {
	context.Context // WithCancel(WithoutCancel(first caller's ctx))
	call            *call[T]
}

// Deadline is the latest deadline of the callers waiting for the fetch; none
// when one of them has none, or when none is left (the fetch is then being
// cancelled).
func (c *fetchCtx[T]) Deadline() (time.Time, bool) {
	f := c.call
	f.mu.Lock()
	defer f.mu.Unlock()
	var latest time.Time
	for _, ctx := range f.waiting {
		dl, ok := ctx.Deadline()
		if !ok {
			return time.Time{}, false
		}
		if dl.After(latest) {
			latest = dl
		}
	}
	return latest, !latest.IsZero()
}

// Wait returns the fetch's result, or ctx's error when ctx is done first. A
// result that arrives when ctx's deadline has already come is late: Wait
// then returns context.DeadlineExceeded, whichever of the two events was
// seen first. A ticket must be waited for or left exactly once.
func (t *Ticket[T]) Wait(ctx context.Context) (T, error) {
	if t.call == nil {
		return t.val, nil
	}
	var zero T
	select {
	case <-t.call.done:
		t.release(false)
		if err := Expired(ctx); err != nil {
			return zero, err
		}
		return t.call.val, t.call.err
	case <-ctx.Done():
		t.release(true)
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
	f.mu.Lock()
	delete(f.waiting, t)
	last := len(f.waiting) == 0
	f.mu.Unlock()
	if giveUp && last && c.cur == f {
		c.cur = nil // later callers start afresh instead of joining a cancelled fetch
	}
	c.mu.Unlock()
	if giveUp && last {
		f.cancel()
		<-f.done
	}
}

// Expired returns ctx's error, or context.DeadlineExceeded when ctx's
// deadline has come though ctx has not noticed yet; nil otherwise. Callers
// use it to treat a result that arrives at the deadline as late, so that the
// outcome does not depend on which of two simultaneous events is seen first.
func Expired(ctx context.Context) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if dl, ok := ctx.Deadline(); ok && !time.Now().Before(dl) {
		return context.DeadlineExceeded
	}
	return nil
}

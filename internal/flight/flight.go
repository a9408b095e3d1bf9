// Package flight shares one fetch between concurrent callers and keeps its
// result for a while.
//
// Unlike x/sync/singleflight, a fetch runs detached from any one caller's
// cancellation and is cancelled only when its last waiter gives up, so one
// impatient caller cannot fail the others; and the last waiter to give up
// waits for the fetch to end, so no goroutine outlives the calls that
// started it.
//
// Detached does not mean unbounded, nor a moving target: a fetch runs
// under a context of its own that keeps the context.Context contract. It
// carries the values of the caller that started it and that caller's
// deadline, fixed for the fetch's life; it is cancelled when the last
// waiter leaves. Code under the fetch that decides whether a wait fits the
// deadline (a Retry-After, a backoff, a timeout of its own) thus decides
// as it would for that caller. A waiter with more time than the fetch had
// is not bound by it: when the fetch ran out of time without a usable
// result (its deadline came, or a wait it was asked for did not fit it, see
// Cache.Needs) and the waiter's deadline leaves that time, the waiter
// starts (or joins) another fetch under its own deadline.
package flight

import (
	"context"
	"sync"
	"time"
)

// Cache holds at most one value, fetched on demand. The zero value fetches
// every time it is asked and keeps nothing; set TTL (or Until) to keep
// values.
type Cache[T any] struct {
	// TTL is how long a kept value stays fresh; 0 keeps nothing.
	TTL time.Duration
	// Keep reports whether a fetched value may be kept; nil keeps every
	// value fetched without error. A value it refuses is not usable: a
	// waiter with more time than the fetch that ran out of it fetches again.
	Keep func(T) bool
	// Needs, when set, tells for a value that is not usable until when
	// the fetch would have had to wait for a usable one: a Retry-After
	// longer than its deadline allowed. Zero when it did not give up for
	// lack of time. A waiter whose deadline is later fetches again.
	Needs func(T) time.Time
	// Until, when set, decides instead of TTL how long a kept value stays
	// fresh: until the time it returns for the value (such as a token's
	// expiry, or a TTL from when the value was first fetched, perhaps by
	// another cache). A value already stale when fetched is not kept.
	Until func(T) time.Time

	mu      sync.Mutex
	val     T
	fetched time.Time
	has     bool
	cur     *call[T]
	gen     uint64 // counts Forget calls; a fetch started before one is not kept
}

// call is one fetch and its waiters.
type call[T any] struct {
	done     chan struct{}
	cancel   context.CancelFunc
	deadline time.Time // the fetch's context's deadline, fixed; zero when none
	gen      uint64    // the Cache's gen when the fetch started
	waiters  int       // guarded by the Cache's mu

	// Set before done is closed.
	val   T
	err   error
	short bool      // the fetch ran out of time without a usable result
	until time.Time // with short: a waiter whose deadline is later fetches again
}

// Ticket is a caller's place in a fetch: Wait for its result or Leave it.
type Ticket[T any] struct {
	c     *Cache[T]
	call  *call[T]
	fetch func(context.Context) (T, error)
	val   T
}

// Start returns at once with a ticket for a fresh kept value, or for the
// fetch in flight, starting one with fetch if none is. The fetch's context
// carries the values and the deadline of the ctx that started it, not its
// cancellation (see the package comment).
func (c *Cache[T]) Start(ctx context.Context, fetch func(context.Context) (T, error)) *Ticket[T] {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.fresh() {
		return &Ticket[T]{c: c, val: c.val}
	}
	f := c.cur
	if f == nil {
		var fctx context.Context
		f = &call[T]{done: make(chan struct{}), gen: c.gen}
		if dl, ok := ctx.Deadline(); ok {
			fctx, f.cancel = context.WithDeadline(context.WithoutCancel(ctx), dl)
			f.deadline = dl
		} else {
			fctx, f.cancel = context.WithCancel(context.WithoutCancel(ctx))
		}
		c.cur = f
		go c.run(fctx, f, fetch)
	}
	f.waiters++
	return &Ticket[T]{c: c, call: f, fetch: fetch}
}

// Hit reports whether the ticket is for a fresh kept value, not a fetch.
func (t *Ticket[T]) Hit() bool { return t.call == nil }

// Get is Start then Wait.
func (c *Cache[T]) Get(ctx context.Context, fetch func(context.Context) (T, error)) (T, error) {
	return c.Start(ctx, fetch).Wait(ctx)
}

// Forget drops the kept value, and the fetch in flight, if any, from what
// the cache keeps and shares: its waiters still get its result, but it is
// not kept, and later callers start a fetch of their own.
func (c *Cache[T]) Forget() {
	c.mu.Lock()
	defer c.mu.Unlock()
	var zero T
	c.val, c.has = zero, false
	c.cur = nil
	c.gen++
}

// Generation counts the calls to Forget. A fetch that reads it when it
// starts and finds it changed later was running when Forget was called.
func (c *Cache[T]) Generation() uint64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.gen
}

// Idle reports whether the cache holds no fresh value and no fetch is in
// flight, so that dropping it loses nothing.
func (c *Cache[T]) Idle() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.cur == nil && !c.fresh()
}

// fresh reports whether the cache holds a value younger than TTL, or
// before its Until. c.mu is held.
func (c *Cache[T]) fresh() bool {
	if c.Until != nil {
		return c.has && time.Now().Before(c.Until(c.val))
	}
	return c.has && time.Since(c.fetched) < c.TTL
}

func (c *Cache[T]) run(ctx context.Context, f *call[T], fetch func(context.Context) (T, error)) {
	val, err := fetch(ctx)
	usable := err == nil && (c.Keep == nil || c.Keep(val))
	c.mu.Lock()
	f.val, f.err = val, err
	f.short, f.until = c.shortOf(f, val, usable)
	if c.cur == f {
		c.cur = nil
	}
	if usable && (c.TTL > 0 || c.Until != nil) && f.gen == c.gen {
		c.val, c.fetched, c.has = val, time.Now(), true
	}
	c.mu.Unlock()
	f.cancel()
	close(f.done)
}

// shortOf reports whether a fetch under f's deadline that gave val ran out
// of time without a usable result: its deadline came, or it needed to
// wait past it (Needs). until is when a waiter's deadline must come after
// for it to fetch again.
func (c *Cache[T]) shortOf(f *call[T], val T, usable bool) (short bool, until time.Time) {
	if usable || f.deadline.IsZero() {
		return false, time.Time{}
	}
	if !time.Now().Before(f.deadline) {
		return true, f.deadline
	}
	if c.Needs != nil {
		if need := c.Needs(val); need.After(f.deadline) {
			return true, need
		}
	}
	return false, time.Time{}
}

// Wait returns the fetch's result, or ctx's error when ctx is done first. A
// result that arrives when ctx's deadline has already come is late: Wait
// then returns context.DeadlineExceeded, whichever of the two events was
// seen first. When the fetch ran out of time without a usable result and
// ctx has more time than it had, Wait starts or joins another fetch and
// waits for that one. A ticket must be waited for or left exactly once.
func (t *Ticket[T]) Wait(ctx context.Context) (T, error) {
	var zero T
	for {
		if t.call == nil {
			return t.val, nil
		}
		f := t.call
		select {
		case <-f.done:
			t.release(false)
			if err := Expired(ctx); err != nil {
				return zero, err
			}
			if f.short && outlasts(ctx, f.until) {
				*t = *t.c.Start(ctx, t.fetch)
				continue
			}
			return f.val, f.err
		case <-ctx.Done():
			t.release(true)
			return zero, ctx.Err()
		}
	}
}

// outlasts reports whether ctx's deadline is later than dl, or ctx has none.
func outlasts(ctx context.Context, dl time.Time) bool {
	own, ok := ctx.Deadline()
	return !ok || own.After(dl)
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

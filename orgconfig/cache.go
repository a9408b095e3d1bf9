package orgconfig

import (
	"context"
	"time"
)

// flight is a fetch shared by the Builds waiting for it. It runs detached
// from any one caller's cancellation and is cancelled only when its last
// waiter gives up, so one impatient caller cannot fail the others.
type flight struct {
	done    chan struct{}
	snap    *snapshot
	err     error
	waiters int // guarded by Builder.mu
	cancel  context.CancelFunc
}

// snapshot returns the cached snapshot when fresh, else joins or starts the
// shared fetch. Without a cache TTL every Build fetches on its own.
func (b *Builder) snapshot(ctx context.Context) (*snapshot, error) {
	if b.opts.cacheTTL == 0 {
		return b.fetch(ctx)
	}
	b.mu.Lock()
	if b.cached != nil && time.Since(b.cachedAt) < b.opts.cacheTTL {
		snap := b.cached
		b.mu.Unlock()
		return snap, nil
	}
	f := b.inflight
	if f == nil {
		fctx, cancel := context.WithCancel(context.WithoutCancel(ctx))
		f = &flight{done: make(chan struct{}), cancel: cancel}
		b.inflight = f
		go b.run(fctx, f)
	}
	f.waiters++
	b.mu.Unlock()

	select {
	case <-f.done:
		return f.snap, f.err
	case <-ctx.Done():
		b.mu.Lock()
		f.waiters--
		last := f.waiters == 0
		if last && b.inflight == f {
			b.inflight = nil // later callers start afresh instead of joining a cancelled fetch
		}
		b.mu.Unlock()
		if last {
			f.cancel()
			<-f.done // leave no goroutine behind
		}
		return nil, ctx.Err()
	}
}

func (b *Builder) run(ctx context.Context, f *flight) {
	defer f.cancel()
	snap, err := b.fetch(ctx)
	b.mu.Lock()
	f.snap, f.err = snap, err
	if b.inflight == f {
		b.inflight = nil
	}
	if err == nil && snap.cacheable() {
		b.cached, b.cachedAt = snap, time.Now()
	}
	b.mu.Unlock()
	close(f.done)
}

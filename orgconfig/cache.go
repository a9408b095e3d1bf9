package orgconfig

import (
	"context"

	"github.com/azdosync/azdosync/internal/flight"
)

// snapshot returns the cached snapshot when fresh, else joins or starts the
// shared load. Without a cache TTL every Build loads on its own.
//
// The shared load runs detached from any one Build's cancellation, under
// the deadline of the Build that started it (internal/flight), so the
// Client decides whether a wait fits (a Retry-After) as it would for that
// Build; a Build with more time whose load ran out of it loads again. A
// snapshot that arrives when ctx's deadline has come is late: the Build
// ends with context.DeadlineExceeded, cached or not.
//
// The snapshot returned is shared and must not be modified; assemble
// copies what a Config holds.
func (b *Builder) snapshot(ctx context.Context) (*snapshot, error) {
	if b.opts.cacheTTL == 0 {
		s, err := b.load(ctx)
		if err != nil {
			return nil, err
		}
		if err := flight.Expired(ctx); err != nil {
			return nil, err
		}
		return s, nil
	}
	fill := b.load
	if b.opts.shared != nil {
		fill = b.fill // the shared tier, behind this in-process one
	}
	return b.cache.Get(ctx, fill)
}

// load is the one place a snapshot is filled: fetched from the Client,
// then precomputed. Only complete snapshots (cacheable) are kept by the
// cache. It returns an error only when ctx is done.
func (b *Builder) load(ctx context.Context) (*snapshot, error) {
	s, err := b.fetch(ctx)
	if err != nil {
		return nil, err
	}
	return b.precompute(s), nil
}

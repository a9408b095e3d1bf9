package orgconfig

import "context"

// snapshot returns the cached snapshot when fresh, else joins or starts the
// shared fetch. Without a cache TTL every Build fetches on its own.
func (b *Builder) snapshot(ctx context.Context) (*snapshot, error) {
	if b.opts.cacheTTL == 0 {
		return b.fetch(ctx)
	}
	return b.cache.Get(ctx, b.fetch)
}

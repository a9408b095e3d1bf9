package orgconfig

// The snapshot cache: Build's one hop to everything cached. An in-process
// tier (WithCacheTTL, internal/flight: one shared fetch, kept for the TTL),
// and behind it, with WithSharedCache, a tier shared by replicas, refilled
// by the one replica holding the claim. Forget drops both.

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/azdosync/azdosync/internal/flight"
)

// initCache configures the tiers from the Builder's settings: what the
// in-process tier keeps (complete snapshots, for the TTL from when they
// were read from the Client, by this Builder or, through the shared tier,
// another, so that both tiers agree on a snapshot's age), when a Build
// with more time than a fetch fetches again (a Retry-After the fetch's
// deadline could not wait for), and the key of the shared tier.
func (b *Builder) initCache() {
	b.cache.Keep = (*snapshot).cacheable
	b.cache.Until = func(s *snapshot) time.Time { return s.fetched.Add(b.opts.cacheTTL) }
	b.cache.Needs = func(s *snapshot) time.Time { return s.retryAt }
	if b.opts.shared != nil {
		b.key = sharedKey(&b.opts, b.client)
	}
}

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
	start := time.Now()
	t := b.cache.Start(ctx, fill)
	hit := t.Hit()
	s, err := t.Wait(ctx)
	switch {
	case !hit:
		// Logged once the fetch is done, so that its own lines (shared
		// hit, read from azure devops) come before, in one order.
		b.opts.logger.DebugContext(ctx, "cache: memory miss", "organization", b.org, "duration", time.Since(start))
	case err == nil:
		b.opts.logger.DebugContext(ctx, "cache: memory hit", "organization", b.org, "age", time.Since(s.fetched), "duration", time.Since(start))
	}
	return s, err
}

// load is the one place a snapshot is filled: fetched from the Client,
// then precomputed. Only complete snapshots (cacheable) are kept by the
// cache. It returns an error only when ctx is done.
func (b *Builder) load(ctx context.Context) (*snapshot, error) {
	start := time.Now()
	s, err := b.fetch(ctx)
	if err != nil {
		return nil, err
	}
	b.opts.logger.DebugContext(ctx, "read from azure devops", "organization", b.org, "projects", len(s.projects), "complete", s.cacheable(), "duration", time.Since(start))
	return b.precompute(s), nil
}

// Forget drops what this Builder cached for its organization: the
// snapshot of [WithCacheTTL] in memory and, with [WithSharedCache], the
// one in the shared store (for every replica using the same store and
// key), so that the next Build fetches from the Client; a "Refresh"
// button is Forget, then Build. A fetch running when Forget is called
// still answers the Builds waiting for it, but its result is kept in
// neither tier. A fetch running on another replica may still store its
// result when it ends.
//
// Forget returns the shared store's error, if any (the memory tier is
// dropped regardless), and nil without a cache. It fails on a zero or nil
// Builder, which NewBuilder did not make.
func (b *Builder) Forget(ctx context.Context) error {
	if b == nil || b.client == nil {
		return errors.New("orgconfig: forget cached snapshot: the Builder was not made by NewBuilder")
	}
	b.cache.Forget()
	if b.opts.shared == nil {
		return nil
	}
	if err := b.opts.shared.Delete(ctx, b.key); err != nil {
		return fmt.Errorf("orgconfig: forget cached snapshot: %w", err)
	}
	return nil
}

const (
	// maxClaim bounds a claim's lifetime: how long a dead claimant can
	// make the others wait. SharedCache.Claim's doc states both bounds;
	// rediscache relies on the upper one to tell a claim from a stray key.
	maxClaim = 30 * time.Second
	minClaim = time.Second
	// pollMin and pollMax pace the waiters' reads of the shared tier.
	pollMin = 5 * time.Millisecond
	pollMax = 50 * time.Millisecond
)

// sharedKey is the key of this Builder's snapshots in the shared tier.
func sharedKey(s *settings, c Client) string {
	shape := "limit=" + strconv.Itoa(s.stateProjectLimit)
	if sh, ok := c.(ShapedClient); ok {
		shape += ";client=" + sh.Shape()
	}
	sum := sha256.Sum256([]byte(shape))
	return "orgconfig:v" + strconv.Itoa(snapVersion) + ":" + s.sharedKey + ":" + hex.EncodeToString(sum[:8])
}

// fill is the fetch of the in-process tier when a shared tier is
// configured: the shared value when there is a fresh one, else a fetch
// from the Client by this Builder or, when another holds the claim, by
// that one. Each round reads the store, then tries the claim; while
// another Builder holds it, the next round comes after a pause, until the
// wait budget is spent.
func (b *Builder) fill(ctx context.Context) (*snapshot, error) {
	gen := b.cache.Generation()
	var budget time.Duration
	var giveUp time.Time // set once another Builder is found fetching
	timer := time.NewTimer(0)
	defer timer.Stop()
	for poll := pollMin; ; poll = min(2*poll, pollMax) {
		snap, ok := b.readShared(ctx)
		if snap != nil {
			return snap, nil
		}
		if !ok {
			break // the store failed: do not wait on it
		}
		release, err := b.opts.shared.Claim(ctx, b.key, claimLife(ctx))
		if err != nil {
			b.opts.logger.DebugContext(ctx, "shared cache: claim failed", "err", err)
			break
		}
		if release != nil {
			// Under ctx, not detached from it: when the fetch is cancelled
			// or out of time the claim is left to expire (it lives until
			// ctx's deadline), so that a stalled store cannot hold the
			// Build waiting for this fetch past its deadline.
			defer release(ctx)
			break
		}

		// Another Builder is fetching: wait for its value.
		if giveUp.IsZero() {
			budget = claimLife(ctx)
			if dl, ok := ctx.Deadline(); ok {
				budget = min(budget, time.Until(dl)/2)
			}
			giveUp = time.Now().Add(budget)
		}
		left := time.Until(giveUp)
		if left <= 0 {
			b.opts.logger.DebugContext(ctx, "shared cache: gave up waiting for another replica's fetch", "waited", budget)
			break
		}
		timer.Reset(min(poll, left))
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-timer.C:
		}
	}
	return b.fetchAndShare(ctx, gen)
}

// claimLife is how long a claim lives: until ctx's deadline (the shared
// fetch's), within bounds.
func claimLife(ctx context.Context) time.Duration {
	d := maxClaim
	if dl, ok := ctx.Deadline(); ok {
		d = min(d, max(time.Until(dl), minClaim))
	}
	return d
}

// readShared returns the fresh snapshot of the shared tier; nil and true
// when there is none, nil and false when the store failed.
func (b *Builder) readShared(ctx context.Context) (*snapshot, bool) {
	start := time.Now()
	val, err := b.opts.shared.Get(ctx, b.key)
	if err != nil {
		b.opts.logger.DebugContext(ctx, "shared cache: get failed", "err", err)
		return nil, false
	}
	if val == nil {
		return nil, true
	}
	projects, states, types, fetched, err := decodeSnapshot(b.key, val)
	if err != nil {
		b.opts.logger.WarnContext(ctx, "shared cache: ignoring a stored snapshot", "err", err, "bytes", len(val))
		return nil, true
	}
	if age := time.Since(fetched); age >= b.opts.cacheTTL || age < -time.Minute {
		return nil, true // stale, or from a clock far ahead
	}
	snap := b.precompute(&snapshot{projects: projects, states: states, types: types, projectsKnown: true, fetched: fetched})
	b.opts.logger.DebugContext(ctx, "cache: shared hit", "organization", b.org, "age", time.Since(fetched), "duration", time.Since(start))
	return snap, true
}

// fetchAndShare fetches from the Client and stores a complete snapshot in
// the shared tier, unless Forget was called since gen.
func (b *Builder) fetchAndShare(ctx context.Context, gen uint64) (*snapshot, error) {
	snap, err := b.load(ctx)
	if err != nil || !snap.cacheable() {
		return snap, err
	}
	if b.cache.Generation() != gen {
		return snap, nil // Forget was called: not kept, in either tier
	}
	if len(snap.projects) > maxSnapshotProjects {
		b.opts.logger.DebugContext(ctx, "shared cache: snapshot not shared: too many projects", "projects", len(snap.projects), "limit", maxSnapshotProjects)
		return snap, nil
	}
	start := time.Now()
	if err := b.opts.shared.Set(ctx, b.key, encodeSnapshot(b.key, snap, snap.fetched), b.opts.cacheTTL); err != nil {
		b.opts.logger.DebugContext(ctx, "shared cache: set failed", "err", err)
		return snap, nil
	}
	b.opts.logger.DebugContext(ctx, "cache: shared fill", "organization", b.org, "duration", time.Since(start))
	if b.cache.Generation() != gen {
		// Forget was called while this fetch ran, and may have deleted
		// the key before the Set: delete it again.
		if err := b.opts.shared.Delete(ctx, b.key); err != nil {
			b.opts.logger.WarnContext(ctx, "shared cache: could not drop a snapshot fetched before Forget", "err", err)
		}
	}
	return snap, nil
}

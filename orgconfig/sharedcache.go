package orgconfig

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"strconv"
	"time"
	"unicode/utf8"
)

// SharedCache is a store shared by the replicas of a service, such as
// Redis (package rediscache has one), that [WithSharedCache] keeps
// snapshots of projects and states in. Values are opaque bytes: the
// Builder encodes, versions and checks them.
//
// Implementations must be safe for concurrent use and should bound each
// call with a short timeout of their own: a Build waits for them. Their
// errors never fail a Build; the Builder then works as if the store were
// empty.
type SharedCache interface {
	// Get returns the value stored under key, or nil and no error when
	// there is none.
	Get(ctx context.Context, key string) ([]byte, error)
	// Set stores value under key for ttl.
	Set(ctx context.Context, key string, value []byte, ttl time.Duration) error
	// Claim tries to become, for ttl, the one caller refilling key. It
	// returns a function giving the claim up early when it succeeds, and
	// nil and no error when another caller holds the claim. A claim not
	// given up expires after ttl.
	Claim(ctx context.Context, key string, ttl time.Duration) (release func(context.Context), err error)
}

// WithSharedCache adds a second cache tier, shared by every Builder (in
// this process or another) given the same store and key, behind the
// in-process tier of [WithCacheTTL], which it requires; the TTL applies to
// both. key names the Azure DevOps organization; the Builder adds to it a
// format version and what shapes a snapshot (the state project limit, and
// the Client's Shape() string when it has that method, as azdo.Client
// does), so that differently configured Builders never read each other's
// values.
//
// Azure DevOps lists only what the credentials may see, so Builders whose
// Clients act as different identities on one organization (two tenants
// that linked it, each with its own token) must not share a key: put the
// identity in it too, or one tenant's form offers the projects another's
// token can read.
//
// A Build that misses its in-process tier reads the shared one. When that
// misses too, one Builder claims the refill and fetches from Azure DevOps
// while the others wait for its result, bounded by their contexts: they
// wait at most half the time left before their deadline (or the claim's
// lifetime), then fetch on their own. A claimant that fails or dies gives
// its claim up or lets it expire, and another takes over. Only complete
// snapshots of at most 100 000 projects are stored; failures are not
// shared.
//
// The shared tier is never required: a store that fails, is slow, full, or
// holds a value that is corrupt, truncated, too large or of another
// version is treated as empty, and the form comes from Azure DevOps.
// Values hold project IDs and names and state names, categories and
// colours: no URL, no credential.
func WithSharedCache(c SharedCache, key string) Option {
	return func(s *settings) error {
		if c == nil {
			return errors.New("shared cache must not be nil")
		}
		if key == "" || len(key) > 512 || !utf8.ValidString(key) {
			return fmt.Errorf("shared cache key must be 1 to 512 bytes of UTF-8, got %d bytes", len(key))
		}
		s.shared, s.sharedKey = c, key
		return nil
	}
}

const (
	// maxClaim bounds a claim's lifetime: how long a dead claimant can
	// make the others wait.
	maxClaim = 30 * time.Second
	minClaim = time.Second
	// pollMin and pollMax pace the waiters' reads of the shared tier.
	pollMin = 5 * time.Millisecond
	pollMax = 50 * time.Millisecond
)

// sharedKey is the key of this Builder's snapshots in the shared tier.
func sharedKey(s *settings, c Client) string {
	shape := "limit=" + strconv.Itoa(s.stateProjectLimit)
	if sh, ok := c.(interface{ Shape() string }); ok {
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
	return b.fetchAndShare(ctx)
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
	snap := b.precompute(&snapshot{projects: projects, states: states, types: types, projectsKnown: true})
	snap.fetched = fetched
	return snap, true
}

// fetchAndShare fetches from the Client and stores a complete snapshot in
// the shared tier.
func (b *Builder) fetchAndShare(ctx context.Context) (*snapshot, error) {
	snap, err := b.load(ctx)
	if err != nil || !snap.cacheable() {
		return snap, err
	}
	snap.fetched = time.Now()
	if len(snap.projects) > maxSnapshotProjects {
		b.opts.logger.DebugContext(ctx, "shared cache: snapshot not shared: too many projects", "projects", len(snap.projects), "limit", maxSnapshotProjects)
		return snap, nil
	}
	if err := b.opts.shared.Set(ctx, b.key, encodeSnapshot(b.key, snap, snap.fetched), b.opts.cacheTTL); err != nil {
		b.opts.logger.DebugContext(ctx, "shared cache: set failed", "err", err)
	}
	return snap, nil
}

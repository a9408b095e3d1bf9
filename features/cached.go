package features

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/azdosync/azdosync/internal/flight"
	"github.com/azdosync/azdosync/orgconfig"
)

var _ orgconfig.FeatureGate = (*Cache)(nil)

// Cache is a gate that remembers another gate's answers for a while.
// Errors are not remembered, so a failing gate is asked again next time.
//
// It is safe for concurrent use. Concurrent callers asking about the same
// organization and feature share one call to the wrapped gate: it runs
// detached from any one caller's cancellation (a caller whose ctx ends
// stops waiting at once; the call is cancelled when the last one does)
// under the deadline of the caller that started it; a caller with more
// time whose shared call ran out of it asks again. Answers of keys nobody
// asks again are dropped once expired, so the cache does not grow with
// every organization ever asked. The zero Cache has no gate and answers
// every call with an error, as does a nil *Cache; create one with
// [Cached].
type Cache struct {
	gate orgconfig.FeatureGate
	ttl  time.Duration

	mu      sync.Mutex
	entries map[cacheKey]*flight.Cache[bool]
	sweep   time.Time // when to drop expired entries next
}

type cacheKey struct{ org, feature string }

// Cached returns a gate that asks g at most once per organization and
// feature every ttl, however many callers ask at once. It fails when g is
// nil or ttl is not positive.
func Cached(g orgconfig.FeatureGate, ttl time.Duration) (*Cache, error) {
	if g == nil {
		return nil, errors.New("features: cached: nil gate")
	}
	if ttl <= 0 {
		return nil, fmt.Errorf("features: cached: ttl must be positive, got %v", ttl)
	}
	return &Cache{gate: g, ttl: ttl}, nil
}

// Enabled returns the remembered answer, or asks the wrapped gate, sharing
// the call with concurrent callers asking the same.
func (c *Cache) Enabled(ctx context.Context, platformOrgID, feature string) (bool, error) {
	if c == nil || c.gate == nil {
		return false, errors.New("features: cache: no gate; create the cache with Cached")
	}
	k := cacheKey{platformOrgID, feature}
	c.mu.Lock()
	now := time.Now()
	if !now.Before(c.sweep) {
		c.dropIdle()
		c.sweep = now.Add(c.ttl)
	}
	e, ok := c.entries[k]
	if !ok {
		if c.entries == nil {
			c.entries = make(map[cacheKey]*flight.Cache[bool])
		}
		e = &flight.Cache[bool]{TTL: c.ttl}
		c.entries[k] = e
	}
	// Started under c.mu, so that dropIdle never drops an entry a caller
	// is about to wait on.
	ticket := e.Start(ctx, func(ctx context.Context) (bool, error) {
		return c.gate.Enabled(ctx, platformOrgID, feature)
	})
	c.mu.Unlock()
	return ticket.Wait(ctx)
}

// dropIdle drops the entries with neither a fresh answer nor a call in
// flight. It runs at most once per ttl, so its cost per call is constant.
func (c *Cache) dropIdle() {
	for k, e := range c.entries {
		if e.Idle() {
			delete(c.entries, k)
		}
	}
}

// Forget drops the remembered answers for the organization, so that a
// change of plan shows at once. A call already in flight still answers the
// callers waiting for it.
func (c *Cache) Forget(platformOrgID string) {
	if c == nil {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	for k := range c.entries {
		if k.org == platformOrgID {
			delete(c.entries, k)
		}
	}
}

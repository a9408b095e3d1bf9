package features

import (
	"context"
	"errors"
	"sync"
	"time"

	"github.com/azdosync/azdosync/orgconfig"
)

var _ orgconfig.FeatureGate = (*Cache)(nil)

// Cache is a gate that remembers another gate's answers for a while.
// Errors are not remembered, so a failing gate is asked again next time.
// It is safe for concurrent use.
type Cache struct {
	gate orgconfig.FeatureGate
	ttl  time.Duration

	mu      sync.Mutex
	answers map[cacheKey]cachedAnswer
}

type cacheKey struct{ org, feature string }

type cachedAnswer struct {
	enabled bool
	expires time.Time
}

// Cached returns a gate that asks g at most once per organization and
// feature every ttl. It fails when g is nil or ttl is not positive.
func Cached(g orgconfig.FeatureGate, ttl time.Duration) (*Cache, error) {
	if g == nil {
		return nil, errors.New("features: cached: nil gate")
	}
	if ttl <= 0 {
		return nil, errors.New("features: cached: ttl must be positive")
	}
	return &Cache{gate: g, ttl: ttl, answers: make(map[cacheKey]cachedAnswer)}, nil
}

// Enabled returns the remembered answer, or asks the wrapped gate.
func (c *Cache) Enabled(ctx context.Context, orgID, feature string) (bool, error) {
	k := cacheKey{orgID, feature}
	now := time.Now()
	c.mu.Lock()
	a, ok := c.answers[k]
	if ok && now.Before(a.expires) {
		c.mu.Unlock()
		return a.enabled, nil
	}
	if ok {
		delete(c.answers, k) // expired entries go, so the map does not grow without bound
	}
	c.mu.Unlock()

	enabled, err := c.gate.Enabled(ctx, orgID, feature)
	if err != nil {
		return false, err
	}
	c.mu.Lock()
	c.answers[k] = cachedAnswer{enabled: enabled, expires: time.Now().Add(c.ttl)}
	c.mu.Unlock()
	return enabled, nil
}

// Forget drops the remembered answers for the organization, so that a
// change of plan shows at once.
func (c *Cache) Forget(orgID string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for k := range c.answers {
		if k.org == orgID {
			delete(c.answers, k)
		}
	}
}

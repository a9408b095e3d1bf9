package orgconfig

import (
	"context"
	"errors"
	"fmt"
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
// empty. [Builder.Forget] returns them.
type SharedCache interface {
	// Get returns the value stored under key, or nil and no error when
	// there is none.
	Get(ctx context.Context, key string) ([]byte, error)
	// Set stores value under key for ttl.
	Set(ctx context.Context, key string, value []byte, ttl time.Duration) error
	// Claim tries to become, for ttl, the one caller refilling key. It
	// returns a function giving the claim up early when it succeeds, and
	// nil and no error when another caller holds the claim. A claim not
	// given up expires after ttl. The Builder asks for the time left
	// before the deadline of the Build that starts the fetch, kept within
	// 1 s to 30 s.
	Claim(ctx context.Context, key string, ttl time.Duration) (release func(context.Context), err error)
	// Delete removes the value stored under key and any claim on it, so
	// that the next caller refills it ([Builder.Forget]). Deleting a key
	// that holds nothing is not an error.
	Delete(ctx context.Context, key string) error
}

// WithSharedCache adds a cache tier shared by every Builder, in any
// process, given the same store and key, behind the in-process tier of
// [WithCacheTTL] (required; both keep its TTL): one replica fetches, the
// others wait for it, and a cold replica over a warm store asks Azure
// DevOps nothing. key names the organization and the identity its
// credentials act as (Azure DevOps lists only what they may read), such
// as client.URL()+" "+identity. The store is never required: when it
// fails, the form comes from Azure DevOps.
func WithSharedCache(c SharedCache, key string) Option {
	// The Builder adds to key a format version and what shapes a snapshot
	// (the state project limit, and the Client's Shape when it is a
	// ShapedClient), so that differently configured Builders never read
	// each other's values.
	//
	// A Build that misses its in-process tier reads the shared one. When
	// that misses too, one Builder claims the refill and fetches while the
	// others wait for its result, at most half the time left before their
	// deadline (or the claim's lifetime), then fetch on their own. A
	// claimant that fails or dies gives its claim up or lets it expire.
	// Only complete snapshots of at most 100 000 projects are stored;
	// failures are not shared. A store that fails, is slow, full, or holds
	// a corrupt, truncated, too large or other-version value counts as
	// empty. Values hold project IDs and names, state names, categories
	// and colours: no URL, no credential.
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

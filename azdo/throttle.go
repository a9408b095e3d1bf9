package azdo

import (
	"context"
	"errors"
	"fmt"
	"time"
	"unicode/utf8"
)

// ThrottleStore records the waits Azure DevOps asks of an identity, for
// every Client acting as that identity, in this process or another: Azure
// DevOps counts its limits per identity, across all of them. Package
// rediscache has one over Redis.
//
// Waits are shared for at most [MaxSharedWait]: a Client's own refusals
// may hold it back for up to 24 hours, but one value in the store holds
// every replica back, so it is believed for an hour at most.
//
// Implementations must be safe for concurrent use and should bound each
// call with a short timeout of their own: requests wait for them. Their
// errors never fail a request; the Client then relies on what it saw
// itself.
type ThrottleStore interface {
	// Hold records that the identity under key was refused (a 429 or 503
	// with Retry-After: no request before until) or, when refused is
	// false, asked to slow down until then (a Retry-After on a success). A
	// time earlier than the one recorded changes nothing.
	Hold(ctx context.Context, key string, until time.Time, refused bool) error
	// Held returns what is recorded under key: no request before refused,
	// and slow down until slow. Zero times mean nothing. The Client
	// never records a time more than MaxSharedWait ahead, and reads one
	// as MaxSharedWait ahead (a slow one as WithMaxSlowDown).
	Held(ctx context.Context, key string) (refused, slow time.Time, err error)
}

// WithSharedThrottle shares this Client's throttling through s with every
// Client, in any process, given the same store and key, which names the
// identity (the account a token belongs to): a Retry-After one of them
// receives holds back the requests of all, by the rules of [WithRetry]
// (a wait the deadline or maxWait cannot afford fails at once with
// [ErrRateLimited]). Waits are shared for at most [MaxSharedWait]. Cost:
// one store read per second per Client; a failing store is skipped.
func WithSharedThrottle(s ThrottleStore, key string) Option {
	// The store is read at most once a second per Client: its answer is
	// shared by the requests that start meanwhile, so a Build's requests
	// wait for one read, not one each; when it fails, the Client goes on
	// with what it saw itself until the next read.
	return func(st *settings) error {
		if err := st.only(forNew, "WithSharedThrottle"); err != nil {
			return err
		}
		if s == nil {
			return errors.New("shared throttle store must not be nil")
		}
		if key == "" || len(key) > 512 || !utf8.ValidString(key) {
			return fmt.Errorf("shared throttle key must be 1 to 512 bytes of UTF-8, got %d bytes", len(key))
		}
		st.throttleStore, st.throttleKey = s, "azdo:v1:"+key
		return nil
	}
}

// MaxSharedWait is the longest wait a [ThrottleStore] shares: Azure
// DevOps asks for minutes, so a longer one is more likely a corrupt or
// hostile value than advice, and would hold back every replica.
const MaxSharedWait = time.Hour

// raise moves the throttle's times later, never earlier.
func (th *throttle) raise(until time.Time, refused bool) {
	th.mu.Lock()
	defer th.mu.Unlock()
	if refused && until.After(th.until) {
		th.until = until
	}
	if !refused && until.After(th.slowTil) {
		th.slowTil = until
	}
}

// sharedReadEvery is how long one read of the shared throttle serves this
// Client's requests: a store another replica writes to is seen within it,
// and a Build's requests pay for one read, not one each (read before each
// request, a Redis 15 ms away made a cold Build of 1 000 projects with
// the process API off take 8.8 s instead of 3.4 s, as issue 16 measured).
const sharedReadEvery = time.Second

// held is what the shared throttle said: no request before refused, and
// slow down until slow.
type held struct{ refused, slow time.Time }

// readShared brings the shared throttle's times into this Client's,
// reading the store at most once every sharedReadEvery.
func (t *transport) readShared(ctx context.Context) {
	if t.store == nil {
		return
	}
	h, err := t.shared.Get(ctx, func(ctx context.Context) (held, error) {
		refused, slow, err := t.store.Held(ctx, t.storeKey)
		if err != nil {
			// Kept as nothing held, until the next read: a failing store
			// is not asked again by every request.
			t.logger.DebugContext(ctx, "azdo: shared throttle unreadable", "err", err)
			return held{}, nil
		}
		return held{refused, slow}, nil
	})
	if err != nil {
		return // ctx is done: the request fails on it
	}
	// A store is outside this Client's control: cap what it says, so no
	// value in it locks the Client for longer than MaxSharedWait.
	now := time.Now()
	t.throttle.raise(minTime(h.refused, now.Add(MaxSharedWait)), true)
	t.throttle.raise(minTime(h.slow, now.Add(t.maxSlowDown)), false)
}

func minTime(a, b time.Time) time.Time {
	if a.After(b) {
		return b
	}
	return a
}

// noteThrottle records a Retry-After here and in the shared store; one on
// a success (advice to slow down) counts for at most maxSlowDown.
func (t *transport) noteThrottle(ctx context.Context, d time.Duration, refused bool) {
	if !refused {
		d = min(d, t.maxSlowDown)
		if d <= 0 {
			return
		}
	}
	until := time.Now().Add(d)
	t.throttle.raise(until, refused)
	if t.store == nil {
		return
	}
	// Under ctx: a stalled store must not hold the request past its
	// deadline; a wait not recorded in time is only not shared.
	if err := t.store.Hold(ctx, t.storeKey, minTime(until, time.Now().Add(MaxSharedWait)), refused); err != nil {
		t.logger.DebugContext(ctx, "azdo: shared throttle not recorded", "err", err)
	}
}

package rediscache_test

import (
	"testing"
	"time"

	"github.com/azdosync/azdosync/internal/redistest"
	"github.com/azdosync/azdosync/rediscache"
)

// TestHoldNonNumbers: a recorded time that Lua's tonumber reads as NaN
// (which compares false with everything, so that no later hold replaced
// it and the key kept no TTL: shared throttling off for good), an infinity
// or a number in another spelling is corrupt: the next Hold replaces it,
// and Held reads it as nothing.
func TestHoldNonNumbers(t *testing.T) {
	srv := redistest.Start(t)
	c := newCache(t, srv.Client(), rediscache.WithBreaker(1, time.Hour))
	ctx := t.Context()
	for _, v := range []string{"nan", "-nan", " nan", "NaN", "inf", "-inf", "1e400", "-1e400", "0x7fffffffffff", " 1", "-5", "1.5"} {
		t.Run(v, func(t *testing.T) {
			key := "azdosync:throttle:id"
			srv.Do("DEL", key)
			srv.Do("HSET", key, "refused", v, "slow", v)
			if r, s, err := c.Held(ctx, "id"); err != nil || !r.IsZero() || !s.IsZero() {
				t.Errorf("Held of %q = %v, %v, %v; want nothing recorded", v, r, s, err)
			}
			for _, refused := range []bool{true, false} {
				if err := c.Hold(ctx, "id", time.Now().Add(30*time.Second), refused); err != nil {
					t.Fatal(err)
				}
			}
			r, s, err := c.Held(ctx, "id")
			if err != nil {
				t.Fatal(err)
			}
			for name, got := range map[string]time.Time{"refused": r, "slow": s} {
				if d := time.Until(got); d < 25*time.Second || d > 31*time.Second {
					t.Errorf("%s after Hold over %q: %v ahead, want about 30s", name, v, d)
				}
			}
			if ttl := srv.Do("PTTL", key).(int64); ttl < 25_000 || ttl > 32_000 {
				t.Errorf("PTTL after Hold over %q = %d ms, want about 31 s", v, ttl)
			}
		})
	}
}

// TestClaimOutlivingAnyClaim: a claim key living longer than any claim a
// Cache takes (30 s), forged or left by a broken environment, would make
// every cold replica wait half its deadline for as long as it lives: it is
// taken over at once. A Claim asking for longer gets 30 s, so that its own
// claims are never taken over.
func TestClaimOutlivingAnyClaim(t *testing.T) {
	srv := redistest.Start(t)
	c := newCache(t, srv.Client(), rediscache.WithBreaker(1, time.Hour))
	ctx := t.Context()
	srv.Do("SET", "azdosync:claim:org", "forged", "PX", "3600000")
	release, err := c.Claim(ctx, "org", 10*time.Second)
	if err != nil || release == nil {
		t.Fatalf("Claim over an hour-long claim = %v, %v; want a release func", release != nil, err)
	}
	if ttl := srv.Do("PTTL", "azdosync:claim:org").(int64); ttl <= 0 || ttl > 10_000 {
		t.Errorf("PTTL = %d ms, want the claim's 10 s", ttl)
	}
	release(ctx)

	long, err := c.Claim(ctx, "org", time.Hour)
	if err != nil || long == nil {
		t.Fatalf("Claim for an hour = %v, %v", long != nil, err)
	}
	if ttl := srv.Do("PTTL", "azdosync:claim:org").(int64); ttl <= 0 || ttl > 30_000 {
		t.Errorf("PTTL of a claim asked for an hour = %d ms, want at most 30 s", ttl)
	}
	if r, _ := c.Claim(ctx, "org", time.Second); r != nil {
		t.Error("a claim of the longest lifetime was taken over")
	}
}

package rediscache_test

import (
	"testing"
	"time"

	"github.com/azdosync/azdosync/internal/redistest"
	"github.com/azdosync/azdosync/rediscache"
)

// FuzzThrottleValue stores arbitrary bytes as a recorded time of the
// throttle hash, as a hostile or broken environment could: Held must read
// them as nothing or as a wait of at most an hour, and a Hold 30 s ahead
// must then be recorded and read back, with the key expiring.
func FuzzThrottleValue(f *testing.F) {
	for _, seed := range []string{"", "0", "nan", "-nan", " nan", "inf", "-inf", "1e400", "0x10", "99999999999999999999", "1.5e12", "\x00"} {
		f.Add(seed)
	}
	srv := redistest.Start(f)
	c, err := rediscache.New(srv.Client(), rediscache.WithBreaker(1000, time.Second))
	if err != nil {
		f.Fatal(err)
	}
	rdb := srv.Client() // not srv.Do, which reports to f
	const key = "azdosync:throttle:fuzz"
	f.Fuzz(func(t *testing.T, v string) {
		ctx := t.Context()
		if err := rdb.Del(ctx, key).Err(); err != nil {
			t.Fatal(err)
		}
		if err := rdb.HSet(ctx, key, "refused", v, "slow", v).Err(); err != nil {
			t.Fatal(err)
		}
		r, s, err := c.Held(ctx, "fuzz")
		if err != nil {
			t.Fatal(err)
		}
		for _, got := range []time.Time{r, s} {
			if !got.IsZero() && time.Until(got) > time.Hour+time.Second {
				t.Fatalf("Held of %q = %v ahead, more than an hour", v, time.Until(got))
			}
		}
		if err := c.Hold(ctx, "fuzz", time.Now().Add(30*time.Second), true); err != nil {
			t.Fatal(err)
		}
		r, _, err = c.Held(ctx, "fuzz")
		if err != nil {
			t.Fatal(err)
		}
		if d := time.Until(r); d < 25*time.Second || d > time.Hour+time.Second {
			t.Fatalf("after Hold over %q, Held = %v ahead, want 30 s to an hour", v, d)
		}
		if ttl, err := rdb.PTTL(ctx, key).Result(); err != nil || ttl <= 0 {
			t.Fatalf("after Hold over %q, PTTL = %v, %v: the key never expires", v, ttl, err)
		}
	})
}

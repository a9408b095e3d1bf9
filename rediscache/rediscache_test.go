package rediscache_test

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/redis/go-redis/v9"

	"github.com/azdosync/azdosync/azdo"
	"github.com/azdosync/azdosync/internal/redistest"
	"github.com/azdosync/azdosync/orgconfig"
	"github.com/azdosync/azdosync/rediscache"
)

var (
	_ orgconfig.SharedCache = (*rediscache.Cache)(nil)
	_ azdo.ThrottleStore    = (*rediscache.Cache)(nil)
)

// logBuffer collects log output safely from several goroutines.
type logBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (l *logBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.Write(p)
}

func (l *logBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.String()
}

func TestGetSet(t *testing.T) {
	srv := redistest.Start(t)
	c := newCache(t, srv.Client(), rediscache.WithPrefix("test:"), rediscache.WithMaxValueBytes(1000))
	ctx := t.Context()

	got, err := c.Get(ctx, "org")
	if err != nil || got != nil {
		t.Fatalf("Get of a missing key = %q, %v; want nil, nil", got, err)
	}
	if err := c.Set(ctx, "org", []byte("value"), time.Minute); err != nil {
		t.Fatal(err)
	}
	got, err = c.Get(ctx, "org")
	if err != nil || string(got) != "value" {
		t.Fatalf("Get = %q, %v; want value", got, err)
	}
	if diff := cmp.Diff([]string{"test:snap:org"}, srv.Keys("*")); diff != "" {
		t.Errorf("keys (-want +got):\n%s", diff)
	}
	if ttl := srv.Do("PTTL", "test:snap:org").(int64); ttl <= 0 || ttl > 60_000 {
		t.Errorf("PTTL = %d ms, want within a minute", ttl)
	}

	// Over the limit: Set refuses, Get does not transfer it.
	if err := c.Set(ctx, "big", make([]byte, 1001), time.Minute); !errors.Is(err, rediscache.ErrTooLarge) {
		t.Errorf("Set of 1001 bytes = %v, want ErrTooLarge", err)
	}
	srv.Do("SET", "test:snap:big", strings.Repeat("x", 5000))
	if got, err := c.Get(ctx, "big"); !errors.Is(err, rediscache.ErrTooLarge) || got != nil {
		t.Errorf("Get of 5000 bytes = %d bytes, %v; want ErrTooLarge", len(got), err)
	}
	// ErrTooLarge is not a Redis failure: the breaker stays closed.
	for range 5 {
		_, _ = c.Get(ctx, "big")
	}
	if _, err := c.Get(ctx, "org"); err != nil {
		t.Errorf("Get after oversized values = %v, want success", err)
	}
	if err := c.Set(ctx, "org", []byte("v"), 0); err == nil {
		t.Error("Set with ttl 0 succeeded")
	}
}

func TestClaim(t *testing.T) {
	srv := redistest.Start(t)
	a := newCache(t, srv.Client())
	b := newCache(t, srv.Client())
	ctx := t.Context()

	releaseA, err := a.Claim(ctx, "org", time.Minute)
	if err != nil || releaseA == nil {
		t.Fatalf("first Claim = %v, %v; want a release func", releaseA != nil, err)
	}
	if releaseB, err := b.Claim(ctx, "org", time.Minute); err != nil || releaseB != nil {
		t.Fatalf("second Claim = %v, %v; want nil, nil", releaseB != nil, err)
	}
	releaseA(ctx)
	releaseB, err := b.Claim(ctx, "org", time.Minute)
	if err != nil || releaseB == nil {
		t.Fatalf("Claim after release = %v, %v; want a release func", releaseB != nil, err)
	}
	// A late release by the former holder does not free another's claim.
	releaseA(ctx)
	if r, _ := a.Claim(ctx, "org", time.Minute); r != nil {
		t.Error("a claim was taken while another holder had it")
	}

	// A claim never released expires.
	if r, err := a.Claim(ctx, "short", 50*time.Millisecond); r == nil || err != nil {
		t.Fatalf("Claim = %v, %v", r != nil, err)
	}
	srv.Do("PEXPIRE", "azdosync:claim:short", "1")
	time.Sleep(5 * time.Millisecond)
	if r, err := b.Claim(ctx, "short", time.Minute); r == nil || err != nil {
		t.Errorf("Claim after expiry = %v, %v; want a release func", r != nil, err)
	}
}

// TestClaimWithoutExpiry: a claim key that will never expire (left by a
// broken environment: every claim this package takes has a lifetime) is
// not a claim: the next caller takes it over instead of every replica
// waiting, once per cache TTL, for a refill that never comes.
func TestClaimWithoutExpiry(t *testing.T) {
	srv := redistest.Start(t)
	c := newCache(t, srv.Client(), rediscache.WithBreaker(1, time.Hour))
	ctx := t.Context()
	for name, args := range map[string][]any{
		"string": {"SET", "azdosync:claim:org", "stuck"},
		"hash":   {"HSET", "azdosync:claim:org", "f", "v"},
	} {
		t.Run(name, func(t *testing.T) {
			srv.Do("DEL", "azdosync:claim:org")
			srv.Do(args...)
			release, err := c.Claim(ctx, "org", time.Minute)
			if err != nil || release == nil {
				t.Fatalf("Claim over a claim without expiry = %v, %v; want a release func", release != nil, err)
			}
			if ttl := srv.Do("PTTL", "azdosync:claim:org").(int64); ttl <= 0 || ttl > 60_000 {
				t.Errorf("PTTL = %d ms, want the claim's minute", ttl)
			}
			if r, _ := c.Claim(ctx, "org", time.Minute); r != nil {
				t.Error("the claim taken over was taken again")
			}
			release(ctx)
			if n := srv.Do("EXISTS", "azdosync:claim:org").(int64); n != 0 {
				t.Error("release left the claim")
			}
		})
	}
}

func TestHold(t *testing.T) {
	srv := redistest.Start(t)
	c := newCache(t, srv.Client())
	ctx := t.Context()
	now := time.Now().Truncate(time.Millisecond)

	if r, s, err := c.Held(ctx, "id"); err != nil || !r.IsZero() || !s.IsZero() {
		t.Fatalf("Held with nothing recorded = %v, %v, %v", r, s, err)
	}
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(c.Hold(ctx, "id", now.Add(30*time.Second), true))
	must(c.Hold(ctx, "id", now.Add(10*time.Second), true)) // earlier: ignored
	must(c.Hold(ctx, "id", now.Add(5*time.Second), false))
	must(c.Hold(ctx, "id", now.Add(-time.Second), false)) // past: ignored
	r, s, err := c.Held(ctx, "id")
	must(err)
	// Waits travel on Redis's clock, so the times come back within the
	// milliseconds the calls took.
	within := func(got, want time.Time) bool {
		d := got.Sub(want)
		return d > -50*time.Millisecond && d < 50*time.Millisecond
	}
	if !within(r, now.Add(30*time.Second)) || !within(s, now.Add(5*time.Second)) {
		t.Errorf("Held = %v, %v; want +30s, +5s", r.Sub(now), s.Sub(now))
	}
	if ttl := srv.Do("PTTL", "azdosync:throttle:id").(int64); ttl < 30_000 || ttl > 32_000 {
		t.Errorf("PTTL = %d ms, want about 31 s", ttl)
	}

	// Values that are not times, or absurdly far ahead, read as nothing.
	srv.Do("HSET", "azdosync:throttle:bad", "refused", "soon", "slow", time.Now().Add(48*time.Hour).UnixMilli())
	if r, s, err := c.Held(ctx, "bad"); err != nil || !r.IsZero() || !s.IsZero() {
		t.Errorf("Held of garbage = %v, %v, %v; want zero times", r, s, err)
	}
}

// TestHoldClockSkew: replicas whose clocks disagree share waits, not
// instants: a Retry-After of 5 s seen by a replica whose clock is ten
// minutes ahead holds the others back for 5 s, not ten minutes (which would
// fail their requests fast with ErrRateLimited), and the other way round.
func TestHoldClockSkew(t *testing.T) {
	srv := redistest.Start(t)
	ahead := func() time.Time { return time.Now().Add(10 * time.Minute) }
	fast := newCache(t, srv.Client(), rediscache.WithClock(ahead))
	right := newCache(t, srv.Client())
	ctx := t.Context()
	near := func(t *testing.T, got, want time.Time) {
		t.Helper()
		if d := got.Sub(want); d < -time.Second || d > time.Second {
			t.Errorf("Held = %v off, want within a second", d)
		}
	}

	if err := fast.Hold(ctx, "a", ahead().Add(5*time.Second), true); err != nil {
		t.Fatal(err)
	}
	r, _, err := right.Held(ctx, "a")
	if err != nil {
		t.Fatal(err)
	}
	near(t, r, time.Now().Add(5*time.Second))

	if err := right.Hold(ctx, "b", time.Now().Add(5*time.Second), false); err != nil {
		t.Fatal(err)
	}
	_, s, err := fast.Held(ctx, "b")
	if err != nil {
		t.Fatal(err)
	}
	near(t, s, ahead().Add(5*time.Second))
}

// TestBreaker: after repeated failures Redis is skipped, each failure
// costs at most the operation timeout, and one warning is logged per
// interval.
func TestBreaker(t *testing.T) {
	srv := redistest.Start(t)
	var logs logBuffer
	c := newCache(t, srv.Client(),
		rediscache.WithTimeout(100*time.Millisecond),
		rediscache.WithBreaker(3, time.Hour),
		rediscache.WithLogger(slog.New(slog.NewTextHandler(&logs, nil))),
	)
	ctx := t.Context()
	if err := c.Set(ctx, "k", []byte("v"), time.Minute); err != nil {
		t.Fatal(err)
	}
	// Redis holds every command: each failure costs the whole timeout, so
	// 20 Gets take 2s unless the breaker skips Redis after 3 (a Redis that
	// is down refuses at once, and could not tell).
	srv.Pause(time.Hour)
	start := time.Now()
	for i := range 20 {
		_, err := c.Get(ctx, "k")
		if !errors.Is(err, rediscache.ErrUnavailable) {
			t.Fatalf("Get %d with redis stalled = %v, want ErrUnavailable", i, err)
		}
	}
	if elapsed := time.Since(start); elapsed > time.Second {
		t.Errorf("20 Gets with redis stalled took %v", elapsed)
	}
	if n := strings.Count(logs.String(), "level=WARN"); n != 1 {
		t.Errorf("%d warnings, want 1:\n%s", n, logs.String())
	}
	if _, err := c.Claim(ctx, "k", time.Second); !errors.Is(err, rediscache.ErrUnavailable) || !strings.Contains(err.Error(), "skipped") {
		t.Errorf("Claim with the breaker open = %v, want a skipped ErrUnavailable", err)
	}
	// A caller's own cancellation is not Redis's failure.
	cctx, cancel := context.WithCancel(ctx)
	cancel()
	if _, err := c.Get(cctx, "k"); !errors.Is(err, context.Canceled) {
		t.Errorf("Get with a cancelled ctx = %v, want context.Canceled", err)
	}
}

// TestZeroCache: the zero Cache, and a nil *Cache (a variable left unset
// when Redis is not configured, then passed to WithSharedCache or
// WithSharedThrottle), fail every operation with ErrUnavailable instead of
// panicking.
func TestZeroCache(t *testing.T) {
	var nilCache *rediscache.Cache
	for name, c := range map[string]*rediscache.Cache{"zero": {}, "nil": nilCache} {
		t.Run(name, func(t *testing.T) {
			ctx := t.Context()
			if _, err := c.Get(ctx, "k"); !errors.Is(err, rediscache.ErrUnavailable) {
				t.Errorf("Get = %v", err)
			}
			if err := c.Set(ctx, "k", []byte("v"), time.Second); !errors.Is(err, rediscache.ErrUnavailable) {
				t.Errorf("Set = %v", err)
			}
			if r, err := c.Claim(ctx, "k", time.Second); r != nil || !errors.Is(err, rediscache.ErrUnavailable) {
				t.Errorf("Claim = %v, %v", r != nil, err)
			}
			if err := c.Hold(ctx, "k", time.Now().Add(time.Second), true); !errors.Is(err, rediscache.ErrUnavailable) {
				t.Errorf("Hold = %v", err)
			}
			if _, _, err := c.Held(ctx, "k"); !errors.Is(err, rediscache.ErrUnavailable) {
				t.Errorf("Held = %v", err)
			}
		})
	}
}

// newCache is New for tests: valid options are expected.
func newCache(t testing.TB, rdb redis.UniversalClient, opts ...rediscache.Option) *rediscache.Cache {
	t.Helper()
	c, err := rediscache.New(rdb, opts...)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// TestNewValidates: New refuses a nil client, a nil option and values out
// of range with an error naming them, as azdo.New and orgconfig.NewBuilder
// do, instead of silently keeping the defaults.
func TestNewValidates(t *testing.T) {
	rdb := redis.NewClient(&redis.Options{Addr: "127.0.0.1:1", ContextTimeoutEnabled: true}) // never dialled: New does no I/O
	t.Cleanup(func() { _ = rdb.Close() })
	tests := []struct {
		name string
		rdb  redis.UniversalClient
		opts []rediscache.Option
		want string // "" for success
	}{
		{"defaults", rdb, nil, ""},
		{"every option valid", rdb, []rediscache.Option{
			rediscache.WithPrefix(""), rediscache.WithTimeout(time.Second), rediscache.WithBreaker(1, time.Second),
			rediscache.WithLogger(slog.New(slog.DiscardHandler)), rediscache.WithWarnInterval(time.Second),
			rediscache.WithMaxValueBytes(1),
		}, ""},
		{"nil client", nil, nil, "rediscache: new cache: nil redis client"},
		{"nil option", rdb, []rediscache.Option{rediscache.WithPrefix("p:"), nil}, "rediscache: new cache: option 1 is nil"},
		{"zero timeout", rdb, []rediscache.Option{rediscache.WithTimeout(0)}, "rediscache: new cache: timeout must be positive, got 0s"},
		{"negative timeout", rdb, []rediscache.Option{rediscache.WithTimeout(-time.Second)}, "rediscache: new cache: timeout must be positive, got -1s"},
		{"breaker failures", rdb, []rediscache.Option{rediscache.WithBreaker(0, time.Second)}, "rediscache: new cache: breaker failures must be at least 1, got 0"},
		{"breaker pause", rdb, []rediscache.Option{rediscache.WithBreaker(3, 0)}, "rediscache: new cache: breaker pause must be positive, got 0s"},
		{"nil logger", rdb, []rediscache.Option{rediscache.WithLogger(nil)}, "rediscache: new cache: logger must not be nil"},
		{"warn interval", rdb, []rediscache.Option{rediscache.WithWarnInterval(-time.Minute)}, "rediscache: new cache: warn interval must be positive, got -1m0s"},
		{"max value bytes", rdb, []rediscache.Option{rediscache.WithMaxValueBytes(0)}, "rediscache: new cache: max value bytes must be at least 1, got 0"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c, err := rediscache.New(tc.rdb, tc.opts...)
			got := ""
			if err != nil {
				got = err.Error()
			}
			if got != tc.want {
				t.Errorf("New error = %q, want %q", got, tc.want)
			}
			if (c == nil) == (tc.want == "") {
				t.Errorf("New returned Cache %v with error %v", c, err)
			}
		})
	}
}

// TestHoldCorruptValues: what a hostile or broken environment leaves at a
// throttle or snapshot key (a time far ahead without a TTL, a key of
// another type) neither disables the shared throttle for good nor counts as
// a Redis failure that would open the breaker; and a Retry-After longer
// than Held believes is still shared, as the longest wait Held believes.
func TestHoldCorruptValues(t *testing.T) {
	srv := redistest.Start(t)
	c := newCache(t, srv.Client(), rediscache.WithBreaker(1, time.Hour))
	ctx := t.Context()
	near := func(t *testing.T, got time.Time, want time.Duration) {
		t.Helper()
		if d := time.Until(got); d < want-5*time.Second || d > want+time.Second {
			t.Errorf("Held = %v ahead, want about %v", d, want)
		}
	}

	t.Run("two hours, then 30s", func(t *testing.T) {
		if err := c.Hold(ctx, "long", time.Now().Add(2*time.Hour), true); err != nil {
			t.Fatal(err)
		}
		if err := c.Hold(ctx, "long", time.Now().Add(30*time.Second), true); err != nil {
			t.Fatal(err)
		}
		r, _, err := c.Held(ctx, "long")
		if err != nil {
			t.Fatal(err)
		}
		near(t, r, time.Hour)
	})
	t.Run("far ahead without ttl", func(t *testing.T) {
		srv.Do("HSET", "azdosync:throttle:far", "refused", time.Now().Add(48*time.Hour).UnixMilli())
		if err := c.Hold(ctx, "far", time.Now().Add(30*time.Second), true); err != nil {
			t.Fatal(err)
		}
		r, _, err := c.Held(ctx, "far")
		if err != nil {
			t.Fatal(err)
		}
		near(t, r, 30*time.Second)
		if ttl := srv.Do("PTTL", "azdosync:throttle:far").(int64); ttl <= 0 {
			t.Errorf("PTTL = %d, want the key to expire", ttl)
		}
	})
	t.Run("throttle key of another type", func(t *testing.T) {
		srv.Do("SET", "azdosync:throttle:str", "garbage")
		if r, s, err := c.Held(ctx, "str"); err != nil || !r.IsZero() || !s.IsZero() {
			t.Errorf("Held = %v, %v, %v; want nothing recorded", r, s, err)
		}
		if err := c.Hold(ctx, "str", time.Now().Add(30*time.Second), true); err != nil {
			t.Fatalf("Hold = %v", err)
		}
		r, _, err := c.Held(ctx, "str")
		if err != nil {
			t.Fatal(err)
		}
		near(t, r, 30*time.Second)
	})
	t.Run("snapshot key of another type", func(t *testing.T) {
		srv.Do("HSET", "azdosync:snap:hash", "f", "v")
		if v, err := c.Get(ctx, "hash"); err != nil || v != nil {
			t.Errorf("Get = %q, %v; want nothing stored", v, err)
		}
		if err := c.Set(ctx, "hash", []byte("v"), time.Minute); err != nil {
			t.Errorf("Set = %v", err)
		}
	})
	// None of it opened the breaker (one failure would have).
	if _, err := c.Get(ctx, "other"); err != nil {
		t.Errorf("Get after corrupt values = %v, want success", err)
	}
}

// TestNewRefusesClientsIgnoringDeadlines: with ContextTimeoutEnabled off,
// go-redis bounds a command by its ReadTimeout only (seconds), not by the
// context, so a slow Redis would hold a Build past its deadline and cost it
// its form; New refuses such clients. With it on, an operation on a Redis
// busy for a second (DEBUG SLEEP) ends after the operation timeout.
func TestNewRefusesClientsIgnoringDeadlines(t *testing.T) {
	for name, rdb := range map[string]redis.UniversalClient{
		"client":  redis.NewClient(&redis.Options{Addr: "127.0.0.1:1"}),
		"cluster": redis.NewClusterClient(&redis.ClusterOptions{Addrs: []string{"127.0.0.1:1"}}),
		"ring":    redis.NewRing(&redis.RingOptions{Addrs: map[string]string{"a": "127.0.0.1:1"}, HeartbeatFrequency: time.Hour}),
	} {
		t.Cleanup(func() { _ = rdb.Close() })
		_, err := rediscache.New(rdb)
		if err == nil || !strings.Contains(err.Error(), "ContextTimeoutEnabled") {
			t.Errorf("New(%s without ContextTimeoutEnabled) = %v, want an error naming it", name, err)
		}
	}

	srv := redistest.Start(t, "--enable-debug-command", "yes")
	c := newCache(t, srv.Client(), rediscache.WithTimeout(50*time.Millisecond))
	busy := make(chan error, 1)
	go func() {
		rdb := redis.NewClient(&redis.Options{Network: srv.Options().Network, Addr: srv.Options().Addr, ReadTimeout: 5 * time.Second})
		defer rdb.Close()
		busy <- rdb.Do(context.Background(), "DEBUG", "SLEEP", "1").Err()
	}()
	time.Sleep(100 * time.Millisecond) // let DEBUG SLEEP start
	start := time.Now()
	if _, err := c.Get(t.Context(), "k"); !errors.Is(err, rediscache.ErrUnavailable) {
		t.Errorf("Get on a sleeping Redis = %v, want ErrUnavailable", err)
	}
	if elapsed := time.Since(start); elapsed > 500*time.Millisecond {
		t.Errorf("Get on a sleeping Redis took %v, timeout 50ms", elapsed)
	}
	if err := <-busy; err != nil {
		t.Fatalf("DEBUG SLEEP: %v", err)
	}
}

// TestMaxHoldIsAzdos: shared waits have one cap, azdo's, which this
// package cannot import.
func TestMaxHoldIsAzdos(t *testing.T) {
	if rediscache.MaxHold != azdo.MaxSharedWait {
		t.Errorf("rediscache believes waits up to %v ahead, azdo shares them up to %v", rediscache.MaxHold, azdo.MaxSharedWait)
	}
}

// Package rediscache shares, through Redis, what the replicas of a service
// learn from Azure DevOps: the projects-and-states snapshots of
// [orgconfig.Builder] (with [orgconfig.WithSharedCache]) and the throttling
// Azure DevOps asks of an identity (with [azdo.WithSharedThrottle]).
//
// A *Cache is a plain store: orgconfig encodes, versions and checks the
// snapshots it keeps here, and azdo decides what a recorded wait means.
// The Cache adds what a network store needs so that Redis is never
// required: every operation is bounded by a short timeout
// ([WithTimeout], 100ms by default); after repeated failures or slow
// operations ([WithBreaker], 3 in a row; slow is over half the timeout)
// Redis is skipped for a while (10s) and
// operations fail at once with [ErrUnavailable]; and failures are logged
// once per interval ([WithWarnInterval], a minute), not once per call.
//
// The timeouts reach the network only when the client honours its
// context's deadline: create it with ContextTimeoutEnabled set (and short
// DialTimeout, ReadTimeout and WriteTimeout as a backstop); [New] refuses
// a go-redis client without it, under which a slow Redis would hold each
// operation up to the client's ReadTimeout.
//
// Turn go-redis's own retries off (MaxRetries -1, DialerRetries 1): the
// Cache skips a failing Redis itself, and with the default retries (five
// dials 100ms apart) a Redis that is down spends each operation's timeout
// and the warning says "context deadline exceeded" instead of "connection
// refused". go-redis reports failed dials through its own logger (see
// redis.SetLogger); while Redis is skipped it dials nothing.
//
// Keys are the caller's, under a prefix ([WithPrefix], "azdosync:"):
// "{prefix}snap:{key}" for values, "{prefix}claim:{key}" for claims and
// "{prefix}throttle:{key}" for throttling. Values are never larger than
// [WithMaxValueBytes] (16 MiB) in either direction.
//
// Values are checked by orgconfig for corruption, not forgery: when others
// than the service's replicas can write to the Redis, sign them with
// [WithSigningKey].
//
// [orgconfig.Builder]: https://pkg.go.dev/github.com/azdosync/azdosync/orgconfig#Builder
// [orgconfig.WithSharedCache]: https://pkg.go.dev/github.com/azdosync/azdosync/orgconfig#WithSharedCache
// [azdo.WithSharedThrottle]: https://pkg.go.dev/github.com/azdosync/azdosync/azdo#WithSharedThrottle
package rediscache

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"time"

	"github.com/redis/go-redis/v9"
)

// ErrUnavailable reports that Redis could not be used: it failed, timed
// out, or is being skipped after repeated failures. The cause, when there
// is one, is wrapped too.
var ErrUnavailable = errors.New("redis unavailable")

// ErrTooLarge reports a value over the size limit, refused by Set or found
// by Get. It does not count as a Redis failure.
var ErrTooLarge = errors.New("value too large")

// Cache is a store in Redis shared by the replicas of a service. It
// satisfies orgconfig.SharedCache and azdo.ThrottleStore. It is safe for
// concurrent use. Create one with [New]; the zero value, like a nil
// *Cache, fails every operation with [ErrUnavailable].
type Cache struct {
	rdb redis.UniversalClient
	s   settings

	mu        sync.Mutex
	failures  int       // in a row
	skipUntil time.Time // breaker open until then
	lastWarn  time.Time
	// lastUnsigned is when a value without a valid signature was last
	// reported.
	lastUnsigned time.Time
	unreported   int // failures since the last warning
}

type settings struct {
	prefix       string
	timeout      time.Duration
	maxFailures  int
	pause        time.Duration
	logger       *slog.Logger
	warnInterval time.Duration
	maxValue     int
	now          func() time.Time // the clock of Hold and Held; tests change it
	signingKeys  [][]byte         // WithSigningKey: the first signs
}

func defaultSettings() settings {
	return settings{
		prefix:       "azdosync:",
		timeout:      100 * time.Millisecond,
		maxFailures:  3,
		pause:        10 * time.Second,
		logger:       slog.New(slog.DiscardHandler),
		warnInterval: time.Minute,
		maxValue:     16 << 20,
		now:          time.Now,
	}
}

// Option configures a [Cache]. Options are validated by [New]: a value
// out of range makes New fail, as the options of azdo.New and
// orgconfig.NewBuilder do.
type Option func(*settings) error

// WithPrefix puts every key under prefix (default "azdosync:"), so that
// several services can share one Redis. An empty prefix puts the keys at
// the top level.
func WithPrefix(prefix string) Option {
	return func(s *settings) error {
		s.prefix = prefix
		return nil
	}
}

// WithTimeout bounds each Redis operation (default 100ms). An operation
// that takes more than half of d counts toward [WithBreaker] as a failure,
// even when it succeeds, so that a slow Redis is skipped as a failing one
// is. d must be positive.
func WithTimeout(d time.Duration) Option {
	return func(s *settings) error {
		if d <= 0 {
			return fmt.Errorf("timeout must be positive, got %v", d)
		}
		s.timeout = d
		return nil
	}
}

// WithBreaker skips Redis for pause after failures operations in a row
// have failed or been slow (defaults: 3 and 10s; slow is more than half of
// [WithTimeout]). While skipped, operations fail at once
// with [ErrUnavailable]; after the pause the next operation tries Redis
// again, and one more failure skips it for another pause. failures must be
// at least 1 and pause positive.
func WithBreaker(failures int, pause time.Duration) Option {
	return func(s *settings) error {
		if failures < 1 {
			return fmt.Errorf("breaker failures must be at least 1, got %d", failures)
		}
		if pause <= 0 {
			return fmt.Errorf("breaker pause must be positive, got %v", pause)
		}
		s.maxFailures, s.pause = failures, pause
		return nil
	}
}

// WithLogger logs Redis failures as warnings, at most one per warn
// interval. By default nothing is logged.
func WithLogger(l *slog.Logger) Option {
	return func(s *settings) error {
		if l == nil {
			return errors.New("logger must not be nil")
		}
		s.logger = l
		return nil
	}
}

// WithWarnInterval sets how often at most a failure is logged (default a
// minute); the warning counts the failures since the previous one. d must
// be positive.
func WithWarnInterval(d time.Duration) Option {
	return func(s *settings) error {
		if d <= 0 {
			return fmt.Errorf("warn interval must be positive, got %v", d)
		}
		s.warnInterval = d
		return nil
	}
}

// WithMaxValueBytes bounds the values Set stores and Get returns
// (default 16 MiB). n must be at least 1.
func WithMaxValueBytes(n int) Option {
	return func(s *settings) error {
		if n < 1 {
			return fmt.Errorf("max value bytes must be at least 1, got %d", n)
		}
		s.maxValue = n
		return nil
	}
}

// New returns a Cache storing in rdb (a *redis.Client, *redis.ClusterClient,
// *redis.Ring or failover client). It does no I/O. It fails when rdb is
// nil, when it is one of those clients created without
// ContextTimeoutEnabled (then a slow Redis would hold each operation for
// the client's ReadTimeout, seconds, past [WithTimeout] and the caller's
// deadline), or when an option is invalid.
func New(rdb redis.UniversalClient, opts ...Option) (*Cache, error) {
	if rdb == nil {
		return nil, errors.New("rediscache: new cache: nil redis client")
	}
	if !honoursDeadlines(rdb) {
		return nil, errors.New("rediscache: new cache: the redis client must be created with ContextTimeoutEnabled, or a slow redis holds callers past their deadlines")
	}
	c := &Cache{rdb: rdb, s: defaultSettings()}
	for i, opt := range opts {
		if opt == nil {
			return nil, fmt.Errorf("rediscache: new cache: option %d is nil", i)
		}
		if err := opt(&c.s); err != nil {
			return nil, fmt.Errorf("rediscache: new cache: %w", err)
		}
	}
	return c, nil
}

// honoursDeadlines reports whether rdb bounds network waits by the
// context's deadline; true for clients of other types, which New cannot
// inspect.
func honoursDeadlines(rdb redis.UniversalClient) bool {
	switch r := rdb.(type) {
	case *redis.Client:
		return r.Options().ContextTimeoutEnabled
	case *redis.ClusterClient:
		return r.Options().ContextTimeoutEnabled
	case *redis.Ring:
		return r.Options().ContextTimeoutEnabled
	}
	return true
}

func (c *Cache) settings() settings {
	if c == nil || c.s.timeout == 0 {
		return defaultSettings() // the zero or nil Cache
	}
	return c.s
}

// do runs op against Redis with the per-operation timeout, unless Redis
// is being skipped, and accounts for its outcome. redis.Nil is a success.
func (c *Cache) do(ctx context.Context, name string, op func(ctx context.Context, rdb redis.UniversalClient) error) error {
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("rediscache: %s: %w", name, err)
	}
	if c == nil || c.rdb == nil {
		return fmt.Errorf("rediscache: %s: %w: no client; create the Cache with New", name, ErrUnavailable)
	}
	s := c.settings()
	c.mu.Lock()
	skipping := time.Now().Before(c.skipUntil)
	c.mu.Unlock()
	if skipping {
		return fmt.Errorf("rediscache: %s: %w: skipped after repeated failures", name, ErrUnavailable)
	}
	octx, cancel := context.WithTimeout(ctx, s.timeout)
	start := time.Now()
	err := op(octx, c.rdb)
	took := time.Since(start)
	cancel()
	// An operation slower than half the timeout counts as a failure even
	// when it succeeds: a Redis that is slow but never fails would
	// otherwise never be skipped, and every caller would pay for it.
	slow := took > s.timeout/2
	switch {
	case err == nil || errors.Is(err, redis.Nil):
		if slow {
			c.failed(ctx, s, name, fmt.Errorf("slow: took %v, over half the %v timeout", took.Round(time.Millisecond), s.timeout))
			return err
		}
		c.mu.Lock()
		c.failures = 0
		c.mu.Unlock()
		return err
	case errors.Is(err, ErrTooLarge):
		return fmt.Errorf("rediscache: %s: %w", name, err)
	case ctx.Err() != nil:
		if slow { // the caller gave up, but Redis was slow before it did
			c.failed(ctx, s, name, fmt.Errorf("slow: no answer in %v", took.Round(time.Millisecond)))
		}
		return fmt.Errorf("rediscache: %s: %w", name, ctx.Err())
	}
	c.failed(ctx, s, name, err)
	return fmt.Errorf("rediscache: %s: %w: %w", name, ErrUnavailable, err)
}

// failed counts a failure, opens the breaker after too many in a row and
// logs at most one warning per interval.
func (c *Cache) failed(ctx context.Context, s settings, name string, err error) {
	now := time.Now()
	c.mu.Lock()
	c.failures++
	c.unreported++
	opened := false
	if c.failures >= s.maxFailures {
		c.skipUntil = now.Add(s.pause)
		opened = true
	}
	warn := due(&c.lastWarn, now, s.warnInterval)
	n := c.unreported
	if warn {
		c.unreported = 0
	}
	c.mu.Unlock()
	if !warn {
		return
	}
	attrs := []any{"op", name, "err", err, "failures", n}
	if opened {
		attrs = append(attrs, "skipping_for", s.pause)
	}
	s.logger.WarnContext(ctx, "rediscache: redis failed; working without it", attrs...)
}

// Get returns the value stored under key, or nil and no error when there
// is none, or (with [WithSigningKey]) when the one stored has no valid
// signature. A value over the size limit is not transferred: Get fails
// with [ErrTooLarge].
func (c *Cache) Get(ctx context.Context, key string) ([]byte, error) {
	var val []byte
	forged := false
	err := c.do(ctx, "get", func(ctx context.Context, rdb redis.UniversalClient) error {
		// GETRANGE reads at most one byte past the limit (and the
		// signature); a missing key reads as empty, and no stored value
		// is empty.
		s := c.settings()
		max := s.maxValue + s.overhead()
		rkey := c.s.prefix + "snap:" + key
		b, err := rdb.GetRange(ctx, rkey, 0, int64(max)).Bytes()
		if wrongType(err) {
			return nil // not a value of ours: none stored; Set replaces it
		}
		if err != nil {
			return err
		}
		if len(b) > max {
			return fmt.Errorf("%w: over %d bytes", ErrTooLarge, s.maxValue)
		}
		if len(b) == 0 {
			return nil
		}
		v, ok := s.verify(rkey, b)
		if !ok {
			forged = true // ignored: the caller refills it
			return nil
		}
		val = v
		return nil
	})
	if err != nil {
		return nil, err
	}
	if forged {
		c.warnUnsigned(ctx, key)
	}
	return val, nil
}

// Set stores value under key for ttl. An empty value deletes the key.
func (c *Cache) Set(ctx context.Context, key string, value []byte, ttl time.Duration) error {
	if ttl < time.Millisecond {
		return fmt.Errorf("rediscache: set: ttl must be at least a millisecond, got %v", ttl)
	}
	s := c.settings()
	if len(value) > s.maxValue {
		return fmt.Errorf("rediscache: set: %w: %d bytes, limit %d", ErrTooLarge, len(value), s.maxValue)
	}
	return c.do(ctx, "set", func(ctx context.Context, rdb redis.UniversalClient) error {
		k := c.s.prefix + "snap:" + key
		if len(value) == 0 {
			return rdb.Del(ctx, k).Err()
		}
		return rdb.Set(ctx, k, s.sign(k, value), ttl).Err()
	})
}

// Delete removes the value stored under key and any claim on it, so that
// the next caller refills it (orgconfig's Builder.Forget). Deleting a key
// that holds nothing is not an error.
func (c *Cache) Delete(ctx context.Context, key string) error {
	return c.do(ctx, "delete", func(ctx context.Context, rdb redis.UniversalClient) error {
		// One key per command: in a cluster the two may live on different
		// nodes.
		if err := rdb.Del(ctx, c.s.prefix+"snap:"+key).Err(); err != nil {
			return err
		}
		return rdb.Del(ctx, c.s.prefix+"claim:"+key).Err()
	})
}

// warnUnsigned logs, at most once per warn interval, that a value without
// a valid signature was ignored: written by a replica with other signing
// keys (a rotation gone wrong), without signing, or forged.
func (c *Cache) warnUnsigned(ctx context.Context, key string) {
	s := c.settings()
	now := time.Now()
	c.mu.Lock()
	warn := due(&c.lastUnsigned, now, s.warnInterval)
	c.mu.Unlock()
	if warn {
		s.logger.WarnContext(ctx, "rediscache: ignored a value without a valid signature (another signing key, none, or forged); it will be refilled", "key", key)
	}
}

// due reports whether a warning last logged at *last may be logged again
// at now, every apart, and if so records now as the last. c.mu is held.
func due(last *time.Time, now time.Time, every time.Duration) bool {
	if !last.IsZero() && now.Sub(*last) < every {
		return false
	}
	*last = now
	return true
}

// claimScript takes the claim KEYS[1] for ARGV[2] milliseconds with the
// token ARGV[1] unless another holds it. A key without expiry, or one
// living longer than ARGV[3] (the longest claim a Cache takes), is not a
// claim but something a broken or hostile environment left: it is taken
// over, or it would make every caller wait for a refill that never comes.
var claimScript = redis.NewScript(`
if redis.call('SET', KEYS[1], ARGV[1], 'NX', 'PX', ARGV[2]) then
	return 1
end
local ttl = redis.call('PTTL', KEYS[1])
if ttl == -1 or ttl > tonumber(ARGV[3]) then
	redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
	return 1
end
return 0`)

// maxClaim bounds a claim's lifetime, as orgconfig.SharedCache.Claim says
// the Builder does: a claim key that lives longer was not taken by a Cache.
const maxClaim = 30 * time.Second

var releaseScript = redis.NewScript(`
if redis.call('GET', KEYS[1]) == ARGV[1] then
	return redis.call('DEL', KEYS[1])
end
return 0`)

// Claim tries to become, for ttl, the one caller refilling key. When it
// succeeds it returns a release function that gives the claim up early
// (only if it is still this caller's); when another caller holds the
// claim it returns nil and no error. A claim never released expires after
// ttl, so a caller that dies cannot hold others back for longer. ttl is
// at most 30 s (longer is shortened to that): a key at the claim's place
// without expiry, or living longer than 30 s, was not left by a Cache and
// is taken over at once.
func (c *Cache) Claim(ctx context.Context, key string, ttl time.Duration) (release func(context.Context), err error) {
	if ttl < time.Millisecond {
		return nil, fmt.Errorf("rediscache: claim: ttl must be at least a millisecond, got %v", ttl)
	}
	var buf [16]byte
	_, _ = rand.Read(buf[:])
	token := hex.EncodeToString(buf[:])
	won := false
	var k string
	err = c.do(ctx, "claim", func(ctx context.Context, rdb redis.UniversalClient) error {
		k = c.s.prefix + "claim:" + key
		n, err := claimScript.Run(ctx, rdb, []string{k}, token, min(ttl, maxClaim).Milliseconds(), maxClaim.Milliseconds()).Int()
		won = n == 1
		return err
	})
	if err != nil || !won {
		return nil, err
	}
	var once sync.Once
	return func(ctx context.Context) {
		once.Do(func() {
			_ = c.do(ctx, "release claim", func(ctx context.Context, rdb redis.UniversalClient) error {
				return releaseScript.Run(ctx, rdb, []string{k}, token).Err()
			})
		})
	}, nil
}

// Throttle times are stored as Unix milliseconds on Redis's clock (TIME),
// and travel between Redis and the replicas as waits from now, so that
// replicas whose clocks disagree still share waits of the right length.
//
// redisNow is the Lua prelude reading Redis's clock in milliseconds, and
// defining stored, which reads a recorded time: a string of at most 15
// decimal digits, as the hold script writes them. Anything else (nan,
// " nan", inf, 1e400, 0x10, which Lua's tonumber reads as NaN, infinities
// or numbers) is nil: corrupt. A NaN would compare false with every time,
// so that no hold could ever replace it.
const redisNow = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local function stored(v)
	if type(v) == 'string' and #v <= 15 and string.match(v, '^%d+$') then
		return tonumber(v)
	end
	return nil
end
`

// holdScript raises one field (ARGV[1]) of the throttle hash to ARGV[2]
// milliseconds from now, at most ARGV[3] (what Held believes), and makes
// the hash live until then and a second more. A key of another type, and a
// recorded time that is not a number (see stored) or lies beyond ARGV[3]
// from now, are corrupt: they are replaced, so that they cannot keep later
// holds from being recorded.
var holdScript = redis.NewScript(redisNow + `
local typ = redis.call('TYPE', KEYS[1])['ok']
if typ ~= 'hash' and typ ~= 'none' then
	redis.call('DEL', KEYS[1])
end
local ceiling = now + tonumber(ARGV[3])
local cur = stored(redis.call('HGET', KEYS[1], ARGV[1])) or 0
if cur > ceiling then
	cur = 0
end
local untilms = math.min(now + tonumber(ARGV[2]), ceiling)
if untilms > cur then
	redis.call('HSET', KEYS[1], ARGV[1], string.format('%.0f', untilms))
	local life = untilms - now + 1000
	if redis.call('PTTL', KEYS[1]) < life then
		redis.call('PEXPIRE', KEYS[1], string.format('%.0f', life))
	end
end
return 0`)

// heldScript returns, for the fields refused and slow of the throttle
// hash, the milliseconds from now until the recorded time: 0 when there is
// none, it has passed, it is not a number (see stored), or it lies more
// than ARGV[1] ahead (corrupt), or the key is of another type.
var heldScript = redis.NewScript(redisNow + `
if redis.call('TYPE', KEYS[1])['ok'] ~= 'hash' then
	return {0, 0}
end
local vals = redis.call('HMGET', KEYS[1], 'refused', 'slow')
local out = {0, 0}
for i = 1, 2 do
	local x = stored(vals[i])
	if x and x > now and x - now <= tonumber(ARGV[1]) then
		out[i] = x - now
	end
end
return out`)

// maxHold bounds how far ahead a recorded wait is believed: azdo's
// MaxSharedWait, the one cap of shared waits (TestMaxHoldIsAzdos; this
// package imports neither azdo nor orgconfig).
const maxHold = time.Hour

// Hold records that the identity under key may send no request before
// until (refused is true: a 429 or 503 with Retry-After) or should slow
// down until then (refused is false: a Retry-After on a success). An
// earlier time than the one recorded changes nothing. Times in the past
// are ignored; times more than azdo.MaxSharedWait (an hour) ahead are
// recorded as that, the furthest [Cache.Held] believes. What is recorded is the wait,
// until less now, counted on Redis's clock: replicas whose clocks disagree
// share waits of the right length.
func (c *Cache) Hold(ctx context.Context, key string, until time.Time, refused bool) error {
	d := min(until.Sub(c.settings().now()), maxHold)
	if d < time.Millisecond {
		return nil
	}
	field := "slow"
	if refused {
		field = "refused"
	}
	return c.do(ctx, "hold", func(ctx context.Context, rdb redis.UniversalClient) error {
		return holdScript.Run(ctx, rdb, []string{c.s.prefix + "throttle:" + key},
			field, d.Milliseconds(), maxHold.Milliseconds()).Err()
	})
}

// Held returns the times recorded under key, on this replica's clock: no
// request before refused, and slow down until slow. Zero times mean
// nothing is recorded; a value that is not a time, or more than
// azdo.MaxSharedWait ahead, or a key of another type, reads as zero.
func (c *Cache) Held(ctx context.Context, key string) (refused, slow time.Time, err error) {
	err = c.do(ctx, "held", func(ctx context.Context, rdb redis.UniversalClient) error {
		waits, err := heldScript.Run(ctx, rdb, []string{c.s.prefix + "throttle:" + key}, maxHold.Milliseconds()).Int64Slice()
		if err != nil {
			return err
		}
		now := c.settings().now()
		at := func(i int) time.Time {
			if i >= len(waits) || waits[i] <= 0 || waits[i] > maxHold.Milliseconds() {
				return time.Time{}
			}
			return now.Add(time.Duration(waits[i]) * time.Millisecond)
		}
		refused, slow = at(0), at(1)
		return nil
	})
	return refused, slow, err
}

// wrongType reports Redis refusing a command for the type of the key's
// value: the key holds something this package did not write there, which
// is corrupt data, not a Redis failure.
func wrongType(err error) bool {
	return err != nil && strings.HasPrefix(err.Error(), "WRONGTYPE ")
}

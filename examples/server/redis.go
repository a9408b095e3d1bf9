package main

import (
	"context"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/azdosync/azdosync/rediscache"
)

// errRedisURL reports a -redis value that is not a Redis URL: a usage
// error.
var errRedisURL = errors.New("-redis: not a redis://, rediss:// or unix:// URL")

// openRedis connects, lazily, to the Redis at url (redis://, rediss:// or
// unix://) that the replicas of this service share. The client honours
// context deadlines, so that rediscache's per-operation timeouts bound
// every wait, and it does not retry, neither commands nor dials:
// rediscache skips a failing Redis instead, and a Redis that is down
// fails at once with its cause ("connection refused") rather than using
// up each operation's timeout. Errors never repeat the URL, which may hold
// a password.
//
// It pings Redis once and logs the outcome: "redis: shared by the
// replicas" with its address, or a warning that it cannot be reached and
// the service works without it until it answers.
//
// opts are more options of the Cache (WithSigningKey).
func openRedis(ctx context.Context, url string, logger *slog.Logger, opts ...rediscache.Option) (*rediscache.Cache, func() error, error) {
	opt, err := redis.ParseURL(url)
	if err != nil {
		return nil, nil, errRedisURL
	}
	// go-redis's own logger is global and writes plain text to stderr,
	// once per failed dial: keep the log JSON.
	redis.SetLogger(redisLog{logger})
	opt.ContextTimeoutEnabled = true
	opt.DialTimeout, opt.ReadTimeout, opt.WriteTimeout = time.Second, time.Second, time.Second
	opt.MaxRetries = -1
	opt.DialerRetries = 1
	rdb := redis.NewClient(opt)
	cache, err := rediscache.New(rdb, append([]rediscache.Option{rediscache.WithLogger(logger)}, opts...)...)
	if err != nil {
		_ = rdb.Close()
		return nil, nil, fmt.Errorf("-redis: %w", err)
	}
	pingCtx, cancel := context.WithTimeout(ctx, time.Second)
	defer cancel()
	if err := rdb.Ping(pingCtx).Err(); err != nil {
		logger.Warn("redis: cannot reach it; working without it until it answers", "addr", opt.Addr, "err", err)
	} else {
		logger.Info("redis: shared by the replicas (snapshots and throttling)", "addr", opt.Addr)
	}
	return cache, rdb.Close, nil
}

// redisLog writes what go-redis reports (a failed dial, each time, until
// rediscache skips Redis) into the service's log at debug level:
// rediscache already warns, once a minute, with the cause.
type redisLog struct{ logger *slog.Logger }

func (l redisLog) Printf(ctx context.Context, format string, v ...any) {
	l.logger.DebugContext(ctx, "go-redis", "detail", fmt.Sprintf(format, v...))
}

// parseSigningKeys reads the signing keys of -redis-key-env: hex keys of at
// least 16 bytes, comma-separated, the first signing. Errors never repeat
// a key.
func parseSigningKeys(v string) ([][]byte, error) {
	var keys [][]byte
	for i, h := range strings.Split(v, ",") {
		k, err := hex.DecodeString(strings.TrimSpace(h))
		if err != nil || len(k) < 16 {
			return nil, fmt.Errorf("key %d is not 16 bytes or more written in hex (such as the output of openssl rand -hex 32)", i)
		}
		keys = append(keys, k)
	}
	return keys, nil
}

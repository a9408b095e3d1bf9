package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
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
func openRedis(url string, logger *slog.Logger) (*rediscache.Cache, func() error, error) {
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
	cache, err := rediscache.New(rdb, rediscache.WithLogger(logger))
	if err != nil {
		_ = rdb.Close()
		return nil, nil, fmt.Errorf("-redis: %w", err)
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

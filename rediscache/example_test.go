package rediscache_test

import (
	"context"
	"encoding/hex"
	"log"
	"log/slog"
	"os"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/azdosync/azdosync/azdo"
	"github.com/azdosync/azdosync/features"
	"github.com/azdosync/azdosync/orgconfig"
	"github.com/azdosync/azdosync/rediscache"
)

// Every replica of a service wires one Cache into both its azdo Clients
// (shared throttling, keyed by the identity whose token they use) and its
// Builders (shared snapshots, keyed by the organization). This example
// needs a Redis and an Azure DevOps organization, so it is compiled but
// not run; the fleet tests of this package run the same wiring against a
// real redis-server.
func ExampleNew() {
	opt, err := redis.ParseURL(os.Getenv("REDIS_URL")) // e.g. redis://:password@redis:6379/0
	if err != nil {
		log.Fatal(err)
	}
	opt.ContextTimeoutEnabled = true // required: lets rediscache's per-operation timeouts reach the network
	opt.DialTimeout, opt.ReadTimeout, opt.WriteTimeout = time.Second, time.Second, time.Second
	opt.MaxRetries, opt.DialerRetries = -1, 1 // the Cache skips a failing Redis itself: no retries that spend its timeouts
	rdb := redis.NewClient(opt)
	defer rdb.Close()
	cache, err := rediscache.New(rdb, rediscache.WithLogger(slog.Default()))
	if err != nil {
		log.Fatal(err)
	}

	const identity = "sentry-integration@fabrikam" // the account the token belongs to; never the token
	client, err := azdo.New("https://dev.azure.com/fabrikam", azdo.PAT(os.Getenv("AZDO_PAT")),
		azdo.WithSharedThrottle(cache, identity),
	)
	if err != nil {
		log.Fatal(err)
	}
	builder, err := orgconfig.NewBuilder(client, features.Static(true),
		orgconfig.WithCacheTTL(time.Minute),
		orgconfig.WithSharedCache(cache, client.URL()+" "+identity), // the organization as this identity sees it
	)
	if err != nil {
		log.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	cfg, err := builder.Build(ctx, "platform-org-42")
	if err != nil {
		log.Fatal(err)
	}
	log.Printf("%d projects, %d problems", len(cfg.Projects), len(cfg.Problems))
}

// When others than the service's replicas can write to the Redis, sign the
// values: a value without a valid signature is ignored and refilled from
// Azure DevOps. The key comes from the service's secrets (32 random bytes,
// here hex-encoded in an environment variable); during a rotation, list
// the new key first and the old one after it.
func ExampleWithSigningKey() {
	key, err := hex.DecodeString(os.Getenv("AZDOSYNC_REDIS_SIGNING_KEY"))
	if err != nil {
		log.Fatal(err)
	}
	opt, err := redis.ParseURL(os.Getenv("REDIS_URL"))
	if err != nil {
		log.Fatal(err)
	}
	opt.ContextTimeoutEnabled = true
	cache, err := rediscache.New(redis.NewClient(opt), rediscache.WithSigningKey(key))
	if err != nil {
		log.Fatal(err)
	}
	_ = cache // orgconfig.WithSharedCache(cache, key), as in the example of New
}

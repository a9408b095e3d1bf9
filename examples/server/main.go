// Command server is an HTTP service a platform could embed to serve the
// Azure DevOps organization configuration form:
//
//	GET /organizations/{org}/config                the form, the saved values
//	                                               (healed by PruneStatusMapping)
//	                                               and what was dropped, with an ETag
//	PUT /organizations/{org}/config                save values, validated against
//	                                               fresh states: 200, or 422 with
//	                                               the errors; 413 too large,
//	                                               415 not JSON, 403 gated
//	GET /organizations/{org}/projects/{id}/states  one project's states and a
//	                                               suggested mapping, for forms
//	                                               that load states lazily
//	GET /organizations/{org}/                      the admin page: the form drawn
//	                                               from the JSON, saved with PUT
//	                                               (see page.go and web/)
//	GET /healthz                                   liveness
//
// By default it serves azdotest's sample organization as "fabrikam":
//
//	go run ./examples/server -addr 127.0.0.1:8080
//	curl -i http://127.0.0.1:8080/organizations/fabrikam/config
//
// Saved configurations go to a JSON file with -store FILE (written through
// a temporary file and a rename), else stay in memory. With -redis URL the
// replicas of the service share projects-and-states snapshots and Azure
// DevOps throttling through Redis (package rediscache); Redis failing
// never fails a form. One cached Builder
// is kept per organization. The service logs with
// log/slog, bounds each request's time and shuts down gracefully on
// SIGINT or SIGTERM.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/azdosync/azdosync/azdo"
	"github.com/azdosync/azdosync/azdo/azdotest"
	"github.com/azdosync/azdosync/features"
	"github.com/azdosync/azdosync/rediscache"
)

func main() {
	addr := flag.String("addr", "127.0.0.1:8080", "listen address")
	timeout := flag.Duration("timeout", 20*time.Second, "time allowed to build one form")
	cacheTTL := flag.Duration("cache", time.Minute, "how long a form's projects and states are reused")
	storePath := flag.String("store", "", "JSON file keeping saved configurations (default: in memory)")
	redisURL := flag.String("redis", "", "Redis URL (redis://, rediss://, unix://) shared by the replicas of this service: snapshots and throttling (default: none)")
	flag.Parse()

	logger := slog.New(slog.NewJSONHandler(os.Stderr, nil))
	var store Store = newMemStore()
	if *storePath != "" {
		store = newFileStore(*storePath)
	}
	if err := run(*addr, *timeout, *cacheTTL, store, *redisURL, logger); err != nil {
		logger.Error("server stopped", "err", err)
		os.Exit(1)
	}
}

func run(addr string, timeout, cacheTTL time.Duration, store Store, redisURL string, logger *slog.Logger) error {
	// The demo's only organization is azdotest's sample; a platform would
	// look its organizations and their credentials up in its database.
	fake := azdotest.Start(azdotest.SampleOrg(), azdotest.WithPAT("demo-pat"))
	defer fake.Close()
	var gate features.Set
	gate.Enable("fabrikam", "organizations:integrations-issue-sync")

	azdoOpts := []azdo.Option{azdo.WithLogger(logger)}
	var shared *rediscache.Cache
	if redisURL != "" {
		cache, closeRedis, err := openRedis(redisURL, logger)
		if err != nil {
			return err
		}
		defer closeRedis()
		shared = cache
		// Keyed by the identity the token belongs to: Azure DevOps limits
		// it across every replica.
		azdoOpts = append(azdoOpts, azdo.WithSharedThrottle(cache, "demo-identity"))
	}
	connect := func(org string) (*azdo.Client, error) {
		if org != "fabrikam" {
			return nil, errUnknownOrg
		}
		return azdo.New(fake.URL(), azdo.PAT("demo-pat"), azdoOpts...)
	}
	a := newApp(connect, &gate, store, timeout, cacheTTL, logger)
	if shared != nil {
		a.shared = shared
	}
	srv := &http.Server{
		Addr:              addr,
		Handler:           a.routes(),
		ReadHeaderTimeout: 5 * time.Second,
		ReadTimeout:       10 * time.Second,
		WriteTimeout:      timeout + 10*time.Second,
		IdleTimeout:       time.Minute,
		ErrorLog:          slog.NewLogLogger(logger.Handler(), slog.LevelWarn),
	}

	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	defer stop()
	errc := make(chan error, 1)
	go func() { errc <- srv.ListenAndServe() }()
	logger.Info("listening", "addr", addr)

	select {
	case err := <-errc:
		return fmt.Errorf("listen: %w", err)
	case <-ctx.Done():
	}
	logger.Info("shutting down")
	shutdownCtx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := srv.Shutdown(shutdownCtx); err != nil {
		return fmt.Errorf("shutdown: %w", err)
	}
	if err := <-errc; !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

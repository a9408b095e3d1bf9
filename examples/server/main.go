// Command server serves the Azure DevOps organization configuration form
// over HTTP, as JSON and as an admin page: a program to run and read (a
// platform would copy its handlers into its own service; it is package
// main, not a library). Its routes:
//
//	GET /organizations                             the organizations served
//	GET /organizations/{org}/config                the form, the saved values
//	                                               (healed by PruneStatusMapping),
//	                                               what was dropped, the Build's
//	                                               problems and reason, each
//	                                               project's work item type
//	                                               ("types"), when they were
//	                                               read ("fetchedAt"), with an
//	                                               ETag; 304
//	                                               on If-None-Match
//	PUT /organizations/{org}/config                save values, validated against
//	                                               fresh states: 200 with the
//	                                               values as saved and their ETag;
//	                                               400 malformed, 403 gated,
//	                                               412 stale If-Match, 413 too
//	                                               large, 415 not JSON, 422 invalid,
//	                                               503 states not loaded to check
//	                                               against (with Azure DevOps's
//	                                               Retry-After, if it asked for
//	                                               one), 504 -timeout passed
//	GET /organizations/{org}/projects/{id}/states  one project's states, their
//	                                               type and a suggested mapping,
//	                                               for forms that load states
//	                                               lazily
//	PATCH /organizations/{org}/config              merge part of the values
//	                                               (RFC 7396; patch.go)
//	POST /organizations/{org}/config               the same, answered as Sentry's
//	                                               frontend expects: 200 without
//	                                               a body, 400 {"detail": …}
//	GET /organizations/{org}/search?field=status&project={id}
//	                                               one project's choices, the
//	                                               form's "statusUrl" (lazy.go)
//	POST /organizations/{org}/refresh              drop the cached projects and
//	                                               states (Builder.Forget), here
//	                                               and with -redis on every
//	                                               replica: 204 (refresh.go)
//	GET /organizations/{org}/                      the admin page: the form drawn
//	                                               from the JSON, saved with PUT
//	                                               (see page.go and web/)
//	GET /problems/{type}                           what a problem type means
//	GET /healthz                                   liveness
//
// Every error response is an RFC 9457 problem (application/problem+json:
// type, title, status, detail); a 422 lists each problem of the status
// mapping in "errors" (project_id, key, state, code, message) so a page can
// show it next to the project's row.
//
// The ETag of the config is "V.F": V is the version of the saved values, F
// a digest of the whole response (see etag.go). A PUT with If-Match saves only when
// V is still the stored version (412 otherwise), so two admins do not
// overwrite each other silently; a PUT without If-Match always saves.
//
// Project IDs are compared ignoring case (they are GUIDs) and saved as
// Azure DevOps spells them. Each project is offered only its own states
// (orgconfig.WithStatesURL: the form carries those of the saved rows, and
// the page asks the states URL for a row it adds), so what the form offers
// is what a PUT accepts; -union offers every project every state instead.
//
// It serves three organizations, each a fake Azure DevOps (azdotest) in
// process: "fabrikam" (the sample organization, enabled), "tailspin"
// (without the feature: the gated form) and "northwind" (its Azure DevOps
// throttles: the degraded form).
//
//	go run ./examples/server -listen 127.0.0.1:8080
//	curl -i http://127.0.0.1:8080/organizations/fabrikam/config
//
// With -redis URL the replicas of the service share projects-and-states
// snapshots and Azure DevOps throttling through Redis (package
// rediscache); Redis failing never fails a form. It needs -cache above 0:
// Redis keeps a snapshot as long as the in-process cache does. When the
// environment variable named by -redis-key-env (AZDOSYNC_REDIS_SIGNING_KEY)
// holds keys, the snapshots are signed with the first (HMAC-SHA-256), and
// one without a valid signature is ignored and refilled: use it when others
// than the replicas can write to that Redis. Saved
// configurations are not shared: each replica has its own store (a
// platform keeps them in its database), so a save on one replica is not
// seen by another, and an If-Match read from another replica gets 412.
//
// Saved configurations go to a JSON file with -store FILE (written through
// a temporary file, an fsync, a rename and an fsync of the directory;
// stale temporary files are removed on start), else stay in memory. The
// service logs JSON with log/slog to stderr, bounds each request's time and
// shuts down gracefully on SIGINT or SIGTERM. Exit status: 0 after a clean
// shutdown or -h, 1 on failure, 2 on a usage error.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/azdosync/azdosync/azdo"
	"github.com/azdosync/azdosync/orgconfig"
	"github.com/azdosync/azdosync/rediscache"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Stderr)
	stop()
	os.Exit(code)
}

// run runs the server until ctx is done and returns the exit status.
func run(ctx context.Context, args []string, stderr io.Writer) int {
	fs := flag.NewFlagSet("server", flag.ContinueOnError)
	fs.SetOutput(stderr)
	listen := fs.String("listen", "127.0.0.1:8080", "address to listen on (host:port; port 0 picks a free one)")
	timeout := fs.Duration("timeout", 20*time.Second, "time allowed to build one form")
	cacheTTL := fs.Duration("cache", time.Minute, "how long a form's projects and states are reused")
	storePath := fs.String("store", "", "JSON file keeping saved configurations (default: in memory)")
	union := fs.Bool("union", false, "offer every project every state, instead of each project its own")
	redisURL := fs.String("redis", "", "Redis URL (redis://, rediss://, unix://) shared by the replicas of this service: snapshots and throttling (default: none)")
	keyEnv := fs.String("redis-key-env", "AZDOSYNC_REDIS_SIGNING_KEY", "environment variable holding the keys that sign the snapshots in Redis: hex, 16 bytes or more each, comma-separated, the first signing (unset or empty: not signed)")
	fs.Usage = func() {
		fmt.Fprint(fs.Output(), `usage: server [flags]

Serves the Azure DevOps organization configuration form of three demo
organizations, each a fake Azure DevOps in process: fabrikam (the complete
form), tailspin (without the feature: the gated form) and northwind (its
Azure DevOps throttles: the degraded form). Open the admin page at
http://127.0.0.1:8080/organizations/fabrikam/ (with the default -listen);
the same form is JSON at /organizations/{org}/config, which PUT, PATCH and
POST save (docs/server.md lists every route, with a request body for each).

Flags:
`)
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2
	}
	if fs.NArg() > 0 {
		// Not repeated: it may hold a secret (a Redis URL given without -redis).
		fmt.Fprintf(stderr, "server: unexpected arguments after the flags (%d): every value is a flag's, such as -redis URL\n", fs.NArg())
		return 2
	}
	if *timeout <= 0 || *cacheTTL < 0 {
		fmt.Fprintln(stderr, "server: -timeout must be positive and -cache not negative")
		return 2
	}
	if *redisURL != "" && *cacheTTL == 0 {
		fmt.Fprintln(stderr, "server: -redis needs -cache above 0: the replicas share the snapshots it keeps, for as long")
		return 2
	}

	logger := newLogger(stderr)
	var store Store = newMemStore()
	if *storePath != "" {
		fileStore, err := newFileStore(*storePath)
		if err != nil {
			logger.Error("server stopped", "err", err)
			return 1
		}
		store = fileStore
	}
	var shared orgconfig.SharedCache
	var throttle azdo.ThrottleStore
	if *redisURL != "" {
		var opts []rediscache.Option
		if v := os.Getenv(*keyEnv); v != "" {
			keys, err := parseSigningKeys(v)
			if err != nil {
				fmt.Fprintf(stderr, "server: -redis-key-env: $%s: %v\n", *keyEnv, err)
				return 2
			}
			opts = append(opts, rediscache.WithSigningKey(keys...))
		}
		cache, closeRedis, err := openRedis(ctx, *redisURL, logger, opts...)
		if errors.Is(err, errRedisURL) {
			fmt.Fprintf(stderr, "server: %v\n", err)
			return 2
		}
		if err != nil {
			logger.Error("server stopped", "err", err)
			return 1
		}
		defer closeRedis()
		shared, throttle = cache, cache
	}
	d, err := startDemo(logger, throttle)
	if err != nil {
		logger.Error("server stopped", "err", err)
		return 1
	}
	defer d.Close()
	a, err := newApp(appConfig{Orgs: d.orgs, Gate: d.gate, Store: store, Timeout: *timeout, CacheTTL: *cacheTTL, Union: *union, Shared: shared, Logger: logger})
	if err != nil {
		logger.Error("server stopped", "err", err)
		return 1
	}
	if err := serve(ctx, *listen, a.routes(), *timeout, logger); err != nil {
		logger.Error("server stopped", "err", err)
		return 1
	}
	return 0
}

// newLogger logs JSON lines to w, with every duration — the server's and
// the library's (a Retry-After wait, a request's time) — written as
// text such as "1.5s" instead of slog's integer nanoseconds.
func newLogger(w io.Writer) *slog.Logger {
	return slog.New(slog.NewJSONHandler(w, &slog.HandlerOptions{ReplaceAttr: durationText}))
}

// durationText is a slog ReplaceAttr function: time.Duration values become
// their String form.
func durationText(_ []string, a slog.Attr) slog.Attr {
	if a.Value.Kind() == slog.KindDuration {
		return slog.String(a.Key, a.Value.Duration().String())
	}
	return a
}

// serve listens on addr, then logs "listening" with the bound address, and
// serves until ctx is done.
func serve(ctx context.Context, addr string, h http.Handler, timeout time.Duration, logger *slog.Logger) error {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return fmt.Errorf("listen: %w", err)
	}
	srv := &http.Server{
		Handler:           h,
		ReadHeaderTimeout: 5 * time.Second,
		ReadTimeout:       10 * time.Second,
		WriteTimeout:      timeout + 10*time.Second,
		IdleTimeout:       time.Minute,
		ErrorLog:          slog.NewLogLogger(logger.Handler(), slog.LevelWarn),
	}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	logger.Info("listening", "addr", ln.Addr().String(), "page", "http://"+ln.Addr().String()+"/organizations/"+orgEnabled+"/")

	select {
	case err := <-errc:
		return fmt.Errorf("serve: %w", err)
	case <-ctx.Done():
	}
	logger.Info("shutting down")
	shutdownCtx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := srv.Shutdown(shutdownCtx); err != nil {
		return fmt.Errorf("shutdown: %w", err)
	}
	if err := <-errc; !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("serve: %w", err)
	}
	return nil
}

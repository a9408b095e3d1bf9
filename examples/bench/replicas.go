package main

// The replicas mode: R replicas of a service (separate Clients and
// Builders) build the same cold organization at once, without and with
// the shared Redis tier; then the median Build of a replica whose memory
// tier is cold and whose Redis tier is warm.
//
//	go run ./examples/bench -replicas 8 -sizes 100,1000
//	go run ./examples/bench -replicas 8 -redis redis://localhost:6379/0
//
// Without -redis it starts redis-server from PATH on a Unix socket in a
// temporary directory. Keys go under a prefix of their own, so an existing
// Redis is not disturbed.

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"sync"
	"text/tabwriter"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/azdosync/azdosync/azdo"
	"github.com/azdosync/azdosync/azdo/azdotest"
	"github.com/azdosync/azdosync/features"
	"github.com/azdosync/azdosync/orgconfig"
	"github.com/azdosync/azdosync/rediscache"
)

// replicaRow is one measurement of the replicas mode.
type replicaRow struct {
	Projects int     `json:"projects"`
	Replicas int     `json:"replicas"`
	Mode     string  `json:"mode"`
	Requests int     `json:"requests"`
	WallMS   float64 `json:"wall_ms"`
	Complete int     `json:"complete"` // Builds that returned a complete form
}

func runReplicas(out io.Writer, sizes []int, latency time.Duration, replicas, runs int, redisURL string, asJSON bool) error {
	rdb, stop, err := benchRedis(redisURL)
	if err != nil {
		return err
	}
	defer stop()
	var rows []replicaRow
	for _, n := range sizes {
		org := azdotest.ScaledOrg(n)
		prefix := fmt.Sprintf("azdosync-bench:%d:", time.Now().UnixNano())
		for _, mode := range []string{"memory only", "memory + redis"} {
			var sc orgconfig.SharedCache
			if mode != "memory only" {
				if sc, err = rediscache.New(rdb, rediscache.WithPrefix(prefix)); err != nil {
					return err
				}
			}
			r, err := fleet(org, latency, replicas, sc)
			if err != nil {
				return fmt.Errorf("%s at %d projects: %w", mode, n, err)
			}
			r.Mode = mode
			rows = append(rows, r)
		}
		cache, err := rediscache.New(rdb, rediscache.WithPrefix(prefix))
		if err != nil {
			return err
		}
		r, err := fromRedis(org, latency, runs, cache)
		if err != nil {
			return fmt.Errorf("from redis at %d projects: %w", n, err)
		}
		rows = append(rows, r)
	}
	if asJSON {
		enc := json.NewEncoder(out)
		for _, r := range rows {
			if err := enc.Encode(r); err != nil {
				return err
			}
		}
		return nil
	}
	fmt.Fprintf(out, "latency %v per request; %d replicas, each with its own Client and Builder, cold, at once;\n", latency, replicas)
	fmt.Fprintf(out, "from redis: the median of %d Builds by a replica with a cold memory tier and a warm Redis tier\n\n", runs)
	tw := tabwriter.NewWriter(out, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "projects\treplicas\tmode\trequests\twall\tcomplete\t")
	for _, r := range rows {
		wall := time.Duration(r.WallMS * float64(time.Millisecond))
		fmt.Fprintf(tw, "%d\t%d\t%s\t%d\t%v\t%d\t\n", r.Projects, r.Replicas, r.Mode, r.Requests, wall.Round(10*time.Microsecond), r.Complete)
	}
	return tw.Flush()
}

// replica is one instance of the service: its own transport, Client and
// Builder.
func replica(srv *azdotest.Server, sc orgconfig.SharedCache) (*orgconfig.Builder, *http.Transport, error) {
	tr := http.DefaultTransport.(*http.Transport).Clone()
	c, err := azdo.New(srv.URL(), azdo.PAT(pat), azdo.WithHTTPClient(&http.Client{Transport: tr}))
	if err != nil {
		return nil, nil, err
	}
	opts := []orgconfig.Option{orgconfig.WithCacheTTL(time.Hour)}
	if sc != nil {
		opts = append(opts, orgconfig.WithSharedCache(sc, "bench"))
	}
	b, err := orgconfig.NewBuilder(c, features.Static(true), opts...)
	return b, tr, err
}

func complete(cfg *orgconfig.Config, err error) bool {
	return err == nil && len(cfg.Problems) == 0 && cfg.Reason == ""
}

// fleet builds the cold organization on R replicas at once.
func fleet(org azdotest.Org, latency time.Duration, replicas int, sc orgconfig.SharedCache) (replicaRow, error) {
	srv, err := azdotest.Start(org, azdotest.WithPAT(pat), azdotest.WithLatency(latency))
	if err != nil {
		return replicaRow{}, err
	}
	defer srv.Close()
	builders := make([]*orgconfig.Builder, replicas)
	for i := range builders {
		b, tr, err := replica(srv, sc)
		if err != nil {
			return replicaRow{}, err
		}
		defer tr.CloseIdleConnections()
		builders[i] = b
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	ok := make([]bool, replicas)
	var wg sync.WaitGroup
	start := time.Now()
	for i, b := range builders {
		wg.Go(func() { ok[i] = complete(b.Build(ctx, "bench")) })
	}
	wg.Wait()
	wall := time.Since(start)
	r := replicaRow{Projects: len(org.Projects), Replicas: replicas, Requests: srv.Count(), WallMS: float64(wall) / float64(time.Millisecond)}
	for _, o := range ok {
		if o {
			r.Complete++
		}
	}
	return r, nil
}

// fromRedis is the median Build of new replicas (cold memory tier) over a
// Redis tier the fleet has filled.
func fromRedis(org azdotest.Org, latency time.Duration, runs int, sc orgconfig.SharedCache) (replicaRow, error) {
	srv, err := azdotest.Start(org, azdotest.WithPAT(pat), azdotest.WithLatency(latency))
	if err != nil {
		return replicaRow{}, err
	}
	defer srv.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	walls := make([]time.Duration, runs)
	r := replicaRow{Projects: len(org.Projects), Replicas: 1, Mode: "from redis"}
	for i := range walls {
		b, tr, err := replica(srv, sc)
		if err != nil {
			return r, err
		}
		start := time.Now()
		cfg, err := b.Build(ctx, "bench")
		walls[i] = time.Since(start)
		tr.CloseIdleConnections()
		if complete(cfg, err) && len(cfg.States) == len(org.Projects) {
			r.Complete++
		}
	}
	slices.Sort(walls)
	r.WallMS = float64(walls[len(walls)/2]) / float64(time.Millisecond)
	r.Requests = srv.Count()
	return r, nil
}

// benchRedis connects to redisURL, or starts redis-server from PATH when
// it is empty.
func benchRedis(redisURL string) (*redis.Client, func(), error) {
	if redisURL != "" {
		opt, err := redis.ParseURL(redisURL)
		if err != nil {
			return nil, nil, errors.New("-redis: not a redis:// or unix:// URL")
		}
		opt.ContextTimeoutEnabled = true
		rdb := redis.NewClient(opt)
		return rdb, func() { rdb.Close() }, nil
	}
	bin, err := exec.LookPath("redis-server")
	if err != nil {
		return nil, nil, errors.New("redis-server not found in PATH: install the Debian package redis-server, or pass -redis URL")
	}
	dir, err := os.MkdirTemp("", "bench-redis")
	if err != nil {
		return nil, nil, err
	}
	sock := filepath.Join(dir, "redis.sock")
	cmd := exec.Command(bin, "--port", "0", "--unixsocket", sock, "--save", "", "--appendonly", "no", "--dir", dir)
	if err := cmd.Start(); err != nil {
		os.RemoveAll(dir)
		return nil, nil, err
	}
	stop := func() {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
		os.RemoveAll(dir)
	}
	rdb := redis.NewClient(&redis.Options{Network: "unix", Addr: sock, ContextTimeoutEnabled: true})
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		if _, err := os.Stat(sock); err == nil {
			if err := rdb.Ping(context.Background()).Err(); err == nil {
				break
			}
		}
		if time.Now().After(deadline) {
			rdb.Close()
			stop()
			return nil, nil, errors.New("redis-server did not start")
		}
	}
	return rdb, func() { rdb.Close(); stop() }, nil
}

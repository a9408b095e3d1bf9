package rediscache_test

// End-to-end tests of a fleet of replicas: separate azdo Clients and
// orgconfig Builders, over real HTTP against azdotest, sharing a real
// redis-server through rediscache.

import (
	"bytes"
	"context"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"hash/crc32"
	"log/slog"
	"net/http"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/azdosync/azdosync/azdo"
	"github.com/azdosync/azdosync/azdo/azdotest"
	"github.com/azdosync/azdosync/features"
	"github.com/azdosync/azdosync/internal/redistest"
	"github.com/azdosync/azdosync/internal/testutil"
	"github.com/azdosync/azdosync/orgconfig"
	"github.com/azdosync/azdosync/rediscache"
)

const pat = "fleet-pat-S3CRET"

// replica is one instance of a service: its own HTTP transport, azdo
// Client and Builder.
type replica struct {
	tr      *http.Transport
	client  *azdo.Client
	builder *orgconfig.Builder
}

func newReplica(t *testing.T, ado *azdotest.Server, sc orgconfig.SharedCache, azdoOpts []azdo.Option, opts ...orgconfig.Option) *replica {
	t.Helper()
	tr := http.DefaultTransport.(*http.Transport).Clone()
	c, err := azdo.New(ado.URL(), azdo.PAT(pat), append([]azdo.Option{azdo.WithHTTPClient(&http.Client{Transport: tr})}, azdoOpts...)...)
	if err != nil {
		t.Fatal(err)
	}
	opts = append([]orgconfig.Option{orgconfig.WithCacheTTL(time.Minute)}, opts...)
	if sc != nil {
		opts = append(opts, orgconfig.WithSharedCache(sc, "fabrikam"))
	}
	b, err := orgconfig.NewBuilder(c, features.Static(true), opts...)
	if err != nil {
		t.Fatal(err)
	}
	return &replica{tr: tr, client: c, builder: b}
}

// build builds the form within deadline and checks it is complete and
// equal to want (when want is not nil); it returns the form's JSON.
func (r *replica) build(t *testing.T, deadline time.Duration, want []byte) []byte {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), deadline)
	defer cancel()
	start := time.Now()
	cfg, err := r.builder.Build(ctx, "fabrikam")
	if elapsed := time.Since(start); elapsed > deadline {
		t.Errorf("Build took %v, deadline %v", elapsed, deadline)
	}
	if err != nil {
		t.Fatalf("Build: %v", err)
	}
	if len(cfg.Problems) > 0 || cfg.Reason != "" {
		t.Fatalf("Build: reason %q, problems %v; want a complete form", cfg.Reason, cfg.Problems)
	}
	form, err := json.Marshal(cfg.Fields)
	if err != nil {
		t.Fatal(err)
	}
	if want != nil && !bytes.Equal(form, want) {
		t.Errorf("form differs from one built without a shared cache:\n got %s\nwant %s", form, want)
	}
	return form
}

// buildOnce builds on a new replica and closes its idle connections.
func buildOnce(t *testing.T, ado *azdotest.Server, sc orgconfig.SharedCache, deadline time.Duration, want []byte) []byte {
	t.Helper()
	r := newReplica(t, ado, sc, nil)
	defer r.tr.CloseIdleConnections()
	return r.build(t, deadline, want)
}

// baseline builds the form once without a shared cache and returns it
// with the number of requests it took.
func baseline(t *testing.T, ado *azdotest.Server) ([]byte, int) {
	t.Helper()
	ado.ResetStats()
	r := newReplica(t, ado, nil, nil)
	form := r.build(t, 10*time.Second, nil)
	n := ado.Count()
	r.tr.CloseIdleConnections()
	ado.ResetStats()
	if n == 0 {
		t.Fatal("a cold Build made no request")
	}
	return form, n
}

// TestFleetOneFetch: 8 cold replicas building at once make about one
// Build's worth of Azure DevOps requests; then a replica with a cold
// memory tier and the warm shared tier makes none.
func TestFleetOneFetch(t *testing.T) {
	rds := redistest.Start(t)
	ado := azdotest.NewServer(t, azdotest.ScaledOrg(250), azdotest.WithPAT(pat), azdotest.WithLatency(20*time.Millisecond))
	want, one := baseline(t, ado)

	const R = 8
	replicas := make([]*replica, R)
	for i := range replicas {
		replicas[i] = newReplica(t, ado, newCache(t, rds.Client()), nil)
	}
	var wg sync.WaitGroup
	startGate := make(chan struct{})
	for _, r := range replicas {
		wg.Go(func() {
			<-startGate
			r.build(t, 10*time.Second, want)
		})
	}
	close(startGate)
	wg.Wait()
	if got := ado.Count(); got > 2*one {
		t.Errorf("%d cold replicas made %d requests; one Build makes %d, want at most %d", R, got, one, 2*one)
	} else {
		t.Logf("%d cold replicas: %d requests; one Build: %d", R, got, one)
	}

	ado.ResetStats()
	newReplica(t, ado, newCache(t, rds.Client()), nil).build(t, 10*time.Second, want)
	if got := ado.Count(); got != 0 {
		t.Errorf("a replica with a cold memory tier and a warm shared tier made %d requests, want 0", got)
	}
	// The value holds no credential and no URL.
	for _, k := range rds.Keys("*") {
		v := fmt.Sprint(rds.Do("GET", k))
		if strings.Contains(v, pat) || strings.Contains(v, "http") || strings.Contains(k, pat) {
			t.Errorf("key %q holds a credential or a URL", k)
		}
	}
}

// TestFleetKeysSeparateConfigurations: Builders whose Clients use other
// work item types, the process API off or another project bound, or
// another state project limit, do not read each other's snapshots.
func TestFleetKeysSeparateConfigurations(t *testing.T) {
	rds := redistest.Start(t)
	ado := azdotest.NewServer(t, azdotest.SampleOrg(), azdotest.WithPAT(pat))
	newReplica(t, ado, newCache(t, rds.Client()), nil).build(t, 5*time.Second, nil)

	for _, tc := range []struct {
		name string
		azdo []azdo.Option
		opts []orgconfig.Option
	}{
		{"work item types", []azdo.Option{azdo.WithWorkItemTypes("Task")}, nil},
		{"process api", []azdo.Option{azdo.WithProcessAPI(false)}, nil},
		// A Client refusing more projects than its bound must not be handed
		// a longer list another Client stored.
		{"max projects", []azdo.Option{azdo.WithMaxProjects(100)}, nil},
		{"state project limit", nil, []orgconfig.Option{orgconfig.WithStateProjectLimit(2)}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ado.ResetStats()
			newReplica(t, ado, newCache(t, rds.Client()), tc.azdo, tc.opts...).build(t, 5*time.Second, nil)
			if ado.Count() == 0 {
				t.Error("a differently configured Builder read another's snapshot")
			}
		})
	}
	if n := len(rds.Keys("azdosync:snap:*")); n != 5 {
		t.Errorf("%d snapshot keys, want 5: %v", n, rds.Keys("*"))
	}
}

// TestFleetValueForAnotherKey: a value copied or renamed to another
// organization's key (a migration gone wrong, a restore into the wrong
// key) is not that organization's snapshot: its form comes from its own
// Azure DevOps, never with the other organization's projects.
func TestFleetValueForAnotherKey(t *testing.T) {
	rds := redistest.Start(t)
	fabrikam := azdotest.NewServer(t, azdotest.SampleOrg(), azdotest.WithPAT(pat))
	contoso := azdotest.NewServer(t, azdotest.ScaledOrg(3), azdotest.WithPAT(pat))
	want, _ := baseline(t, contoso)

	newReplica(t, fabrikam, newCache(t, rds.Client()), nil).build(t, 5*time.Second, nil)
	keys := rds.Keys("azdosync:snap:*")
	if len(keys) != 1 || !strings.Contains(keys[0], ":fabrikam:") {
		t.Fatalf("keys %q", keys)
	}
	rds.Do("COPY", keys[0], strings.Replace(keys[0], ":fabrikam:", ":contoso:", 1))

	contoso.ResetStats()
	r := newReplica(t, contoso, nil, nil, orgconfig.WithSharedCache(newCache(t, rds.Client()), "contoso"))
	r.build(t, 5*time.Second, want)
	if contoso.Count() == 0 {
		t.Error("contoso's replica made no request: it took fabrikam's value for its own")
	}
}

// TestFleetAbsurdCounts: a value that is well formed, with a matching
// checksum, but lists more projects than any Azure DevOps Client returns
// (azdo's WithMaxProjects defaults to 100 000) is refused: the form comes
// from Azure DevOps instead of growing with whatever the value claims (a
// 16 MiB value holds two million projects; 1 million took 1.3 s and 0.9 GB
// to assemble, per Build).
func TestFleetAbsurdCounts(t *testing.T) {
	rds := redistest.Start(t)
	ado := azdotest.NewServer(t, azdotest.SampleOrg(), azdotest.WithPAT(pat))
	want, _ := baseline(t, ado)
	buildOnce(t, ado, newCache(t, rds.Client()), 5*time.Second, want)
	keys := rds.Keys("azdosync:snap:*")
	if len(keys) != 1 {
		t.Fatalf("keys %q", keys)
	}
	rds.Do("SET", keys[0], forgeSnapshot(strings.TrimPrefix(keys[0], "azdosync:snap:"), 100_001), "PX", 60000)

	ado.ResetStats()
	buildOnce(t, ado, newCache(t, rds.Client()), 5*time.Second, want)
	if ado.Count() == 0 {
		t.Error("the replica made no request: it took the forged value")
	}
}

// forgeSnapshot encodes, as orgconfig does, a snapshot of n projects
// sharing one state list, stored under key.
func forgeSnapshot(key string, n int) []byte {
	str := func(b []byte, s string) []byte { return append(binary.AppendUvarint(b, uint64(len(s))), s...) }
	b := append([]byte("azsc"), 1)
	b = binary.BigEndian.AppendUint64(b, uint64(time.Now().UnixMilli()))
	b = append(b, 0, 0, 0, 0) // the checksum, below
	b = binary.AppendUvarint(b, 1)
	b = binary.AppendUvarint(b, 1)
	b = str(str(str(b, "New"), "Proposed"), "")
	b = binary.AppendUvarint(b, uint64(n))
	for i := range n {
		b = str(str(b, fmt.Sprintf("%x", i)), "p")
		b = binary.AppendUvarint(b, 1)
	}
	table := crc32.MakeTable(crc32.Castagnoli)
	binary.BigEndian.PutUint32(b[13:], crc32.Update(crc32.Checksum([]byte(key), table), table, b[17:]))
	return b
}

// TestFleetClaimantDies: when the replica holding the claim never stores a
// value, the others take over once its claim expires, or once their wait
// budget (half their deadline) is spent; a claim living longer than any a
// replica takes (forged, or left by a broken environment) at once.
func TestFleetClaimantDies(t *testing.T) {
	rds := redistest.Start(t)
	ado := azdotest.NewServer(t, azdotest.SampleOrg(), azdotest.WithPAT(pat))
	want, _ := baseline(t, ado)
	// A dead replica's claim, as long as a replica ever claims (30 s).
	r := newReplica(t, ado, newCache(t, rds.Client()), nil)
	r.build(t, 5*time.Second, want) // learn the key
	keys := rds.Keys("azdosync:snap:*")
	if len(keys) != 1 {
		t.Fatalf("keys %v", keys)
	}
	key := strings.TrimPrefix(keys[0], "azdosync:snap:")
	rds.Do("DEL", keys[0])
	rds.Do("SET", "azdosync:claim:"+key, "dead-replica", "PX", 30000)

	start := time.Now()
	newReplica(t, ado, newCache(t, rds.Client()), nil).build(t, 2*time.Second, want)
	if elapsed := time.Since(start); elapsed < 900*time.Millisecond {
		t.Errorf("Build took %v: it did not wait for the claimant", elapsed)
	}

	// An expired claim is taken over at once.
	rds.Do("DEL", keys[0])
	rds.Do("SET", "azdosync:claim:"+key, "dead-replica", "PX", 300)
	start = time.Now()
	newReplica(t, ado, newCache(t, rds.Client()), nil).build(t, 10*time.Second, want)
	if elapsed := time.Since(start); elapsed > 2*time.Second {
		t.Errorf("Build took %v after the claim expired at 300ms", elapsed)
	}

	// A claim for an hour is no replica's: taken over at once, where it
	// held every cold Build for half its deadline (2 s of 4 s).
	rds.Do("DEL", keys[0])
	rds.Do("SET", "azdosync:claim:"+key, "forged", "PX", 3600000)
	start = time.Now()
	newReplica(t, ado, newCache(t, rds.Client()), nil).build(t, 4*time.Second, want)
	if elapsed := time.Since(start); elapsed > time.Second {
		t.Errorf("Build took %v under a claim of an hour", elapsed)
	}
}

// TestFleetSharedThrottle: a refusal one replica sees holds back another
// replica's requests, failing fast when the wait does not fit its
// deadline; a slow-down on a 200 slows the others too.
func TestFleetSharedThrottle(t *testing.T) {
	rds := redistest.Start(t)
	for _, tc := range []struct {
		name    string
		fault   azdotest.Fault
		refused bool
	}{
		{"refusal", azdotest.Fault{Endpoint: azdotest.EndpointProjects, Times: 1, Status: 429, RetryAfter: "1"}, true},
		{"unavailable", azdotest.Fault{Endpoint: azdotest.EndpointProjects, Times: 1, Status: 503, RetryAfter: "1"}, true},
		{"slow-down", azdotest.Fault{Endpoint: azdotest.EndpointProjects, Times: 1, Kind: azdotest.FaultDelay, RetryAfter: "1"}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ado := azdotest.NewServer(t, azdotest.SampleOrg(), azdotest.WithPAT(pat), azdotest.WithFaults(tc.fault))
			identity := "identity-" + tc.name
			shared := func() []azdo.Option {
				return []azdo.Option{azdo.WithSharedThrottle(newCache(t, rds.Client()), identity)}
			}
			// Replica A sees the Retry-After. Without the process API it
			// sends nothing after its Build returns (the process lookup
			// would run on), so the server's count is B's alone below.
			a := newReplica(t, ado, nil, append(shared(), azdo.WithProcessAPI(false)))
			ctx, cancel := context.WithTimeout(t.Context(), 500*time.Millisecond)
			_, _ = a.builder.Build(ctx, "fabrikam")
			cancel()
			seen := time.Now()
			if !tc.refused {
				a.build(t, 5*time.Second, nil) // cached: the 200 was a success
			}

			if tc.refused {
				// B cannot afford the wait: it fails fast without a request.
				before := ado.Count()
				b := newReplica(t, ado, nil, shared())
				ctx, cancel := context.WithTimeout(t.Context(), 300*time.Millisecond)
				cfg, err := b.builder.Build(ctx, "fabrikam")
				cancel()
				if err != nil || len(cfg.Problems) == 0 || !errors.Is(cfg.Problems[0], azdo.ErrRateLimited) {
					t.Fatalf("B's Build = %v, %v; want ErrRateLimited", cfg, err)
				}
				if got := ado.Count() - before; got != 0 {
					t.Errorf("B sent %d requests while A's refusal held", got)
				}
			}
			// Control, while A's Retry-After still holds: a replica not
			// sharing the throttle is not held back. (Without the process
			// API it sends nothing after its Build, so C's count is C's.)
			start := time.Now()
			newReplica(t, ado, nil, []azdo.Option{azdo.WithProcessAPI(false)}).build(t, 5*time.Second, nil)
			if elapsed := time.Since(start); elapsed > 500*time.Millisecond {
				t.Errorf("a replica without the shared throttle took %v", elapsed)
			}
			// C waits until the time asked, then builds.
			before := ado.Count()
			c := newReplica(t, ado, nil, shared())
			c.build(t, 5*time.Second, nil)
			if waited := time.Since(seen); waited < 800*time.Millisecond {
				t.Errorf("C built %v after A's Retry-After of 1s", waited)
			}
			if ado.Count() == before {
				t.Error("C made no request")
			}
		})
	}
}

// TestFleetFaults: whatever happens to Redis, a cold replica's Build
// returns the complete form from Azure DevOps, within its deadline, and
// leaves no goroutine behind.
func TestFleetFaults(t *testing.T) {
	type env struct {
		rds  *redistest.Server
		ado  *azdotest.Server
		want []byte
		key  string // the snapshot's Redis key, once filled
	}
	fill := func(t *testing.T, e *env, rdb *redis.Client) {
		buildOnce(t, e.ado, newCache(t, rdb), 5*time.Second, e.want)
		keys := e.rds.Keys("azdosync:snap:*")
		if len(keys) != 1 {
			t.Fatalf("snapshot keys %v", keys)
		}
		e.key = keys[0]
	}
	value := func(t *testing.T, e *env) []byte {
		return []byte(e.rds.Do("GET", e.key).(string))
	}
	for _, tc := range []struct {
		name string
		// before runs before the measured Build; rdb is the replica's
		// Redis client.
		before func(t *testing.T, e *env, rdb *redis.Client)
		// during runs while the measured Builds are in flight.
		during func(t *testing.T, e *env)
		// refilled: the measured Build leaves a good value behind.
		refilled bool
	}{
		{name: "down at start", before: func(t *testing.T, e *env, _ *redis.Client) { e.rds.Kill() }},
		{name: "killed mid-run", during: func(t *testing.T, e *env) {
			// A Build takes a few round trips of 30ms: one replica is
			// fetching, the others are polling Redis for its value.
			time.Sleep(45 * time.Millisecond)
			e.rds.Kill()
		}},
		{name: "slow", before: func(t *testing.T, e *env, _ *redis.Client) { e.rds.Pause(3 * time.Second) }},
		{name: "full", before: func(t *testing.T, e *env, _ *redis.Client) {
			e.rds.Do("CONFIG", "SET", "maxmemory-policy", "noeviction")
			e.rds.Do("CONFIG", "SET", "maxmemory", "1")
		}},
		{name: "corrupt value", refilled: true, before: func(t *testing.T, e *env, rdb *redis.Client) {
			fill(t, e, rdb)
			v := value(t, e)
			v[len(v)/2] ^= 0x20
			e.rds.Do("SET", e.key, v, "PX", 60000)
		}},
		{name: "truncated value", refilled: true, before: func(t *testing.T, e *env, rdb *redis.Client) {
			fill(t, e, rdb)
			v := value(t, e)
			e.rds.Do("SET", e.key, v[:len(v)/2], "PX", 60000)
		}},
		{name: "oversized value", refilled: true, before: func(t *testing.T, e *env, rdb *redis.Client) {
			fill(t, e, rdb)
			e.rds.Do("SET", e.key, strings.Repeat("x", 2<<20), "PX", 60000)
		}},
		{name: "other-version value", refilled: true, before: func(t *testing.T, e *env, rdb *redis.Client) {
			fill(t, e, rdb)
			v := value(t, e)
			v[4] = 99
			e.rds.Do("SET", e.key, v, "PX", 60000)
		}},
		{name: "invalid utf-8 with a matching checksum", refilled: true, before: func(t *testing.T, e *env, rdb *redis.Client) {
			fill(t, e, rdb)
			v := value(t, e)
			// After the 17-byte header: the list count, the first list's
			// length, the first state name's length, then its first byte.
			v[20] = 0xff
			// The checksum covers the key (without the prefix), then the rest.
			table := crc32.MakeTable(crc32.Castagnoli)
			crc := crc32.Checksum([]byte(strings.TrimPrefix(e.key, "azdosync:snap:")), table)
			binary.BigEndian.PutUint32(v[13:], crc32.Update(crc, table, v[17:]))
			e.rds.Do("SET", e.key, v, "PX", 60000)
		}},
		{name: "json value", refilled: true, before: func(t *testing.T, e *env, rdb *redis.Client) {
			fill(t, e, rdb)
			e.rds.Do("SET", e.key, `{"projects":[{"id":"evil","name":"<script>"}]}`, "PX", 60000)
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := &env{rds: redistest.Start(t)}
			e.ado = azdotest.NewServer(t, azdotest.SampleOrg(), azdotest.WithPAT(pat), azdotest.WithLatency(30*time.Millisecond))
			var one int
			e.want, one = baseline(t, e.ado)

			var logs logBuffer
			logger := slog.New(slog.NewTextHandler(&logs, nil))
			rdb := e.rds.Client()
			before := runtime.NumGoroutine()
			if tc.before != nil {
				tc.before(t, e, rdb)
			}
			e.ado.ResetStats()
			cache := newCache(t, rdb, rediscache.WithLogger(logger), rediscache.WithMaxValueBytes(1<<20))
			const R = 4
			replicas := make([]*replica, R)
			for i := range replicas {
				replicas[i] = newReplica(t, e.ado, cache, nil, orgconfig.WithLogger(logger))
			}
			var wg sync.WaitGroup
			for _, r := range replicas {
				wg.Go(func() { r.build(t, 2*time.Second, e.want) })
			}
			if tc.during != nil {
				tc.during(t, e)
			}
			wg.Wait()
			if got := e.ado.Count(); got < 1 || got > R*one {
				t.Errorf("%d requests, want 1 to %d", got, R*one)
			}
			if n := strings.Count(logs.String(), "rediscache: redis failed"); n > 1 {
				t.Errorf("%d redis warnings, want at most one per interval:\n%s", n, logs.String())
			}
			if strings.Contains(logs.String(), pat) {
				t.Errorf("a log line holds the credential:\n%s", logs.String())
			}
			if tc.refilled {
				e.ado.ResetStats()
				buildOnce(t, e.ado, newCache(t, rdb, rediscache.WithMaxValueBytes(1<<20)), 2*time.Second, e.want)
				if got := e.ado.Count(); got != 0 {
					t.Errorf("after the refill, a cold replica made %d requests, want 0", got)
				}
			}
			for _, r := range replicas {
				r.tr.CloseIdleConnections()
			}
			e.rds.Kill()
			rdb.Close()
			testutil.WaitGoroutines(t, before)
		})
	}
}

package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/azdosync/azdosync/azdo"
	"github.com/azdosync/azdosync/azdo/azdotest"
	"github.com/azdosync/azdosync/features"
	"github.com/azdosync/azdosync/internal/redistest"
	"github.com/azdosync/azdosync/rediscache"
	"github.com/redis/go-redis/v9"
)

// TestReplicasShareRedis: two replicas of the service with -redis; the
// second serves the form without a request to Azure DevOps.
func TestReplicasShareRedis(t *testing.T) {
	rds := redistest.Start(t)
	fake := azdotest.NewServer(t, azdotest.SampleOrg(), azdotest.WithPAT("pat"))
	replica := func() *httptest.Server {
		cache, closeRedis, err := openRedis(t.Context(), rds.URL(), slog.New(slog.DiscardHandler))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { closeRedis() })
		var gate features.Set
		gate.Enable("fabrikam", "organizations:integrations-issue-sync")
		connect := func(opts ...azdo.Option) (*azdo.Client, error) {
			return azdo.New(fake.URL(), azdo.PAT("pat"), append([]azdo.Option{azdo.WithSharedThrottle(cache, "identity")}, opts...)...)
		}
		a, err := newApp(appConfig{Orgs: []organization{{Name: "fabrikam", Connect: connect}}, Gate: &gate, Store: newMemStore(),
			Timeout: 5 * time.Second, CacheTTL: time.Minute, Shared: cache, Logger: slog.New(slog.DiscardHandler)})
		if err != nil {
			t.Fatal(err)
		}
		srv := httptest.NewServer(a.routes())
		t.Cleanup(srv.Close)
		return srv
	}
	a, b := replica(), replica()
	resp, body := do(t, http.MethodGet, a.URL+"/organizations/fabrikam/config", nil)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("replica A: status %d: %s", resp.StatusCode, body)
	}
	// Each replica asks once who its credential acts as (connectionData,
	// for "Connected as"); the form itself comes from Redis.
	formRequests := func() int { return fake.Count() - fake.Count(azdotest.EndpointConnectionData) }
	first := formRequests()
	resp, body2 := do(t, http.MethodGet, b.URL+"/organizations/fabrikam/config", nil)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("replica B: status %d: %s", resp.StatusCode, body2)
	}
	if got := formRequests() - first; got != 0 {
		t.Errorf("replica B made %d requests to Azure DevOps for the form, want 0", got)
	}
	if resp.Header.Get("ETag") == "" || string(body) != string(body2) {
		t.Errorf("replicas answered differently:\n%s\n%s", body, body2)
	}
}

func TestOpenRedisBadURL(t *testing.T) {
	_, _, err := openRedis(t.Context(), "redis://:s3cret-pw@host:notaport/0", slog.New(slog.DiscardHandler))
	if err == nil || strings.Contains(err.Error(), "s3cret") {
		t.Errorf("openRedis = %v, want an error without the password", err)
	}
}

// TestRunReplicasShareRedis runs the service twice with -redis, as two
// processes would be, each with its own demo organizations: they share a
// form through Redis, one organization's throttling does not hold back
// another's, and both keep serving when Redis dies.
func TestRunReplicasShareRedis(t *testing.T) {
	rds := redistest.Start(t)
	a, b := startRun(t, "-redis", rds.URL()), startRun(t, "-redis", rds.URL())
	form := func(base, org string) (status int, body []byte, complete bool) {
		t.Helper()
		resp, body := do(t, http.MethodGet, base+"/organizations/"+org+"/config", nil)
		var cfg struct {
			Reason   string
			Problems []json.RawMessage
		}
		if err := json.Unmarshal(body, &cfg); err != nil {
			t.Fatalf("%s: %v: %s", org, err, body)
		}
		return resp.StatusCode, body, cfg.Reason == "" && len(cfg.Problems) == 0
	}

	// northwind's Azure DevOps asks for an hour's pause; fabrikam's does
	// not, and its form stays complete on the other replica.
	if status, body, complete := form(a, "northwind"); status != http.StatusOK || complete {
		t.Fatalf("northwind on A: %d, complete %v: %s", status, complete, body)
	}
	status, fromB, complete := form(b, "fabrikam")
	if status != http.StatusOK || !complete {
		t.Fatalf("fabrikam on B after northwind's throttling on A: %d, complete %v: %s", status, complete, fromB)
	}
	// A reads the snapshot B stored: one key for fabrikam, one form.
	status, fromA, _ := form(a, "fabrikam")
	if status != http.StatusOK || string(fromA) != string(fromB) {
		t.Errorf("fabrikam on A: %d, differs from B's:\n%s\n%s", status, fromA, fromB)
	}
	if keys := rds.Keys("azdosync:snap:*"); len(keys) != 1 {
		t.Errorf("snapshot keys %q, want one shared by both replicas", keys)
	}

	rds.Kill()
	for _, base := range []string{a, b} {
		if status, body, _ := form(base, "northwind"); status != http.StatusOK {
			t.Errorf("with Redis dead, %s answered %d: %s", base, status, body)
		}
	}
}

// startRun runs the service with args (and -listen on a free port) until
// the test ends, and returns its base URL.
func startRun(t *testing.T, args ...string) string {
	t.Helper()
	ctx, cancel := context.WithCancel(t.Context())
	pr, pw := io.Pipe()
	done := make(chan int, 1)
	go func() {
		done <- run(ctx, append([]string{"-listen", "127.0.0.1:0"}, args...), pw)
		pw.Close()
	}()
	t.Cleanup(func() {
		cancel()
		if code := <-done; code != 0 {
			t.Errorf("exit %d after shutdown, want 0", code)
		}
		pr.Close()
	})
	lines := bufio.NewScanner(pr)
	for lines.Scan() {
		var e struct{ Msg, Addr string }
		if json.Unmarshal(lines.Bytes(), &e) == nil && e.Msg == "listening" {
			go io.Copy(io.Discard, pr) // the rest of the log
			return "http://" + e.Addr
		}
	}
	t.Fatal("no listening line")
	return ""
}

// TestRunRedisNeedsCache: -redis with -cache 0 cannot share anything
// (the shared tier keeps the in-process tier's TTL), and a -redis that is
// not a Redis URL is a typo: usage errors at start, not a 500 on every
// form or a "server stopped".
func TestRunRedisNeedsCache(t *testing.T) {
	for _, args := range [][]string{
		{"-redis", "redis://127.0.0.1:1/0", "-cache", "0s"},
		{"-redis", "foo://127.0.0.1:1"},
	} {
		var stderr strings.Builder
		ctx, cancel := context.WithTimeout(t.Context(), time.Second) // a server that starts anyway stops
		code := run(ctx, append([]string{"-listen", "127.0.0.1:0"}, args...), &stderr)
		cancel()
		if code != 2 {
			t.Errorf("%q: exit %d, want 2 (a usage error)\n%s", args, code, stderr.String())
		}
		if !strings.Contains(stderr.String(), "-redis") {
			t.Errorf("%q: the message does not name -redis:\n%s", args, stderr.String())
		}
	}
}

// TestRunRedisDownLogsJSON: with Redis down, the log stays JSON lines and
// says why once. go-redis complains of every failed dial through its own
// logger, in plain text on the process's stderr: run must route that into
// its JSON log (stand-in here: a go-redis logger that records what
// reaches it, which run must replace).
func TestRunRedisDownLogsJSON(t *testing.T) {
	plain := &plainRedisLog{}
	redis.SetLogger(plain)
	down := "redis://" + refusingAddr(t) + "/0"
	logs := &syncBuffer{}
	ctx, cancel := context.WithCancel(t.Context())
	pr, pw := io.Pipe()
	done := make(chan int, 1)
	go func() {
		done <- run(ctx, []string{"-listen", "127.0.0.1:0", "-redis", down}, pw)
		pw.Close()
	}()
	lines := bufio.NewScanner(pr)
	var base string
	for base == "" && lines.Scan() {
		var e struct{ Msg, Addr string }
		if json.Unmarshal(lines.Bytes(), &e) == nil && e.Msg == "listening" {
			base = "http://" + e.Addr
		}
	}
	copied := make(chan struct{})
	go func() { io.Copy(logs, pr); close(copied) }()
	for _, org := range []string{"fabrikam", "northwind"} {
		if resp, body := do(t, http.MethodGet, base+"/organizations/"+org+"/config", nil); resp.StatusCode != http.StatusOK {
			t.Errorf("%s: status %d: %s", org, resp.StatusCode, body)
		}
	}
	cancel()
	<-done
	<-copied
	warnings := 0
	for line := range strings.Lines(logs.String()) {
		var e struct{ Msg, Err string }
		if err := json.Unmarshal([]byte(line), &e); err != nil {
			t.Errorf("not a JSON log line: %q", line)
			continue
		}
		if e.Msg == "rediscache: redis failed; working without it" {
			warnings++
			if !strings.Contains(e.Err, "connection refused") {
				t.Errorf("the warning does not say why: %q", line)
			}
		}
	}
	if warnings != 1 {
		t.Errorf("%d warnings about Redis, want 1:\n%s", warnings, logs)
	}
	plain.mu.Lock()
	defer plain.mu.Unlock()
	if len(plain.lines) > 0 {
		t.Errorf("go-redis logged outside the JSON log: %q", plain.lines)
	}
}

// plainRedisLog is a go-redis logger that keeps what it is given.
type plainRedisLog struct {
	mu    sync.Mutex
	lines []string
}

func (l *plainRedisLog) Printf(_ context.Context, format string, v ...any) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.lines = append(l.lines, fmt.Sprintf(format, v...))
}

// TestRunSignsRedisValues: with keys in the variable -redis-key-env names,
// the snapshots the service stores in Redis are signed with the first, and
// a forged one is ignored: the form comes from Azure DevOps. A variable
// holding something else than hex keys is a usage error that does not
// repeat it.
func TestRunSignsRedisValues(t *testing.T) {
	rds := redistest.Start(t)
	key := bytes.Repeat([]byte{0x5a}, 32)
	t.Setenv("TEST_REDIS_KEYS", hex.EncodeToString(key)+","+strings.Repeat("ab", 16))
	base := startRun(t, "-redis", rds.URL(), "-redis-key-env", "TEST_REDIS_KEYS")
	resp, body := do(t, http.MethodGet, base+"/organizations/fabrikam/config", nil)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("status %d: %s", resp.StatusCode, body)
	}
	keys := rds.Keys("azdosync:snap:*")
	if len(keys) != 1 {
		t.Fatalf("snapshot keys %q", keys)
	}
	stored := []byte(rds.Do("GET", keys[0]).(string))
	signed, err := rediscache.New(rds.Client(), rediscache.WithSigningKey(key))
	if err != nil {
		t.Fatal(err)
	}
	name := strings.TrimPrefix(keys[0], "azdosync:snap:")
	if v, err := signed.Get(t.Context(), name); err != nil || !bytes.Equal(v, stored[:len(stored)-32]) {
		t.Errorf("the stored value is not signed with the first key: Get = %d bytes, %v", len(v), err)
	}
	unsigned, err := rediscache.New(rds.Client())
	if err != nil {
		t.Fatal(err)
	}
	if err := unsigned.Set(t.Context(), name, stored[:len(stored)-32], time.Minute); err != nil { // valid, but unsigned
		t.Fatal(err)
	}
	if v, err := signed.Get(t.Context(), name); err != nil || v != nil {
		t.Errorf("an unsigned value was read: %d bytes, %v", len(v), err)
	}

	t.Setenv("TEST_REDIS_KEYS", "not-hex-s3cret")
	var stderr strings.Builder
	ctx, cancel := context.WithTimeout(t.Context(), time.Second)
	defer cancel()
	if code := run(ctx, []string{"-listen", "127.0.0.1:0", "-redis", rds.URL(), "-redis-key-env", "TEST_REDIS_KEYS"}, &stderr); code != 2 ||
		!strings.Contains(stderr.String(), "$TEST_REDIS_KEYS: key 0 is not 16 bytes or more written in hex") || strings.Contains(stderr.String(), "s3cret") {
		t.Errorf("a bad key: exit %d, want 2 naming the variable, not the value:\n%s", code, stderr.String())
	}
}

// TestRunSaysRedisAtStart: with -redis the service pings Redis at start
// and says whether it shares through it or cannot reach it (and works
// without it), before the first request.
func TestRunSaysRedisAtStart(t *testing.T) {
	rds := redistest.Start(t)
	down := "redis://" + refusingAddr(t) + "/0"
	for _, tt := range []struct{ url, want string }{
		{rds.URL(), "redis: shared by the replicas (snapshots and throttling)"},
		{down, "redis: cannot reach it; working without it until it answers"},
	} {
		pr, pw := io.Pipe()
		ctx, cancel := context.WithCancel(t.Context())
		done := make(chan int, 1)
		go func() {
			done <- run(ctx, []string{"-listen", "127.0.0.1:0", "-redis", tt.url}, pw)
			pw.Close()
		}()
		var said []string
		lines := bufio.NewScanner(pr)
		for lines.Scan() {
			var e struct{ Msg string }
			if json.Unmarshal(lines.Bytes(), &e) == nil {
				said = append(said, e.Msg)
				if e.Msg == "listening" {
					break
				}
			}
		}
		go io.Copy(io.Discard, pr)
		cancel()
		<-done
		if !slices.Contains(said, tt.want) {
			t.Errorf("-redis %s: the log before listening says %q, want %q", tt.url, said, tt.want)
		}
	}
}

// refusingAddr is a loopback address that refuses connections for the
// whole test: a socket bound to it without listening. A port freed by
// closing a listener could be taken again at once, by the server under
// test among others, which then answered Redis's dial with HTTP.
func refusingAddr(t *testing.T) string {
	t.Helper()
	fd, err := syscall.Socket(syscall.AF_INET, syscall.SOCK_STREAM, 0)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { syscall.Close(fd) })
	if err := syscall.Bind(fd, &syscall.SockaddrInet4{Addr: [4]byte{127, 0, 0, 1}}); err != nil {
		t.Fatal(err)
	}
	sa, err := syscall.Getsockname(fd)
	if err != nil {
		t.Fatal(err)
	}
	return net.JoinHostPort("127.0.0.1", strconv.Itoa(sa.(*syscall.SockaddrInet4).Port))
}

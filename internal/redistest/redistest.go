// Package redistest starts a private redis-server for a test.
//
// The server binary comes from PATH. When it is missing the test is
// skipped with a message naming the Debian package to install, unless the
// environment variable AZDOSYNC_REDIS is "required" (as in CI), in which
// case the test fails.
package redistest

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
)

// Server is a redis-server process owned by one test.
type Server struct {
	t       testing.TB
	network string // "unix" or "tcp"
	addr    string
	dir     string

	mu  sync.Mutex
	cmd *exec.Cmd
}

// Start starts redis-server listening on a Unix socket (or, when the
// socket's path would be too long, a free loopback port) in a temporary
// directory, with persistence off; extra are more "--name value"
// arguments. The server is stopped when the test ends.
func Start(t testing.TB, extra ...string) *Server {
	t.Helper()
	bin, err := exec.LookPath("redis-server")
	if err != nil {
		msg := "redis-server not found in PATH: install the Debian package redis-server (apt-get install redis-server) to run this test"
		if os.Getenv("AZDOSYNC_REDIS") == "required" {
			t.Fatal(msg + " (AZDOSYNC_REDIS=required)")
		}
		t.Skip(msg)
	}
	dir := t.TempDir()
	s := &Server{t: t, dir: dir, network: "unix", addr: filepath.Join(dir, "redis.sock")}
	args := []string{"--save", "", "--appendonly", "no", "--dir", dir, "--loglevel", "warning"}
	if len(s.addr) < 100 {
		args = append(args, "--port", "0", "--unixsocket", s.addr, "--unixsocketperm", "700")
	} else {
		s.network, s.addr = "tcp", freePort(t)
		_, port, _ := net.SplitHostPort(s.addr)
		args = append(args, "--bind", "127.0.0.1", "--port", port)
	}
	args = append(args, extra...)
	s.start(bin, args)
	t.Cleanup(s.Kill)
	return s
}

func freePort(t testing.TB) string {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().String()
}

func (s *Server) start(bin string, args []string) {
	s.t.Helper()
	cmd := exec.Command(bin, args...)
	cmd.Dir = s.dir
	log, err := os.Create(filepath.Join(s.dir, "redis.log"))
	if err != nil {
		s.t.Fatal(err)
	}
	defer log.Close()
	cmd.Stdout, cmd.Stderr = log, log
	if err := cmd.Start(); err != nil {
		s.t.Fatalf("start redis-server: %v", err)
	}
	s.mu.Lock()
	s.cmd = cmd
	s.mu.Unlock()

	rdb := redis.NewClient(s.Options())
	defer rdb.Close()
	deadline := time.Now().Add(10 * time.Second)
	for {
		var err error
		if s.network == "unix" {
			_, err = os.Stat(s.addr) // dialing before the socket exists logs noise
		}
		if err == nil {
			ctx, cancel := context.WithTimeout(context.Background(), time.Second)
			err = rdb.Ping(ctx).Err()
			cancel()
		}
		if err == nil {
			return
		}
		if time.Now().After(deadline) {
			out, _ := os.ReadFile(filepath.Join(s.dir, "redis.log"))
			s.Kill()
			s.t.Fatalf("redis-server did not answer: %v\n%s", err, out)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// Options returns client options for the server: short timeouts, the
// context's deadline honoured, no dial retries.
func (s *Server) Options() *redis.Options {
	return &redis.Options{
		Network: s.network, Addr: s.addr,
		DialTimeout: time.Second, ReadTimeout: time.Second, WriteTimeout: time.Second,
		ContextTimeoutEnabled: true,
		MaxRetries:            -1,
		DialerRetries:         1,
		PoolSize:              32,
	}
}

// Client returns a new client for the server, closed when the test ends.
func (s *Server) Client() *redis.Client {
	rdb := redis.NewClient(s.Options())
	s.t.Cleanup(func() { rdb.Close() })
	return rdb
}

// URL returns a redis:// or unix:// URL for the server.
func (s *Server) URL() string {
	if s.network == "unix" {
		return "unix://" + s.addr
	}
	return "redis://" + s.addr
}

// Kill stops the server at once (SIGKILL) and waits for it to exit. It
// may be called more than once.
func (s *Server) Kill() {
	s.mu.Lock()
	cmd := s.cmd
	s.cmd = nil
	s.mu.Unlock()
	if cmd == nil {
		return
	}
	_ = cmd.Process.Kill()
	err := cmd.Wait()
	var exit *exec.ExitError
	if err != nil && !errors.As(err, &exit) {
		s.t.Logf("redis-server: %v", err)
	}
}

// Do runs one command on a fresh connection and fails the test on error.
func (s *Server) Do(args ...any) any {
	s.t.Helper()
	rdb := redis.NewClient(s.Options())
	defer rdb.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	v, err := rdb.Do(ctx, args...).Result()
	if err != nil && !errors.Is(err, redis.Nil) {
		s.t.Fatalf("redis %v: %v", args, err)
	}
	return v
}

// Keys returns every key matching pattern.
func (s *Server) Keys(pattern string) []string {
	s.t.Helper()
	var keys []string
	for _, k := range s.Do("KEYS", pattern).([]any) {
		keys = append(keys, fmt.Sprint(k))
	}
	return keys
}

// Pause makes the server hold every client's commands for d (CLIENT
// PAUSE), as a slow server would.
func (s *Server) Pause(d time.Duration) {
	s.t.Helper()
	s.Do("CLIENT", "PAUSE", strconv.FormatInt(d.Milliseconds(), 10), "ALL")
}

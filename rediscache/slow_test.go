package rediscache_test

import (
	"context"
	"errors"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/azdosync/azdosync/azdo/azdotest"
	"github.com/azdosync/azdosync/internal/redistest"
	"github.com/azdosync/azdosync/rediscache"
)

// slowConn delays every write: a Redis that far away.
type slowConn struct {
	net.Conn
	delay time.Duration
}

func (c slowConn) Write(p []byte) (int, error) {
	time.Sleep(c.delay)
	return c.Conn.Write(p)
}

// slowClient is a client of srv whose every command takes delay longer.
func slowClient(t *testing.T, srv *redistest.Server, delay time.Duration) *redis.Client {
	opt := srv.Options()
	opt.Dialer = func(ctx context.Context, network, addr string) (net.Conn, error) {
		var d net.Dialer
		c, err := d.DialContext(ctx, network, addr)
		if err != nil {
			return nil, err
		}
		return slowConn{c, delay}, nil
	}
	rdb := redis.NewClient(opt)
	t.Cleanup(func() { rdb.Close() })
	return rdb
}

// TestSlowRedisIsSkipped is the regression test for a Redis that is slow
// but never fails (issue 16, item 4): the breaker never opened, so every
// operation paid the delay. Operations slower than half the timeout now
// count as failures: after 3 of them Redis is skipped, and the next
// operation fails at once.
func TestSlowRedisIsSkipped(t *testing.T) {
	srv := redistest.Start(t)
	srv.Do("SET", "azdosync:snap:k", "v")
	// Each command takes just over half the timeout: slow, yet well
	// within it.
	rdb := slowClient(t, srv, 210*time.Millisecond)
	ctx := t.Context()
	if err := rdb.Ping(ctx).Err(); err != nil { // connect outside the timeout
		t.Fatal(err)
	}
	c := newCache(t, rdb, rediscache.WithTimeout(400*time.Millisecond), rediscache.WithBreaker(3, time.Hour))
	for i := range 3 {
		// The value, slowly; or, on a machine so loaded that the command
		// took the whole timeout, a failure, which counts alike.
		v, err := c.Get(ctx, "k")
		if (string(v) != "v" || err != nil) && (!errors.Is(err, rediscache.ErrUnavailable) || strings.Contains(err.Error(), "skipped")) {
			t.Fatalf("slow Get %d = %q, %v; want the value", i, v, err)
		}
	}
	start := time.Now()
	_, err := c.Get(ctx, "k")
	if !errors.Is(err, rediscache.ErrUnavailable) || !strings.Contains(err.Error(), "skipped") {
		t.Errorf("Get after 3 slow ones = %v, want a skipped ErrUnavailable", err)
	}
	if elapsed := time.Since(start); elapsed > 100*time.Millisecond {
		t.Errorf("skipped Get took %v, want at once", elapsed)
	}
}

// TestRedisStallAtTheDeadline is the regression test for a Build that
// returned late by the Redis timeout when Redis stalled at its deadline
// (issue 16, item 4): the claim was released under
// context.WithoutCancel before the shared fetch could end, and the Build
// waits for that. The fetch now releases under its own context; a claim
// it cannot release expires.
func TestRedisStallAtTheDeadline(t *testing.T) {
	srv := redistest.Start(t)
	ado := azdotest.NewServer(t, azdotest.SampleOrg(), azdotest.WithPAT(pat),
		azdotest.WithFaults(azdotest.Fault{Endpoint: azdotest.EndpointProjects, Kind: azdotest.FaultHang}))
	cache := newCache(t, srv.Client(), rediscache.WithTimeout(500*time.Millisecond))
	r := newReplica(t, ado, cache, nil)
	defer r.tr.CloseIdleConnections()

	const deadline = 400 * time.Millisecond
	ctx, cancel := context.WithTimeout(t.Context(), deadline)
	defer cancel()
	stall := time.AfterFunc(deadline-100*time.Millisecond, func() { srv.Pause(10 * time.Second) })
	defer stall.Stop()
	start := time.Now()
	_, err := r.builder.Build(ctx, "fabrikam")
	elapsed := time.Since(start)
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("Build error = %v, want DeadlineExceeded", err)
	}
	// Before, it took the deadline and the 500ms Redis timeout.
	if elapsed > deadline+300*time.Millisecond {
		t.Errorf("Build returned after %v, deadline %v", elapsed, deadline)
	}
}

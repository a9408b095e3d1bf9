package azdotest

import (
	"net"
	"strconv"
	"testing"
)

// TestListenFreshSkipsUsedPorts hands out a port a closed server had, as
// the kernel may: listenFresh must not take it, since the SDK would answer
// the new server's discovery from its cache of the old one.
func TestListenFreshSkipsUsedPorts(t *testing.T) {
	first, err := listenFresh()
	if err != nil {
		t.Fatal(err)
	}
	reused := first.Addr().(*net.TCPAddr).Port
	first.Close()

	real := listenLoopback
	t.Cleanup(func() { listenLoopback = real })
	calls := 0
	listenLoopback = func() (net.Listener, error) {
		calls++
		if calls == 1 {
			// The kernel hands the closed server's port out again.
			return net.Listen("tcp", net.JoinHostPort("127.0.0.1", strconv.Itoa(reused)))
		}
		return real()
	}
	l, err := listenFresh()
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	if got := l.Addr().(*net.TCPAddr).Port; got == reused {
		t.Errorf("listenFresh took port %d, which an earlier server had", got)
	}
	if calls != 2 {
		t.Errorf("%d listens, want 2 (the reused port, then a fresh one)", calls)
	}
}

package azdotest

import (
	"fmt"
	"net"
	"sync"
)

// usedPorts are the loopback ports servers of this process have listened
// on. The SDK caches location discovery per organization URL for the life
// of the process (its apiResourceLocationCache), so a server that got the
// port of a closed one would be served the closed one's discovery from
// that cache: no OPTIONS request would reach it, and a test counting or
// faulting discovery would see nothing, depending on which port the
// kernel hands out. Each server therefore gets a port no earlier one had.
var (
	usedPortsMu sync.Mutex
	usedPorts   = map[int]bool{}
)

// listenLoopback is net.Listen on a kernel-chosen loopback port; a
// variable so that a test can hand out a port twice, as the kernel does
// when it pleases.
var listenLoopback = func() (net.Listener, error) { return net.Listen("tcp", "127.0.0.1:0") }

// maxListenTries bounds the ports tried before giving up; the kernel hands
// out ephemeral ports from a range of thousands, so this is never reached
// in practice.
const maxListenTries = 1000

// listenFresh listens on a loopback port that no server of this process
// has used before.
func listenFresh() (net.Listener, error) {
	usedPortsMu.Lock()
	defer usedPortsMu.Unlock()
	var held []net.Listener // kept open so the kernel hands out another port
	defer func() {
		for _, l := range held {
			_ = l.Close()
		}
	}()
	for range maxListenTries {
		l, err := listenLoopback()
		if err != nil {
			return nil, fmt.Errorf("listen on a loopback port: %w", err)
		}
		port := l.Addr().(*net.TCPAddr).Port
		if !usedPorts[port] {
			usedPorts[port] = true
			return l, nil
		}
		held = append(held, l)
	}
	return nil, fmt.Errorf("listen on a loopback port: every one of %d ports tried was used by an earlier server", maxListenTries)
}

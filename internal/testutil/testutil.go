// Package testutil holds helpers shared by the tests of several packages.
package testutil

import (
	"runtime"
	"testing"
	"time"
)

// WaitGoroutines waits up to five seconds for the number of goroutines to
// fall back to n, then fails the test with every goroutine's stack.
func WaitGoroutines(tb testing.TB, n int) {
	tb.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for runtime.NumGoroutine() > n {
		if time.Now().After(deadline) {
			buf := make([]byte, 1<<20)
			tb.Fatalf("%d goroutines left, want at most %d:\n%s", runtime.NumGoroutine(), n, buf[:runtime.Stack(buf, true)])
		}
		time.Sleep(10 * time.Millisecond)
	}
}

package main

import (
	"bufio"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"
)

func TestRunHelp(t *testing.T) {
	var stderr strings.Builder
	if code := run(t.Context(), []string{"-h"}, &stderr); code != 0 {
		t.Errorf("-h: exit %d, want 0", code)
	}
	for _, want := range []string{"-listen", "Serves the Azure DevOps organization configuration form", "http://127.0.0.1:8080/organizations/fabrikam/"} {
		if !strings.Contains(stderr.String(), want) {
			t.Errorf("usage does not say %q:\n%s", want, stderr.String())
		}
	}
	for _, args := range [][]string{{"-nope"}, {"extra"}, {"-timeout", "0s"}} {
		stderr.Reset()
		if code := run(t.Context(), args, &stderr); code != 2 {
			t.Errorf("%q: exit %d, want 2\n%s", args, code, stderr.String())
		}
	}
}

// TestRunListensBeforeLogging reads the log as it is written: when
// "listening" appears, the address it names already accepts connections.
func TestRunListensBeforeLogging(t *testing.T) {
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	pr, pw := io.Pipe()
	defer pr.Close() // a failed test does not leave run blocked on its log
	done := make(chan int, 1)
	go func() {
		done <- run(ctx, []string{"-listen", "127.0.0.1:0"}, pw)
		pw.Close()
	}()
	lines := bufio.NewScanner(pr)
	var addr string
	for lines.Scan() {
		var e struct{ Msg, Addr, Page string }
		if err := json.Unmarshal(lines.Bytes(), &e); err != nil {
			t.Fatalf("log line %q: %v", lines.Text(), err)
		}
		if e.Msg == "listening" {
			addr = e.Addr
			if want := "http://" + addr + "/organizations/fabrikam/"; e.Page != want {
				t.Errorf("the start line names the page %q, want %q", e.Page, want)
			}
			break
		}
	}
	if addr == "" {
		t.Fatal("no listening line")
	}
	go io.Copy(io.Discard, pr) // the rest of the log
	resp, err := http.Get("http://" + addr + "/healthz")
	if err != nil {
		t.Fatalf("logged %s as listening, but: %v", addr, err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusNoContent {
		t.Errorf("healthz: %d", resp.StatusCode)
	}
	cancel()
	if code := <-done; code != 0 {
		t.Errorf("exit %d after shutdown, want 0", code)
	}
}

// TestRunListenFails takes the port first: the server says why and never
// claims to be listening.
func TestRunListenFails(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	var stderr strings.Builder
	if code := run(t.Context(), []string{"-listen", ln.Addr().String()}, &stderr); code != 1 {
		t.Errorf("exit %d, want 1", code)
	}
	if strings.Contains(stderr.String(), `"listening"`) || !strings.Contains(stderr.String(), "address already in use") {
		t.Errorf("log:\n%s", stderr.String())
	}
}

// TestLoggerWritesDurations: every duration logged, the library's too,
// reads as one.
func TestLoggerWritesDurations(t *testing.T) {
	var out strings.Builder
	newLogger(&out).Info("retry", "wait", 1500*time.Millisecond, slog.Group("g", "d", time.Minute), "n", 3)
	var got struct {
		Wait string
		G    struct{ D string }
		N    int
	}
	if err := json.Unmarshal([]byte(out.String()), &got); err != nil {
		t.Fatalf("%v: %s", err, out.String())
	}
	if got.Wait != "1.5s" || got.G.D != "1m0s" || got.N != 3 {
		t.Errorf("logged %s", out.String())
	}
}

// TestRunNeverEchoesArguments: a stray argument, such as a Redis URL with
// its password given without -redis, is not repeated in the usage error.
func TestRunNeverEchoesArguments(t *testing.T) {
	var stderr strings.Builder
	if code := run(t.Context(), []string{"redis://:s3cret-pw@127.0.0.1:6379"}, &stderr); code != 2 {
		t.Errorf("exit %d, want 2", code)
	}
	if strings.Contains(stderr.String(), "s3cret-pw") || !strings.Contains(stderr.String(), "unexpected arguments") {
		t.Errorf("usage error %q: want it to say there are unexpected arguments, without them", stderr.String())
	}
}

package azdo_test

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/azdosync/azdosync/azdo"
	"github.com/azdosync/azdosync/azdo/azdotest"
	"github.com/azdosync/azdosync/features"
	"github.com/azdosync/azdosync/orgconfig"
)

// BenchmarkColdBuild measures the client CPU of a cold Build of 1 000
// projects on the four system processes: the first Build of a new Client
// for an organization URL the process has not seen, so that the SDK's
// location cache is cold too. Side by side:
//
//	sdk     the Client on the SDK path, as after a pinned route was
//	        refused (and as every Build was before pinned routes): location
//	        discovery, then the SDK's generated clients, whose answers are
//	        decoded into the SDK's models
//	pinned  the Client as it starts: pinned routes without discovery,
//	        answers decoded into wire types holding only what is read
//
// The answers come from a replaying server, in a child process, that asks
// azdotest once per distinct request and then serves the bytes it got, so
// that the CPU measured is the client's alone. cpu-ms/op is this process's
// user+system CPU time per Build (getrusage), GC included.
//
//	go test -run '^$' -bench ColdBuild -benchtime 200x -count 5 ./azdo/
func BenchmarkColdBuild(b *testing.B) {
	url := replayChild(b)
	for _, tt := range []struct {
		name   string
		client func(url string) (orgconfig.Client, error)
	}{
		{"sdk", func(url string) (orgconfig.Client, error) {
			c, err := azdo.New(url, azdo.PAT("pat"))
			if err == nil {
				azdo.UseSDKPath(c)
			}
			return c, err
		}},
		{"pinned", func(url string) (orgconfig.Client, error) { return azdo.New(url, azdo.PAT("pat")) }},
	} {
		b.Run(tt.name, func(b *testing.B) {
			b.ReportAllocs()
			ctx := context.Background()
			i := 0
			cpu := cpuTime()
			for b.Loop() {
				i++
				c, err := tt.client(url + "/" + tt.name + strconv.Itoa(i) + "x" + strconv.FormatInt(time.Now().UnixNano(), 36))
				if err != nil {
					b.Fatal(err)
				}
				bl, err := orgconfig.NewBuilder(c, features.Static(true))
				if err != nil {
					b.Fatal(err)
				}
				cfg, err := bl.Build(ctx, "bench")
				if err != nil || len(cfg.Problems) > 0 || len(cfg.States) != 1000 {
					b.Fatalf("Build: %v, problems %v, %d projects' states", err, cfg.Problems, len(cfg.States))
				}
			}
			b.ReportMetric(float64(cpuTime()-cpu)/float64(time.Millisecond)/float64(b.N), "cpu-ms/op")
		})
	}
}

// cpuTime is the user+system CPU time of the process so far.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// replayChild starts this test binary again as a child process serving
// TestReplayChild, and returns its URL; the child ends with the benchmark.
func replayChild(b *testing.B) string {
	cmd := exec.Command(os.Args[0], "-test.run=^TestReplayChild$", "-test.count=1")
	cmd.Env = append(os.Environ(), "AZDOSYNC_REPLAY_CHILD=1")
	stdin, err := cmd.StdinPipe()
	if err != nil {
		b.Fatal(err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		b.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() {
		_ = stdin.Close()
		_ = cmd.Wait()
	})
	line, err := bufio.NewReader(stdout).ReadString('\n')
	if err != nil || !strings.HasPrefix(line, "http://") {
		b.Fatalf("replay child: %q, %v", line, err)
	}
	go func() { _, _ = io.Copy(io.Discard, stdout) }()
	return strings.TrimSpace(line)
}

// TestReplayChild is the replaying server of BenchmarkColdBuild, run only
// in its child process: it prints its URL and serves until its standard
// input closes.
func TestReplayChild(t *testing.T) {
	if os.Getenv("AZDOSYNC_REPLAY_CHILD") == "" {
		t.Skip("the replaying server of BenchmarkColdBuild, run in its child process")
	}
	rp := newReplay(t, azdotest.ScaledOrg(1000))
	fmt.Println(rp.url)
	_, _ = io.Copy(io.Discard, os.Stdin)
}

// replay serves any organization name the answers azdotest gives its own
// for the same method, path and query, asking it once for each.
type replay struct {
	url string
	mu  sync.Mutex
	got map[string]*replayed
}

type replayed struct {
	status int
	header http.Header
	body   []byte
}

func newReplay(b testing.TB, org azdotest.Org) *replay {
	srv := azdotest.NewServer(b, org)
	rp := &replay{got: make(map[string]*replayed)}
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, rest, _ := strings.Cut(strings.TrimPrefix(r.URL.EscapedPath(), "/"), "/")
		key := r.Method + " " + strings.ToLower(rest) + "?" + r.URL.RawQuery
		rp.mu.Lock()
		a, ok := rp.got[key]
		rp.mu.Unlock()
		if !ok {
			req, err := http.NewRequest(r.Method, srv.URL()+"/"+rest+"?"+r.URL.RawQuery, nil)
			if err != nil {
				http.Error(w, err.Error(), http.StatusInternalServerError)
				return
			}
			req.Header = r.Header.Clone()
			resp, err := srv.Client().Do(req)
			if err != nil {
				http.Error(w, err.Error(), http.StatusBadGateway)
				return
			}
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			a = &replayed{resp.StatusCode, resp.Header.Clone(), body}
			rp.mu.Lock()
			rp.got[key] = a
			rp.mu.Unlock()
		}
		for k, v := range a.header {
			w.Header()[k] = v
		}
		w.WriteHeader(a.status)
		_, _ = w.Write(a.body)
	}))
	b.Cleanup(ts.Close)
	rp.url = ts.URL
	return rp
}

package orgconfig_test

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/azdosync/azdosync/orgconfig"
)

// namedClient is a Client that describes itself, as azdo's does with its URL.
type namedClient struct{ *stubClient }

func (namedClient) String() string { return "stub(fabrikam)" }

// mapShared is a SharedCache over a map, without expiry.
type mapShared struct {
	mu   sync.Mutex
	vals map[string][]byte
}

func (m *mapShared) Get(_ context.Context, key string) ([]byte, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.vals[key], nil
}

func (m *mapShared) Set(_ context.Context, key string, v []byte, _ time.Duration) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.vals[key] = v
	return nil
}

func (m *mapShared) Claim(context.Context, string, time.Duration) (func(context.Context), error) {
	return func(context.Context) {}, nil
}

func (m *mapShared) Delete(_ context.Context, key string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	delete(m.vals, key)
	return nil
}

// TestFetchedAt: a Config says when its projects and states were read from
// the Client, through the memory and the shared tier alike, and is zero
// when they were not; the debug log says where each came from.
func TestFetchedAt(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var logs bytes.Buffer
		logger := slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
		store := &mapShared{vals: map[string][]byte{}}
		newBuilder := func(c orgconfig.Client, opts ...orgconfig.Option) *orgconfig.Builder {
			b, err := orgconfig.NewBuilder(c, gateFunc(allow), append([]orgconfig.Option{orgconfig.WithLogger(logger)}, opts...)...)
			if err != nil {
				t.Fatal(err)
			}
			return b
		}
		build := func(b *orgconfig.Builder) *orgconfig.Config {
			cfg, err := b.Build(t.Context(), "org-1")
			if err != nil {
				t.Fatal(err)
			}
			return cfg
		}
		cached := []orgconfig.Option{orgconfig.WithCacheTTL(time.Hour), orgconfig.WithSharedCache(store, "fabrikam")}

		start := time.Now()
		time.Sleep(time.Second)
		a := newBuilder(namedClient{sampleOrg().client()}, cached...)
		first := build(a)
		if !first.FetchedAt.Equal(start.Add(time.Second)) {
			t.Errorf("first Build: FetchedAt %v, want %v", first.FetchedAt, start.Add(time.Second))
		}
		time.Sleep(time.Minute)
		if again := build(a); !again.FetchedAt.Equal(first.FetchedAt) {
			t.Errorf("memory hit: FetchedAt %v, want the fetch's %v", again.FetchedAt, first.FetchedAt)
		}
		replica := newBuilder(namedClient{sampleOrg().client()}, cached...)
		if shared := build(replica); shared.FetchedAt != first.FetchedAt { // alike on every replica, to the nanosecond
			t.Errorf("shared hit: FetchedAt %v, want the fetch's %v", shared.FetchedAt, first.FetchedAt)
		}

		failing := sampleOrg().client()
		failing.projects = func(context.Context) ([]orgconfig.Project, error) { return nil, errors.New("down") }
		if cfg := build(newBuilder(failing)); !cfg.FetchedAt.IsZero() {
			t.Errorf("projects failing: FetchedAt %v, want zero", cfg.FetchedAt)
		}
		gated, err := orgconfig.NewBuilder(sampleOrg().client(), gateFunc(func(context.Context, string, string) (bool, error) { return false, nil }))
		if err != nil {
			t.Fatal(err)
		}
		if cfg := build(gated); !cfg.FetchedAt.IsZero() {
			t.Errorf("gated: FetchedAt %v, want zero", cfg.FetchedAt)
		}

		var got []string
		for _, line := range strings.Split(strings.TrimSpace(logs.String()), "\n") {
			if strings.Contains(line, "organization=stub(fabrikam)") && strings.Contains(line, "msg=") {
				msg := line[strings.Index(line, "msg=")+len("msg="):]
				msg = msg[:strings.Index(msg, " organization=")]
				if !strings.Contains(line, "duration=") {
					t.Errorf("log line without a duration: %s", line)
				}
				got = append(got, msg)
			}
		}
		// A miss is logged once its fetch is done, after the fetch's own
		// lines: they came first or second, as goroutines ran, when the
		// miss was logged as the fetch started.
		want := []string{`"read from azure devops"`, `"cache: shared fill"`, `"cache: memory miss"`, `"cache: memory hit"`, `"cache: shared hit"`, `"cache: memory miss"`}
		if strings.Join(got, ",") != strings.Join(want, ",") {
			t.Errorf("debug log:\n%s\nwant %s", strings.Join(got, "\n"), strings.Join(want, ","))
		}
	})
}

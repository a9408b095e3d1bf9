package azdo_test

import (
	"context"
	"errors"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/azdosync/azdosync/azdo"
	"github.com/azdosync/azdosync/azdo/azdotest"
)

type nopThrottle struct{}

func (nopThrottle) Hold(context.Context, string, time.Time, bool) error { return nil }
func (nopThrottle) Held(context.Context, string) (time.Time, time.Time, error) {
	return time.Time{}, time.Time{}, nil
}

func TestWithSharedThrottleRejects(t *testing.T) {
	for _, tt := range []struct {
		name string
		opt  azdo.Option
		want string
	}{
		{"nil store", azdo.WithSharedThrottle(nil, "id"), "azdo: new client: shared throttle store must not be nil"},
		{"empty key", azdo.WithSharedThrottle(nopThrottle{}, ""), "azdo: new client: shared throttle key must be 1 to 512 bytes of UTF-8, got 0 bytes"},
		{"long key", azdo.WithSharedThrottle(nopThrottle{}, strings.Repeat("k", 513)), "azdo: new client: shared throttle key must be 1 to 512 bytes of UTF-8, got 513 bytes"},
		{"invalid utf-8", azdo.WithSharedThrottle(nopThrottle{}, "\xff"), "azdo: new client: shared throttle key must be 1 to 512 bytes of UTF-8, got 1 bytes"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, err := azdo.New("https://dev.azure.com/org", azdo.PAT("x"), tt.opt)
			if err == nil || err.Error() != tt.want {
				t.Errorf("New error = %v, want %q", err, tt.want)
			}
		})
	}
}

// TestShape: what changes a Client's answers changes its Shape, which
// orgconfig.WithSharedCache puts in its keys; the URL and the credential
// do not appear in it.
func TestShape(t *testing.T) {
	shape := func(opts ...azdo.Option) string {
		t.Helper()
		c, err := azdo.New("https://dev.azure.com/fabrikam", azdo.PAT(testToken), opts...)
		if err != nil {
			t.Fatal(err)
		}
		return c.Shape()
	}
	base := shape()
	for name, other := range map[string]string{
		"types":        shape(azdo.WithWorkItemTypes("Task")),
		"type order":   shape(azdo.WithWorkItemTypes("Issue", "Bug", "Task")),
		"process api":  shape(azdo.WithProcessAPI(false)),
		"max projects": shape(azdo.WithMaxProjects(10)),
	} {
		if other == base {
			t.Errorf("%s: Shape %q equals the default's", name, other)
		}
	}
	// A type name holding the separator of the list is not the list.
	if a, b := shape(azdo.WithWorkItemTypes("Bug\x1fIssue", "Task")), shape(azdo.WithWorkItemTypes("Bug", "Issue", "Task")); a == b {
		t.Errorf("types [Bug\\x1fIssue Task] and [Bug Issue Task] share Shape %q", a)
	}
	if got := shape(azdo.WithRetry(1, time.Second)); got != base {
		t.Errorf("retry settings changed Shape: %q, want %q", got, base)
	}
	if strings.Contains(base, testToken) || strings.Contains(base, "fabrikam") {
		t.Errorf("Shape %q holds the URL or the token", base)
	}
}

// countingThrottle is a ThrottleStore that holds nothing, or fails, and
// counts its reads.
type countingThrottle struct {
	fail  bool
	reads atomic.Int32
}

func (s *countingThrottle) Hold(context.Context, string, time.Time, bool) error { return nil }
func (s *countingThrottle) Held(context.Context, string) (time.Time, time.Time, error) {
	s.reads.Add(1)
	if s.fail {
		return time.Time{}, time.Time{}, errors.New("store down")
	}
	return time.Time{}, time.Time{}, nil
}

// TestSharedThrottleReadOncePerBuild is issue 16's repro: the shared
// throttle was read before every attempt, so a Redis 15 ms away added 15
// ms to each of a Build's requests. It is read at most once a second per
// Client, failing or not: a Build of 100 projects asked one by one (some
// 200 requests) reads it once per second it lasts.
func TestSharedThrottleReadOncePerBuild(t *testing.T) {
	for _, fail := range []bool{false, true} {
		store := &countingThrottle{fail: fail}
		srv, c := newPair(t, azdotest.ScaledOrg(100), nil, azdo.WithProcessAPI(false), azdo.WithSharedThrottle(store, "identity"))
		start := time.Now()
		cfg := buildForm(t, c)
		elapsed := time.Since(start)
		if len(cfg.Problems) != 0 || len(cfg.States) != 100 {
			t.Fatalf("store failing %t: %d projects with states, problems %v", fail, len(cfg.States), cfg.Problems)
		}
		if srv.Count() < 100 {
			t.Fatalf("store failing %t: %d requests; the test needs many", fail, srv.Count())
		}
		if reads, most := store.reads.Load(), 1+int32(elapsed/time.Second); reads > most {
			t.Errorf("store failing %t: %d reads of the shared throttle for %d requests in %v; want at most %d",
				fail, reads, srv.Count(), elapsed.Round(time.Millisecond), most)
		}
	}
}

package azdo_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/azdosync/azdosync/azdo"
	"github.com/azdosync/azdosync/azdo/azdotest"
)

// recordingThrottle is a ThrottleStore that records the holds it is given
// and answers Held with fixed times.
type recordingThrottle struct {
	mu            sync.Mutex
	holds         []hold
	refused, slow time.Time
}

type hold struct {
	wait    time.Duration // until, less the time of the call
	refused bool
}

func (r *recordingThrottle) Hold(_ context.Context, _ string, until time.Time, refused bool) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.holds = append(r.holds, hold{time.Until(until), refused})
	return nil
}

func (r *recordingThrottle) Held(context.Context, string) (time.Time, time.Time, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.refused, r.slow, nil
}

// TestSlowDownIsCapped: a Retry-After on a success is advice: one such
// answer slows the identity (here and, shared, across the fleet) for at
// most WithMaxSlowDown (a minute by default), where "Retry-After: 86400"
// slowed every request for a day. A refusal's is shared for at most
// MaxSharedWait (an hour; this Client keeps it for up to 24 hours).
func TestSlowDownIsCapped(t *testing.T) {
	for _, tt := range []struct {
		name    string
		fault   azdotest.Fault
		opts    []azdo.Option
		want    time.Duration
		refused bool
	}{
		{"200, default cap", azdotest.Fault{Kind: azdotest.FaultDelay, RetryAfter: "86400"}, nil, time.Minute, false},
		{"200, WithMaxSlowDown(5s)", azdotest.Fault{Kind: azdotest.FaultDelay, RetryAfter: "86400"}, []azdo.Option{azdo.WithMaxSlowDown(5 * time.Second)}, 5 * time.Second, false},
		{"200 asking less than the cap", azdotest.Fault{Kind: azdotest.FaultDelay, RetryAfter: "2"}, nil, 2 * time.Second, false},
		{"429", azdotest.Fault{Status: 429, RetryAfter: "86400"}, nil, azdo.MaxSharedWait, true},
		{"503 beyond a day", azdotest.Fault{Status: 503, RetryAfter: "999999"}, nil, azdo.MaxSharedWait, true},
	} {
		t.Run(tt.name, func(t *testing.T) {
			store := &recordingThrottle{}
			tt.fault.Endpoint, tt.fault.Times = azdotest.EndpointProjects, 1
			_, c := newPair(t, azdotest.SampleOrg(), []azdotest.Option{azdotest.WithFaults(tt.fault)},
				append([]azdo.Option{azdo.WithSharedThrottle(store, "id")}, tt.opts...)...)
			ctx, cancel := context.WithTimeout(t.Context(), time.Second)
			defer cancel()
			_, _ = c.Projects(ctx)
			store.mu.Lock()
			defer store.mu.Unlock()
			if len(store.holds) != 1 {
				t.Fatalf("holds = %v, want one", store.holds)
			}
			if h := store.holds[0]; h.refused != tt.refused || h.wait > tt.want || h.wait < tt.want-5*time.Second {
				t.Errorf("hold = %v (refused %t), want %v (refused %t)", h.wait, h.refused, tt.want, tt.refused)
			}
		})
	}
}

// TestSharedSlowDownIsCapped: a slow-down read from the shared store counts
// for at most WithMaxSlowDown too, whatever another replica (or a value
// written to Redis) says: here 50 ms, not the 10 s of maxWait.
func TestSharedSlowDownIsCapped(t *testing.T) {
	store := &recordingThrottle{slow: time.Now().Add(time.Hour)}
	_, c := newPair(t, azdotest.SampleOrg(), nil,
		azdo.WithSharedThrottle(store, "id"), azdo.WithRetry(4, 10*time.Second), azdo.WithMaxSlowDown(50*time.Millisecond))
	ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
	defer cancel()
	start := time.Now()
	if _, err := c.Projects(ctx); err != nil {
		t.Fatal(err)
	}
	if elapsed := time.Since(start); elapsed > 5*time.Second {
		t.Errorf("Projects under an hour's shared slow-down took %v, want the 50 ms cap, not maxWait's 10 s", elapsed)
	}
}

func TestWithMaxSlowDownRejects(t *testing.T) {
	for _, d := range []time.Duration{-time.Second, 25 * time.Hour} {
		_, err := azdo.New("https://dev.azure.com/org", azdo.PAT("x"), azdo.WithMaxSlowDown(d))
		want := "azdo: new client: max slow-down must be between 0 and 24h0m0s, got " + d.String()
		if err == nil || err.Error() != want {
			t.Errorf("WithMaxSlowDown(%v) error = %v, want %q", d, err, want)
		}
	}
}

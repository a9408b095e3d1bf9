package azdo

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// TestNoRetryOfNonIdempotentRequests sends a POST through the transport
// to a server that always answers 503: it is tried once.
func TestNoRetryOfNonIdempotentRequests(t *testing.T) {
	var hits atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		http.Error(w, "unavailable", http.StatusServiceUnavailable)
	}))
	t.Cleanup(srv.Close)
	c, err := New(srv.URL+"/org", PAT("x"), WithRetry(4, time.Millisecond))
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		method string
		want   int64
	}{{http.MethodPost, 1}, {http.MethodPatch, 1}, {http.MethodGet, 4}} {
		hits.Store(0)
		req, _ := http.NewRequestWithContext(t.Context(), tt.method, srv.URL+"/org/x", strings.NewReader("{}"))
		resp, err := c.hc.Do(req)
		if err == nil {
			resp.Body.Close()
		}
		if !errors.Is(err, ErrUnavailable) {
			t.Errorf("%s: error %v, want ErrUnavailable", tt.method, err)
		}
		if got := hits.Load(); got != tt.want {
			t.Errorf("%s: %d tries, want %d", tt.method, got, tt.want)
		}
	}
}

func TestRetryAfterParsing(t *testing.T) {
	future := time.Now().Add(90 * time.Second).UTC().Format(http.TimeFormat)
	for _, tt := range []struct {
		in       string
		min, max time.Duration
	}{
		{"", 0, 0}, {"0", 0, 0}, {"-5", 0, 0}, {"soon", 0, 0},
		{"7", 7 * time.Second, 7 * time.Second},
		{"999999999", 24 * time.Hour, 24 * time.Hour},
		// Past int64, still delay-seconds (RFC 9110: 1*DIGIT): capped, not ignored.
		{"99999999999999999999", 24 * time.Hour, 24 * time.Hour},
		{"+5", 0, 0}, {"5.5", 0, 0}, {"0x10", 0, 0}, // not 1*DIGIT
		{future, 85 * time.Second, 90 * time.Second},
		{"Mon, 02 Jan 2006 15:04:05 GMT", 0, 0},                           // in the past
		{"Fri, 31 Dec 9999 23:59:59 GMT", 24 * time.Hour, 24 * time.Hour}, // capped like seconds
	} {
		h := http.Header{}
		if tt.in != "" {
			h.Set("Retry-After", tt.in)
		}
		if got := retryAfter(http.StatusTooManyRequests, h); got < tt.min || got > tt.max {
			t.Errorf("retryAfter(%q) = %v, want in [%v, %v]", tt.in, got, tt.min, tt.max)
		}
	}
}

func TestBackoffIsJitteredAndCapped(t *testing.T) {
	for attempt := 1; attempt <= 20; attempt++ {
		d := backoff(attempt, 2*time.Second)
		full := min(250*time.Millisecond<<min(attempt-1, 10), 2*time.Second)
		if d < full/2 || d > full {
			t.Errorf("backoff(%d) = %v, want in [%v, %v]", attempt, d, full/2, full)
		}
	}
	if d := backoff(3, 0); d != 0 {
		t.Errorf("backoff with no wait allowed = %v, want 0", d)
	}
}

// TestThrottleFailsFastWhenTooLong checks that a pending Retry-After longer
// than the caller's deadline fails at once instead of sleeping.
func TestThrottleFailsFastWhenTooLong(t *testing.T) {
	tr := &transport{maxWait: time.Minute}
	tr.throttle.raise(time.Now().Add(30*time.Second), true)
	ctx, cancel := context.WithTimeout(t.Context(), time.Second)
	defer cancel()
	start := time.Now()
	d, mandatory := tr.throttle.remaining()
	if !mandatory {
		t.Fatal("a refusal's Retry-After is not mandatory")
	}
	err := tr.pause(ctx, d, true)
	if !errors.Is(err, ErrRateLimited) || time.Since(start) > 100*time.Millisecond {
		t.Errorf("pause = %v after %v, want ErrRateLimited at once", err, time.Since(start))
	}
}

// TestSlotFreedWithoutClose checks that a request's slot outlives neither
// an empty answer nor a body read to its end, even when the caller never
// closes the body (the SDK returns early on an empty body, unclosed).
func TestSlotFreedWithoutClose(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		if r.URL.Query().Get("empty") == "" {
			_, _ = w.Write([]byte("{}"))
		}
	}))
	t.Cleanup(srv.Close)
	const slots = 2
	c, err := New(srv.URL+"/org", PAT("x"), WithMaxConcurrentRequests(slots))
	if err != nil {
		t.Fatal(err)
	}
	get := func(query string) (*http.Response, error) {
		ctx, cancel := context.WithTimeout(t.Context(), time.Second)
		t.Cleanup(cancel)
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, srv.URL+"/org/x?"+query, nil)
		return c.hc.Do(req)
	}
	for i := range 2 * slots {
		if _, err := get("empty=1"); err != nil { // its body is never closed
			t.Fatalf("empty answer %d: %v", i, err)
		}
		resp, err := get("")
		if err != nil {
			t.Fatalf("answer %d: %v", i, err)
		}
		if b, err := io.ReadAll(resp.Body); err != nil || string(b) != "{}" {
			t.Fatalf("answer %d: body %q, %v", i, b, err)
		}
	}
	if len(c.hc.Transport.(*transport).slots) != 0 {
		t.Errorf("%d slots held after every body was read", len(c.hc.Transport.(*transport).slots))
	}
}

// TestRelativeRedirectWithoutResponseRequest follows a relative Location
// from a base RoundTripper that leaves Response.Request unset: it is
// resolved against the request, as http.Client resolves it.
func TestRelativeRedirectWithoutResponseRequest(t *testing.T) {
	var paths []string
	base := roundTripper(func(r *http.Request) (*http.Response, error) {
		paths = append(paths, r.URL.Path)
		resp := &http.Response{StatusCode: http.StatusOK, Header: http.Header{"Content-Type": {"application/json"}},
			Body: io.NopCloser(strings.NewReader("{}")), ContentLength: 2}
		if r.URL.Path == "/org/x" {
			resp.StatusCode, resp.Header = http.StatusFound, http.Header{"Location": {"/org/y"}}
			resp.Body, resp.ContentLength = http.NoBody, 0
		}
		return resp, nil
	})
	c, err := New("https://dev.azure.com/org", PAT("x"), WithHTTPClient(&http.Client{Transport: base}))
	if err != nil {
		t.Fatal(err)
	}
	req, _ := http.NewRequestWithContext(t.Context(), http.MethodGet, "https://dev.azure.com/org/x", nil)
	resp, err := c.hc.Do(req)
	if err != nil {
		t.Fatalf("relative redirect: %v", err)
	}
	resp.Body.Close()
	if got := strings.Join(paths, " "); resp.StatusCode != http.StatusOK || got != "/org/x /org/y" {
		t.Errorf("status %d after %s, want 200 after /org/x /org/y", resp.StatusCode, got)
	}
}

type roundTripper func(*http.Request) (*http.Response, error)

func (f roundTripper) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

// farFutureStore is a ThrottleStore of someone else's that records a time
// no Retry-After could ask for.
type farFutureStore struct{}

func (farFutureStore) Hold(context.Context, string, time.Time, bool) error { return nil }
func (farFutureStore) Held(context.Context, string) (time.Time, time.Time, error) {
	far := time.Date(9999, 12, 31, 0, 0, 0, 0, time.UTC)
	return far, far, nil
}

// TestSharedThrottleIsCapped checks that what a ThrottleStore returns is
// capped as a Retry-After is: a store (or a value in it) cannot lock the
// Client for longer than maxRetryAfter, nor slow it for longer than
// maxSlowDown.
func TestSharedThrottleIsCapped(t *testing.T) {
	tr := &transport{maxWait: time.Minute, store: farFutureStore{}, storeKey: "k", maxSlowDown: time.Minute}
	tr.readShared(t.Context())
	th := &tr.throttle
	th.mu.Lock()
	refused, slow := time.Until(th.until), time.Until(th.slowTil)
	th.mu.Unlock()
	if refused > maxRetryAfter || slow > time.Minute || refused <= 0 || slow <= 0 {
		t.Errorf("after a store's year-9999 times: refused for %v, slowed for %v; want within (0, %v] and (0, 1m]", refused, slow, maxRetryAfter)
	}
}

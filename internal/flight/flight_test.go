package flight

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"
)

func TestSharedFetchKeptForTTL(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var calls atomic.Int64
		c := &Cache[int]{TTL: time.Minute}
		fetch := func(ctx context.Context) (int, error) {
			n := calls.Add(1)
			time.Sleep(time.Second)
			return int(n), nil
		}
		var wg sync.WaitGroup
		for range 5 {
			wg.Go(func() {
				if v, err := c.Get(t.Context(), fetch); v != 1 || err != nil {
					t.Errorf("Get = %d, %v; want 1", v, err)
				}
			})
		}
		wg.Wait()
		if v, _ := c.Get(t.Context(), fetch); v != 1 {
			t.Errorf("within the TTL Get = %d, want the kept 1", v)
		}
		time.Sleep(time.Minute)
		if v, _ := c.Get(t.Context(), fetch); v != 2 {
			t.Errorf("after the TTL Get = %d, want a new fetch (2)", v)
		}
		c.Forget()
		if v, _ := c.Get(t.Context(), fetch); v != 3 {
			t.Errorf("after Forget Get = %d, want a new fetch (3)", v)
		}
	})
}

func TestErrorsAndRejectedValuesAreNotKept(t *testing.T) {
	var calls atomic.Int64
	c := &Cache[int]{TTL: time.Hour, Keep: func(v int) bool { return v%2 == 0 }}
	fetch := func(context.Context) (int, error) {
		n := calls.Add(1)
		if n == 1 {
			return 0, errors.New("boom")
		}
		return int(n), nil
	}
	var got []int
	for range 4 {
		v, _ := c.Get(t.Context(), fetch)
		got = append(got, v)
	}
	// 1: error; 2: kept; then the kept 2.
	if want := []int{0, 2, 2, 2}; !slices.Equal(got, want) {
		t.Errorf("values %v, want %v", got, want)
	}
	c2 := &Cache[int]{TTL: time.Hour, Keep: func(v int) bool { return v%2 == 0 }}
	calls.Store(2)
	v1, _ := c2.Get(t.Context(), fetch) // 3: odd, not kept
	v2, _ := c2.Get(t.Context(), fetch) // 4
	if v1 != 3 || v2 != 4 {
		t.Errorf("rejected value was kept: %d then %d", v1, v2)
	}
}

func TestLastWaiterCancelsAndOthersAreUnaffected(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		c := &Cache[string]{}
		cancelled := make(chan struct{})
		fetch := func(ctx context.Context) (string, error) {
			select {
			case <-time.After(time.Second):
				return "done", nil
			case <-ctx.Done():
				close(cancelled)
				return "", ctx.Err()
			}
		}
		// Two waiters; the impatient one leaving does not cancel.
		impatient, cancel := context.WithTimeout(t.Context(), 100*time.Millisecond)
		defer cancel()
		var wg sync.WaitGroup
		var patient string
		wg.Go(func() { patient, _ = c.Get(t.Context(), fetch) })
		synctest.Wait()
		if _, err := c.Get(impatient, fetch); !errors.Is(err, context.DeadlineExceeded) {
			t.Errorf("impatient Get error = %v", err)
		}
		wg.Wait()
		if patient != "done" {
			t.Errorf("patient Get = %q, want done", patient)
		}
		// A lone waiter leaving cancels the fetch and waits for it.
		ticket := c.Start(t.Context(), fetch)
		ticket.Leave()
		select {
		case <-cancelled:
		default:
			t.Error("the fetch was not cancelled when its last waiter left")
		}
	})
}

// TestFetchDeadlineIsFixed checks that the fetch's context keeps the
// context.Context contract: it reports the deadline of the caller that
// started the fetch, the same however callers join and leave (context.
// WithTimeout under it relies on that), and none when that caller had none.
func TestFetchDeadlineIsFixed(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		start := time.Now()
		deadline := func(ctx context.Context) string {
			dl, ok := ctx.Deadline()
			if !ok {
				return "none"
			}
			return dl.Sub(start).String()
		}
		short, cancelShort := context.WithTimeout(t.Context(), time.Second)
		defer cancelShort()
		long, cancelLong := context.WithTimeout(t.Context(), 10*time.Second)
		defer cancelLong()
		var got []string
		for _, first := range []context.Context{short, t.Context()} {
			c := &Cache[string]{}
			fctx := make(chan context.Context, 1)
			release := make(chan struct{})
			fetch := func(ctx context.Context) (string, error) {
				fctx <- ctx
				<-release
				return "done", nil
			}
			a := c.Start(first, fetch)
			ctx := <-fctx
			got = append(got, deadline(ctx))
			b := c.Start(long, fetch)
			got = append(got, deadline(ctx))
			o := c.Start(t.Context(), fetch)
			got = append(got, deadline(ctx))
			o.Leave()
			b.Leave()
			got = append(got, deadline(ctx))
			close(release)
			if v, err := a.Wait(first); v != "done" || err != nil {
				t.Errorf("Wait = %q, %v; want done", v, err)
			}
		}
		want := []string{"1s", "1s", "1s", "1s", "none", "none", "none", "none"}
		if !slices.Equal(got, want) {
			t.Errorf("fetch deadlines %v, want %v", got, want)
		}
	})
}

// TestWaiterWithMoreTimeFetchesAgain is the regression test for a fetch
// context whose deadline moved as callers joined: a user's fetch that
// bounds each call with context.WithTimeout(ctx, 300ms) and hangs, started
// by a caller with 100ms, joined 20ms later by one with 3s. The first ends
// at its deadline; the second, whose fetch ran out of time, fetches again
// under its own deadline and gets that fetch's answer after its 300ms,
// instead of waiting its whole 3s for DeadlineExceeded.
func TestWaiterWithMoreTimeFetchesAgain(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		// Like orgconfig's: a call that fails makes a degraded value, not
		// kept; the fetch fails only when its own context is done.
		c := &Cache[string]{TTL: time.Minute, Keep: func(v string) bool { return v == "complete" }}
		var calls atomic.Int64
		fetch := func(ctx context.Context) (string, error) {
			calls.Add(1)
			call, cancel := context.WithTimeout(ctx, 300*time.Millisecond)
			defer cancel()
			<-call.Done() // the call hangs
			if ctx.Err() != nil {
				return "", ctx.Err()
			}
			return "degraded", nil
		}
		start := time.Now()
		a, cancelA := context.WithTimeout(t.Context(), 100*time.Millisecond)
		defer cancelA()
		var got [2]string
		var wg sync.WaitGroup
		wg.Go(func() {
			v, err := c.Get(a, fetch)
			got[0] = fmt.Sprintf("%q, %v after %v", v, err, time.Since(start))
		})
		time.Sleep(20 * time.Millisecond)
		b, cancelB := context.WithTimeout(t.Context(), 3*time.Second)
		defer cancelB()
		v, err := c.Get(b, fetch)
		got[1] = fmt.Sprintf("%q, %v after %v", v, err, time.Since(start))
		wg.Wait()
		want := [2]string{
			`"", context deadline exceeded after 100ms`,
			`"degraded", <nil> after 400ms`,
		}
		if got != want {
			t.Errorf("Gets:\n got %q\nwant %q", got, want)
		}
		if n := calls.Load(); n != 2 {
			t.Errorf("fetches = %d, want 2", n)
		}
	})
}

// TestResultAtTheDeadlineIsLate checks that a caller whose deadline has
// come gets context.DeadlineExceeded, even when the fetch ended at that
// same instant with a result, so that the outcome does not depend on which
// of two simultaneous events is seen first.
func TestResultAtTheDeadlineIsLate(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		c := &Cache[string]{}
		fetch := func(ctx context.Context) (string, error) {
			dl, ok := ctx.Deadline()
			if !ok {
				<-ctx.Done()
				return "", ctx.Err()
			}
			time.Sleep(time.Until(dl)) // gives up exactly at the deadline
			return "gave up", nil
		}
		for i := range 20 {
			ctx, cancel := context.WithTimeout(t.Context(), time.Second)
			v, err := c.Get(ctx, fetch)
			cancel()
			if !errors.Is(err, context.DeadlineExceeded) {
				t.Fatalf("run %d: Get = %q, %v; want DeadlineExceeded", i, v, err)
			}
		}
	})
}

// TestForgetDropsTheFetchInFlight checks that a fetch running when Forget
// is called answers its waiters but is not kept, and that callers after
// Forget do not join it.
func TestForgetDropsTheFetchInFlight(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		c := &Cache[int]{TTL: time.Minute}
		var calls atomic.Int64
		release := make(chan struct{})
		fetch := func(context.Context) (int, error) {
			n := calls.Add(1)
			if n == 1 {
				<-release
			}
			return int(n), nil
		}
		old := c.Start(t.Context(), fetch)
		synctest.Wait()
		c.Forget()
		got := []int{}
		v, _ := c.Get(t.Context(), fetch) // not the fetch in flight: 2
		got = append(got, v)
		close(release)
		v, _ = old.Wait(t.Context()) // its waiter still gets 1
		got = append(got, v)
		v, _ = c.Get(t.Context(), fetch) // the kept 2, not the forgotten 1
		got = append(got, v)
		if want := []int{2, 1, 2}; !slices.Equal(got, want) {
			t.Errorf("values %v, want %v", got, want)
		}
	})
}

func TestIdle(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		c := &Cache[int]{TTL: time.Minute}
		release := make(chan struct{})
		var got []bool
		got = append(got, c.Idle()) // empty
		ticket := c.Start(t.Context(), func(context.Context) (int, error) { <-release; return 1, nil })
		got = append(got, c.Idle()) // in flight
		close(release)
		if _, err := ticket.Wait(t.Context()); err != nil {
			t.Fatal(err)
		}
		got = append(got, c.Idle()) // fresh
		time.Sleep(time.Minute)
		got = append(got, c.Idle()) // expired
		if want := []bool{true, false, false, true}; !slices.Equal(got, want) {
			t.Errorf("Idle %v, want %v", got, want)
		}
	})
}

// TestWaiterThatCanWaitFetchesAgain checks that a fetch that gave up
// because it was asked to wait longer than its deadline allowed (Needs)
// does not bind a waiter whose deadline leaves time for that wait: it
// fetches again and waits, as it would have without the shared fetch.
func TestWaiterThatCanWaitFetchesAgain(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		start := time.Now()
		retryAt := start.Add(time.Second) // the server asked for a second of quiet
		c := &Cache[string]{
			Keep:  func(v string) bool { return v == "complete" },
			Needs: func(v string) time.Time { return map[string]time.Time{"throttled": retryAt}[v] },
		}
		fetch := func(ctx context.Context) (string, error) {
			time.Sleep(100 * time.Millisecond) // the refusal arrives
			if dl, ok := ctx.Deadline(); ok && dl.Before(retryAt) {
				return "throttled", nil // the wait does not fit: give up at once
			}
			time.Sleep(time.Until(retryAt))
			return "complete", nil
		}
		get := func(d time.Duration) string {
			ctx, cancel := context.WithTimeout(t.Context(), d)
			defer cancel()
			v, err := c.Get(ctx, fetch)
			return fmt.Sprintf("%s, %v after %v", v, err, time.Since(start))
		}
		var got [3]string
		var wg sync.WaitGroup
		wg.Go(func() { got[0] = get(500 * time.Millisecond) })
		time.Sleep(20 * time.Millisecond)
		wg.Go(func() { got[1] = get(5 * time.Second) })
		wg.Go(func() { got[2] = get(900 * time.Millisecond) }) // cannot wait either
		wg.Wait()
		want := [3]string{
			"throttled, <nil> after 100ms",
			"complete, <nil> after 1s",
			"throttled, <nil> after 100ms",
		}
		if got != want {
			t.Errorf("Gets:\n got %q\nwant %q", got, want)
		}
	})
}

// TestCallerAfterTheLastLeftStartsAfresh: once the last waiter has left,
// a caller arriving while the cancelled fetch is still winding down
// starts a fetch of its own instead of joining the cancelled one and
// getting its context.Canceled.
func TestCallerAfterTheLastLeftStartsAfresh(t *testing.T) {
	c := &Cache[string]{}
	sawCancel, proceed := make(chan struct{}), make(chan struct{})
	slowToStop := func(ctx context.Context) (string, error) {
		<-ctx.Done()
		close(sawCancel)
		<-proceed // still winding down when the next caller comes
		return "", ctx.Err()
	}
	ticket := c.Start(t.Context(), slowToStop)
	left := make(chan struct{})
	go func() { ticket.Leave(); close(left) }()
	<-sawCancel
	next := c.Start(t.Context(), func(context.Context) (string, error) { return "fresh", nil })
	close(proceed)
	<-left
	if v, err := next.Wait(t.Context()); v != "fresh" || err != nil {
		t.Errorf("Get after the last waiter left = %q, %v; want a fetch of its own (fresh)", v, err)
	}
}

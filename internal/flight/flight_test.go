package flight

import (
	"context"
	"errors"
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

// TestFetchSeesLatestWaiterDeadline checks that the fetch's context reports
// the latest deadline of the callers waiting for it, updated as they join
// and leave, and none while one of them has no deadline.
func TestFetchSeesLatestWaiterDeadline(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		start := time.Now()
		c := &Cache[string]{}
		fctx := make(chan context.Context, 1)
		release := make(chan struct{})
		fetch := func(ctx context.Context) (string, error) {
			fctx <- ctx
			<-release
			return "done", nil
		}
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
		open, cancelOpen := context.WithCancel(t.Context())
		defer cancelOpen()

		a := c.Start(short, fetch)
		ctx := <-fctx
		var got []string
		got = append(got, deadline(ctx)) // a: 1s
		b := c.Start(long, fetch)
		got = append(got, deadline(ctx)) // a, b: 10s
		o := c.Start(open, fetch)
		got = append(got, deadline(ctx)) // a, b, o: none
		o.Leave()
		got = append(got, deadline(ctx)) // a, b: 10s
		b.Leave()
		got = append(got, deadline(ctx)) // a: 1s
		close(release)
		if v, err := a.Wait(short); v != "done" || err != nil {
			t.Errorf("Wait = %q, %v; want done", v, err)
		}
		if want := []string{"1s", "10s", "none", "10s", "1s"}; !slices.Equal(got, want) {
			t.Errorf("fetch deadlines %v, want %v", got, want)
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

// TestNestedFetchSeesOuterWaiters checks that a fetch waiting in another
// flight passes its own waiters' deadline on, as it changes: azdo's process
// lookup runs inside orgconfig's shared fetch.
func TestNestedFetchSeesOuterWaiters(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		start := time.Now()
		var outer, inner Cache[string]
		innerCtx := make(chan context.Context, 1)
		release := make(chan struct{})
		innerFetch := func(ctx context.Context) (string, error) {
			innerCtx <- ctx
			<-release
			return "inner", nil
		}
		outerFetch := func(ctx context.Context) (string, error) { return inner.Get(ctx, innerFetch) }
		short, cancelShort := context.WithTimeout(t.Context(), time.Second)
		defer cancelShort()
		long, cancelLong := context.WithTimeout(t.Context(), time.Hour)
		defer cancelLong()
		a := outer.Start(short, outerFetch)
		ctx := <-innerCtx
		dl1, _ := ctx.Deadline()
		b := outer.Start(long, outerFetch)
		dl2, _ := ctx.Deadline()
		b.Leave()
		close(release)
		if v, err := a.Wait(short); v != "inner" || err != nil {
			t.Errorf("Wait = %q, %v", v, err)
		}
		if got, want := []time.Duration{dl1.Sub(start), dl2.Sub(start)}, []time.Duration{time.Second, time.Hour}; !slices.Equal(got, want) {
			t.Errorf("inner fetch deadlines %v, want %v", got, want)
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

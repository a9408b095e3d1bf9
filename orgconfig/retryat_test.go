package orgconfig_test

import (
	"context"
	"math"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/azdosync/azdosync/orgconfig"
)

// throttledFor is a Client's error saying that Azure DevOps throttles it
// for its value.
type throttledFor time.Duration

func (throttledFor) Error() string               { return "throttled" }
func (throttledFor) Is(err error) bool           { return err == orgconfig.ErrThrottled }
func (d throttledFor) RetryDelay() time.Duration { return time.Duration(d) }

// TestThrottledTextForLongDelays: the status field says how long to wait
// in minutes, rounded up, for any delay a Client's RetryDelayer gives: the
// longest a Duration holds (a Client's "forever") read "about 1 minute",
// its minutes having overflowed in the rounding.
func TestThrottledTextForLongDelays(t *testing.T) {
	gate := gateFunc(func(context.Context, string, string) (bool, error) { return true, nil })
	for _, tt := range []struct {
		delay time.Duration
		want  string
	}{
		{90 * time.Second, "Try again in about 2 minutes."},
		{math.MaxInt64, "Try again in about 153722868 minutes."},
	} {
		c := &stubClient{projects: func(context.Context) ([]orgconfig.Project, error) { return nil, throttledFor(tt.delay) }}
		b, err := orgconfig.NewBuilder(c, gate)
		if err != nil {
			t.Fatal(err)
		}
		cfg, err := b.Build(t.Context(), "org-1")
		if err != nil {
			t.Fatal(err)
		}
		got := cfg.StatusField().DisabledReason
		want := "Azure DevOps asked this integration to wait before sending more requests. " + tt.want
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("delay %v: status field's reason (-want +got):\n%s", tt.delay, diff)
		}
	}
}

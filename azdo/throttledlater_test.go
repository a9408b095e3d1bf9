package azdo_test

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/azdosync/azdosync/azdo"
	"github.com/azdosync/azdosync/azdo/azdotest"
	"github.com/azdosync/azdosync/features"
	"github.com/azdosync/azdosync/orgconfig"
)

// TestThrottledWithoutRetryAfter: Azure DevOps answering 429 without a
// Retry-After gives ReasonThrottled with no RetryAt, and the text, which
// said "Try again in about 1 minute", names no time it does not know.
func TestThrottledWithoutRetryAfter(t *testing.T) {
	_, c := newPair(t, azdotest.SampleOrg(), []azdotest.Option{azdotest.WithFaults(azdotest.Fault{Endpoint: azdotest.EndpointProjects, Status: 429})},
		azdo.WithRetry(2, 10*time.Millisecond))
	b, err := orgconfig.NewBuilder(c, features.Static(true))
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := b.Build(t.Context(), "org-1")
	if err != nil {
		t.Fatal(err)
	}
	type result struct {
		Reason  orgconfig.Reason
		RetryAt time.Time
		Text    string
	}
	want := result{Reason: orgconfig.ReasonThrottled,
		Text: "Azure DevOps asked this integration to wait before sending more requests. Try again later."}
	if diff := cmp.Diff(want, result{cfg.Reason, cfg.RetryAt, cfg.StatusField().DisabledReason}); diff != "" {
		t.Errorf("throttled form (-want +got):\n%s", diff)
	}
}

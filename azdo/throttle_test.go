package azdo_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/azdosync/azdosync/azdo"
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

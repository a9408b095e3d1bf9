package azdo_test

import (
	"fmt"
	"testing"

	"github.com/azdosync/azdosync/azdo"
	"github.com/azdosync/azdosync/features"
	"github.com/azdosync/azdosync/orgconfig"
	"github.com/google/go-cmp/cmp"
)

// A Client not made by New (the zero value, or a nil *Client that went
// into an orgconfig.Client interface) fails every call with an error
// saying so, instead of panicking or, for WorkItemStates, answering "no
// states" without asking anyone.
func TestClientNotMadeByNew(t *testing.T) {
	var nilClient *azdo.Client
	for name, c := range map[string]*azdo.Client{"zero": {}, "nil": nilClient} {
		t.Run(name, func(t *testing.T) {
			_, err := c.Projects(t.Context())
			if got, want := fmt.Sprint(err), "azdo: list projects: the Client was not made by New"; got != want {
				t.Errorf("Projects: error %q, want %q", got, want)
			}
			_, err = c.WorkItemStates(t.Context(), "6ce954b1-ce1f-45d1-b94d-e6bf2464ba2c")
			if got, want := fmt.Sprint(err), "azdo: get work item states: the Client was not made by New"; got != want {
				t.Errorf("WorkItemStates: error %q, want %q", got, want)
			}
			got := []string{c.String(), c.GoString(), c.URL(), fmt.Sprintf("%v", c)}
			want := []string{"azdo.Client()", "azdo.Client()", "", "azdo.Client()"}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("printing (-want +got):\n%s", diff)
			}
			_ = c.Shape()

			b, err := orgconfig.NewBuilder(c, features.Static(true))
			if err != nil {
				t.Fatal(err)
			}
			cfg, err := b.Build(t.Context(), "acme")
			if err != nil {
				t.Fatal(err)
			}
			var problems []string
			for _, p := range cfg.Problems {
				problems = append(problems, p.Error())
			}
			if diff := cmp.Diff([]string{"azdo: list projects: the Client was not made by New"}, problems); diff != "" {
				t.Errorf("Problems (-want +got):\n%s", diff)
			}
			if cfg.Reason != orgconfig.ReasonUnreachable {
				t.Errorf("Reason = %q, want %q", cfg.Reason, orgconfig.ReasonUnreachable)
			}
		})
	}
}

// TestZeroAPIError: the zero and nil *APIError and *TokenError print and
// unwrap without panicking, and an APIError without a message does not end
// its text with a colon.
func TestZeroAPIError(t *testing.T) {
	var nilErr *azdo.APIError
	var nilTok *azdo.TokenError
	got := []any{
		(&azdo.APIError{}).Error(), len((&azdo.APIError{}).Unwrap()),
		(&azdo.APIError{StatusCode: 404, Kind: azdo.ErrNotFound}).Error(),
		nilErr.Error(), len(nilErr.Unwrap()), nilErr.Operation(),
		(&azdo.TokenError{}).Error(), nilTok.Error(), nilTok.Unwrap() == nil,
	}
	want := []any{
		"azdo: request: failed", 0,
		"azdo: request: 404 Not Found",
		"<nil>", 0, "",
		"azdo: token func failed", "azdo: token func failed", true,
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}

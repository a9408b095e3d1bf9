package azdo

import (
	"encoding/json"
	"errors"
	"fmt"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

// TestWithOp: whatever the error, withOp keeps it as the cause and names
// the operation once.
func TestWithOp(t *testing.T) {
	other := errors.New("sdk: argument projectId is nil")
	decode := fmt.Errorf("decode: %w", &json.SyntaxError{})
	api := &APIError{Op: "request", StatusCode: 404, Kind: ErrNotFound, Message: "TF200016: no project"}
	for _, tt := range []struct {
		name string
		err  error
		want *APIError
		text string
	}{
		{"an APIError from the transport", fmt.Errorf("Get %q: %w", "https://x", api),
			&APIError{Op: "list projects", StatusCode: 404, Kind: ErrNotFound, Message: "TF200016: no project"},
			"azdo: list projects: 404 Not Found: TF200016: no project"},
		{"a decoding error", decode,
			&APIError{Op: "list projects", Kind: ErrBadResponse, Message: "could not decode the response", Err: decode},
			"azdo: list projects: could not decode the response"},
		{"any other error", other,
			&APIError{Op: "list projects", Kind: ErrBadResponse, Message: "sdk: argument projectId is nil", Err: other},
			"azdo: list projects: sdk: argument projectId is nil"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			got := withOp("list projects", tt.err)
			var apiErr *APIError
			if !errors.As(got, &apiErr) {
				t.Fatalf("%T is not an *APIError", got)
			}
			if diff := cmp.Diff(*tt.want, *apiErr, cmpopts.EquateErrors()); diff != "" {
				t.Errorf("APIError (-want +got):\n%s", diff)
			}
			if got.Error() != tt.text {
				t.Errorf("text %q, want %q", got, tt.text)
			}
			if apiErr.Err != nil && !errors.Is(got, apiErr.Err) {
				t.Errorf("the cause is not reachable")
			}
		})
	}
}

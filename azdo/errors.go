package azdo

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"time"

	"github.com/azdosync/azdosync/orgconfig"
)

// Kinds of failure. Every error a Client returns for an answer of Azure
// DevOps is an [*APIError] that errors.Is reports as one of these.
var (
	// ErrUnauthorized: the credentials were refused or expired (401, or a
	// sign-in page instead of JSON). It wraps orgconfig.ErrUnauthorized.
	ErrUnauthorized = fmt.Errorf("azdo: %w", orgconfig.ErrUnauthorized)
	// ErrForbidden: the credentials lack a permission (403). It wraps
	// orgconfig.ErrForbidden.
	ErrForbidden = fmt.Errorf("azdo: %w", orgconfig.ErrForbidden)
	// ErrNoCredential: the credential (EntraID, TokenFunc) could not
	// produce a token, so nothing was sent. It wraps
	// orgconfig.ErrNoCredential, which is also an
	// orgconfig.ErrUnauthorized.
	ErrNoCredential = fmt.Errorf("azdo: %w", orgconfig.ErrNoCredential)
	// ErrNotFound: the organization, project or resource does not exist
	// (404), or the organization's host does not exist (its name does not
	// resolve). It wraps orgconfig.ErrNotFound.
	ErrNotFound = fmt.Errorf("azdo: %w", orgconfig.ErrNotFound)
	// ErrRateLimited: Azure DevOps throttled the requests (a 429 or 503
	// with Retry-After, seen by this Client or, with WithSharedThrottle,
	// by another Client of the identity) and asked for a longer wait than
	// the retry policy or the context's deadline allows. It wraps
	// orgconfig.ErrThrottled.
	ErrRateLimited = fmt.Errorf("azdo: %w", orgconfig.ErrThrottled)
	// ErrUnavailable: Azure DevOps failed (5xx) or could not be reached,
	// and retries were exhausted.
	ErrUnavailable = errors.New("azdo: service unavailable")
	// ErrBadResponse: the answer could not be used (malformed or
	// truncated JSON, an unexpected content type, too large a body).
	ErrBadResponse = errors.New("azdo: bad response")
	// ErrTooManyProjects: the organization lists more projects than
	// WithMaxProjects allows (default 100 000); paging stopped there. It
	// wraps orgconfig.ErrTooManyProjects.
	ErrTooManyProjects = fmt.Errorf("azdo: %w", orgconfig.ErrTooManyProjects)
)

// APIError describes a failed operation. Use errors.Is with the Err
// variables for the kind and errors.As for the details.
type APIError struct {
	Op         string        // the operation, e.g. orgconfig.OpListProjects ("list projects")
	StatusCode int           // HTTP status; 0 when no answer arrived
	TypeKey    string        // Azure DevOps exception type, e.g. "UnauthorizedRequestException"
	Message    string        // Azure DevOps's message, or what went wrong
	RetryAfter time.Duration // the Retry-After the service asked for, if any
	Kind       error         // one of the Err variables
	Err        error         // the underlying cause, when there is one
}

// Error describes the failure: operation, status and message.
func (e *APIError) Error() string {
	if e == nil {
		return "<nil>"
	}
	op := e.Op
	if op == "" {
		op = "request"
	}
	s := "azdo: " + op + ": "
	if e.StatusCode != 0 {
		s += fmt.Sprintf("%d %s", e.StatusCode, http.StatusText(e.StatusCode))
		if e.Message != "" {
			s += ": "
		}
	}
	switch {
	case e.Message != "":
		s += e.Message
	case e.StatusCode == 0:
		s += "failed"
	}
	if e.RetryAfter > 0 {
		s += fmt.Sprintf(" (retry after %v)", e.RetryAfter)
	}
	return s
}

// Operation returns Op. orgconfig's OpError uses it not to repeat an
// operation this error already names.
func (e *APIError) Operation() string {
	if e == nil {
		return ""
	}
	return e.Op
}

// RetryDelay returns RetryAfter. orgconfig reads it to say until when
// Azure DevOps throttles (orgconfig.Config.RetryAt).
func (e *APIError) RetryDelay() time.Duration {
	if e == nil {
		return 0
	}
	return e.RetryAfter
}

// Unwrap returns the kind and the cause, so that errors.Is(err,
// ErrNotFound), errors.Is(err, orgconfig.ErrUnauthorized) and
// errors.Is(err, orgconfig.ErrForbidden) work.
func (e *APIError) Unwrap() []error {
	if e == nil || e.Kind == nil && e.Err == nil {
		return nil
	}
	if e.Kind == nil {
		return []error{e.Err}
	}
	if e.Err == nil {
		return []error{e.Kind}
	}
	return []error{e.Kind, e.Err}
}

// kindOf maps a status code to a kind.
func kindOf(status int) error {
	switch {
	case status == http.StatusUnauthorized || status == http.StatusNonAuthoritativeInfo:
		return ErrUnauthorized
	case status == http.StatusForbidden:
		return ErrForbidden
	case status == http.StatusNotFound:
		return ErrNotFound
	case status == http.StatusTooManyRequests:
		return ErrRateLimited
	case status >= 500:
		return ErrUnavailable
	}
	return ErrBadResponse
}

// withOp returns err as an *APIError naming op. Errors from the transport
// arrive wrapped by net/http and the SDK and keep their kind. Any other
// error becomes an ErrBadResponse whose Err is err, whatever it is: a JSON
// decoding failure reads "could not decode the response" (the decoder's
// words, such as "invalid character '<'", would only confuse), anything
// else keeps its text.
func withOp(op string, err error) error {
	var apiErr *APIError
	if errors.As(err, &apiErr) {
		e := *apiErr
		e.Op = op
		return &e
	}
	msg := err.Error()
	var syntaxErr *json.SyntaxError
	var typeErr *json.UnmarshalTypeError
	if errors.As(err, &syntaxErr) || errors.As(err, &typeErr) || errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF) {
		msg = "could not decode the response"
	}
	return &APIError{Op: op, Kind: ErrBadResponse, Message: msg, Err: err}
}

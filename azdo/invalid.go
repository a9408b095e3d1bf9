package azdo

import "errors"

// Kinds of bad argument: New and OrgURL check what they are given before
// sending anything, and their errors say which argument was wrong with
// errors.Is, and why in their text.
var (
	// ErrInvalidURL: New's organization URL, or the base URL given to
	// WithLocationService, breaks the URL rules of New.
	ErrInvalidURL = errors.New("azdo: invalid url")
	// ErrInvalidCredential: New's credential is nil or unusable (an empty
	// token, one with white space in it, a nil TokenFunc, a bad EntraID
	// option).
	ErrInvalidCredential = errors.New("azdo: invalid credential")
	// ErrInvalidAccount: OrgURL's account is neither an organization ID
	// (a GUID) nor an organization name.
	ErrInvalidAccount = errors.New("azdo: invalid account")
)

// invalidError is a bad argument of kind (one of the ErrInvalid
// variables); its text is err's, which says what was wrong.
type invalidError struct{ kind, err error }

func invalid(kind, err error) error { return &invalidError{kind: kind, err: err} }

func (e *invalidError) Error() string   { return e.err.Error() }
func (e *invalidError) Unwrap() []error { return []error{e.kind, e.err} }

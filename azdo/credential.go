package azdo

import (
	"context"
	"encoding/base64"
	"errors"
	"log/slog"
)

// Credential yields the Authorization header of each request. It is
// implemented by [EntraID], [PAT], [Bearer] and [TokenFunc], and by
// nothing else (its unexported methods seal it). A Credential never changes once made and
// is safe for concurrent use; several Clients may share one.
//
// The secret is kept in a closure, so even printing a value that holds a
// Credential with reflection-based formatting (%v of a struct, %#v) cannot
// show it; every Credential also prints as "azdo.Credential(redacted)".
type Credential interface {
	authorization(ctx context.Context) (string, error)
	validate() error
	String() string
	GoString() string
	LogValue() slog.Value
}

const redacted = "azdo.Credential(redacted)"

type credential struct {
	kind   string
	header func(ctx context.Context) (string, error)
	check  func() error
}

func (c *credential) validate() error { return c.check() }

func (c *credential) authorization(ctx context.Context) (string, error) { return c.header(ctx) }

// String hides the secret.
func (c *credential) String() string { return redacted }

// GoString hides the secret from %#v.
func (c *credential) GoString() string { return redacted }

// LogValue hides the secret from log/slog.
func (c *credential) LogValue() slog.Value { return slog.StringValue(redacted) }

// PAT authenticates with a personal access token (HTTP Basic with an empty
// user name). New refuses a token with white space or a control character
// in it, such as the newline of the file it was read from.
func PAT(token string) Credential {
	header := "Basic " + base64.StdEncoding.EncodeToString([]byte(":"+token))
	return &credential{kind: "pat", header: func(context.Context) (string, error) { return header, nil }, check: nonEmpty(token)}
}

// Bearer authenticates with an OAuth access token that does not change.
// New refuses a token with white space or a control character in it.
func Bearer(token string) Credential {
	return &credential{kind: "bearer", header: func(context.Context) (string, error) { return "Bearer " + token, nil }, check: nonEmpty(token)}
}

// TokenFunc authenticates with OAuth access tokens from f, called before
// every request, so f can refresh them; it should cache tokens itself. f
// must be safe for concurrent use. Its errors are reported without their
// text, which could hold a secret. A failure, an empty token, or one with
// white space or a control character fails the request with
// [ErrNoCredential] (to orgconfig, a kind of refused credentials) without
// sending it.
func TokenFunc(f func(ctx context.Context) (string, error)) Credential {
	check := func() error {
		if f == nil {
			return errors.New("nil token func")
		}
		return nil
	}
	return &credential{kind: "token func", check: check, header: func(ctx context.Context) (string, error) {
		tok, err := f(ctx)
		if err != nil {
			if ctx.Err() != nil {
				return "", ctx.Err()
			}
			return "", &TokenError{err: err}
		}
		if tok == "" {
			return "", errEmptyToken
		}
		if !cleanToken(tok) {
			return "", errors.New("token func returned a token containing white space or a control character")
		}
		return "Bearer " + tok, nil
	}}
}

func nonEmpty(token string) func() error {
	return func() error {
		if token == "" {
			return errEmptyToken
		}
		if !cleanToken(token) {
			return errors.New("token contains white space or a control character (a newline read with it?)")
		}
		return nil
	}
}

// cleanToken reports whether token has no white space or control
// character, which no PAT or OAuth token holds: one there is the newline
// of a file or a copy-paste, and would be refused as wrong credentials (a
// PAT) or by net/http before sending (a bearer token).
func cleanToken(token string) bool {
	for i := 0; i < len(token); i++ {
		if token[i] <= ' ' || token[i] == 0x7f {
			return false
		}
	}
	return true
}

var errEmptyToken = errors.New("empty token")

// TokenError reports that a [TokenFunc] or an [EntraID] credential failed
// to produce a token. Its text does not repeat a TokenFunc's error, which
// could hold a secret; for EntraID it names the Entra error (see EntraID).
// errors.Is and errors.As still reach the error.
type TokenError struct {
	err  error
	text string // what Error says after "azdo: "; "" for a TokenFunc
}

// Error says the token func failed, without its error, or what the Entra
// ID credential said.
func (e *TokenError) Error() string {
	if e != nil && e.text != "" {
		return "azdo: " + e.text
	}
	return "azdo: token func failed"
}

// Unwrap returns the token func's error.
func (e *TokenError) Unwrap() error {
	if e == nil {
		return nil
	}
	return e.err
}

package azdo

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"

	"github.com/azdosync/azdosync/internal/clip"
	"github.com/azdosync/azdosync/internal/flight"
)

// EntraScope is the scope of Azure DevOps for Microsoft Entra ID tokens:
// its resource ID, 499b84ac-1321-427f-aa17-267ca6975798, with "/.default",
// the permissions granted to the application. [EntraID] asks for it.
const EntraScope = "499b84ac-1321-427f-aa17-267ca6975798/.default"

// DefaultEntraRefreshBefore is how long before its expiry an [EntraID]
// token is replaced, unless [EntraRefreshBefore] says otherwise.
const DefaultEntraRefreshBefore = 5 * time.Minute

// EntraOption configures an [EntraID] credential. [New] validates it with
// the credential.
type EntraOption func(*entraSettings) error

type entraSettings struct {
	refreshBefore time.Duration
}

// EntraRefreshBefore sets how long before its ExpiresOn a token is
// replaced (default [DefaultEntraRefreshBefore]). It must be positive and
// at most an hour, about the life of an Entra ID token.
func EntraRefreshBefore(d time.Duration) EntraOption {
	return func(s *entraSettings) error {
		if d <= 0 || d > time.Hour {
			return fmt.Errorf("entra refresh before must be positive and at most 1h, got %v", d)
		}
		s.refreshBefore = d
		return nil
	}
}

// EntraID authenticates with Microsoft Entra ID access tokens from cred,
// such as an azidentity credential (workload or managed identity, a
// service principal's secret or certificate, the Azure CLI), asked for
// [EntraScope]. This is how Microsoft asks integrations to authenticate
// now that Azure DevOps OAuth apps are deprecated and global personal
// access tokens have stopped working.
//
// A token is reused until shortly before its ExpiresOn (see
// [EntraRefreshBefore]; sooner if its RefreshOn says so) and never after
// it; callers needing a token while one is being fetched wait for that
// one, so that any number of concurrent requests cause one refresh. A
// token already expired when it arrives is never sent, and one that is
// empty or holds white space fails its requests and is not kept.
//
// When cred fails, the request fails with [ErrNoCredential] without
// reaching Azure DevOps, and its error names cred's: the Entra error code
// and its description when there is one (AADSTS65001: consent required,
// AADSTS700016: application not found in the directory, AADSTS90002:
// tenant not found…), else the first line of cred's message, which for
// azidentity's credentials holds no secret. errors.As reaches a
// [*TokenError] and, through it, cred's own error.
func EntraID(cred azcore.TokenCredential, opts ...EntraOption) Credential {
	s := entraSettings{refreshBefore: DefaultEntraRefreshBefore}
	var optErr error
	for i, opt := range opts {
		if opt == nil {
			optErr = fmt.Errorf("entra option %d is nil", i)
			break
		}
		if err := opt(&s); err != nil {
			optErr = err
			break
		}
	}
	check := func() error {
		if cred == nil {
			return errors.New("nil entra id token credential")
		}
		return optErr
	}
	tokens := &flight.Cache[azcore.AccessToken]{Until: func(tok azcore.AccessToken) time.Time {
		until := tok.ExpiresOn.Add(-s.refreshBefore)
		if !tok.RefreshOn.IsZero() && tok.RefreshOn.Before(until) {
			until = tok.RefreshOn
		}
		return until
	}, Keep: func(tok azcore.AccessToken) bool {
		// A token that cannot be sent fails its requests (below) but is
		// not kept for the life it claims: the next request asks again.
		return tok.Token != "" && cleanToken(tok.Token)
	}}
	fetch := func(ctx context.Context) (azcore.AccessToken, error) {
		tok, err := cred.GetToken(ctx, policy.TokenRequestOptions{Scopes: []string{EntraScope}})
		if err != nil {
			// Read once, here: the error is handed to every waiter, and
			// azidentity's Error reads the token endpoint's answer
			// without a lock.
			return azcore.AccessToken{}, &TokenError{err: err, text: "entra id token: " + entraErrorText(err)}
		}
		return tok, nil
	}
	return &credential{kind: "entra id", check: check, header: func(ctx context.Context) (string, error) {
		tok, err := tokens.Get(ctx, fetch)
		if err != nil {
			if ctx.Err() != nil {
				return "", ctx.Err()
			}
			var tokErr *TokenError
			if errors.As(err, &tokErr) {
				return "", tokErr
			}
			return "", &TokenError{err: err, text: "entra id token: " + entraErrorText(err)}
		}
		switch {
		case tok.Token == "":
			return "", &TokenError{err: errEmptyToken, text: "entra id token: the credential returned an empty token"}
		case !cleanToken(tok.Token):
			return "", &TokenError{err: errors.New("bad token"), text: "entra id token: the credential returned a token containing white space or a control character"}
		case !time.Now().Before(tok.ExpiresOn):
			return "", &TokenError{err: errExpiredToken, text: "entra id token: the credential returned a token that has expired (ExpiresOn " + tok.ExpiresOn.UTC().Format(time.RFC3339) + ")"}
		}
		return "Bearer " + tok.Token, nil
	}}
}

var errExpiredToken = errors.New("expired token")

// aadsts finds an Entra error code and its description in a credential's
// error: azidentity quotes the token endpoint's JSON answer, whose
// error_description reads "AADSTS65001: The user or administrator has not
// consented…\r\nTrace ID: …"; the description ends at the escaped line
// break or the closing quote.
var aadsts = regexp.MustCompile(`AADSTS[0-9]+:[^"\\\r\n]*`)

// entraErrorText is what an Entra ID failure says in errors: the Entra
// error code and description, else the first line of err's text, clipped.
func entraErrorText(err error) string {
	msg := err.Error()
	if m := aadsts.FindString(msg); m != "" {
		return clip.String(strings.TrimSpace(m), 400)
	}
	first, _, _ := strings.Cut(msg, "\n")
	return clip.String(strings.TrimSpace(first), 200)
}

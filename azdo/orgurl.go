package azdo

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"

	"github.com/google/uuid"
)

// coreAreaID is the core resource area: where it lives is the
// organization's URL.
const coreAreaID = "79134C72-4A58-4B42-976C-04E7115F32BF"

// defaultLocationService answers resource area lookups for every
// organization on Azure DevOps Services.
const defaultLocationService = "https://app.vssps.visualstudio.com"

// OrgURL returns the URL of the Azure DevOps organization identified by
// account: its ID (a GUID, as the reference stores it) or its name. It asks
// the resource-areas service, which needs no credentials, and checks the
// answer with the same rules as New.
//
// The request is GET {base}/_apis/resourceAreas/{core area}?hostId={id}
// (or ?accountName={name}), api-version 5.0-preview.1, sent without an
// Authorization header to WithLocationService's base URL (default
// https://app.vssps.visualstudio.com). Retries, timeouts, the body limit,
// WithAllowedHosts (for the location service, its redirects and the answer)
// and the error kinds are those of a Client; an unknown account, or an
// answer without a locationUrl, is ErrNotFound. The answer is read
// strictly: a key appearing twice (also in another case), locationUrl
// spelled in another case, or data after the object is ErrBadResponse, as
// is a plain http URL from an https location service (the token would go
// in clear). The URL returned is normalized as [Client.URL] is, ready for
// New. A malformed account is [ErrInvalidAccount], a bad location service
// URL [ErrInvalidURL]; options that apply to a Client only (such as
// WithWorkItemTypes) are refused.
func OrgURL(ctx context.Context, account string, opts ...Option) (string, error) {
	const op = "look up organization url"
	s, err := applyOptions(forOrgURL, opts)
	if err != nil {
		return "", err
	}
	q := url.Values{"api-version": {"5.0-preview.1"}}
	switch id, err := uuid.Parse(account); {
	case err == nil:
		q.Set("hostId", id.String())
	case validAccountName(account):
		q.Set("accountName", account)
	default:
		return "", invalid(ErrInvalidAccount, fmt.Errorf("azdo: %s: account must be an organization id (a guid) or an organization name (letters, digits and hyphens)", op))
	}
	base, err := parseServiceURL(s.locationService, "location service url", s.allowedHosts)
	if err != nil {
		return "", invalid(ErrInvalidURL, fmt.Errorf("azdo: %s: %w", op, err))
	}
	hc := newHTTPClient(s, base, nil) // no credential: the lookup is anonymous

	req, err := http.NewRequestWithContext(ctx, http.MethodGet, base.String()+"/_apis/resourceAreas/"+coreAreaID+"?"+q.Encode(), nil)
	if err != nil {
		return "", fmt.Errorf("azdo: %s: %w", op, err)
	}
	req.Header.Set("Accept", "application/json")
	req.Header.Set("User-Agent", s.userAgent)
	resp, err := hc.Do(req)
	if err != nil {
		return "", fail(ctx, op, err)
	}
	defer resp.Body.Close()
	raw, err := parseLocationAnswer(resp.Body)
	switch {
	case errors.Is(err, errNoLocation):
		return "", &APIError{Op: op, StatusCode: resp.StatusCode, Kind: ErrNotFound, Message: "the location service knows no url for this organization"}
	case err != nil:
		var apiErr *APIError
		if errors.As(err, &apiErr) { // too large or cut short
			return "", withOp(op, err)
		}
		return "", &APIError{Op: op, StatusCode: resp.StatusCode, Kind: ErrBadResponse, Message: "could not decode the response: " + err.Error(), Err: err}
	}
	u, err := parseOrgURL(raw, s.allowedHosts)
	if err == nil && base.Scheme == "https" && u.Scheme != "https" {
		// The token would go in clear where an attacker on the path of the
		// lookup chose, such as a local port.
		err = errors.New("an https location service answered a plain http url")
	}
	if err != nil {
		return "", &APIError{Op: op, StatusCode: resp.StatusCode, Kind: ErrBadResponse, Message: "the location service answered an unusable url: " + err.Error()}
	}
	return u.String(), nil
}

// validAccountName accepts organization names as Azure DevOps allows them:
// letters, digits and hyphens, starting and ending with a letter or digit,
// at most 63 characters (a DNS label, as in {name}.visualstudio.com).
func validAccountName(name string) bool {
	if name == "" || len(name) > 63 || name[0] == '-' || name[len(name)-1] == '-' {
		return false
	}
	for _, r := range name {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-') {
			return false
		}
	}
	return true
}

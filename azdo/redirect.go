package azdo

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
)

// checkRedirect refuses redirects to the sign-in page (as ErrUnauthorized),
// to a host the organization URL could not name (see checkHost), off the
// allowed hosts, down from https to http, to plain http off loopback, or
// to a location with credentials (userinfo) in it.
// The transport only sends credentials to the organization's own host, so
// a redirect elsewhere never carries them.
func (t *transport) checkRedirect(req *http.Request, resp *http.Response) error {
	refuse := func(format string, args ...any) error {
		return &APIError{StatusCode: resp.StatusCode, Kind: ErrBadResponse, Message: fmt.Sprintf(format, args...)}
	}
	// Resolved against the request, as http.Client resolves it: a base
	// RoundTripper need not set resp.Request.
	loc, err := req.URL.Parse(resp.Header.Get("Location"))
	if err != nil {
		return refuse("redirect without a valid location")
	}
	host := strings.ToLower(loc.Hostname())
	if isSignIn(loc) {
		return &APIError{StatusCode: resp.StatusCode, Kind: ErrUnauthorized,
			Message: "azure devops redirected to its sign-in page; the credentials were not accepted"}
	}
	switch {
	case loc.Scheme != "https" && loc.Scheme != "http":
		return refuse("refused a redirect to scheme %q", loc.Scheme)
	case loc.Scheme == "http" && t.https:
		return refuse("refused a redirect from https to plain http")
	case loc.Scheme == "http" && !isLoopback(host):
		return refuse("refused a redirect to plain http")
	case loc.User != nil:
		// http.Client would send them as Basic credentials of its own.
		return refuse("refused a redirect to a location with credentials in it")
	}
	if err := checkHost(host); err != nil {
		return refuse("refused a redirect: %v", err)
	}
	if len(t.allowed) > 0 && host != hostOnly(t.host) && !hostAllowed(host, t.allowed) {
		return refuse("refused a redirect to host %q, which is not allowed", host)
	}
	return nil
}

func hostOnly(hostport string) string {
	u := url.URL{Host: hostport}
	return u.Hostname()
}

func isSignIn(u *url.URL) bool {
	host := strings.ToLower(u.Hostname())
	path := strings.ToLower(u.Path)
	return strings.Contains(path, "_signin") || strings.HasSuffix(host, "vssps.visualstudio.com") ||
		host == "login.microsoftonline.com" || host == "login.live.com"
}

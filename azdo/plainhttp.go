package azdo

import (
	"errors"
	"net/url"
	"strings"
)

// WithInsecureHTTP lets New take an organization URL with plain http off
// loopback, such as http://tfs:8080/tfs/DefaultCollection: many Azure
// DevOps Server installs on an intranet serve no TLS.
//
// The credentials (the PAT, the token) then travel in clear: anyone on
// the network path can read them and act as the integration. Use it only
// for a server that has no https, on a network you trust; never by
// default. Azure DevOps Services (dev.azure.com, *.visualstudio.com)
// answers only https and is refused in http even with this option.
// Redirects still never lead to plain http off loopback. [OrgURL] ignores
// it.
func WithInsecureHTTP() Option {
	return func(s *settings) error {
		s.insecureHTTP = true
		return nil
	}
}

// parseClientURL checks New's organization URL under s: with
// WithInsecureHTTP, an http URL is checked as the same URL over https
// (they differ only in scheme), then keeps its scheme, unless it names
// Azure DevOps Services.
func parseClientURL(raw string, s settings) (*url.URL, error) {
	rest, plain := cutPrefixFold(raw, "http://")
	if !s.insecureHTTP || !plain {
		return parseOrgURL(raw, s.allowedHosts)
	}
	u, err := parseOrgURL("https://"+rest, s.allowedHosts)
	if err != nil {
		return nil, err
	}
	if host := u.Hostname(); host == "dev.azure.com" || strings.HasSuffix(host, ".visualstudio.com") {
		return nil, errors.New("organization url must use https: Azure DevOps Services does not answer plain http (WithInsecureHTTP is for Azure DevOps Server)")
	}
	u.Scheme = "http"
	return u, nil
}

// cutPrefixFold is strings.CutPrefix ignoring ASCII case, as URL schemes
// compare.
func cutPrefixFold(s, prefix string) (string, bool) {
	if len(s) >= len(prefix) && strings.EqualFold(s[:len(prefix)], prefix) {
		return s[len(prefix):], true
	}
	return s, false
}

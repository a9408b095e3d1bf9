package azdo

import (
	"errors"
	"net/url"
	"strings"
)

// WithInsecureHTTP lets New take a plain http organization URL off
// loopback, such as http://tfs:8080/tfs/DefaultCollection, for Azure
// DevOps Server installs that serve no TLS. The credentials then travel in
// clear: anyone on the network path can act as the integration. Use it
// only for a server without https on a network you trust. Azure DevOps
// Services is refused in http even so, and redirects still never lead to
// plain http off loopback. It applies to New only.
func WithInsecureHTTP() Option {
	return func(s *settings) error {
		if err := s.only(forNew, "WithInsecureHTTP"); err != nil {
			return err
		}
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

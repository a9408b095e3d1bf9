package main

import "strings"

// The ETag of GET /organizations/{org}/config is "V.F": V is the version of
// the stored values (see version; it changes when a save changes them) and
// F a digest of the whole response body (form, healed values, dropped
// entries, problems). A PUT answers with "V" alone, the version it stored.
//
//   - If-None-Match (GET) compares whole tags, weakly (W/"x" matches "x"), as
//     RFC 9110 §13.1.2 says; "*" matches any representation.
//   - If-Match (PUT) compares V only, strongly (a weak tag never matches),
//     so a save is refused (412) only when someone saved other values since
//     the admin loaded the form, not when the form itself changed (a
//     project added in Azure DevOps); "*" matches, as a configuration
//     always exists.
//
// Both headers take a comma-separated list. A header that does not parse
// matches nothing.

// entityTag is one tag of an If-Match or If-None-Match list.
type entityTag struct {
	weak   bool
	opaque string // between the quotes
}

// parseETags parses a list of entity tags; star reports "*".
func parseETags(header string) (tags []entityTag, star bool, ok bool) {
	s := strings.TrimSpace(header)
	if s == "*" {
		return nil, true, true
	}
	for {
		s = strings.TrimLeft(s, " \t,")
		if s == "" {
			return tags, false, len(tags) > 0
		}
		var t entityTag
		if rest, weak := strings.CutPrefix(s, "W/"); weak {
			t.weak, s = true, rest
		}
		if !strings.HasPrefix(s, `"`) {
			return nil, false, false
		}
		end := strings.IndexByte(s[1:], '"')
		if end < 0 {
			return nil, false, false
		}
		t.opaque, s = s[1:1+end], s[2+end:]
		if s != "" && s[0] != ',' && s[0] != ' ' && s[0] != '\t' {
			return nil, false, false
		}
		tags = append(tags, t)
	}
}

// noneMatch reports whether an If-None-Match header matches the current
// tag (opaque, without quotes): the GET answers 304.
func noneMatch(header, current string) bool {
	tags, star, ok := parseETags(header)
	if !ok {
		return false
	}
	if star {
		return true
	}
	for _, t := range tags {
		if t.opaque == current {
			return true
		}
	}
	return false
}

// ifMatch returns the test of an If-Match header against the stored
// values' version, for Store.Save; nil when there is no header or it is
// "*". A header that does not parse matches no version.
func ifMatch(header string) func(version string) bool {
	if strings.TrimSpace(header) == "" {
		return nil
	}
	tags, star, ok := parseETags(header)
	if star {
		return nil
	}
	return func(version string) bool {
		if !ok {
			return false
		}
		for _, t := range tags {
			v, _, _ := strings.Cut(t.opaque, ".")
			if !t.weak && v == version {
				return true
			}
		}
		return false
	}
}

// configETag is the tag of a GET response (quoted).
func configETag(version, digest string) string { return `"` + version + "." + digest + `"` }

// versionETag is the tag of a PUT response (quoted).
func versionETag(version string) string { return `"` + version + `"` }

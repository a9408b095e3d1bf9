package azdo

import (
	"errors"
	"runtime/debug"
	"strings"
	"unicode"
)

const modulePath = "github.com/azdosync/azdosync"

// WithUserAgent names the program in the User-Agent header of every
// request (a Client's after the SDK's own words: Go's and the SDK's versions), so that
// the organization's admins and Microsoft can tell whose requests these
// are. The default is this library's name and version, such as
// "azdosync/v1.2.0" ("azdosync/devel" when built from a clone). It applies
// to New and OrgURL.
func WithUserAgent(ua string) Option {
	return func(s *settings) error {
		if ua == "" || len(ua) > 256 || strings.TrimSpace(ua) != ua || strings.ContainsFunc(ua, func(r rune) bool { return unicode.IsControl(r) || r > unicode.MaxASCII }) {
			return errors.New("user agent must be 1 to 256 printable ascii characters without white space at either end")
		}
		s.userAgent = ua
		return nil
	}
}

// defaultUserAgent is "azdosync/" and the module's version as the build
// recorded it.
func defaultUserAgent() string {
	v := "devel"
	if bi, ok := debug.ReadBuildInfo(); ok {
		if bi.Main.Path == modulePath && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
			v = bi.Main.Version
		}
		for _, d := range bi.Deps {
			if d.Path == modulePath && d.Version != "" {
				v = d.Version
			}
		}
	}
	return "azdosync/" + v
}

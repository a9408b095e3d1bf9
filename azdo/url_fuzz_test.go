package azdo

import (
	"errors"
	"net"
	"net/url"
	"strconv"
	"strings"
	"testing"
)

// FuzzParseOrgURL checks that URL validation never panics and that what it
// accepts is safe to send credentials to and stable when parsed again.
func FuzzParseOrgURL(f *testing.F) {
	for _, seed := range []string{
		"https://dev.azure.com/fabrikam", "https://fabrikam.visualstudio.com/", "http://127.0.0.1:8080/org",
		"https://user:pass@dev.azure.com/org", "http://10.0.0.1/org", "https://[::1]/x", "https://169.254.169.254/",
		"https://bücher.example/org", "https://dev.azure.com/org?x#y", "//dev.azure.com/org", "https://%zz", "",
		"https://0", "https://0:8443/", "https://2852039166/org", "https://0xa9fea9fe/org", "https://0251.0376.0251.0376/org",
		"https://169.254.43518/", "http://127.1/org", "https://010.0.0.1/org", "https://tfs.0x10/org", "https://0x1.example.com/org",
		"https://[::ffff:169.254.169.254]/org", "https://[fe80::1%25eth0]/org",
		"https://[fd00:ec2::254]/org", "https://[64:ff9b::a9fe:a9fe]/org", "https://[::a9fe:a9fe]/org", "https://[64:ff9b::1425:9e00]/org",
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		u, err := parseOrgURL(raw, nil)
		if err != nil {
			return
		}
		host := u.Hostname()
		switch {
		case u.User != nil, u.RawQuery != "", u.Fragment != "":
			t.Fatalf("accepted %q with userinfo, query or fragment", raw)
		case u.Scheme != "https" && !(u.Scheme == "http" && isLoopback(host)):
			t.Fatalf("accepted %q with scheme %q", raw, u.Scheme)
		case strings.HasSuffix(u.Path, "/"):
			t.Fatalf("accepted %q keeping a trailing slash", raw)
		case net.ParseIP(host) == nil && parsesAsNumber(host):
			t.Fatalf("accepted %q, whose host a resolver may read as a numeric IPv4 address", raw)
		case net.ParseIP(host) != nil && checkDialled(net.JoinHostPort(host, "443"), true) != nil:
			t.Fatalf("accepted %q, whose address the dial-time check refuses: %v", raw, checkDialled(net.JoinHostPort(host, "443"), true))
		}
		again, err := parseOrgURL(u.String(), nil)
		if err != nil {
			t.Fatalf("normalized %q to %q, which is then refused: %v", raw, u.String(), err)
		}
		if again.String() != u.String() {
			t.Fatalf("normalizing is not stable: %q → %q → %q", raw, u.String(), again.String())
		}
		if _, err := url.Parse(u.String() + "/_apis"); err != nil {
			t.Fatalf("accepted %q, but a request URL built on it does not parse: %v", raw, err)
		}
	})
}

// parsesAsNumber is the WHATWG URL test for a host to parse as IPv4: its
// last label is a number, decimal, octal or hex. ParseUint with base 0
// accepts those, independently of the code under test, and Go's own
// spellings too (0b1, 0o7, 1_0), which no IPv4 parser reads as numbers.
func parsesAsNumber(host string) bool {
	last := strings.ToLower(host[strings.LastIndex(host, ".")+1:])
	if last == "0x" {
		return true
	}
	if strings.HasPrefix(last, "0b") || strings.HasPrefix(last, "0o") || strings.Contains(last, "_") {
		return false
	}
	_, err := strconv.ParseUint(last, 0, 64)
	return err == nil || errors.Is(err, strconv.ErrRange)
}

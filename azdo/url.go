package azdo

import (
	"fmt"
	"net"
	"net/url"
	"strconv"
	"strings"
	"unicode"
)

// maxHostLen is the longest DNS name.
const maxHostLen = 253

// parseOrgURL checks an organization URL and returns it normalized, with
// no trailing slash. Errors describe the problem without repeating the URL,
// which might carry credentials.
func parseOrgURL(raw string, allowed []string) (*url.URL, error) {
	u, err := parseServiceURL(raw, "organization url", allowed)
	if err != nil {
		return nil, err
	}
	host := u.Hostname()
	switch {
	case host == "dev.azure.com":
		if u.Path == "" || strings.Count(u.Path, "/") != 1 {
			return nil, fmt.Errorf("organization url on dev.azure.com must be https://dev.azure.com/{organization}")
		}
		if name := u.Path[1:]; !validAccountName(name) {
			return nil, fmt.Errorf("organization %q on dev.azure.com is not a name Azure DevOps allows (letters, digits and hyphens)", name)
		}
	case strings.HasSuffix(host, ".visualstudio.com"):
		if u.Path != "" && strings.Count(u.Path, "/") > 1 {
			return nil, fmt.Errorf("organization url on visualstudio.com must be https://{organization}.visualstudio.com")
		}
	}
	return u, nil
}

// parseServiceURL checks the URL of an Azure DevOps service (what names
// it in errors) with the rules of organization URLs but their shape, and
// returns it normalized: lower-case host, no trailing slash.
func parseServiceURL(raw, what string, allowed []string) (*url.URL, error) {
	if raw == "" {
		return nil, fmt.Errorf("empty %s", what)
	}
	// A newline read with the URL, or a space pasted at either end: say so
	// (url.Parse's error would quote the URL, which may hold credentials;
	// a trailing space it would even accept, as %20).
	if strings.TrimSpace(raw) != raw || strings.ContainsFunc(raw, unicode.IsControl) {
		return nil, fmt.Errorf("%s does not parse: it has white space at either end or a control character (a newline read with it?)", what)
	}
	u, err := url.Parse(raw)
	if err != nil {
		return nil, fmt.Errorf("%s does not parse", what)
	}
	if u.User != nil {
		return nil, fmt.Errorf("%s must not contain credentials; pass them as a Credential", what)
	}
	if u.RawQuery != "" || u.ForceQuery || u.Fragment != "" {
		return nil, fmt.Errorf("%s must not have a query or fragment", what)
	}
	if u.Opaque != "" || u.Host == "" {
		return nil, fmt.Errorf("%s must be absolute, like https://dev.azure.com/{organization}", what)
	}
	host := strings.ToLower(u.Hostname())
	if port := u.Port(); port != "" {
		if n, err := strconv.Atoi(port); err != nil || n < 1 || n > 65535 {
			return nil, fmt.Errorf("%s port %q is not a port number", what, port)
		}
	}
	if err := checkHost(host); err != nil {
		return nil, fmt.Errorf("%s %w", what, err)
	}
	switch u.Scheme {
	case "https":
	case "http":
		if !isLoopback(host) {
			return nil, fmt.Errorf("%s must use https (http is allowed only for loopback hosts)", what)
		}
	default:
		return nil, fmt.Errorf("%s scheme %q is not https", what, u.Scheme)
	}
	if len(allowed) > 0 && !hostAllowed(host, allowed) {
		return nil, fmt.Errorf("%s host %q is not in the allowed hosts", what, host)
	}
	u.Path = strings.TrimRight(u.Path, "/")
	u.RawPath = ""
	u.Host = strings.ToLower(u.Host)
	return u, nil
}

// checkHost applies the rules every host this client talks to must meet,
// the organization's and every redirect target's. Its error starts with
// "host" and names the host and its problem.
func checkHost(host string) error {
	if len(host) > maxHostLen {
		return fmt.Errorf("host is longer than %d characters", maxHostLen)
	}
	if !validHost(host) {
		return fmt.Errorf("host %q is not a valid host name", host)
	}
	ip := net.ParseIP(host)
	if ip == nil && endsInNumber(host) {
		// 0, 2852039166, 0xa9fea9fe, 0251.0376.0251.0376, 127.1: the libc
		// resolver and browsers read these as IPv4 addresses (0.0.0.0,
		// 169.254.169.254, ...) that the checks below would refuse.
		return fmt.Errorf("host %q reads as a numeric ipv4 address; write an address as four decimal numbers, like 10.1.2.3", host)
	}
	if ip != nil {
		if why := refusedIP(ip); why != "" {
			return fmt.Errorf("host %s %s", host, why)
		}
	}
	return nil
}

// NAT64's well-known prefix (64:ff9b::/96, RFC 6052) and the networks of
// the cloud metadata services over IPv6: AWS (fd00:ec2::254) and Google
// Cloud (fd20:ce::254).
var (
	nat64         = &net.IPNet{IP: net.ParseIP("64:ff9b::"), Mask: net.CIDRMask(96, 128)}
	ipv4Compat    = &net.IPNet{IP: net.IPv6zero, Mask: net.CIDRMask(96, 128)}
	metadataNets6 = []*net.IPNet{
		{IP: net.ParseIP("fd00:ec2::"), Mask: net.CIDRMask(32, 128)},
		{IP: net.ParseIP("fd20:ce::"), Mask: net.CIDRMask(32, 128)},
	}
)

// refusedIP says why no Azure DevOps server can live at ip ("" when one
// can): unspecified, multicast and link-local addresses (link-local holds
// cloud metadata services, a classic target of forged URLs), the metadata
// services' IPv6 unique-local networks, IPv4-compatible IPv6 addresses,
// and the NAT64 forms of refused or loopback IPv4 addresses. IPv4-mapped
// addresses (::ffff:a.b.c.d) are judged as the IPv4 address they carry.
func refusedIP(ip net.IP) string {
	if ip.IsUnspecified() || ip.IsMulticast() || ip.IsLinkLocalUnicast() || ip.IsLinkLocalMulticast() {
		return "is not a unicast server address"
	}
	if ip.To4() != nil {
		return ""
	}
	for _, n := range metadataNets6 {
		if n.Contains(ip) {
			return "is a cloud metadata service address"
		}
	}
	if ip.Equal(net.IPv6loopback) {
		return ""
	}
	if ipv4Compat.Contains(ip) {
		return "is an ipv4-compatible ipv6 address; write the ipv4 address itself"
	}
	if nat64.Contains(ip) {
		v4 := net.IP(ip[12:16])
		if v4.IsLoopback() || refusedIP(v4) != "" {
			return "is the nat64 form of " + v4.String() + ", which is not a server address"
		}
	}
	return ""
}

// endsInNumber reports whether a host's last label is a number in any
// spelling an IPv4 parser accepts: decimal, octal (leading 0) or hex (0x),
// as the WHATWG URL standard decides whether a host is IPv4. No top-level
// domain is a number.
func endsInNumber(host string) bool {
	last := host[strings.LastIndexByte(host, '.')+1:]
	if hex, ok := strings.CutPrefix(last, "0x"); ok {
		return strings.Trim(hex, "0123456789abcdef") == ""
	}
	return last != "" && strings.Trim(last, "0123456789") == ""
}

// validHost accepts DNS names of ASCII letters, digits, '-' and '.', and IP
// literals. Internationalized names must be given in their xn-- form, so
// that look-alike hosts cannot hide in Unicode.
func validHost(host string) bool {
	if host == "" {
		return false
	}
	if net.ParseIP(host) != nil {
		return true
	}
	for _, label := range strings.Split(host, ".") {
		if label == "" || len(label) > 63 || label[0] == '-' || label[len(label)-1] == '-' {
			return false
		}
		for _, r := range label {
			if !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '-') {
				return false
			}
		}
	}
	return true
}

func isLoopback(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// hostAllowed matches a host against allowed names; "*.example.com" allows
// subdomains of example.com.
func hostAllowed(host string, allowed []string) bool {
	for _, a := range allowed {
		a = strings.ToLower(a)
		if rest, ok := strings.CutPrefix(a, "*."); ok {
			if strings.HasSuffix(host, "."+rest) {
				return true
			}
			continue
		}
		if host == a {
			return true
		}
	}
	return false
}

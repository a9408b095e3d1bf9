package azdo

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"sync"
	"syscall"
	"time"
)

// DialControl returns a [net.Dialer] Control function that applies the
// host rules of [New] to every address actually dialled, after name
// resolution: a DNS name (of the organization, or of a redirect's target)
// that resolves to an unspecified, multicast or link-local address (cloud
// metadata services live there), a metadata service's IPv6 address, an
// IPv4-compatible IPv6 address or the NAT64 form of a refused address is
// refused before any byte is sent, as is a loopback address unless
// allowLoopback is true.
//
// Clients whose requests go through the default HTTP client (no
// [WithHTTPClient], or one whose Transport is nil) use it already,
// allowing loopback only when the organization URL is itself a loopback
// host. With a Transport of your own, your dialer decides what is
// dialled: add it there, as in
//
//	dialer := &net.Dialer{Timeout: 30 * time.Second, Control: azdo.DialControl(false)}
//	tr := &http.Transport{DialContext: dialer.DialContext, Proxy: http.ProxyFromEnvironment}
//
// Through a proxy, the dialer sees only the proxy's address: the proxy
// resolves and dials the organization.
func DialControl(allowLoopback bool) func(network, address string, c syscall.RawConn) error {
	return func(network, address string, _ syscall.RawConn) error {
		return checkDialled(address, allowLoopback)
	}
}

// dialRefusedError is DialControl's refusal of an address.
type dialRefusedError struct{ msg string }

func (e *dialRefusedError) Error() string { return e.msg }

// checkDialled applies the host rules to an ip:port about to be dialled.
func checkDialled(address string, allowLoopback bool) error {
	refuse := func(format string, args ...any) error {
		return &dialRefusedError{"azdo: refused to dial " + fmt.Sprintf(format, args...)}
	}
	host, _, err := net.SplitHostPort(address)
	if err != nil {
		return refuse("%q: not an address", address)
	}
	ip := net.ParseIP(host)
	if ip == nil {
		return refuse("%q: not an ip address", address)
	}
	if why := refusedIP(ip); why != "" {
		return refuse("%s: it %s", ip, why)
	}
	if ip.IsLoopback() && !allowLoopback {
		return refuse("%s: a loopback address, and the organization url is not a loopback host", ip)
	}
	return nil
}

// guardedTransports are the base transports of Clients without a
// Transport of their own: http.DefaultTransport's settings, with a dialer
// checking every address it dials (DialControl). One allows loopback
// addresses (organization URLs on a loopback host), one does not; each is
// shared, as http.DefaultTransport would be, so that Clients share
// connections.
var guardedTransports = sync.OnceValue(func() [2]*http.Transport {
	return [2]*http.Transport{newGuardedTransport(false, nil), newGuardedTransport(true, nil)}
})

// guardedTransport returns the base transport for a Client whose
// organization (or location service) is at u, dialling through resolver
// (nil: the default one; tests set another).
func guardedTransport(u *url.URL, resolver *net.Resolver) *http.Transport {
	loopback := isLoopback(u.Hostname())
	if resolver != nil {
		return newGuardedTransport(loopback, resolver)
	}
	if loopback {
		return guardedTransports()[1]
	}
	return guardedTransports()[0]
}

func newGuardedTransport(allowLoopback bool, resolver *net.Resolver) *http.Transport {
	var tr *http.Transport
	if dt, ok := http.DefaultTransport.(*http.Transport); ok {
		tr = dt.Clone()
	} else { // replaced by the program: net/http's defaults
		tr = &http.Transport{Proxy: http.ProxyFromEnvironment, ForceAttemptHTTP2: true, MaxIdleConns: 100,
			IdleConnTimeout: 90 * time.Second, TLSHandshakeTimeout: 10 * time.Second, ExpectContinueTimeout: time.Second}
	}
	direct := &net.Dialer{Timeout: 30 * time.Second, KeepAlive: 30 * time.Second, Resolver: resolver}
	guarded := *direct
	guarded.Control = DialControl(allowLoopback)
	proxied := proxyAddrs(tr.Proxy)
	tr.DialContext = func(ctx context.Context, network, addr string) (net.Conn, error) {
		if proxied[addr] {
			// The proxy dials the organization; a proxy on loopback
			// (127.0.0.1:3128) is the program's own choice.
			return direct.DialContext(ctx, network, addr)
		}
		return guarded.DialContext(ctx, network, addr)
	}
	return tr
}

// proxyAddrs returns the host:port of the proxies proxy chooses for https
// and http requests (from HTTPS_PROXY and HTTP_PROXY, by default).
func proxyAddrs(proxy func(*http.Request) (*url.URL, error)) map[string]bool {
	addrs := map[string]bool{}
	if proxy == nil {
		return addrs
	}
	for _, scheme := range []string{"https", "http"} {
		p, err := proxy(&http.Request{URL: &url.URL{Scheme: scheme, Host: "dev.azure.com"}})
		if err != nil || p == nil {
			continue
		}
		port := p.Port()
		if port == "" {
			port = map[string]string{"https": "443", "socks5": "1080"}[p.Scheme]
			if port == "" {
				port = "80"
			}
		}
		addrs[net.JoinHostPort(p.Hostname(), port)] = true
	}
	return addrs
}

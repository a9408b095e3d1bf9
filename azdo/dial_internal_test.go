package azdo

import (
	"net/http"
	"net/url"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestProxyAddrs: the guarded transport dials the environment's proxy
// without the host rules (a proxy on loopback is the program's choice),
// so it must know the proxy's host:port as dialled, default ports
// included.
func TestProxyAddrs(t *testing.T) {
	for _, tt := range []struct {
		proxy string
		want  map[string]bool
	}{
		{"", map[string]bool{}},
		{"http://127.0.0.1:3128", map[string]bool{"127.0.0.1:3128": true}},
		{"http://proxy.corp", map[string]bool{"proxy.corp:80": true}},
		{"https://proxy.corp", map[string]bool{"proxy.corp:443": true}},
		{"socks5://[::1]", map[string]bool{"[::1]:1080": true}},
	} {
		var proxy func(*http.Request) (*url.URL, error)
		if tt.proxy != "" {
			u, err := url.Parse(tt.proxy)
			if err != nil {
				t.Fatal(err)
			}
			proxy = http.ProxyURL(u)
		}
		if diff := cmp.Diff(tt.want, proxyAddrs(proxy)); diff != "" {
			t.Errorf("proxyAddrs(%q) (-want +got):\n%s", tt.proxy, diff)
		}
	}
}

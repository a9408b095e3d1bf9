package azdo_test

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/azdosync/azdosync/azdo"
	"github.com/azdosync/azdosync/azdo/azdotest"
)

// loopbackResolver is a DNS resolver answering every A query with
// 127.0.0.1 and every other query with no records, over an in-memory
// connection: a name that resolves to a refused address, without dialling
// anything but loopback.
func loopbackResolver(queries *atomic.Int64) *net.Resolver {
	return &net.Resolver{PreferGo: true, Dial: func(context.Context, string, string) (net.Conn, error) {
		client, server := net.Pipe()
		go serveDNS(server, queries)
		return client, nil
	}}
}

// serveDNS answers DNS queries framed as over TCP (net.Pipe is not a
// PacketConn) until the connection closes.
func serveDNS(c net.Conn, queries *atomic.Int64) {
	defer c.Close()
	for {
		var n uint16
		if err := binary.Read(c, binary.BigEndian, &n); err != nil {
			return
		}
		q := make([]byte, n)
		if _, err := io.ReadFull(c, q); err != nil || len(q) < 12 {
			return
		}
		queries.Add(1)
		end := 12 // the question: name, type, class
		for end < len(q) && q[end] != 0 {
			end += int(q[end]) + 1
		}
		end += 5
		if end > len(q) {
			return
		}
		qtype := binary.BigEndian.Uint16(q[end-4:])
		resp := append([]byte(nil), q[:end]...)
		resp[2], resp[3] = 0x81, 0x80            // a response, recursion available, no error
		binary.BigEndian.PutUint16(resp[6:], 0)  // answers
		binary.BigEndian.PutUint16(resp[8:], 0)  // authority
		binary.BigEndian.PutUint16(resp[10:], 0) // additional
		if qtype == 1 {                          // A
			binary.BigEndian.PutUint16(resp[6:], 1)
			resp = append(resp, 0xc0, 12, 0, 1, 0, 1, 0, 0, 0, 60, 0, 4, 127, 0, 0, 1)
		}
		out := binary.BigEndian.AppendUint16(nil, uint16(len(resp)))
		if _, err := c.Write(append(out, resp...)); err != nil {
			return
		}
	}
}

// TestDialTimeHostRules: with the default HTTP client, a DNS name whose
// address is refused (here loopback, for an organization URL that is not
// loopback) is never connected to, where before only the literal host was
// checked; the error says why. A loopback listener stands at the address,
// counting connections.
func TestDialTimeHostRules(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	var accepted atomic.Int64
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			accepted.Add(1)
			c.Close()
		}
	}()
	_, port, _ := net.SplitHostPort(ln.Addr().String())

	var queries atomic.Int64
	var logs lockedBuffer
	c, err := azdo.New("https://fabrikam.example:"+port+"/tfs/DefaultCollection", azdo.PAT(testToken),
		azdo.WithResolver(loopbackResolver(&queries)),
		azdo.WithLogger(slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))))
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(t.Context(), 5*time.Second)
	defer cancel()
	_, err = c.Projects(ctx)
	var apiErr *azdo.APIError
	if !errors.As(err, &apiErr) || !strings.Contains(err.Error(), "refused to dial 127.0.0.1: a loopback address, and the organization url is not a loopback host") {
		t.Errorf("Projects error = %v, want the dial refused", err)
	}
	if queries.Load() == 0 {
		t.Error("the fake DNS server was never asked")
	}
	if n := accepted.Load(); n != 0 {
		t.Errorf("%d connections reached the address the name resolved to, want 0", n)
	}
	// Asking again would dial the same refused address.
	if strings.Contains(logs.String(), "azdo: retrying") {
		t.Errorf("a refused dial was retried:\n%s", logs.String())
	}
}

// lockedBuffer is a bytes.Buffer safe for the concurrent writes of a
// Client's requests' log records.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// TestDialTimeAllowsLoopbackOrganizations: an organization URL on a
// loopback host (azdotest's) is dialled through the default client, by
// address and by the name localhost.
func TestDialTimeAllowsLoopbackOrganizations(t *testing.T) {
	srv := azdotest.NewServer(t, azdotest.SampleOrg(), azdotest.WithPAT(testToken))
	for _, u := range []string{srv.URL(), strings.Replace(srv.URL(), "127.0.0.1", "localhost", 1)} {
		c, err := azdo.New(u, azdo.PAT(testToken))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := c.Projects(t.Context()); err != nil {
			t.Errorf("Projects at %s: %v", u, err)
		}
	}
}

// TestDialControl: the exported check, for callers' own dialers, refuses
// what the host rules refuse, whatever the name that led there, without
// dialling.
func TestDialControl(t *testing.T) {
	for _, tt := range []struct {
		addr     string
		loopback bool
		want     string // "" for allowed
	}{
		{"20.37.158.0:443", false, ""},
		{"10.1.2.3:443", false, ""},
		{"[2603:1030::1]:443", false, ""},
		{"[64:ff9b::1425:9e00]:443", false, ""}, // NAT64 of a public address (DNS64)
		{"127.0.0.1:443", true, ""},
		{"[::1]:443", true, ""},
		{"127.0.0.1:443", false, "refused to dial 127.0.0.1: a loopback address"},
		{"[::ffff:127.0.0.1]:443", false, "refused to dial 127.0.0.1: a loopback address"},
		{"[::1]:443", false, "refused to dial ::1: a loopback address"},
		{"169.254.169.254:80", true, "refused to dial 169.254.169.254: it is not a unicast server address"},
		{"[::ffff:169.254.169.254]:80", true, "refused to dial 169.254.169.254: it is not a unicast server address"},
		{"[fd00:ec2::254]:80", true, "refused to dial fd00:ec2::254: it is a cloud metadata service address"},
		{"[64:ff9b::a9fe:a9fe]:80", true, "refused to dial 64:ff9b::a9fe:a9fe: it is the nat64 form of 169.254.169.254"},
		{"[::a9fe:a9fe]:80", true, "refused to dial ::a9fe:a9fe: it is an ipv4-compatible ipv6 address"},
		{"0.0.0.0:443", true, "refused to dial 0.0.0.0: it is not a unicast server address"},
		{"[fe80::1%eth0]:443", true, "refused to dial"},
		{"dev.azure.com:443", false, `refused to dial "dev.azure.com:443": not an ip address`},
	} {
		err := azdo.DialControl(tt.loopback)("tcp", tt.addr, nil)
		switch {
		case tt.want == "" && err != nil:
			t.Errorf("DialControl(%t)(%s) = %v, want allowed", tt.loopback, tt.addr, err)
		case tt.want != "" && (err == nil || !strings.Contains(err.Error(), tt.want)):
			t.Errorf("DialControl(%t)(%s) = %v, want %q", tt.loopback, tt.addr, err, tt.want)
		}
	}
}

// TestWithHTTPClientNilTransport: WithHTTPClient with a nil Transport keeps
// the default client's dial-time check.
func TestWithHTTPClientNilTransport(t *testing.T) {
	var queries atomic.Int64
	c, err := azdo.New("https://fabrikam.example:1/org", azdo.PAT(testToken),
		azdo.WithHTTPClient(&http.Client{Timeout: 5 * time.Second}), azdo.WithResolver(loopbackResolver(&queries)), azdo.WithRetry(1, 0))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.Projects(t.Context()); err == nil || !strings.Contains(err.Error(), "refused to dial 127.0.0.1") {
		t.Errorf("Projects error = %v, want the dial refused", err)
	}
}

// With a Transport of your own, its dialer decides what is dialled: add
// DialControl to it so that a DNS name resolving to a link-local or
// metadata address is refused as a literal one is.
func ExampleDialControl() {
	dialer := &net.Dialer{Timeout: 30 * time.Second, Control: azdo.DialControl(false)}
	hc := &http.Client{Transport: &http.Transport{
		Proxy:               http.ProxyFromEnvironment,
		DialContext:         dialer.DialContext,
		TLSHandshakeTimeout: 10 * time.Second,
	}}
	client, err := azdo.New("https://dev.azure.com/fabrikam", azdo.PAT("token"), azdo.WithHTTPClient(hc))
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(client.URL())
	// Output: https://dev.azure.com/fabrikam
}

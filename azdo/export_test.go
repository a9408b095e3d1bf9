package azdo

import "net"

// WithResolver makes the default client's dialer resolve names through r,
// as a test's fake DNS answers them.
func WithResolver(r *net.Resolver) Option {
	return func(s *settings) error {
		s.resolver = r
		return nil
	}
}

// UseSDKPath makes c ask the SDK's generated clients from the start, as
// after a pinned route was refused, for benchmarks that compare the paths.
func UseSDKPath(c *Client) { c.discovery.on.Store(true) }

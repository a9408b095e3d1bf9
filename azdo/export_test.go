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

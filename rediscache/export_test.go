package rediscache

import "time"

// WithClock makes the Cache read the time from now instead of time.Now,
// as a replica whose clock is off would.
func WithClock(now func() time.Time) Option {
	return func(s *settings) error {
		s.now = now
		return nil
	}
}

// MaxHold is how far ahead a recorded wait is believed.
const MaxHold = maxHold

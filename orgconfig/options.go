package orgconfig

import (
	"errors"
	"fmt"
	"log/slog"
	"time"
)

// Option configures a [Builder]. Options are validated by [NewBuilder].
type Option func(*settings) error

type settings struct {
	concurrency       int
	stateProjectLimit int
	cacheTTL          time.Duration
	logger            *slog.Logger
	platform          string
	translate         func(string) string
	perProjectChoices bool
	statesURL         string      // WithStatesURL; implies perProjectChoices
	shared            SharedCache // WithSharedCache
	sharedKey         string
}

func defaultSettings() settings {
	return settings{
		concurrency: 8,
		logger:      slog.New(slog.DiscardHandler),
		platform:    "Sentry",
		translate:   func(s string) string { return s },
	}
}

// WithConcurrency bounds the Builder's fan-out: how many WorkItemStates
// calls one Build runs at once. The default is 8; n must be at least 1.
// The Client may bound its requests further (azdo.WithMaxConcurrentRequests
// bounds a Client's requests in flight across all its callers and its own
// lookups).
func WithConcurrency(n int) Option {
	return func(s *settings) error {
		if n < 1 {
			return fmt.Errorf("concurrency must be at least 1, got %d", n)
		}
		s.concurrency = n
		return nil
	}
}

// WithStateProjectLimit fetches states for only the first n projects in
// drop-down order. 0, the default, means every project; 6 reproduces the
// reference integration.
func WithStateProjectLimit(n int) Option {
	return func(s *settings) error {
		if n < 0 {
			return fmt.Errorf("state project limit must not be negative, got %d", n)
		}
		s.stateProjectLimit = n
		return nil
	}
}

// WithCacheTTL reuses the projects and states of a complete fetch for d
// (default 0: off). Concurrent Builds share one fetch; one caller's
// cancellation does not fail the others, and a cached Build fails fast
// into the degraded form when an uncached one would. Failed or partial
// fetches are not kept; the feature gate is asked on every Build.
// [Builder.Forget] drops what it holds. Cost: one snapshot in memory.
func WithCacheTTL(d time.Duration) Option {
	// The shared fetch (internal/flight) runs detached from any one Build's
	// cancellation, is cancelled when the last of them gives up, and shows
	// the Client the deadline of the Build that started it, fixed for its
	// life, so that a wait that Build cannot afford (a long Retry-After)
	// fails fast as it would without the cache. A Build with a later
	// deadline whose shared fetch ran out of time, or gave up on a
	// Retry-After it has time to wait for, fetches again under its own; a
	// Build whose own deadline comes first ends with
	// context.DeadlineExceeded.
	return func(s *settings) error {
		if d < 0 {
			return fmt.Errorf("cache ttl must not be negative, got %v", d)
		}
		s.cacheTTL = d
		return nil
	}
}

// WithLogger logs the flow's progress and problems at debug and warn
// level: at debug, where each Build's snapshot came from (cache: memory
// hit, memory miss, shared hit, shared fill; read from azure devops),
// with the organization (the Client's String, when it has one: azdo's
// is its URL) and the duration. By default nothing is logged.
func WithLogger(l *slog.Logger) Option {
	return func(s *settings) error {
		if l == nil {
			return errors.New("logger must not be nil")
		}
		s.logger = l
		return nil
	}
}

// WithPlatformName replaces "Sentry" in labels and help texts. Only the
// name changes: "When a Sentry issue changes status" becomes "When a Acme
// issue changes status"; reword such a text with WithTranslator.
func WithPlatformName(name string) Option {
	return func(s *settings) error {
		if name == "" {
			return errors.New("platform name must not be empty")
		}
		s.platform = name
		return nil
	}
}

// WithTranslator applies f to every user-visible string of the form: labels,
// help texts, placeholders, messages and disabled reasons. f receives the
// English text with the platform name already filled in. State and project
// names are not translated. NewBuilder calls f once per text and Build
// never does, so f need not be safe for concurrent use; a service
// answering in several languages keeps a Builder per language.
func WithTranslator(f func(string) string) Option {
	return func(s *settings) error {
		if f == nil {
			return errors.New("translator must not be nil")
		}
		s.translate = f
		return nil
	}
}

// WithPerProjectChoices offers each project only its own states: the
// status field carries "perItemMapping": true and selectors per project
// ID. A project whose states are unknown is offered the union; when no
// project's states are known the field stays flat. Heal saved values with
// [Config.PruneStatusMapping] before rendering them: a row keyed by a gone
// or differently spelled ID has no selectors. Cost: the form repeats each
// project's states (394 KB at 1 000 projects; [WithStatesURL] avoids it).
func WithPerProjectChoices() Option {
	// Flat when the projects are unknown (a gated form, a failed project
	// list) or no project's states are: the union, or no choices with the
	// placeholder, and no "perItemMapping", since a renderer would find no
	// selectors for the saved rows. Unknown states: failed, or beyond
	// WithStateProjectLimit.
	return func(s *settings) error {
		s.perProjectChoices = true
		return nil
	}
}

package azdo

import (
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"time"
)

// Option configures a [Client] made by [New], or the lookup of [OrgURL].
// New takes every option but WithLocationService; OrgURL takes
// WithHTTPClient, WithRetry, WithRequestTimeout, WithLogger,
// WithAllowedHosts, WithMaxResponseBytes, WithUserAgent and
// WithLocationService. Each refuses, with an error, an option that does
// not apply to it, as it refuses an invalid one.
type Option func(*settings) error

// target is the function applying options, as errors name it.
type target struct{ op, fn string }

var (
	forNew    = target{op: "new client", fn: "New"}
	forOrgURL = target{op: "look up organization url", fn: "OrgURL"}
)

// only refuses option unless it is applied by t.
func (s *settings) only(t target, option string) error {
	if s.target != t {
		return fmt.Errorf("%s applies to %s, not to %s", option, t.fn, s.target.fn)
	}
	return nil
}

type settings struct {
	target          target // who applies the options
	userAgent       string
	httpClient      *http.Client
	workItemTypes   []string
	projectTypes    func(projectID string) []string // WithProjectWorkItemTypes
	maxAttempts     int
	maxWait         time.Duration
	requestTimeout  time.Duration
	logger          *slog.Logger
	allowedHosts    []string
	maxBody         int64
	processAPI      bool
	maxInFlight     int
	projectPageSize int
	locationService string
	maxProjects     int
	throttleStore   ThrottleStore // WithSharedThrottle
	throttleKey     string
	insecureHTTP    bool          // WithInsecureHTTP
	maxSlowDown     time.Duration // WithMaxSlowDown
	resolver        *net.Resolver // the default client's dialer's; tests set it
}

// applyOptions returns the default settings changed by opts, in order;
// its errors name t's operation.
func applyOptions(t target, opts []Option) (settings, error) {
	s := defaultSettings()
	s.target = t
	for i, opt := range opts {
		if opt == nil {
			return settings{}, fmt.Errorf("azdo: %s: option %d is nil", t.op, i)
		}
		if err := opt(&s); err != nil {
			return settings{}, fmt.Errorf("azdo: %s: %w", t.op, err)
		}
	}
	return s, nil
}

func defaultSettings() settings {
	return settings{
		workItemTypes:   []string{RefBug, RefIssue, RefTask},
		maxAttempts:     4,
		maxWait:         10 * time.Second,
		requestTimeout:  30 * time.Second,
		logger:          slog.New(slog.DiscardHandler),
		maxBody:         32 << 20,
		processAPI:      true,
		maxInFlight:     16,
		projectPageSize: 1000,
		locationService: defaultLocationService,
		maxProjects:     100000,
		maxSlowDown:     time.Minute,
		userAgent:       defaultUserAgent(),
	}
}

// WithHTTPClient sends requests through a copy of hc: its Transport becomes
// the base under the Client's own retrying, authenticating transport, and
// its Jar and Timeout are kept. hc itself is not modified.
//
// Its Transport's dialer decides which addresses are dialled: the Client
// checks the hosts of URLs and redirects, but not what a name resolves to.
// Add [DialControl] to that dialer to refuse link-local and metadata
// addresses behind DNS names too. When Transport is nil, the Client uses
// its own default, which does (as without WithHTTPClient).
func WithHTTPClient(hc *http.Client) Option {
	return func(s *settings) error {
		if hc == nil {
			return errors.New("http client must not be nil")
		}
		s.httpClient = hc
		return nil
	}
}

// WithWorkItemTypes sets the work item types whose states a project uses:
// the first that exists and is enabled wins. Each is a reference name
// (Microsoft.VSTS.WorkItemTypes.UserStory, Custom.Defect), which does not
// change with the collection's language, or a display name ("User
// Story"); a process type matches by its reference name or the one it
// inherits from, else by display name. The default is RefBug, RefIssue,
// RefTask; RefBug is asked through a project's Bug category where the
// process API cannot answer, so that a localized or custom bug type is
// found too. See WithProjectWorkItemTypes for a choice per project.
func WithWorkItemTypes(names ...string) Option {
	return func(s *settings) error {
		if err := s.only(forNew, "WithWorkItemTypes"); err != nil {
			return err
		}
		if len(names) == 0 {
			return errors.New("work item types must not be empty")
		}
		for _, n := range names {
			if strings.TrimSpace(n) == "" {
				return errors.New("work item type names must not be empty")
			}
		}
		s.workItemTypes = append([]string(nil), names...)
		return nil
	}
}

// WithProjectWorkItemTypes chooses the work item types per project: fn
// returns, for a project ID, the types to try there as WithWorkItemTypes
// takes them (nil: WithWorkItemTypes's), so that a platform creating User
// Stories in one project offers that type's states there. fn is called
// from several goroutines at once: it must be safe for concurrent use and
// fast. Builders sharing snapshots (orgconfig.WithSharedCache) must use
// the same fn.
func WithProjectWorkItemTypes(fn func(projectID string) []string) Option {
	return func(s *settings) error {
		// An empty name fails that project's states with an error naming
		// it. Shape says only that a fn is set, not which.
		if err := s.only(forNew, "WithProjectWorkItemTypes"); err != nil {
			return err
		}
		if fn == nil {
			return errors.New("project work item types function must not be nil")
		}
		s.projectTypes = fn
		return nil
	}
}

// WithRetry sets how many times a GET, HEAD or OPTIONS request is tried in
// all (default 4) and the longest single wait the Client accepts, for
// backoff or a Retry-After (default 10s). A longer Retry-After fails the
// request at once with ErrRateLimited. Requests other than GET, HEAD and
// OPTIONS are never retried.
func WithRetry(maxAttempts int, maxWait time.Duration) Option {
	return func(s *settings) error {
		if maxAttempts < 1 {
			return fmt.Errorf("retry attempts must be at least 1, got %d", maxAttempts)
		}
		if maxWait < 0 {
			return fmt.Errorf("retry max wait must not be negative, got %v", maxWait)
		}
		s.maxAttempts, s.maxWait = maxAttempts, maxWait
		return nil
	}
}

// WithRequestTimeout bounds each try of a request, body included
// (default 30s).
func WithRequestTimeout(d time.Duration) Option {
	return func(s *settings) error {
		if d <= 0 {
			return fmt.Errorf("request timeout must be positive, got %v", d)
		}
		s.requestTimeout = d
		return nil
	}
}

// WithLogger logs retries and failures at debug level. Nothing secret is
// logged. By default the Client is silent.
func WithLogger(l *slog.Logger) Option {
	return func(s *settings) error {
		if l == nil {
			return errors.New("logger must not be nil")
		}
		s.logger = l
		return nil
	}
}

// WithAllowedHosts refuses organization URLs, and redirects, to hosts not
// listed. "*.example.com" allows the subdomains of example.com. Each entry
// is a host name or IP address, without scheme, port or path.
func WithAllowedHosts(hosts ...string) Option {
	return func(s *settings) error {
		if len(hosts) == 0 {
			return errors.New("allowed hosts must not be empty")
		}
		for _, h := range hosts {
			if !isHostPattern(h) {
				return fmt.Errorf("allowed host %q is not a host name (such as dev.azure.com or *.visualstudio.com)", h)
			}
		}
		s.allowedHosts = append([]string(nil), hosts...)
		return nil
	}
}

// WithMaxResponseBytes bounds the size of a response body (default 32 MiB).
func WithMaxResponseBytes(n int64) Option {
	return func(s *settings) error {
		if n < 1 {
			return fmt.Errorf("max response bytes must be positive, got %d", n)
		}
		s.maxBody = n
		return nil
	}
}

// WithProcessAPI turns the process API on (the default) or off. Off, every
// project's states cost two requests or more of their own, as on servers
// without the process API.
func WithProcessAPI(on bool) Option {
	return func(s *settings) error {
		if err := s.only(forNew, "WithProcessAPI"); err != nil {
			return err
		}
		s.processAPI = on
		return nil
	}
}

// WithMaxConcurrentRequests bounds how many requests this Client has in
// flight at once (default 16): across all its callers (such as the
// Builders sharing it, each fanning out orgconfig.WithConcurrency state
// fetches) and its own lookups (the process lookup asks every used
// process at once, up to this bound, and Projects asks its later pages
// this many at a time). Requests beyond it wait for a slot,
// or for their context to end. It is the one bound on the load a Client
// puts on Azure DevOps, whose rate limits count per identity.
func WithMaxConcurrentRequests(n int) Option {
	return func(s *settings) error {
		if err := s.only(forNew, "WithMaxConcurrentRequests"); err != nil {
			return err
		}
		if n < 1 {
			return fmt.Errorf("max concurrent requests must be at least 1, got %d", n)
		}
		s.maxInFlight = n
		return nil
	}
}

// WithProjectPageSize sets how many projects Projects asks for per page
// ($top, default 1 000: the most projects an organization on Azure DevOps
// Services holds, so that one request usually lists them all). The server
// may answer with fewer; the rest follow by continuation token.
func WithProjectPageSize(n int) Option {
	return func(s *settings) error {
		if err := s.only(forNew, "WithProjectPageSize"); err != nil {
			return err
		}
		if n < 1 {
			return fmt.Errorf("project page size must be at least 1, got %d", n)
		}
		s.projectPageSize = n
		return nil
	}
}

// WithLocationService sets the base URL of the service [OrgURL] asks for
// an organization's URL (default https://app.vssps.visualstudio.com; a test
// passes azdotest's Server.LocationServiceURL). It applies to OrgURL only.
func WithLocationService(baseURL string) Option {
	return func(s *settings) error {
		if err := s.only(forOrgURL, "WithLocationService"); err != nil {
			return err
		}
		if _, err := parseServiceURL(baseURL, "location service url", nil); err != nil {
			return invalid(ErrInvalidURL, err)
		}
		s.locationService = baseURL
		return nil
	}
}

// WithMaxProjects bounds how many projects Projects lists (default
// 100 000; an organization on Azure DevOps Services holds at most 1 000,
// on-premises collections more). Each page is bounded by
// WithMaxResponseBytes; this bounds their sum. Past it, Projects stops
// paging and fails with ErrTooManyProjects.
func WithMaxProjects(n int) Option {
	return func(s *settings) error {
		if err := s.only(forNew, "WithMaxProjects"); err != nil {
			return err
		}
		if n < 1 {
			return fmt.Errorf("max projects must be at least 1, got %d", n)
		}
		s.maxProjects = n
		return nil
	}
}

// WithMaxSlowDown caps what one Retry-After on a success can impose
// (default a minute): Azure DevOps sends it on 200s to ask clients to slow
// down, which is advice, so that one answer saying "Retry-After: 86400"
// cannot slow every request of the identity for a day, here and, with
// WithSharedThrottle, across the fleet. A refusal's Retry-After (429, 503)
// stays capped at 24 hours. 0 ignores slow-downs; d must be between 0 and
// 24 hours.
func WithMaxSlowDown(d time.Duration) Option {
	return func(s *settings) error {
		if err := s.only(forNew, "WithMaxSlowDown"); err != nil {
			return err
		}
		if d < 0 || d > maxRetryAfter {
			return fmt.Errorf("max slow-down must be between 0 and %v, got %v", maxRetryAfter, d)
		}
		s.maxSlowDown = d
		return nil
	}
}

// isHostPattern reports whether h can match a host as hostAllowed compares
// them: a host name or IP address, optionally under a leading "*.". An
// entry with a scheme, port or path would silently match nothing.
func isHostPattern(h string) bool {
	name := strings.TrimPrefix(h, "*.")
	if name == "" || strings.ContainsAny(name, "/@?#*[]% \t\r\n") {
		return false
	}
	return !strings.Contains(name, ":") || net.ParseIP(name) != nil
}

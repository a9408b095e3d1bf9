package azdo

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"mime"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/azdosync/azdosync/internal/clip"
	"github.com/azdosync/azdosync/internal/flight"
)

// transport is the RoundTripper under every SDK request: it authenticates,
// retries, honours throttling, classifies failures and bounds bodies.
type transport struct {
	base           http.RoundTripper
	cred           Credential
	host           string   // the organization's host[:port], lower-case
	https          bool     // the organization's URL is https: never redirect to http
	allowed        []string // WithAllowedHosts
	maxAttempts    int
	maxWait        time.Duration
	requestTimeout time.Duration
	maxBody        int64
	logger         *slog.Logger
	throttle       throttle
	store          ThrottleStore      // WithSharedThrottle
	shared         flight.Cache[held] // the store's last answer, for sharedReadEvery
	storeKey       string
	maxSlowDown    time.Duration // WithMaxSlowDown: the cap of a Retry-After on a success
	slots          chan struct{} // one per request in flight, held until its body is closed
	discovery      flight.Cache[*storedResponse]
	discoveryURL   string // the organization's OPTIONS _apis
}

// storedResponse is a response read whole, to hand to several callers.
type storedResponse struct {
	status int
	header http.Header
	body   []byte
}

// throttle remembers the Retry-After of the latest answers. After a
// refusal (429, 503) no request may start before then; after a success it
// is a request to slow down, honoured as far as the retry policy allows.
type throttle struct {
	mu      sync.Mutex
	until   time.Time // refusals: no request before then
	slowTil time.Time // successes: slow down until then
}

// remaining returns how long to wait before the next request and whether
// that wait is mandatory.
func (th *throttle) remaining() (time.Duration, bool) {
	th.mu.Lock()
	defer th.mu.Unlock()
	if d := time.Until(th.until); d > 0 {
		return d, true
	}
	return time.Until(th.slowTil), false
}

func idempotent(method string) bool {
	return method == http.MethodGet || method == http.MethodHead || method == http.MethodOptions
}

func retryableStatus(code int) bool {
	switch code {
	case http.StatusTooManyRequests, http.StatusBadGateway, http.StatusServiceUnavailable, http.StatusGatewayTimeout:
		return true
	}
	return false
}

// followable reports whether http.Client follows a redirect of this
// status. It does not follow 300, 304 or 305: passed on, such an answer
// would reach the SDK, which would neither use nor close it.
func followable(code int) bool {
	switch code {
	case http.StatusMovedPermanently, http.StatusFound, http.StatusSeeOther,
		http.StatusTemporaryRedirect, http.StatusPermanentRedirect:
		return true
	}
	return false
}

func (t *transport) RoundTrip(req *http.Request) (*http.Response, error) {
	if req.Method != http.MethodOptions {
		return t.roundTrip(req)
	}
	// The SDK sends OPTIONS only to discover locations: at the
	// organization's _apis, shared, or wherever a redirect led it.
	var stored *storedResponse
	var err error
	if req.URL.String() == t.discoveryURL {
		stored, err = t.discovery.Get(req.Context(), func(ctx context.Context) (*storedResponse, error) {
			return t.discover(req.WithContext(ctx))
		})
	} else {
		stored, err = t.discover(req)
	}
	if err != nil {
		return nil, err
	}
	return &http.Response{
		Status: fmt.Sprintf("%d %s", stored.status, http.StatusText(stored.status)), StatusCode: stored.status,
		Proto: "HTTP/1.1", ProtoMajor: 1, ProtoMinor: 1,
		Header: stored.header.Clone(), Body: io.NopCloser(bytes.NewReader(stored.body)),
		ContentLength: int64(len(stored.body)), Request: req,
	}, nil
}

// discover asks for the SDK's location discovery (OPTIONS _apis) and
// reads the answer whole, a success vetted by checkLocations.
//
// At the organization's _apis, one request answers all concurrent callers
// (t.discovery). The SDK caches locations only after an answer, so every
// caller that starts before then sends its own OPTIONS; a thousand
// concurrent first Builds would send a thousand.
func (t *transport) discover(req *http.Request) (*storedResponse, error) {
	resp, err := t.roundTrip(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	// Bounded: roundTrip hands back 2xx bodies under the size limit and
	// redirects already read within it.
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, err
	}
	if resp.StatusCode >= 200 && resp.StatusCode < 300 {
		if body, err = checkLocations(resp.StatusCode, body); err != nil {
			return nil, err
		}
	}
	return &storedResponse{status: resp.StatusCode, header: resp.Header.Clone(), body: body}, nil
}

func (t *transport) roundTrip(req *http.Request) (*http.Response, error) {
	ctx := req.Context()
	attempts := 1
	if idempotent(req.Method) {
		attempts = t.maxAttempts
	}
	var last error
	for attempt := 1; ; attempt++ {
		t.readShared(ctx) // WithSharedThrottle
		if d, mandatory := t.throttle.remaining(); d > 0 {
			if !mandatory {
				d = min(d, t.maxWait)
			}
			if mandatory || t.fits(ctx, d) {
				if err := t.pause(ctx, d, true); err != nil {
					return nil, err
				}
			}
		}
		resp, err := t.attempt(req)
		if err != nil {
			if ctx.Err() != nil {
				return nil, ctx.Err()
			}
			var apiErr *APIError
			if errors.As(err, &apiErr) {
				return nil, err // the credential failed; retrying will not help
			}
			if noSuchHost(err) {
				// The organization URL is wrong; asking again will not help.
				return nil, &APIError{Kind: ErrNotFound, Message: "could not reach azure devops: " + describeNetErr(err)}
			}
			last = &APIError{Kind: ErrUnavailable, Message: "could not reach azure devops: " + describeNetErr(err)}
		} else {
			ra := retryAfter(resp.StatusCode, resp.Header)
			if ra > 0 {
				t.noteThrottle(ctx, ra, refusal(resp.StatusCode))
			}
			if resp.StatusCode >= 200 && resp.StatusCode < 300 {
				return t.accept(resp)
			}
			if resp.StatusCode < 200 {
				// 101 Switching Protocols: net/http hands back the raw
				// connection as the body, which neither ctx nor the try's
				// timeout ends. Never read it: closing it closes the
				// connection.
				_ = resp.Body.Close()
				return nil, &APIError{StatusCode: resp.StatusCode, Kind: ErrBadResponse,
					Message: "azure devops answered an informational status instead of a response"}
			}
			if followable(resp.StatusCode) && resp.Header.Get("Location") != "" {
				// Judged here, not in CheckRedirect: the SDK replaces the
				// error http.Client returns from CheckRedirect with its own
				// reading of the redirect response.
				if err := t.checkRedirect(req, resp); err != nil {
					discard(resp)
					return nil, err
				}
				// Read whole (bounded) and closed here, so that the slot is
				// free whatever the caller does with the answer.
				return t.buffered(resp) // http.Client follows it
			}
			apiErr := t.readAPIError(req, resp, ra)
			if !retryableStatus(resp.StatusCode) {
				return nil, apiErr
			}
			last = apiErr
		}
		if attempt >= attempts {
			t.logger.DebugContext(ctx, "azdo: giving up", "method", req.Method, "path", req.URL.Path, "attempts", attempt, "err", last)
			return nil, last
		}
		wait := backoff(attempt, t.maxWait)
		var apiErr *APIError
		if errors.As(last, &apiErr) && apiErr.RetryAfter > 0 {
			wait = apiErr.RetryAfter
		}
		if !t.fits(ctx, wait) {
			return nil, last // the wait asked for is longer than we may wait
		}
		t.logger.DebugContext(ctx, "azdo: retrying", "method", req.Method, "path", req.URL.Path, "attempt", attempt, "wait", wait, "err", last)
		if err := t.pause(ctx, wait, false); err != nil {
			return nil, err
		}
	}
}

// fits reports whether waiting d is within maxWait and ctx's deadline.
func (t *transport) fits(ctx context.Context, d time.Duration) bool {
	if d > t.maxWait {
		return false
	}
	if dl, ok := ctx.Deadline(); ok && time.Until(dl) < d {
		return false
	}
	return true
}

// pause waits d, failing at once with ErrRateLimited when d does not fit
// (for the throttle) or with ctx's error.
func (t *transport) pause(ctx context.Context, d time.Duration, throttled bool) error {
	if throttled && !t.fits(ctx, d) {
		// "identity", not "client": with WithSharedThrottle the wait may
		// have been asked of another Client, in another replica.
		return &APIError{Kind: ErrRateLimited, RetryAfter: d.Round(time.Second),
			Message: "azure devops asked this identity to wait longer than this request can"}
	}
	timer := time.NewTimer(d)
	defer timer.Stop()
	select {
	case <-timer.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// backoff is a jittered exponential delay: 250ms, 500ms, 1s, … capped at
// max, each drawn from [d/2, d].
func backoff(attempt int, max time.Duration) time.Duration {
	d := 250 * time.Millisecond << min(attempt-1, 10)
	if d > max {
		d = max
	}
	if d <= 0 {
		return 0
	}
	return d/2 + rand.N(d/2+1)
}

// attempt sends one try of req with credentials and a per-try timeout,
// once a slot is free.
func (t *transport) attempt(req *http.Request) (*http.Response, error) {
	select {
	case t.slots <- struct{}{}:
	case <-req.Context().Done():
		return nil, req.Context().Err()
	}
	var once sync.Once
	release := func() { once.Do(func() { <-t.slots }) }
	ctx, cancelCtx := context.WithTimeout(req.Context(), t.requestTimeout)
	cancel := func() { cancelCtx(); release() }
	r := req.Clone(ctx)
	r.Header.Del("Authorization")
	if t.cred != nil && strings.EqualFold(r.URL.Host, t.host) { // nil: an anonymous lookup (OrgURL)
		auth, err := t.cred.authorization(ctx)
		if err != nil {
			cancel()
			if req.Context().Err() != nil {
				return nil, req.Context().Err()
			}
			// The APIError names azdo already (a TokenError reads "azdo: …").
			return nil, &APIError{Kind: ErrNoCredential, Message: "no credentials: " + strings.TrimPrefix(err.Error(), "azdo: "), Err: err}
		}
		r.Header.Set("Authorization", auth)
	}
	resp, err := t.base.RoundTrip(r)
	if err != nil {
		cancel()
		if refused := (*dialRefusedError)(nil); errors.As(err, &refused) {
			// Retrying would dial the same address.
			return nil, &APIError{Kind: ErrUnavailable, Message: "could not reach azure devops: " + refused.Error(), Err: refused}
		}
		return nil, err
	}
	resp.Body = &slotBody{ReadCloser: resp.Body, release: release, cancel: cancel}
	return resp, nil
}

// slotBody holds a request's slot until its body has been read to the end
// (or failed) or closed, whichever comes first, and its context until the
// body is closed.
type slotBody struct {
	io.ReadCloser
	release func()
	cancel  context.CancelFunc
}

func (b *slotBody) Read(p []byte) (int, error) {
	n, err := b.ReadCloser.Read(p)
	if err != nil {
		b.release()
	}
	return n, err
}

func (b *slotBody) Close() error {
	err := b.ReadCloser.Close()
	b.cancel()
	return err
}

// buffered reads resp's body whole, within the size limit, and closes it:
// the response it returns holds no connection and no slot.
func (t *transport) buffered(resp *http.Response) (*http.Response, error) {
	if resp.ContentLength > t.maxBody {
		discard(resp)
		return nil, tooLarge(resp.StatusCode, t.maxBody)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(&limitedBody{ReadCloser: resp.Body, left: t.maxBody, max: t.maxBody, status: resp.StatusCode})
	if err != nil {
		var apiErr *APIError
		if errors.As(err, &apiErr) {
			return nil, apiErr
		}
		return nil, &APIError{StatusCode: resp.StatusCode, Kind: ErrUnavailable, Message: "could not read the answer: " + describeNetErr(err)}
	}
	resp.Body, resp.ContentLength = io.NopCloser(bytes.NewReader(body)), int64(len(body))
	return resp, nil
}

// accept checks a 2xx answer before the SDK decodes it.
func (t *transport) accept(resp *http.Response) (*http.Response, error) {
	// The SDK stores X-TFS-Session in a package variable without a lock.
	// It looks the header up by its raw, non-canonical key, which net/http
	// never produces but a base RoundTripper may: drop both forms.
	resp.Header.Del("X-TFS-Session")
	delete(resp.Header, "X-TFS-Session")
	ct := mediaType(resp.Header)
	if resp.StatusCode == http.StatusNonAuthoritativeInfo || ct == "text/html" {
		discard(resp)
		return nil, &APIError{StatusCode: resp.StatusCode, Kind: ErrUnauthorized,
			Message: "azure devops answered with a sign-in page; the credentials were not accepted"}
	}
	if resp.StatusCode != http.StatusNoContent && ct != "" && ct != "application/json" && !strings.HasSuffix(ct, "+json") {
		discard(resp)
		return nil, &APIError{StatusCode: resp.StatusCode, Kind: ErrBadResponse,
			Message: fmt.Sprintf("unexpected content type %q", ct)}
	}
	if resp.ContentLength > t.maxBody {
		discard(resp)
		return nil, tooLarge(resp.StatusCode, t.maxBody)
	}
	if resp.ContentLength == 0 {
		// Nothing to read: free the slot now. The SDK does not close an
		// empty body on every path.
		_ = resp.Body.Close()
		resp.Body = http.NoBody
		return resp, nil
	}
	resp.Body = &limitedBody{ReadCloser: resp.Body, left: t.maxBody, max: t.maxBody, status: resp.StatusCode}
	return resp, nil
}

func tooLarge(status int, limit int64) *APIError {
	return &APIError{StatusCode: status, Kind: ErrBadResponse, Message: fmt.Sprintf("response body larger than %d bytes", limit)}
}

// limitedBody fails reads past the size limit and reports a body cut short
// as a bad response rather than a bare EOF.
type limitedBody struct {
	io.ReadCloser
	left   int64
	max    int64
	status int
}

func (b *limitedBody) Read(p []byte) (int, error) {
	if b.left <= 0 {
		// Past the limit: one more byte means the body is too large.
		var one [1]byte
		n, err := b.ReadCloser.Read(one[:])
		if n > 0 {
			return 0, tooLarge(b.status, b.max)
		}
		return 0, err
	}
	if int64(len(p)) > b.left {
		p = p[:b.left]
	}
	n, err := b.ReadCloser.Read(p)
	b.left -= int64(n)
	if errors.Is(err, io.ErrUnexpectedEOF) {
		return n, &APIError{StatusCode: b.status, Kind: ErrBadResponse, Message: "response body cut short"}
	}
	return n, err
}

// maxErrorBody bounds what is read of an answer that is not used: an
// error's body, or the rest of a refused one.
const maxErrorBody = 64 << 10

// discard reads a little of an unused body, so that the connection may be
// reused, and closes it.
func discard(resp *http.Response) {
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, maxErrorBody))
	_ = resp.Body.Close()
}

func mediaType(h http.Header) string {
	mt, _, err := mime.ParseMediaType(h.Get("Content-Type"))
	if err != nil {
		return strings.ToLower(strings.TrimSpace(h.Get("Content-Type")))
	}
	return mt
}

// readAPIError reads an error answer: the service's JSON envelope when
// there is one, else a summary that never repeats an HTML page.
//
// The body is read only from the organization's own host: an answer from
// another host, where a redirect led, is named by its host and status, so
// that nothing an unrelated (perhaps internal) service says reaches an
// error, a log or Config.Problems.
func (t *transport) readAPIError(req *http.Request, resp *http.Response, ra time.Duration) *APIError {
	defer discard(resp)
	e := &APIError{StatusCode: resp.StatusCode, Kind: kindOf(resp.StatusCode), RetryAfter: ra}
	if !strings.EqualFold(req.URL.Host, t.host) {
		e.Message = fmt.Sprintf("redirect target %s answered; its body is not shown", strings.ToLower(req.URL.Host))
		return e
	}
	body, _ := io.ReadAll(io.LimitReader(resp.Body, min(t.maxBody, maxErrorBody)))
	ct := mediaType(resp.Header)
	switch {
	case strings.Contains(ct, "json"):
		var env struct {
			Message string `json:"message"`
			TypeKey string `json:"typeKey"`
		}
		if json.Unmarshal(body, &env) == nil && env.Message != "" {
			e.Message, e.TypeKey = clip.String(env.Message, maxMessage), clip.String(env.TypeKey, maxMessage)
		}
	case ct == "text/plain":
		e.Message = clip.String(strings.TrimSpace(string(body)), 200)
	}
	switch {
	case e.Message != "":
	case resp.StatusCode >= 300 && resp.StatusCode < 400:
		e.Message = "azure devops answered a redirect that cannot be followed"
	default:
		e.Message = "azure devops answered " + strings.ToLower(http.StatusText(resp.StatusCode))
	}
	return e
}

// maxMessage bounds the service's own message kept in an error: an error
// of every project would otherwise copy up to maxErrorBody each into
// Config.Problems. Azure DevOps's messages are a few hundred bytes.
const maxMessage = 1000

// maxRetryAfter caps a Retry-After, in either form: a server cannot lock
// a Client for longer.
const maxRetryAfter = 24 * time.Hour

// refusal reports whether a status refuses the request for a while: only
// then does its Retry-After hold back every later request.
func refusal(status int) bool {
	return status == http.StatusTooManyRequests || status == http.StatusServiceUnavailable
}

// retryAfter parses the Retry-After of an answer, as seconds or an HTTP
// date, capped at maxRetryAfter. It counts only on a refusal (429, 503)
// and on a success, where it asks to slow down; other statuses ignore it.
// 0 when absent, invalid or ignored.
func retryAfter(status int, h http.Header) time.Duration {
	if !refusal(status) && (status < 200 || status >= 300) {
		return 0
	}
	v := strings.TrimSpace(h.Get("Retry-After"))
	if v == "" {
		return 0
	}
	if strings.Trim(v, "0123456789") == "" { // delay-seconds: 1*DIGIT
		secs, err := strconv.Atoi(v)
		if err != nil || secs > int(maxRetryAfter/time.Second) { // err: past int
			return maxRetryAfter
		}
		return time.Duration(secs) * time.Second
	}
	if t, err := http.ParseTime(v); err == nil {
		if d := time.Until(t); d > 0 {
			return min(d, maxRetryAfter)
		}
	}
	return 0
}

// noSuchHost reports whether err says the host's name does not exist
// (NXDOMAIN), not that the resolver could not be asked.
func noSuchHost(err error) bool {
	var dnsErr *net.DNSError
	return errors.As(err, &dnsErr) && dnsErr.IsNotFound
}

// describeNetErr names a connection failure without the URL, which the
// caller already knows.
func describeNetErr(err error) string {
	switch {
	case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
		return "connection closed before an answer"
	case errors.Is(err, context.DeadlineExceeded):
		return "request timed out"
	}
	return err.Error()
}

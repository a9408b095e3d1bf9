package azdotest

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
)

// Option configures a [Server]. Options check their arguments: an invalid
// one makes [Start] return an error and [NewServer] fail the test.
type Option func(*Server) error

// WithLatency delays every answer by d, as a network round trip would.
func WithLatency(d time.Duration) Option {
	return func(s *Server) error {
		if d < 0 {
			return fmt.Errorf("latency must not be negative, got %v", d)
		}
		s.latency = d
		return nil
	}
}

// WithPageSize sets how many projects a page holds when the request has
// no $top (default 100, as Azure DevOps Services answers); 0 does not cap
// such pages.
func WithPageSize(n int) Option {
	return func(s *Server) error {
		if n < 0 {
			return fmt.Errorf("page size must not be negative, got %d", n)
		}
		s.pageSize = n
		return nil
	}
}

// WithMaxPageSize sets the most projects a page holds when the request
// asks for more with $top (default 1 000); the rest follow by continuation
// token. 0 does not cap such pages.
func WithMaxPageSize(n int) Option {
	return func(s *Server) error {
		if n < 0 {
			return fmt.Errorf("max page size must not be negative, got %d", n)
		}
		s.maxPageSize = n
		return nil
	}
}

// WithoutProcessAPI imitates an older on-premises server without the
// process API: its locations are missing from OPTIONS _apis (so the SDK
// reports them not registered) and its routes answer 404.
func WithoutProcessAPI() Option { return func(s *Server) error { s.noProcessAPI = true; return nil } }

// WithPAT makes the server accept only Basic authentication with this
// personal access token (and any bearer token set by WithBearer). The
// token must not be empty.
func WithPAT(token string) Option {
	return func(s *Server) error {
		if token == "" {
			return errors.New("personal access token must not be empty")
		}
		s.pat = token
		return nil
	}
}

// WithBearer makes the server accept only this OAuth bearer token (and any
// PAT set by WithPAT). The token must not be empty.
func WithBearer(token string) Option {
	return func(s *Server) error {
		if token == "" {
			return errors.New("bearer token must not be empty")
		}
		s.bearer = token
		return nil
	}
}

// WithEntra makes the server accept the Microsoft Entra ID tokens e issued
// as bearer tokens, until they expire (and any PAT or bearer token set by
// WithPAT or WithBearer). An expired token is refused with 401, as Azure
// DevOps does.
func WithEntra(e *Entra) Option {
	return func(s *Server) error {
		if e == nil {
			return errors.New("entra must not be nil")
		}
		s.entra = e
		return nil
	}
}

// WithVirtualDirectory serves the organization below a virtual directory,
// as Azure DevOps Server serves its collections: with "tfs", URL is
// http://127.0.0.1:PORT/tfs/{name} (name it DefaultCollection for the
// installer's default). dir is one or more path segments of letters,
// digits, '-', '_' and '.', without a leading or trailing '/'. Requests
// outside it are answered 404; the location service stays at the root.
func WithVirtualDirectory(dir string) Option {
	return func(s *Server) error {
		for _, seg := range strings.Split(dir, "/") {
			if seg == "" || seg == "." || seg == ".." || strings.Trim(seg, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.") != "" {
				return fmt.Errorf("virtual directory %q is not path segments of letters, digits, '-', '_' and '.'", dir)
			}
		}
		s.vdir = "/" + dir
		return nil
	}
}

// WithSessionHeader sends X-TFS-Session on every response, as the service
// does; the SDK writes it into a package variable.
func WithSessionHeader() Option { return func(s *Server) error { s.session = true; return nil } }

// WithFaults injects faults from the start; see also [Server.Inject]. Each
// fault is checked as Inject checks it.
func WithFaults(f ...Fault) Option {
	return func(s *Server) error {
		for i, x := range f {
			if err := x.validate(); err != nil {
				return fmt.Errorf("fault %d: %w", i, err)
			}
			s.faults = append(s.faults, &faultState{Fault: x})
		}
		return nil
	}
}

// Server is a fake Azure DevOps organization. Its methods are safe for
// concurrent use. Create one with [NewServer] or [Start]: the zero Server
// is not running, so its URLs are empty, Client is a plain client, Close
// does nothing and SetOrg fails.
type Server struct {
	org Org // Name and ID only, fixed; the content is in data
	ts  *httptest.Server

	latency      time.Duration
	pageSize     int
	maxPageSize  int
	noProcessAPI bool
	pat, bearer  string
	entra        *Entra
	vdir         string // WithVirtualDirectory: "/tfs", or ""
	session      bool
	latest       apiVersion // WithAPIVersion; zero: any version

	mu          sync.Mutex
	data        *orgData // replaced whole by SetOrg
	faults      []*faultState
	counts      map[Endpoint]int
	log         []Request
	inFlight    int
	maxInFlight int
}

// Request is one request the server received.
type Request struct {
	Method   string
	Path     string // escaped, as sent
	Query    string
	Endpoint Endpoint
	Project  string // the project path segment, unescaped; "" when none
	Status   int    // the status answered; 0 when the connection was dropped
}

// NewServer starts a fake organization serving org. tb's cleanup closes
// it. An invalid option, or an organization [Start] would refuse, fails
// the test at once.
func NewServer(tb testing.TB, org Org, opts ...Option) *Server {
	tb.Helper()
	s, err := Start(org, opts...)
	if err != nil {
		tb.Fatalf("%v", err)
	}
	tb.Cleanup(s.Close)
	return s
}

// Start starts a fake organization outside a test, for examples and demos;
// the caller must Close it. It fails, starting nothing, when an option is
// invalid or org could not be served (a name that is not one URL path
// segment, an organization, process or project ID that is not a UUID). The server keeps a copy of org: changing org later changes
// nothing; see [Server.SetOrg].
func Start(org Org, opts ...Option) (*Server, error) {
	if org.Name == "" {
		org.Name = "fabrikam"
	}
	if org.ID == "" {
		org.ID = StableID("organization/" + org.Name)
	}
	if err := checkOrg(org); err != nil {
		return nil, fmt.Errorf("azdotest: start: %w", err)
	}
	s := &Server{org: Org{Name: org.Name, ID: org.ID}, pageSize: 100, maxPageSize: 1000, counts: make(map[Endpoint]int),
		data: newOrgData(org)}
	for i, opt := range opts {
		if opt == nil {
			return nil, fmt.Errorf("azdotest: start: option %d is nil", i)
		}
		if err := opt(s); err != nil {
			return nil, fmt.Errorf("azdotest: start: %w", err)
		}
	}
	l, err := listenFresh()
	if err != nil {
		return nil, fmt.Errorf("azdotest: start: %w", err)
	}
	s.ts = httptest.NewUnstartedServer(http.HandlerFunc(s.serve))
	_ = s.ts.Listener.Close()
	s.ts.Listener = l
	s.ts.Start()
	return s, nil
}

// orgData is the content of an organization as served, with its indexes.
// It is never modified: SetOrg replaces it whole, so that a request sees
// one organization from start to end.
type orgData struct {
	org Org // a deep copy
	// byKey finds a project by lower-case ID or name; byState lists
	// projects by lower-case state, in organization order. Both are built
	// once, so that large organizations page quickly.
	byKey   map[string]Project
	byState map[string][]Project
}

func newOrgData(org Org) *orgData {
	d := &orgData{org: cloneOrg(org), byKey: make(map[string]Project), byState: make(map[string][]Project)}
	for _, p := range d.org.Projects {
		for _, k := range []string{strings.ToLower(p.ID), strings.ToLower(p.Name)} {
			if _, dup := d.byKey[k]; !dup {
				d.byKey[k] = p
			}
		}
		st := strings.ToLower(projectState(p))
		d.byState[st] = append(d.byState[st], p)
	}
	return d
}

// SetOrg changes the organization while the server runs: delete a project,
// rename a state, add a process. Requests already being answered finish
// with the organization they began with; later ones see org. The server
// keeps a copy of org. Its name and ID cannot change (they make the URL):
// leave them empty or as they are, or SetOrg returns an error and changes
// nothing; so it does for IDs that are not UUIDs, as Start.
func (s *Server) SetOrg(org Org) error {
	if s.ts == nil {
		return errors.New("azdotest: set org: the Server was not started by NewServer or Start")
	}
	if org.Name != "" && !strings.EqualFold(org.Name, s.org.Name) {
		return fmt.Errorf("azdotest: set org: name %q differs from the served organization's %q", org.Name, s.org.Name)
	}
	if org.ID != "" && !strings.EqualFold(org.ID, s.org.ID) {
		return fmt.Errorf("azdotest: set org: id %q differs from the served organization's %q", org.ID, s.org.ID)
	}
	org.Name, org.ID = s.org.Name, s.org.ID
	if err := checkOrg(org); err != nil {
		return fmt.Errorf("azdotest: set org: %w", err)
	}
	d := newOrgData(org)
	s.mu.Lock()
	defer s.mu.Unlock()
	s.data = d
	return nil
}

// URL is the organization URL, such as http://127.0.0.1:PORT/fabrikam (or
// http://127.0.0.1:PORT/tfs/DefaultCollection with WithVirtualDirectory).
func (s *Server) URL() string {
	if s.ts == nil {
		return ""
	}
	return s.ts.URL + s.vdir + "/" + s.org.Name
}

// Client returns an *http.Client for the server.
func (s *Server) Client() *http.Client {
	if s.ts == nil {
		return &http.Client{}
	}
	return s.ts.Client()
}

// Close shuts the server down, ending hung requests.
func (s *Server) Close() {
	if s.ts == nil {
		return
	}
	s.ts.CloseClientConnections()
	s.ts.Close()
}

// Inject adds faults while the server runs; earlier faults take precedence.
// It returns an error, adding none of them, when a fault is invalid (a
// status outside 200-599, a negative Times, Delay or Size, an unknown Kind,
// both Body and EmptyBody).
func (s *Server) Inject(f ...Fault) error {
	for i, x := range f {
		if err := x.validate(); err != nil {
			return fmt.Errorf("azdotest: inject: fault %d: %w", i, err)
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, x := range f {
		s.faults = append(s.faults, &faultState{Fault: x})
	}
	return nil
}

// ClearFaults removes every injected fault.
func (s *Server) ClearFaults() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults = nil
}

// Count is the one way to count requests: with no argument, how many
// requests reached the server; with endpoints, how many reached any of
// them. A request counts when it arrives, before any latency or fault, so
// a hung request is counted too. For what each request was and how it was
// answered, see [Server.Requests].
func (s *Server) Count(endpoints ...Endpoint) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := 0
	if len(endpoints) == 0 {
		for _, c := range s.counts {
			n += c
		}
		return n
	}
	for i, ep := range endpoints {
		if !slices.Contains(endpoints[:i], ep) {
			n += s.counts[ep]
		}
	}
	return n
}

// Requests returns the request log, oldest first: a request is logged
// once it has been answered (or dropped).
func (s *Server) Requests() []Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Request(nil), s.log...)
}

// MaxInFlight is the largest number of requests the server was handling at
// once.
func (s *Server) MaxInFlight() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.maxInFlight
}

// ResetStats clears the counts, the log and the in-flight maximum.
func (s *Server) ResetStats() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.counts = make(map[Endpoint]int)
	s.log = nil
	s.maxInFlight = s.inFlight
}

// route is a parsed request path.
type route struct {
	ep      Endpoint
	project string // path segment, unescaped
	typ     string // work item type name or reference name, or category reference name
	process string
}

// parse routes a path below the organization, case-insensitively.
func (s *Server) parse(method, path string) (route, bool) {
	segs := strings.Split(strings.Trim(path, "/"), "/")
	if rt, ok := parseLocationService(method, segs); ok {
		return rt, true
	}
	if s.vdir != "" {
		dir := strings.Split(s.vdir[1:], "/")
		if len(segs) < len(dir) {
			return route{ep: EndpointUnknown}, false
		}
		for i, d := range dir {
			if !strings.EqualFold(segs[i], d) {
				return route{ep: EndpointUnknown}, false
			}
		}
		segs = segs[len(dir):]
	}
	if len(segs) == 0 || !strings.EqualFold(segs[0], s.org.Name) {
		return route{ep: EndpointUnknown}, false
	}
	segs = segs[1:]
	low := make([]string, len(segs))
	for i, x := range segs {
		low[i] = strings.ToLower(x)
	}
	is := func(want ...string) bool {
		if len(low) != len(want) {
			return false
		}
		for i, w := range want {
			if w != "*" && low[i] != w {
				return false
			}
		}
		return true
	}
	switch {
	case method == http.MethodOptions && is("_apis"):
		return route{ep: EndpointLocations}, true
	case method != http.MethodGet:
		return route{ep: EndpointUnknown}, false
	case is("_apis", "resourceareas"):
		return route{ep: EndpointResourceAreas}, true
	case is("_apis", "connectiondata"):
		return route{ep: EndpointConnectionData}, true
	case is("_apis", "projects"):
		return route{ep: EndpointProjects}, true
	case is("*", "_apis", "wit", "workitemtypes"):
		return route{ep: EndpointWorkItemTypes, project: segs[0]}, true
	case is("*", "_apis", "wit", "workitemtypes", "*"):
		return route{ep: EndpointWorkItemType, project: segs[0], typ: segs[4]}, true
	case is("*", "_apis", "wit", "workitemtypecategories", "*"):
		return route{ep: EndpointWorkItemTypeCategory, project: segs[0], typ: segs[4]}, true
	case is("*", "_apis", "wit", "workitemtypes", "*", "states"):
		return route{ep: EndpointWorkItemTypeStates, project: segs[0], typ: segs[4]}, true
	case is("_apis", "work", "processes"):
		return route{ep: EndpointProcesses}, true
	case is("_apis", "work", "processes", "*", "workitemtypes"):
		return route{ep: EndpointProcessWorkItemTypes, process: segs[3]}, true
	case is("_apis", "work", "processes", "*", "workitemtypes", "*", "states"):
		return route{ep: EndpointProcessStates, process: segs[3], typ: segs[5]}, true
	}
	return route{ep: EndpointUnknown}, false
}

func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	rt, known := s.parse(r.Method, r.URL.Path)
	if s.session {
		w.Header().Set("X-TFS-Session", StableID("session/"+r.URL.Path))
	}
	rec := &statusRecorder{ResponseWriter: w}

	s.mu.Lock()
	s.counts[rt.ep]++
	s.inFlight++
	s.maxInFlight = max(s.maxInFlight, s.inFlight)
	fault := s.takeFault(rt)
	data := s.data // what the request is answered from, whatever SetOrg does meanwhile
	s.mu.Unlock()
	defer func() {
		s.mu.Lock()
		s.inFlight--
		s.log = append(s.log, Request{
			Method: r.Method, Path: r.URL.EscapedPath(), Query: r.URL.RawQuery,
			Endpoint: rt.ep, Project: rt.project, Status: rec.status,
		})
		s.mu.Unlock()
	}()

	if !sleep(r, s.latency) {
		return
	}
	if fault != nil {
		if !s.applyFault(rec, r, fault) {
			return
		}
	}
	if rt.ep != EndpointLocationService && !s.authorized(r) { // the lookup is anonymous
		writeError(rec, http.StatusUnauthorized, "UnauthorizedRequestException",
			"TF400813: The user '' is not authorized to access this resource.")
		return
	}
	if !known {
		writeError(rec, http.StatusNotFound, "ApiResourceNotFoundException", "The requested REST API resource was not found.")
		return
	}
	if s.refuseVersion(rec, r) {
		return
	}
	s.handle(rec, r, rt, data)
}

// takeFault returns the first fault matching the request, using it up.
// It is called with s.mu held.
func (s *Server) takeFault(rt route) *Fault {
	for _, f := range s.faults {
		if !f.matches(rt.ep) {
			continue
		}
		if f.Project != "" {
			p, ok := s.data.findProject(rt.project)
			if !ok || !(strings.EqualFold(f.Project, p.ID) || strings.EqualFold(f.Project, p.Name)) {
				continue
			}
		}
		f.used++
		copy := f.Fault
		return &copy
	}
	return nil
}

func (s *Server) authorized(r *http.Request) bool {
	if s.pat == "" && s.bearer == "" && s.entra == nil {
		return true
	}
	got := r.Header.Get("Authorization")
	if s.pat != "" {
		if user, pass, ok := r.BasicAuth(); ok && user == "" && pass == s.pat {
			return true
		}
	}
	if s.entra != nil {
		if tok, ok := strings.CutPrefix(got, "Bearer "); ok {
			if issued, expired := s.entra.check(tok); issued && !expired {
				return true
			}
		}
	}
	return s.bearer != "" && got == "Bearer "+s.bearer
}

// sleep waits d or until the client gives up; it reports whether to go on.
func sleep(r *http.Request, d time.Duration) bool {
	if d <= 0 {
		return true
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-r.Context().Done():
		return false
	}
}

type statusRecorder struct {
	http.ResponseWriter
	status int
}

func (r *statusRecorder) WriteHeader(code int) {
	if r.status == 0 {
		r.status = code
	}
	r.ResponseWriter.WriteHeader(code)
}

func (r *statusRecorder) Write(b []byte) (int, error) {
	if r.status == 0 {
		r.status = http.StatusOK
	}
	return r.ResponseWriter.Write(b)
}

func (r *statusRecorder) Unwrap() http.ResponseWriter { return r.ResponseWriter }

const jsonContentType = "application/json; charset=utf-8"

func writeJSON(w http.ResponseWriter, status int, v any) {
	body, err := json.Marshal(v)
	if err != nil {
		panic(fmt.Sprintf("azdotest: encode response: %v", err)) // our own types always encode
	}
	w.Header().Set("Content-Type", jsonContentType)
	w.WriteHeader(status)
	_, _ = w.Write(body)
}

// collection writes the {"count","value"} envelope the SDK decodes.
func collection[T any](w http.ResponseWriter, items []T) {
	if items == nil {
		items = []T{}
	}
	writeJSON(w, http.StatusOK, struct {
		Count int `json:"count"`
		Value []T `json:"value"`
	}{len(items), items})
}

// errorBody is the service's WrappedException envelope.
type errorBody struct {
	ID             string  `json:"$id"`
	InnerException *string `json:"innerException"`
	Message        string  `json:"message"`
	TypeName       string  `json:"typeName"`
	TypeKey        string  `json:"typeKey"`
	ErrorCode      int     `json:"errorCode"`
	EventID        int     `json:"eventId"`
}

func writeError(w http.ResponseWriter, status int, typeKey, message string) {
	writeJSON(w, status, errorBody{
		ID: "1", Message: message, TypeKey: typeKey, EventID: 3000,
		TypeName: "Microsoft.TeamFoundation.Framework.Server." + typeKey + ", Microsoft.TeamFoundation.Framework.Server",
	})
}

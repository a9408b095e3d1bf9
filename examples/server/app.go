package main

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"mime"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/azdosync/azdosync/azdo"
	"github.com/azdosync/azdosync/orgconfig"
)

// maxBody bounds a submitted configuration: the mapping's own limit plus
// room for the booleans.
const maxBody = orgconfig.MaxMappingBytes + 64<<10

// maxLoggedPath bounds the request paths written to logs and problems.
const maxLoggedPath = 200

// organization is one organization the server serves.
type organization struct {
	// Name is the organization's name as the platform and Azure DevOps
	// spell it; the routes match it ignoring case.
	Name string `json:"name"`
	// Description says what the organization shows, for
	// GET /organizations.
	Description string `json:"description"`
	// Connect returns a Client of the organization with the options
	// given added to its own. It is called twice, on the organization's
	// first request: once for the Client of the cached Builder that shows
	// the form, once for the Client of the Builder that validates
	// submissions, which must see states as Azure DevOps has them now.
	Connect func(opts ...azdo.Option) (*azdo.Client, error) `json:"-"`
	// Key, with -redis, keys the snapshots shared by the replicas: it
	// names the Azure DevOps organization and the identity its
	// credentials act as, alike on every replica (docs/replicas.md's
	// client.URL()+" "+identity). Empty means the Client's URL and Name.
	Key string `json:"-"`
}

// appConfig is what newApp needs.
type appConfig struct {
	Orgs     []organization
	Gate     orgconfig.FeatureGate
	Store    Store
	Timeout  time.Duration // to build one form
	CacheTTL time.Duration // of the cached Builders' projects and states
	// Union offers every project every state (orgconfig's default)
	// instead of each project its own states.
	Union bool
	// Shared, when set (-redis), is the second cache tier of the cached
	// Builders, shared by every replica of the service.
	Shared orgconfig.SharedCache
	Logger *slog.Logger
}

// app serves the configuration form of several organizations. It keeps two
// Builders per organization, created on first use: a cached one for showing
// the form, and an uncached one to validate submissions against fresh
// states.
type app struct {
	cfg  appConfig
	orgs map[string]organization // by lower-case name

	mu       sync.Mutex
	builders map[string]*builders // by Name

	// merging orders the merges (PATCH, POST) of this process, so that
	// each merges into the values the last one saved.
	merging sync.Mutex
}

type builders struct {
	cached, fresh *orgconfig.Builder
	client        *azdo.Client // the cached Builder's

	mu sync.Mutex
	me azdo.Identity // who the credential acts as, once known
}

// connectedAs returns who the organization's credential acts as, asking
// Azure DevOps (GET _apis/connectionData) until it has answered once: an
// identity never changes for a credential. ok is false while it cannot be
// told (Azure DevOps unreachable, the credential refused).
func (b *builders) connectedAs(ctx context.Context) (azdo.Identity, bool) {
	b.mu.Lock()
	me := b.me
	b.mu.Unlock()
	if me.ID != "" {
		return me, true
	}
	me, err := b.client.ConnectedAs(ctx)
	if err != nil {
		return azdo.Identity{}, false
	}
	b.mu.Lock()
	b.me = me
	b.mu.Unlock()
	return me, true
}

func newApp(cfg appConfig) (*app, error) {
	if cfg.Gate == nil || cfg.Store == nil || cfg.Logger == nil || cfg.Timeout <= 0 || cfg.CacheTTL < 0 {
		return nil, errors.New("new app: gate, store and logger are required, the timeout must be positive and the cache TTL not negative")
	}
	a := &app{cfg: cfg, orgs: map[string]organization{}, builders: map[string]*builders{}}
	for _, o := range cfg.Orgs {
		key := strings.ToLower(o.Name)
		if o.Name == "" || o.Connect == nil {
			return nil, fmt.Errorf("new app: organization %q needs a name and a Connect function", o.Name)
		}
		if _, dup := a.orgs[key]; dup {
			return nil, fmt.Errorf("new app: organization %q is listed twice", o.Name)
		}
		a.orgs[key] = o
	}
	return a, nil
}

// routes is every route of the server.
func (a *app) routes() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusNoContent) })
	mux.HandleFunc("GET /organizations", a.listOrganizations)
	mux.HandleFunc("GET /organizations/{org}/config", a.getConfig)
	mux.HandleFunc("PUT /organizations/{org}/config", a.putConfig)
	mux.HandleFunc("PATCH /organizations/{org}/config", a.patchConfig) // patch.go
	mux.HandleFunc("POST /organizations/{org}/config", a.postConfig)
	mux.HandleFunc("GET /organizations/{org}/projects/{id}/states", a.getStates)
	mux.HandleFunc("GET /organizations/{org}/search", a.searchStates) // lazy.go
	mux.HandleFunc("POST /organizations/{org}/refresh", a.refresh)    // refresh.go
	mux.HandleFunc("GET /problems/{slug}", getProblem)
	a.registerPage(mux)                                                                       // GET /organizations/{org}/ and its assets: page.go
	return a.logRequests(secureHeaders(a.recoverPanics(refuseCrossOrigin(muxProblems(mux))))) // middleware.go
}

// listOrganizations serves GET /organizations: the organizations served,
// in the order they were configured.
func (a *app) listOrganizations(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, map[string][]organization{"organizations": a.cfg.Orgs})
}

// lookup returns the organization with this name, compared ignoring case.
func (a *app) lookup(name string) (organization, bool) {
	o, ok := a.orgs[strings.ToLower(name)]
	return o, ok
}

// organization returns the organization the request names; on failure it
// has answered.
func (a *app) organization(w http.ResponseWriter, r *http.Request) (organization, bool) {
	o, ok := a.lookup(r.PathValue("org"))
	if !ok {
		writeProblem(w, http.StatusNotFound, probUnknownOrganization, fmt.Sprintf("no organization %q", truncate(r.PathValue("org"), 100)))
	}
	return o, ok
}

func (a *app) buildersOf(o organization) (*builders, error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if b, ok := a.builders[o.Name]; ok {
		return b, nil
	}
	client, err := o.Connect()
	if err != nil {
		return nil, err
	}
	opts := []orgconfig.Option{orgconfig.WithLogger(a.cfg.Logger)}
	if !a.cfg.Union {
		// Each project its own states, loaded as the page needs them.
		opts = append(opts, orgconfig.WithStatesURL(statesURL(o)))
	}
	cachedOpts := append([]orgconfig.Option{orgconfig.WithCacheTTL(a.cfg.CacheTTL)}, opts...)
	if a.cfg.Shared != nil {
		// Keyed by the Azure DevOps organization as this organization's
		// credentials see it: Azure DevOps lists only the projects they may
		// read, so two platform organizations linking one Azure DevOps
		// organization with their own tokens must not share snapshots.
		key := o.Key
		if key == "" {
			key = client.URL() + " " + o.Name
		}
		cachedOpts = append(cachedOpts, orgconfig.WithSharedCache(a.cfg.Shared, key))
	}
	cached, err := orgconfig.NewBuilder(client, a.cfg.Gate, cachedOpts...)
	if err != nil {
		return nil, err
	}
	// The validating Builder shares the Client and has no cache: the
	// Client keeps no states beyond the Build that fetched them, so a PUT
	// is checked against the states Azure DevOps has now, for the
	// requests of one cold Build.
	fresh, err := orgconfig.NewBuilder(client, a.cfg.Gate, opts...)
	if err != nil {
		return nil, err
	}
	b := &builders{cached: cached, fresh: fresh, client: client}
	a.builders[o.Name] = b
	return b, nil
}

// connectedAs is who the organization's credential acts as, within the
// request's deadline; ok is false when it cannot be told.
func (a *app) connectedAs(r *http.Request, o organization) (azdo.Identity, bool) {
	b, err := a.buildersOf(o)
	if err != nil {
		return azdo.Identity{}, false
	}
	ctx, cancel := context.WithTimeout(r.Context(), a.cfg.Timeout)
	defer cancel()
	return b.connectedAs(ctx)
}

// build builds the organization's form; on failure it has answered.
func (a *app) build(w http.ResponseWriter, r *http.Request, o organization, fresh bool) (*orgconfig.Config, bool) {
	b, err := a.buildersOf(o)
	if err != nil {
		a.cfg.Logger.ErrorContext(r.Context(), "connect", "org", o.Name, "err", err)
		writeProblem(w, http.StatusInternalServerError, "", "could not connect to the organization")
		return nil, false
	}
	builder := b.cached
	if fresh {
		builder = b.fresh
	}
	ctx, cancel := context.WithTimeout(r.Context(), a.cfg.Timeout)
	defer cancel()
	cfg, err := builder.Build(ctx, o.Name)
	if err != nil {
		writeProblem(w, http.StatusGatewayTimeout, probBuildTimeout, fmt.Sprintf("building the form took longer than %v", a.cfg.Timeout))
		return nil, false
	}
	return cfg, true
}

// refuseGated answers 403 when the form is gated (the gate said no or
// failed); nothing can be saved or listed then.
func refuseGated(w http.ResponseWriter, cfg *orgconfig.Config) bool {
	if cfg.Reason == orgconfig.ReasonNoAccess || cfg.Reason == orgconfig.ReasonGateError {
		writeProblem(w, http.StatusForbidden, probFeatureUnavailable, cfg.StatusField().DisabledReason)
		return true
	}
	return false
}

// configResponse is the body of GET /organizations/{org}/config.
type configResponse struct {
	Fields []orgconfig.Field `json:"fields"`
	// Values are the saved values, healed by PruneStatusMapping.
	Values   Saved               `json:"values"`
	Dropped  []orgconfig.Dropped `json:"dropped"`
	Problems []string            `json:"problems"`
	// Reason is Config.Reason: why the form or its status field is
	// disabled, as a code a client can switch on ("" when usable).
	Reason orgconfig.Reason `json:"reason"`
	// Types is Config.Types: by project ID, the work item type whose
	// states the project is offered (the page shows "states of Bug").
	Types map[string]orgconfig.WorkItemType `json:"types,omitempty"`
	// ConnectedAs is the display name of the account the organization's
	// credential acts as (azdo.Client.ConnectedAs); absent while the form
	// is gated (Azure DevOps is not contacted then) or when it cannot be
	// told.
	ConnectedAs string `json:"connectedAs,omitempty"`
	// FetchedAt is Config.FetchedAt: when the projects and states were
	// read from Azure DevOps (the page says "read 2 minutes ago" next to
	// Refresh); absent when they were not.
	FetchedAt time.Time `json:"fetchedAt,omitzero"`
}

func (a *app) getConfig(w http.ResponseWriter, r *http.Request) {
	o, ok := a.organization(w, r)
	if !ok {
		return
	}
	// One timeout for the Build and the identity lookup together: the
	// server's write timeout leaves room for one.
	ctx, cancel := context.WithTimeout(r.Context(), a.cfg.Timeout)
	defer cancel()
	r = r.WithContext(ctx)
	cfg, ok := a.build(w, r, o, false)
	if !ok {
		return
	}
	saved, version, ok := a.load(w, r, o)
	if !ok {
		return
	}
	resp := configResponse{Fields: cfg.Fields, Values: saved, Dropped: []orgconfig.Dropped{}, Problems: []string{}, Reason: cfg.Reason, Types: cfg.Types, FetchedAt: cfg.FetchedAt}
	if cfg.Reason != orgconfig.ReasonNoAccess && cfg.Reason != orgconfig.ReasonGateError && cfg.Reason != orgconfig.ReasonNoCredential {
		if me, ok := a.connectedAs(r, o); ok {
			resp.ConnectedAs = me.DisplayName
		}
	}
	resp.Values.SyncStatusForward, resp.Dropped = cfg.PruneStatusMapping(saved.SyncStatusForward)
	cfg.PrefillSelectors(resp.Values.SyncStatusForward)
	if resp.Values.SyncStatusForward == nil {
		resp.Values.SyncStatusForward = orgconfig.StatusMapping{}
	}
	if resp.Dropped == nil {
		resp.Dropped = []orgconfig.Dropped{}
	}
	for _, p := range cfg.Problems {
		resp.Problems = append(resp.Problems, p.Error())
	}
	body, err := json.Marshal(resp)
	if err != nil {
		a.cfg.Logger.ErrorContext(r.Context(), "encode form", "org", o.Name, "err", err)
		writeProblem(w, http.StatusInternalServerError, "", "could not encode the form")
		return
	}
	sum := sha256.Sum256(body)
	digest := hex.EncodeToString(sum[:8])
	w.Header().Set("ETag", configETag(version, digest))
	w.Header().Set("Cache-Control", "private, no-cache")
	if noneMatch(r.Header.Get("If-None-Match"), version+"."+digest) {
		w.WriteHeader(http.StatusNotModified)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	_, _ = w.Write(append(body, '\n'))
}

// statesResponse is the body of GET /organizations/{org}/projects/{id}/states.
type statesResponse struct {
	Project orgconfig.Project `json:"project"`
	// Type is the work item type the states are of, when known.
	Type      *orgconfig.WorkItemType    `json:"type,omitempty"`
	States    []orgconfig.State          `json:"states"`
	Suggested *orgconfig.ProjectStatuses `json:"suggested,omitempty"`
}

func (a *app) getStates(w http.ResponseWriter, r *http.Request) {
	o, ok := a.organization(w, r)
	if !ok {
		return
	}
	cfg, ok := a.build(w, r, o, false)
	if !ok || refuseGated(w, cfg) {
		return
	}
	p, found := project(w, cfg, r.PathValue("id"))
	if !found {
		return
	}
	states, known := cfg.States[p.ID]
	if !known {
		setRetryAfter(w, cfg)
		writeProblem(w, http.StatusServiceUnavailable, probStatesUnavailable, "the states of this project could not be loaded; try again later")
		return
	}
	resp := statesResponse{Project: p, States: states}
	if t, ok := cfg.Types[p.ID]; ok {
		resp.Type = &t
	}
	if s, ok := cfg.SuggestedStatuses(p.ID); ok {
		resp.Suggested = &s
	}
	writeJSON(w, http.StatusOK, resp)
}

// project returns the form's project with this ID; on failure it has
// answered: 404 when the form has no such project, 503 or 502 when the
// projects could not be loaded (the project may exist; see
// statesUnavailableStatus).
func project(w http.ResponseWriter, cfg *orgconfig.Config, id string) (orgconfig.Project, bool) {
	p, found := cfg.Project(id)
	if found {
		return p, true
	}
	if cfg.Reason != "" && cfg.Reason != orgconfig.ReasonNoStates {
		setRetryAfter(w, cfg)
		writeProblem(w, statesUnavailableStatus(cfg.Reason), probStatesUnavailable, cfg.StatusField().DisabledReason)
		return p, false
	}
	writeProblem(w, http.StatusNotFound, probUnknownProject, fmt.Sprintf("no project %q", truncate(id, 100)))
	return p, false
}

// putResponse is the body of a successful PUT.
type putResponse struct {
	Values Saved `json:"values"`
}

func (a *app) putConfig(w http.ResponseWriter, r *http.Request) {
	o, ok := a.organization(w, r)
	if !ok {
		return
	}
	if mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type")); err != nil || mt != "application/json" {
		writeProblem(w, http.StatusUnsupportedMediaType, "", "send the configuration as application/json")
		return
	}
	body, ok := readBody(w, r)
	if !ok {
		return
	}
	sub, mapping, err := decodeSubmission(body)
	if err != nil {
		writeProblem(w, http.StatusBadRequest, probMalformed, err.Error())
		return
	}
	match := ifMatch(r.Header.Get("If-Match"))
	if match != nil {
		// Refuse a stale save before asking Azure DevOps; Save checks
		// again, atomically.
		_, version, ok := a.load(w, r, o)
		if !ok {
			return
		}
		if !match(version) {
			refuseStale(w)
			return
		}
	}
	cfg, ok := a.build(w, r, o, true)
	if !ok || refuseGated(w, cfg) {
		return
	}
	if err := cfg.ValidateStatusMapping(mapping); err != nil {
		a.refuseMapping(w, cfg, err, false)
		return
	}
	saved := sub
	// Pruning a validated mapping drops nothing and keys it by the
	// project IDs as Azure DevOps spells them.
	saved.SyncStatusForward, _ = cfg.PruneStatusMapping(mapping)
	version, err := a.cfg.Store.Save(r.Context(), o.Name, saved, match)
	if err != nil {
		a.refuseSave(w, r, o, err)
		return
	}
	w.Header().Set("ETag", versionETag(version))
	writeJSON(w, http.StatusOK, putResponse{Values: saved})
}

// load returns the organization's saved values and their version; on
// failure it has answered 500.
func (a *app) load(w http.ResponseWriter, r *http.Request, o organization) (Saved, string, bool) {
	saved, version, err := a.cfg.Store.Load(r.Context(), o.Name)
	if err != nil {
		a.cfg.Logger.ErrorContext(r.Context(), "load configuration", "org", o.Name, "err", err)
		writeProblem(w, http.StatusInternalServerError, "", "could not load the saved configuration")
		return Saved{}, "", false
	}
	return saved, version, true
}

// refuseStale answers a save based on values someone else has replaced.
func refuseStale(w http.ResponseWriter) {
	writeProblem(w, http.StatusPreconditionFailed, probEditConflict, "someone else saved this configuration since you loaded it")
}

// refuseSave answers a failed Store.Save: 412 when the stored values are
// no longer the version expected, else 500.
func (a *app) refuseSave(w http.ResponseWriter, r *http.Request, o organization, err error) {
	if errors.Is(err, errVersionMismatch) {
		refuseStale(w)
		return
	}
	a.cfg.Logger.ErrorContext(r.Context(), "save configuration", "org", o.Name, "err", err)
	writeProblem(w, http.StatusInternalServerError, "", "could not save the configuration")
}

// onlyStatesUnknown reports whether every problem of a validation error is
// ErrStatesUnknown: the form was built without the states to check the
// mapping against, so the submission is not at fault.
func onlyStatesUnknown(err error) bool {
	var list orgconfig.MappingErrors
	if !errors.As(err, &list) || len(list) == 0 {
		return false
	}
	for _, e := range list {
		if !errors.Is(e, orgconfig.ErrStatesUnknown) {
			return false
		}
	}
	return true
}

// setRetryAfter passes on, as the Retry-After of a 503, the longest wait
// Azure DevOps asked for: until Config.RetryAt when it throttles the
// project list, else the longest in the Build's problems, if any: retrying
// sooner is refused again without a request.
func setRetryAfter(w http.ResponseWriter, cfg *orgconfig.Config) {
	longest := time.Until(cfg.RetryAt)
	for _, p := range cfg.Problems {
		var apiErr *azdo.APIError
		if errors.As(p, &apiErr) && apiErr.RetryAfter > longest {
			longest = apiErr.RetryAfter
		}
	}
	if longest > 0 {
		w.Header().Set("Retry-After", strconv.FormatInt(int64((longest+time.Second-1)/time.Second), 10))
	}
}

// statesUnavailableDetail says why a mapping could not be checked: the
// status field's reason when the form has one.
func statesUnavailableDetail(cfg *orgconfig.Config) string {
	if f := cfg.StatusField(); f != nil && f.DisabledReason != "" {
		return f.DisabledReason
	}
	return "the states of these projects could not be loaded from Azure DevOps; try again later"
}

// fieldNamesHint ends an unknown key's message: the body is the form's
// values by field name, not a bare status mapping (a first guess).
const fieldNamesHint = `; the body is an object of the form's fields: {"sync_status_forward": {"{project id}": {"on_resolve": …, "on_unresolve": …}}, "sync_comments": true, …}`

// decodeSubmission reads a PUT body: one JSON object with only the form's
// keys, exactly as spelled and each at most once, booleans for the toggles,
// and nothing after the object. A missing or null status mapping is an
// empty one (status sync off).
func decodeSubmission(body []byte) (Saved, orgconfig.StatusMapping, error) {
	var s Saved
	mapping := orgconfig.StatusMapping{}
	members, err := objectMembers(body)
	if err != nil {
		return s, nil, fmt.Errorf("read configuration: %w", err)
	}
	toggles := map[string]*bool{
		orgconfig.KeySyncForwardAssignment: &s.SyncForwardAssignment,
		orgconfig.KeySyncComments:          &s.SyncComments,
		orgconfig.KeySyncStatusReverse:     &s.SyncStatusReverse,
		orgconfig.KeySyncReverseAssignment: &s.SyncReverseAssignment,
	}
	for _, m := range members {
		if m.key == orgconfig.KeySyncStatusForward {
			if string(m.value) == "null" {
				continue
			}
			if mapping, err = orgconfig.ParseStatusMapping(m.value); err != nil {
				return s, nil, err
			}
			continue
		}
		dst, ok := toggles[m.key]
		if !ok {
			return s, nil, fmt.Errorf("read configuration: unknown key %q (keys are case-sensitive)%s", truncate(m.key, 100), fieldNamesHint)
		}
		switch string(m.value) {
		case "true":
			*dst = true
		case "false":
			*dst = false
		default:
			return s, nil, fmt.Errorf("read configuration: %q must be true or false", m.key)
		}
	}
	return s, mapping, nil
}

// member is one member of a JSON object, its value undecoded.
type member struct {
	key   string
	value json.RawMessage
}

// objectMembers reads a JSON object's members in order: nothing but white
// space after it, no key twice (encoding/json would fold case and keep the
// last).
func objectMembers(data []byte) ([]member, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	if tok, err := dec.Token(); err != nil {
		return nil, err
	} else if tok != json.Delim('{') {
		return nil, errors.New("not a JSON object")
	}
	var out []member
	seen := map[string]bool{}
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return nil, err
		}
		key := tok.(string) // dec.More inside an object: always a key
		var raw json.RawMessage
		if err := dec.Decode(&raw); err != nil {
			return nil, fmt.Errorf("%q: %w", truncate(key, 100), err)
		}
		if seen[key] {
			return nil, fmt.Errorf("key %q appears twice", truncate(key, 100))
		}
		seen[key] = true
		out = append(out, member{key, raw})
	}
	if _, err := dec.Token(); err != nil { // the closing brace
		return nil, err
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, errors.New("unexpected data after the JSON object")
	}
	return out, nil
}

// readBody reads a request's body of at most maxBody bytes; when it cannot,
// it answers 413 or 400 and reports false.
func readBody(w http.ResponseWriter, r *http.Request) ([]byte, bool) {
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxBody))
	if err != nil {
		var tooLarge *http.MaxBytesError
		if errors.As(err, &tooLarge) {
			writeProblem(w, http.StatusRequestEntityTooLarge, "", fmt.Sprintf("the configuration is larger than %d bytes", maxBody))
			return nil, false
		}
		writeProblem(w, http.StatusBadRequest, probMalformed, "read configuration: "+err.Error())
		return nil, false
	}
	return body, true
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

// truncate shortens s to at most n bytes, on a rune boundary, marking the
// cut with "…".
func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	cut := n
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + "…"
}

type statusWriter struct {
	http.ResponseWriter
	status int
}

func (s *statusWriter) WriteHeader(code int) {
	s.status = code
	s.ResponseWriter.WriteHeader(code)
}

// Unwrap lets http.ResponseController reach the connection.
func (s *statusWriter) Unwrap() http.ResponseWriter { return s.ResponseWriter }

// logRequests logs each request: its method, its path (truncated), the
// status and how long it took (newLogger writes it as "12.5ms").
func (a *app) logRequests(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		sw := &statusWriter{ResponseWriter: w, status: http.StatusOK}
		next.ServeHTTP(sw, r)
		a.cfg.Logger.InfoContext(r.Context(), "request", "method", truncate(r.Method, 20), "path", truncate(r.URL.Path, maxLoggedPath),
			"status", sw.status, "duration", time.Since(start))
	})
}

package main

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"log/slog"
	"mime"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/azdosync/azdosync/azdo"
	"github.com/azdosync/azdosync/orgconfig"
)

var errUnknownOrg = errors.New("unknown organization")

// maxBody bounds a submitted configuration: the mapping's own limit plus
// room for the booleans.
const maxBody = orgconfig.MaxMappingBytes + 64<<10

// app holds two Builders per organization, created on first use: a cached
// one for showing the form, and an uncached one to validate submissions
// against fresh states.
type app struct {
	connect  func(org string) (*azdo.Client, error)
	gate     orgconfig.FeatureGate
	store    Store
	timeout  time.Duration
	cacheTTL time.Duration
	logger   *slog.Logger
	// shared, when set (-redis), is the second cache tier of the cached
	// Builders, shared by every replica of the service.
	shared orgconfig.SharedCache

	mu   sync.Mutex
	orgs map[string]*builders
}

type builders struct{ cached, fresh *orgconfig.Builder }

func newApp(connect func(string) (*azdo.Client, error), gate orgconfig.FeatureGate, store Store, timeout, cacheTTL time.Duration, logger *slog.Logger) *app {
	return &app{connect: connect, gate: gate, store: store, timeout: timeout, cacheTTL: cacheTTL, logger: logger, orgs: map[string]*builders{}}
}

func (a *app) routes() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusNoContent) })
	mux.HandleFunc("GET /organizations/{org}/config", a.getConfig)
	mux.HandleFunc("PUT /organizations/{org}/config", a.putConfig)
	mux.HandleFunc("GET /organizations/{org}/projects/{id}/states", a.getStates)
	a.registerPage(mux)
	return a.logRequests(mux)
}

func (a *app) builders(org string) (*builders, error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if b, ok := a.orgs[org]; ok {
		return b, nil
	}
	client, err := a.connect(org)
	if err != nil {
		return nil, err
	}
	opts := []orgconfig.Option{orgconfig.WithCacheTTL(a.cacheTTL), orgconfig.WithLogger(a.logger)}
	if a.shared != nil {
		opts = append(opts, orgconfig.WithSharedCache(a.shared, client.URL())) // keyed by the Azure DevOps organization
	}
	cached, err := orgconfig.NewBuilder(client, a.gate, opts...)
	if err != nil {
		return nil, err
	}
	fresh, err := orgconfig.NewBuilder(client, a.gate, orgconfig.WithLogger(a.logger))
	if err != nil {
		return nil, err
	}
	b := &builders{cached: cached, fresh: fresh}
	a.orgs[org] = b
	return b, nil
}

// build builds the organization's form; on failure it has answered.
func (a *app) build(w http.ResponseWriter, r *http.Request, fresh bool) (*orgconfig.Config, bool) {
	org := r.PathValue("org")
	b, err := a.builders(org)
	if err != nil {
		if errors.Is(err, errUnknownOrg) {
			writeError(w, http.StatusNotFound, "unknown organization")
			return nil, false
		}
		a.logger.ErrorContext(r.Context(), "connect", "org", org, "err", err)
		writeError(w, http.StatusInternalServerError, "could not connect to the organization")
		return nil, false
	}
	builder := b.cached
	if fresh {
		builder = b.fresh
	}
	ctx, cancel := context.WithTimeout(r.Context(), a.timeout)
	defer cancel()
	cfg, err := builder.Build(ctx, org)
	if err != nil {
		writeError(w, http.StatusGatewayTimeout, "building the form took too long")
		return nil, false
	}
	return cfg, true
}

// configResponse is the body of GET /organizations/{org}/config.
type configResponse struct {
	Fields []orgconfig.Field `json:"fields"`
	// Values are the saved values, healed by PruneStatusMapping.
	Values   Saved               `json:"values"`
	Dropped  []orgconfig.Dropped `json:"dropped"`
	Problems []string            `json:"problems"`
}

func (a *app) getConfig(w http.ResponseWriter, r *http.Request) {
	cfg, ok := a.build(w, r, false)
	if !ok {
		return
	}
	saved, err := a.store.Load(r.Context(), r.PathValue("org"))
	if err != nil {
		a.logger.ErrorContext(r.Context(), "load configuration", "err", err)
		writeError(w, http.StatusInternalServerError, "could not load the saved configuration")
		return
	}
	resp := configResponse{Fields: cfg.Fields, Values: saved, Dropped: []orgconfig.Dropped{}, Problems: []string{}}
	resp.Values.SyncStatusForward, resp.Dropped = cfg.PruneStatusMapping(saved.SyncStatusForward)
	if resp.Dropped == nil {
		resp.Dropped = []orgconfig.Dropped{}
	}
	for _, p := range cfg.Problems {
		resp.Problems = append(resp.Problems, p.Error())
	}
	body, err := json.Marshal(resp)
	if err != nil {
		writeError(w, http.StatusInternalServerError, "could not encode the form")
		return
	}
	sum := sha256.Sum256(body)
	etag := `"` + hex.EncodeToString(sum[:16]) + `"`
	w.Header().Set("ETag", etag)
	w.Header().Set("Cache-Control", "private, no-cache")
	if match := r.Header.Get("If-None-Match"); match != "" && match == etag {
		w.WriteHeader(http.StatusNotModified)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	_, _ = w.Write(body)
}

// statesResponse is the body of GET /organizations/{org}/projects/{id}/states.
type statesResponse struct {
	Project   orgconfig.Project          `json:"project"`
	States    []orgconfig.State          `json:"states"`
	Suggested *orgconfig.ProjectStatuses `json:"suggested,omitempty"`
}

func (a *app) getStates(w http.ResponseWriter, r *http.Request) {
	cfg, ok := a.build(w, r, false)
	if !ok {
		return
	}
	id := r.PathValue("id")
	for _, p := range cfg.Projects {
		if !strings.EqualFold(p.ID, id) {
			continue
		}
		states, known := cfg.States[p.ID]
		if !known {
			writeError(w, http.StatusServiceUnavailable, "the states of this project could not be loaded; try again later")
			return
		}
		resp := statesResponse{Project: p, States: states}
		if s, ok := cfg.SuggestedStatuses(p.ID); ok {
			resp.Suggested = &s
		}
		writeJSON(w, http.StatusOK, resp)
		return
	}
	if disabled := cfg.StatusField().DisabledReason; disabled != "" && len(cfg.Projects) == 0 {
		writeError(w, http.StatusServiceUnavailable, disabled)
		return
	}
	writeError(w, http.StatusNotFound, "unknown project")
}

// submission is the body of PUT /organizations/{org}/config.
type submission struct {
	SyncStatusForward     json.RawMessage `json:"sync_status_forward"`
	SyncForwardAssignment bool            `json:"sync_forward_assignment"`
	SyncComments          bool            `json:"sync_comments"`
	SyncStatusReverse     bool            `json:"sync_status_reverse"`
	SyncReverseAssignment bool            `json:"sync_reverse_assignment"`
}

func (a *app) putConfig(w http.ResponseWriter, r *http.Request) {
	if mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type")); err != nil || mt != "application/json" {
		writeError(w, http.StatusUnsupportedMediaType, "send the configuration as application/json")
		return
	}
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, maxBody))
	dec.DisallowUnknownFields()
	var sub submission
	if err := dec.Decode(&sub); err != nil {
		var tooLarge *http.MaxBytesError
		if errors.As(err, &tooLarge) {
			writeError(w, http.StatusRequestEntityTooLarge, "the configuration is too large")
			return
		}
		writeErrors(w, http.StatusUnprocessableEntity, []string{"the configuration is not a valid JSON object: " + err.Error()})
		return
	}
	mapping := orgconfig.StatusMapping{}
	if len(sub.SyncStatusForward) > 0 && string(sub.SyncStatusForward) != "null" {
		var err error
		if mapping, err = orgconfig.ParseStatusMapping(sub.SyncStatusForward); err != nil {
			writeErrors(w, http.StatusUnprocessableEntity, []string{err.Error()})
			return
		}
	}
	cfg, ok := a.build(w, r, true)
	if !ok {
		return
	}
	if cfg.Reason == orgconfig.ReasonNoAccess || cfg.Reason == orgconfig.ReasonGateError {
		writeError(w, http.StatusForbidden, cfg.StatusField().DisabledReason)
		return
	}
	if err := cfg.ValidateStatusMapping(mapping); err != nil {
		writeErrors(w, http.StatusUnprocessableEntity, strings.Split(err.Error(), "\n"))
		return
	}
	saved := Saved{
		SyncStatusForward:     normalize(cfg, mapping),
		SyncForwardAssignment: sub.SyncForwardAssignment,
		SyncComments:          sub.SyncComments,
		SyncStatusReverse:     sub.SyncStatusReverse,
		SyncReverseAssignment: sub.SyncReverseAssignment,
	}
	if err := a.store.Save(r.Context(), r.PathValue("org"), saved); err != nil {
		a.logger.ErrorContext(r.Context(), "save configuration", "err", err)
		writeError(w, http.StatusInternalServerError, "could not save the configuration")
		return
	}
	writeJSON(w, http.StatusOK, map[string]Saved{"values": saved})
}

// normalize keys a valid mapping by the projects' IDs as Azure DevOps
// spells them.
func normalize(cfg *orgconfig.Config, m orgconfig.StatusMapping) orgconfig.StatusMapping {
	out := make(orgconfig.StatusMapping, len(m))
	for id, s := range m {
		for _, p := range cfg.Projects {
			if strings.EqualFold(p.ID, id) {
				id = p.ID
				break
			}
		}
		out[id] = s
	}
	return out
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

func writeError(w http.ResponseWriter, status int, msg string) {
	writeJSON(w, status, map[string]string{"error": msg})
}

func writeErrors(w http.ResponseWriter, status int, msgs []string) {
	writeJSON(w, status, map[string][]string{"errors": msgs})
}

type statusWriter struct {
	http.ResponseWriter
	status int
}

func (s *statusWriter) WriteHeader(code int) {
	s.status = code
	s.ResponseWriter.WriteHeader(code)
}

func (a *app) logRequests(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		sw := &statusWriter{ResponseWriter: w, status: http.StatusOK}
		next.ServeHTTP(sw, r)
		a.logger.InfoContext(r.Context(), "request", "method", r.Method, "path", r.URL.Path, "status", sw.status, "duration", time.Since(start))
	})
}

package main

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"sync"
	"time"

	"github.com/azdosync/azdosync/azdo"
	"github.com/azdosync/azdosync/orgconfig"
)

var errUnknownOrg = errors.New("unknown organization")

// app holds one Builder per organization, created on first use.
type app struct {
	connect  func(org string) (*azdo.Client, error)
	gate     orgconfig.FeatureGate
	timeout  time.Duration
	cacheTTL time.Duration
	logger   *slog.Logger

	mu       sync.Mutex
	builders map[string]*orgconfig.Builder
}

func newApp(connect func(string) (*azdo.Client, error), gate orgconfig.FeatureGate, timeout, cacheTTL time.Duration, logger *slog.Logger) *app {
	return &app{connect: connect, gate: gate, timeout: timeout, cacheTTL: cacheTTL, logger: logger, builders: map[string]*orgconfig.Builder{}}
}

func (a *app) routes() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusNoContent) })
	mux.HandleFunc("GET /organizations/{org}/config", a.getConfig)
	// Submissions (PUT /organizations/{org}/config) and lazily loaded
	// states (GET /organizations/{org}/projects/{id}/states) belong here.
	return a.logRequests(mux)
}

func (a *app) builder(org string) (*orgconfig.Builder, error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if b, ok := a.builders[org]; ok {
		return b, nil
	}
	client, err := a.connect(org)
	if err != nil {
		return nil, err
	}
	b, err := orgconfig.NewBuilder(client, a.gate, orgconfig.WithCacheTTL(a.cacheTTL), orgconfig.WithLogger(a.logger))
	if err != nil {
		return nil, err
	}
	a.builders[org] = b
	return b, nil
}

// configResponse is the body of GET /organizations/{org}/config.
type configResponse struct {
	Fields   []orgconfig.Field `json:"fields"`
	Problems []string          `json:"problems"`
}

func (a *app) getConfig(w http.ResponseWriter, r *http.Request) {
	org := r.PathValue("org")
	b, err := a.builder(org)
	if err != nil {
		if errors.Is(err, errUnknownOrg) {
			writeError(w, http.StatusNotFound, "unknown organization")
			return
		}
		a.logger.ErrorContext(r.Context(), "connect", "org", org, "err", err)
		writeError(w, http.StatusInternalServerError, "could not connect to the organization")
		return
	}
	ctx, cancel := context.WithTimeout(r.Context(), a.timeout)
	defer cancel()
	cfg, err := b.Build(ctx, org)
	if err != nil {
		writeError(w, http.StatusGatewayTimeout, "building the form took too long")
		return
	}
	resp := configResponse{Fields: cfg.Fields, Problems: []string{}}
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

func writeError(w http.ResponseWriter, status int, msg string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(map[string]string{"error": msg})
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

package main

import (
	"fmt"
	"net/http"
	"runtime/debug"
)

// apiCSP is the Content-Security-Policy of every response but the page
// and its assets (page.go's pageCSP): JSON, problems, redirects and the
// mux's own answers load nothing and may not be framed, so that a browser
// led to one of them runs nothing in it.
const apiCSP = "default-src 'none'; frame-ancestors 'none'"

// secureHeaders gives every response a Content-Security-Policy and
// X-Content-Type-Options: nosniff, also the answers no handler of ours
// writes: net/http's redirects (GET /organizations/{org} to the page, the
// mux's path cleaning) answer text/html. Handlers may set their own
// policy (the page does).
func secureHeaders(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		setSecureHeaders(w.Header())
		next.ServeHTTP(w, r)
	})
}

func setSecureHeaders(h http.Header) {
	h.Set("Content-Security-Policy", apiCSP)
	h.Set("X-Content-Type-Options", "nosniff")
}

// recoverPanics answers a request whose handler panicked with a 500
// problem, logs the panic and its stack once, and keeps the connection
// serving, where net/http would close it (and log the stack itself). When
// the handler had begun its answer, it is cut short: the connection is
// closed (http.ErrAbortHandler, which net/http does not log again).
func (a *app) recoverPanics(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		sw := &startedWriter{ResponseWriter: w}
		defer func() {
			v := recover()
			if v == nil {
				return
			}
			if v == http.ErrAbortHandler {
				panic(v)
			}
			a.cfg.Logger.ErrorContext(r.Context(), "handler panicked", "method", truncate(r.Method, 20),
				"path", truncate(r.URL.Path, maxLoggedPath), "panic", truncate(fmt.Sprint(v), 1000), "stack", string(debug.Stack()))
			if sw.started {
				panic(http.ErrAbortHandler)
			}
			h := w.Header()
			clear(h) // what the handler meant for its own answer (an ETag, a cache policy)
			setSecureHeaders(h)
			writeProblem(w, http.StatusInternalServerError, "", "the server failed to answer this request")
		}()
		next.ServeHTTP(sw, r)
	})
}

// startedWriter records whether an answer has begun.
type startedWriter struct {
	http.ResponseWriter
	started bool
}

func (s *startedWriter) WriteHeader(code int) {
	if code >= 200 { // 1xx answers are interim
		s.started = true
	}
	s.ResponseWriter.WriteHeader(code)
}

func (s *startedWriter) Write(p []byte) (int, error) {
	s.started = true
	return s.ResponseWriter.Write(p)
}

// Unwrap lets http.ResponseController reach the connection.
func (s *startedWriter) Unwrap() http.ResponseWriter { return s.ResponseWriter }

// refuseCrossOrigin refuses, with a 403 problem, the requests that change
// something (PUT, PATCH, POST) a browser sends for a page of another
// origin (net/http's CrossOriginProtection: Sec-Fetch-Site, else Origin):
// without it, any site the admin visits could post a form to
// /organizations/{org}/refresh, a request browsers send without asking
// the server first. The page's own requests, and clients that are not
// browsers, pass.
func refuseCrossOrigin(next http.Handler) http.Handler {
	p := http.NewCrossOriginProtection()
	p.SetDenyHandler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		writeProblem(w, http.StatusForbidden, "", "cross-origin request refused: change the configuration from this server's own page")
	}))
	return p.Handler(next)
}

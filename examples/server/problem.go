package main

import (
	"encoding/json"
	"errors"
	"net/http"
	"strconv"

	"github.com/azdosync/azdosync/orgconfig"
)

// problem is the body of every error response: an RFC 9457 problem
// details object, sent as application/problem+json.
type problem struct {
	// Type is "about:blank" for plain HTTP errors (Title is then the
	// status text), else "/problems/{slug}", a page of this server that
	// says what the problem means.
	Type   string `json:"type"`
	Title  string `json:"title"`
	Status int    `json:"status"`
	Detail string `json:"detail,omitempty"`
	// Errors lists the rows of a 422 invalid-mapping problem: each is an
	// orgconfig.MappingError, whose JSON carries the project ID as
	// submitted, the key ("on_resolve", "on_unresolve", or "" for the whole
	// entry), the state, a stable code and an English message.
	Errors orgconfig.MappingErrors `json:"errors,omitempty"`
}

// Problem types of this server ("/problems/{slug}").
const (
	probUnknownOrganization = "unknown-organization"
	probUnknownProject      = "unknown-project"
	probMalformed           = "malformed-configuration"
	probInvalidMapping      = "invalid-mapping"
	probFeatureUnavailable  = "feature-unavailable"
	probEditConflict        = "edit-conflict"
	probStatesUnavailable   = "states-unavailable"
	probBuildTimeout        = "build-timeout"
)

// describeProblem returns the title and the explanation of a problem type.
func describeProblem(slug string) (title, doc string, ok bool) {
	switch slug {
	case probUnknownOrganization:
		return "Unknown organization", "The organization in the path is not one this server serves.", true
	case probUnknownProject:
		return "Unknown project", "The organization has no Azure DevOps project with this ID.", true
	case probMalformed:
		return "Malformed configuration", "The body is not a configuration: a JSON object with only the form's keys " +
			"(exactly as spelled, each once), booleans for the toggles, a status mapping of " +
			"{\"<project id>\": {\"on_resolve\": \"<state>\", \"on_unresolve\": \"<state>\"}} " +
			"and nothing after the object.", true
	case probInvalidMapping:
		return "Invalid status mapping", "The status mapping does not match what Azure DevOps has. " +
			"\"errors\" lists each problem with the project ID as submitted, the key (on_resolve, " +
			"on_unresolve, or empty for the whole entry), the state, a code and a message.", true
	case probFeatureUnavailable:
		return "Feature unavailable", "The organization does not have the issue-sync feature, " +
			"or it could not be verified: nothing can be saved.", true
	case probEditConflict:
		return "Edit conflict", "The configuration was saved by someone else since the version named in If-Match. " +
			"Load it again (GET), then save.", true
	case probStatesUnavailable:
		return "States unavailable", "The Azure DevOps projects or work item states could not be loaded. " +
			"503: try again later (after Retry-After, when given); 502: an admin must fix what the detail names " +
			"(the credentials, the organization URL, a permission, the project limit) first.", true
	case probBuildTimeout:
		return "Azure DevOps too slow", "Building the form took longer than the server allows. Try again later.", true
	}
	return "", "", false
}

// writeProblem answers with a problem of this server's type slug, or with
// "about:blank" when slug is "".
func writeProblem(w http.ResponseWriter, status int, slug, detail string, rows ...*orgconfig.MappingError) {
	p := problem{Type: "about:blank", Title: http.StatusText(status), Status: status, Detail: detail, Errors: rows}
	if title, _, ok := describeProblem(slug); ok {
		p.Type, p.Title = "/problems/"+slug, title
	}
	body, err := json.Marshal(p)
	if err != nil { // cannot happen: strings and ints
		body = []byte(`{"type":"about:blank","status":500}`)
	}
	h := w.Header()
	h.Del("ETag")
	h.Set("Content-Type", "application/problem+json")
	h.Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(status)
	_, _ = w.Write(body)
}

// getProblem serves GET /problems/{slug}: what a problem type means.
func getProblem(w http.ResponseWriter, r *http.Request) {
	title, doc, ok := describeProblem(r.PathValue("slug"))
	if !ok {
		writeProblem(w, http.StatusNotFound, "", "no such problem type")
		return
	}
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	_, _ = w.Write([]byte(title + "\n\n" + doc + "\n"))
}

// muxProblems answers the requests mux has no route for (404, or 405 with
// its Allow header) with a problem instead of mux's plain text.
func muxProblems(mux *http.ServeMux) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h, pattern := mux.Handler(r)
		if pattern != "" {
			mux.ServeHTTP(w, r)
			return
		}
		rec := &statusOnly{header: w.Header(), status: http.StatusNotFound}
		h.ServeHTTP(rec, r)
		writeProblem(w, rec.status, "", "no route for "+r.Method+" "+truncate(r.URL.Path, maxLoggedPath))
	})
}

// statusOnly records a status and discards the body; headers (Allow) go to
// the real response.
type statusOnly struct {
	header http.Header
	status int
}

func (s *statusOnly) Header() http.Header         { return s.header }
func (s *statusOnly) Write(p []byte) (int, error) { return len(p), nil }
func (s *statusOnly) WriteHeader(code int)        { s.status = code }

// mappingRows is the rows of the error of ValidateStatusMapping (a
// orgconfig.MappingErrors), in its order.
func mappingRows(err error) []*orgconfig.MappingError {
	var list orgconfig.MappingErrors
	if !errors.As(err, &list) {
		return []*orgconfig.MappingError{{Err: err}}
	}
	return list
}

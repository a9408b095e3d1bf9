package main

import (
	"net/http"
	"net/url"
)

// statesMaxAge is how long a lazy states answer may be reused: as long as
// Sentry's frontend keeps it.
const statesMaxAge = "30"

// statesURL is the organization's states URL, which the form's status
// field carries as "statusUrl" (orgconfig.WithStatesURL).
func statesURL(o organization) string {
	return "/organizations/" + url.PathEscape(o.Name) + "/search"
}

// searchStates serves GET /organizations/{org}/search?field=status&project={id},
// as Sentry's frontend asks a lazy status field's statusUrl: the choices
// of one project's row, [{"value": …, "label": …}] (Config.StatusChoices),
// reusable for 30 seconds. An unknown project is a 404 problem.
func (a *app) searchStates(w http.ResponseWriter, r *http.Request) {
	o, ok := a.organization(w, r)
	if !ok {
		return
	}
	q := r.URL.Query()
	if q.Get("field") != "status" {
		writeProblem(w, http.StatusBadRequest, "", `the query must ask for field=status`)
		return
	}
	id := q.Get("project")
	if id == "" {
		writeProblem(w, http.StatusBadRequest, "", "the query must name a project")
		return
	}
	cfg, ok := a.build(w, r, o, false)
	if !ok || refuseGated(w, cfg) {
		return
	}
	if _, found := project(w, cfg, id); !found {
		return
	}
	choices, _ := cfg.StatusChoices(id)
	w.Header().Set("Cache-Control", "private, max-age="+statesMaxAge)
	writeJSON(w, http.StatusOK, choices)
}

package main

import (
	"net/http"
)

// refresh drops the organization's cached projects and states
// (orgconfig's Builder.Forget), in this process and, with -redis, for
// every replica, so that the next form shows the organization as it is
// now: the admin's "Refresh" after creating a project in Azure DevOps. It
// answers 204. When the shared cache fails it answers 503: this process
// asks Azure DevOps again, but other replicas may show the old projects
// until their cache expires.
func (a *app) refresh(w http.ResponseWriter, r *http.Request) {
	o, ok := a.organization(w, r)
	if !ok {
		return
	}
	b, err := a.buildersOf(o)
	if err != nil {
		a.cfg.Logger.ErrorContext(r.Context(), "connect", "org", o.Name, "err", err)
		writeProblem(w, http.StatusInternalServerError, "", "could not connect to the organization")
		return
	}
	if err := b.cached.Forget(r.Context()); err != nil {
		a.cfg.Logger.WarnContext(r.Context(), "refresh: shared cache not dropped", "org", o.Name, "err", err)
		writeProblem(w, http.StatusServiceUnavailable, "", "the shared cache could not be dropped: other replicas may show the old projects until it expires")
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"mime"
	"net/http"
	"strings"

	"github.com/azdosync/azdosync/orgconfig"
)

// Saving part of a configuration, as Sentry's frontend saves: each field
// on its own.
//
//	PATCH /organizations/{org}/config  a JSON merge patch (RFC 7396) of the
//	                                   values: a field absent is unchanged;
//	                                   in the status mapping a row absent is
//	                                   unchanged, a row null is removed and
//	                                   a row object is merged into the saved
//	                                   row. 200 with the values and the
//	                                   ETag, problems as PUT.
//	POST /organizations/{org}/config   the same merge, answered as Sentry's
//	                                   integration endpoint answers: 200 with
//	                                   no body, 400 {"detail": …} with the
//	                                   first problem of the mapping.
//
// Only the rows a patch sends are validated: the others were validated
// when they were saved, and a toggle saved on its own must not fail on a
// row the admin did not touch.

// mergeAttempts bounds how often a merge without If-Match is redone when
// a PUT lands between loading the values and saving the merge (merges
// themselves take turns: app.merging).
const mergeAttempts = 3

// configPatch is a parsed merge patch of a configuration.
type configPatch struct {
	toggles map[string]bool // the toggles present; null is false
	mapping *mappingPatch   // nil when sync_status_forward is absent
}

// mappingPatch is the merge patch of the status mapping.
type mappingPatch struct {
	clear bool       // sync_status_forward is null: remove every row
	rows  []rowPatch // in the order sent
}

// rowPatch is the merge patch of one row.
type rowPatch struct {
	id                     string
	remove                 bool    // the row is null
	onResolve, onUnresolve *string // nil when absent; null is ""
}

// parsePatch parses a merge patch of a configuration: an object with only
// the form's keys, each at most once; true, false or null for a toggle;
// null or a mapping patch for the status mapping.
func parsePatch(data []byte) (configPatch, error) {
	p := configPatch{toggles: map[string]bool{}}
	members, err := objectMembers(data)
	if err != nil {
		return p, fmt.Errorf("read configuration: %w", err)
	}
	for _, m := range members {
		switch m.key {
		case orgconfig.KeySyncForwardAssignment, orgconfig.KeySyncComments, orgconfig.KeySyncStatusReverse, orgconfig.KeySyncReverseAssignment:
			switch string(m.value) {
			case "true":
				p.toggles[m.key] = true
			case "false", "null":
				p.toggles[m.key] = false
			default:
				return p, fmt.Errorf("read configuration: %q must be true, false or null", m.key)
			}
		case orgconfig.KeySyncStatusForward:
			if p.mapping, err = parseMappingPatch(m.value); err != nil {
				return p, err
			}
		default:
			return p, fmt.Errorf("read configuration: unknown key %q (keys are case-sensitive)%s", truncate(m.key, 100), fieldNamesHint)
		}
	}
	return p, nil
}

// parseMappingPatch parses the merge patch of the status mapping: null, or
// an object of project IDs to null or an object with only on_resolve and
// on_unresolve, each a string or null. It keeps ParseStatusMapping's
// limits, and refuses one project twice (IDs ignore case).
func parseMappingPatch(data json.RawMessage) (*mappingPatch, error) {
	if string(data) == "null" {
		return &mappingPatch{clear: true}, nil
	}
	members, err := objectMembers(data)
	if err != nil {
		return nil, fmt.Errorf("parse status mapping: %w", err)
	}
	if len(members) > orgconfig.MaxMappingProjects {
		return nil, fmt.Errorf("parse status mapping: more than %d projects", orgconfig.MaxMappingProjects)
	}
	mp := &mappingPatch{}
	spelled := map[string]string{}
	for _, m := range members {
		id := m.key
		if id == "" || len(id) > orgconfig.MaxProjectIDLen {
			return nil, fmt.Errorf("parse status mapping: project id %q must have 1 to %d characters", truncate(id, 40), orgconfig.MaxProjectIDLen)
		}
		if first, dup := spelled[strings.ToLower(id)]; dup {
			return nil, fmt.Errorf("parse status mapping: project %q appears twice, also as %q (project ids ignore case)", first, id)
		}
		spelled[strings.ToLower(id)] = id
		row := rowPatch{id: id}
		if string(m.value) == "null" {
			row.remove = true
			mp.rows = append(mp.rows, row)
			continue
		}
		fields, err := objectMembers(m.value)
		if err != nil {
			return nil, fmt.Errorf("parse status mapping: project %q: entry must be an object or null", id)
		}
		for _, f := range fields {
			var dst **string
			switch f.key {
			case orgconfig.KeyOnResolve:
				dst = &row.onResolve
			case orgconfig.KeyOnUnresolve:
				dst = &row.onUnresolve
			default:
				return nil, fmt.Errorf("parse status mapping: project %q: unknown field %q", id, truncate(f.key, 40))
			}
			var state *string
			if err := json.Unmarshal(f.value, &state); err != nil {
				return nil, fmt.Errorf("parse status mapping: project %q: %q must be a string or null", id, f.key)
			}
			if state == nil {
				state = new(string)
			}
			if len(*state) > orgconfig.MaxChoiceLen {
				return nil, fmt.Errorf("parse status mapping: project %q: status of %d bytes, more than the limit of %d", id, len(*state), orgconfig.MaxChoiceLen)
			}
			*dst = state
		}
		mp.rows = append(mp.rows, row)
	}
	return mp, nil
}

// apply merges the patch into saved values, which it does not modify. It
// returns the merged values and the rows the patch set, merged with the
// saved rows of their projects (IDs ignore case) and keyed as sent; those
// rows are in the merged values too, under the same keys.
func (p configPatch) apply(s Saved) (Saved, orgconfig.StatusMapping) {
	s = s.clone()
	for key, on := range p.toggles {
		switch key {
		case orgconfig.KeySyncForwardAssignment:
			s.SyncForwardAssignment = on
		case orgconfig.KeySyncComments:
			s.SyncComments = on
		case orgconfig.KeySyncStatusReverse:
			s.SyncStatusReverse = on
		case orgconfig.KeySyncReverseAssignment:
			s.SyncReverseAssignment = on
		}
	}
	touched := orgconfig.StatusMapping{}
	if p.mapping == nil {
		return s, touched
	}
	if p.mapping.clear || s.SyncStatusForward == nil {
		s.SyncStatusForward = orgconfig.StatusMapping{}
	}
	// The saved keys of each project, found once: a patch may name as
	// many rows as the mapping holds.
	spellings := map[string][]string{}
	for key := range s.SyncStatusForward {
		folded := strings.ToLower(key)
		spellings[folded] = append(spellings[folded], key)
	}
	for _, row := range p.mapping.rows {
		var merged orgconfig.ProjectStatuses
		for _, key := range spellings[strings.ToLower(row.id)] {
			merged = s.SyncStatusForward[key]
			delete(s.SyncStatusForward, key)
		}
		if row.remove {
			continue
		}
		if row.onResolve != nil {
			merged.OnResolve = *row.onResolve
		}
		if row.onUnresolve != nil {
			merged.OnUnresolve = *row.onUnresolve
		}
		s.SyncStatusForward[row.id] = merged
		touched[row.id] = merged
	}
	return s, touched
}

// patchConfig serves PATCH /organizations/{org}/config.
func (a *app) patchConfig(w http.ResponseWriter, r *http.Request) {
	a.mergeConfig(w, r, false)
}

// postConfig serves POST /organizations/{org}/config, as Sentry's
// frontend saves one field.
func (a *app) postConfig(w http.ResponseWriter, r *http.Request) {
	a.mergeConfig(w, r, true)
}

// mergeConfig merges a patch into the saved values; sentry answers as
// Sentry's integration endpoint does.
func (a *app) mergeConfig(w http.ResponseWriter, r *http.Request, sentry bool) {
	o, ok := a.organization(w, r)
	if !ok {
		return
	}
	mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if err != nil || (mt != "application/json" && (sentry || mt != "application/merge-patch+json")) {
		accepted := "application/json or application/merge-patch+json"
		if sentry {
			accepted = "application/json"
		}
		writeProblem(w, http.StatusUnsupportedMediaType, "", "send the values as "+accepted)
		return
	}
	body, ok := readBody(w, r)
	if !ok {
		return
	}
	patch, err := parsePatch(body)
	if err != nil {
		writeProblem(w, http.StatusBadRequest, probMalformed, err.Error())
		return
	}
	cfg, ok := a.build(w, r, o, true)
	if !ok || refuseGated(w, cfg) {
		return
	}
	match := ifMatch(r.Header.Get("If-Match"))
	a.merging.Lock()
	defer a.merging.Unlock()
	for attempt := 1; ; attempt++ {
		stored, version, ok := a.load(w, r, o)
		if !ok {
			return
		}
		if match != nil && !match(version) {
			refuseStale(w)
			return
		}
		merged, touched := patch.apply(stored)
		if err := cfg.ValidateStatusMapping(touched); err != nil {
			a.refuseMapping(w, cfg, err, sentry)
			return
		}
		// Pruning validated rows drops nothing and keys them as Azure
		// DevOps spells the IDs.
		normalized, _ := cfg.PruneStatusMapping(touched)
		for id := range touched {
			delete(merged.SyncStatusForward, id)
		}
		for id, entry := range normalized {
			merged.SyncStatusForward[id] = entry
		}
		newVersion, err := a.cfg.Store.Save(r.Context(), o.Name, merged, func(v string) bool { return v == version })
		if errors.Is(err, errVersionMismatch) && match == nil && attempt < mergeAttempts {
			continue // a PUT landed since Load: merge into it
		}
		if err != nil {
			a.refuseSave(w, r, o, err)
			return
		}
		w.Header().Set("ETag", versionETag(newVersion))
		if sentry {
			w.WriteHeader(http.StatusOK)
			return
		}
		writeJSON(w, http.StatusOK, putResponse{Values: merged})
		return
	}
}

// refuseMapping answers a mapping that ValidateStatusMapping refused: 503
// when only the states to check it against are missing (nothing the admin
// sent is wrong: say so, and that a retry is worth it), else 422 with the
// rows, or, as Sentry's integration endpoint answers, 400 with the first
// problem's text as "detail".
func (a *app) refuseMapping(w http.ResponseWriter, cfg *orgconfig.Config, err error, sentry bool) {
	if onlyStatesUnknown(err) {
		setRetryAfter(w, cfg)
		writeProblem(w, statesUnavailableStatus(cfg.Reason), probStatesUnavailable, statesUnavailableDetail(cfg))
		return
	}
	rows := mappingRows(err)
	if sentry {
		writeJSON(w, http.StatusBadRequest, map[string]string{"detail": rows[0].Error()})
		return
	}
	writeProblem(w, http.StatusUnprocessableEntity, probInvalidMapping, "the status mapping does not match the organization's projects and states", rows...)
}

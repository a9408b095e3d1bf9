package orgconfig

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
)

// ProjectStatuses are the states to set on one project's work items when
// a linked issue is resolved or unresolved.
type ProjectStatuses struct {
	OnResolve   string `json:"on_resolve"`
	OnUnresolve string `json:"on_unresolve"`
}

// StatusMapping is the submitted value of the status field
// ([KeySyncStatusForward]): states by Azure DevOps project ID. An empty
// mapping turns status sync off.
type StatusMapping map[string]ProjectStatuses

// Limits of [ParseStatusMapping].
const (
	MaxMappingBytes    = 1 << 20 // the whole submitted value
	MaxMappingProjects = 10_000  // entries
	MaxProjectIDLen    = 64      // a project ID is a 36-character UUID
)

// Kinds of problem in a status mapping, for errors.Is.
var (
	ErrStatusRequired = errors.New("resolve and unresolve status are required")
	ErrUnknownProject = errors.New("unknown project")
	ErrUnknownState   = errors.New("unknown state")
	// ErrStatesUnknown: the form was built without this project's states
	// (a failure, or WithStateProjectLimit), so its entry cannot be
	// checked.
	ErrStatesUnknown = errors.New("states unknown")
)

// ParseStatusMapping parses a submitted status mapping: a JSON object whose
// values are objects with only "on_resolve" and "on_unresolve" strings.
// It refuses other shapes, unknown keys, repeated project IDs, null
// entries, trailing data, and values past the size limits. Errors begin
// "parse status mapping".
func ParseStatusMapping(data []byte) (StatusMapping, error) {
	fail := func(format string, args ...any) (StatusMapping, error) {
		return nil, fmt.Errorf("parse status mapping: "+format, args...)
	}
	if len(data) > MaxMappingBytes {
		return fail("%d bytes, more than the limit of %d", len(data), MaxMappingBytes)
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if tok, err := dec.Token(); err != nil || tok != json.Delim('{') {
		return fail("not a JSON object")
	}
	m := StatusMapping{}
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return fail("malformed JSON: %v", err)
		}
		id := tok.(string) // object keys are always strings
		if id == "" || len(id) > MaxProjectIDLen {
			return fail("project id %q must have 1 to %d characters", truncate(id), MaxProjectIDLen)
		}
		if _, dup := m[id]; dup {
			return fail("project %q appears twice", id)
		}
		if len(m) == MaxMappingProjects {
			return fail("more than %d projects", MaxMappingProjects)
		}
		var entry *ProjectStatuses
		if err := dec.Decode(&entry); err != nil {
			return fail("project %q: %v", id, describeJSONErr(err))
		}
		if entry == nil {
			return fail("project %q: entry is null", id)
		}
		for _, s := range []string{entry.OnResolve, entry.OnUnresolve} {
			if len(s) > MaxChoiceLen {
				return fail("project %q: status of %d bytes, more than the limit of %d", id, len(s), MaxChoiceLen)
			}
		}
		m[id] = *entry
	}
	if _, err := dec.Token(); err != nil {
		if errors.Is(err, io.EOF) {
			return fail("malformed JSON: unexpected end")
		}
		return fail("malformed JSON: %v", err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return fail("data after the object")
	}
	return m, nil
}

func truncate(s string) string {
	if len(s) > 40 {
		return s[:40] + "…"
	}
	return s
}

// describeJSONErr shortens decoder errors to what an admin can act on.
func describeJSONErr(err error) string {
	var typeErr *json.UnmarshalTypeError
	switch {
	case errors.As(err, &typeErr):
		if typeErr.Field != "" {
			return fmt.Sprintf("%q must be a string", typeErr.Field)
		}
		return "entry must be an object"
	case strings.HasPrefix(err.Error(), "json: unknown field"):
		return strings.TrimPrefix(err.Error(), "json: ")
	}
	return "malformed JSON: " + err.Error()
}

// msgStatusRequired is the reference integration's message, which admins
// and its front end know.
const msgStatusRequired = "Resolve and unresolve status are required."

// mappingError is one problem of one entry.
type mappingError struct {
	project string // "name" (id), or the bare id when unknown
	msg     string
	kind    error
}

func (e *mappingError) Error() string {
	if e.project == "" {
		return e.msg
	}
	return "project " + e.project + ": " + e.msg
}

func (e *mappingError) Unwrap() error { return e.kind }

// ValidateStatusMapping checks a submitted mapping against what Azure
// DevOps has: every entry needs both states, its project must exist, and
// both states must be states of the project's work item type. It reports
// every problem at once (errors.Join), ordered by project ID, each
// matching one of ErrStatusRequired, ErrUnknownProject, ErrUnknownState or
// ErrStatesUnknown with errors.Is. An empty mapping is valid.
func (c *Config) ValidateStatusMapping(m StatusMapping) error {
	if len(m) == 0 {
		return nil
	}
	if !c.projectsKnown {
		return &mappingError{kind: ErrStatesUnknown,
			msg: "the status mapping cannot be checked: the form was built without the Azure DevOps projects (" + c.StatusField().DisabledReason + ")"}
	}
	index := c.projectIndex()
	var errs []error
	for _, id := range sortedKeys(m) {
		entry := m[id]
		p, ok := index[strings.ToLower(id)]
		if !ok {
			errs = append(errs, &mappingError{project: fmt.Sprintf("%q", id), msg: "no such Azure DevOps project", kind: ErrUnknownProject})
			continue
		}
		label := fmt.Sprintf("%q (%s)", p.Name, p.ID)
		if entry.OnResolve == "" || entry.OnUnresolve == "" {
			errs = append(errs, &mappingError{project: label, msg: msgStatusRequired, kind: ErrStatusRequired})
			continue
		}
		states, known := c.States[p.ID]
		if !known {
			errs = append(errs, &mappingError{project: label, kind: ErrStatesUnknown,
				msg: "its work item states were not loaded, so its statuses cannot be checked; try again later"})
			continue
		}
		for _, s := range []string{entry.OnResolve, entry.OnUnresolve} {
			if !hasState(states, s) {
				errs = append(errs, &mappingError{project: label, msg: fmt.Sprintf("%q is not one of its states", s), kind: ErrUnknownState})
			}
		}
	}
	return errors.Join(errs...)
}

// SuggestedStatuses proposes a project's mapping: on resolve its first
// state in category Resolved, else Completed; on unresolve its first state
// in category Proposed, else InProgress. It reports false when the
// project's states are unknown or either side has no fitting state.
func (c *Config) SuggestedStatuses(projectID string) (ProjectStatuses, bool) {
	p, ok := c.project(projectID)
	if !ok {
		return ProjectStatuses{}, false
	}
	states := c.States[p.ID]
	first := func(categories ...string) string {
		for _, cat := range categories {
			for _, s := range states {
				if s.Category == cat && choosable(s.Name) {
					return s.Name
				}
			}
		}
		return ""
	}
	ps := ProjectStatuses{
		OnResolve:   first(CategoryResolved, CategoryCompleted),
		OnUnresolve: first(CategoryProposed, CategoryInProgress),
	}
	return ps, ps.OnResolve != "" && ps.OnUnresolve != ""
}

// Dropped is an entry PruneStatusMapping removed, and why.
type Dropped struct {
	ProjectID string `json:"project_id"`
	State     string `json:"state,omitempty"` // the saved state the project no longer has
	Reason    string `json:"reason"`
}

// Reasons of [Dropped].
const (
	DroppedProjectGone = "the project no longer exists"
	DroppedStateGone   = "the project no longer has this state"
)

// PruneStatusMapping heals a saved mapping before it is shown again: it
// drops entries whose project no longer exists or whose saved states the
// project no longer has, and reports them. Only what the form knows is
// judged: when the projects could not be loaded, or a project's states
// were not, its entries stay. saved is not modified.
func (c *Config) PruneStatusMapping(saved StatusMapping) (kept StatusMapping, dropped []Dropped) {
	kept = make(StatusMapping, len(saved))
	index := c.projectIndex()
	for _, id := range sortedKeys(saved) {
		entry := saved[id]
		if !c.projectsKnown {
			kept[id] = entry
			continue
		}
		p, ok := index[strings.ToLower(id)]
		if !ok {
			dropped = append(dropped, Dropped{ProjectID: id, Reason: DroppedProjectGone})
			continue
		}
		states, known := c.States[p.ID]
		if !known {
			kept[id] = entry
			continue
		}
		var gone []string
		for _, s := range []string{entry.OnResolve, entry.OnUnresolve} {
			if s != "" && !hasState(states, s) && !slices.Contains(gone, s) {
				gone = append(gone, s)
			}
		}
		if len(gone) == 0 {
			kept[id] = entry
			continue
		}
		for _, s := range gone {
			dropped = append(dropped, Dropped{ProjectID: id, State: s, Reason: DroppedStateGone})
		}
	}
	return kept, dropped
}

// projectIndex maps lower-case project IDs (UUIDs) to projects.
func (c *Config) projectIndex() map[string]Project {
	index := make(map[string]Project, len(c.Projects))
	for _, p := range c.Projects {
		index[strings.ToLower(p.ID)] = p
	}
	return index
}

// project finds a project by ID, case-insensitively (IDs are UUIDs).
func (c *Config) project(id string) (Project, bool) {
	for _, p := range c.Projects {
		if strings.EqualFold(p.ID, id) {
			return p, true
		}
	}
	return Project{}, false
}

func hasState(states []State, name string) bool {
	return slices.ContainsFunc(states, func(s State) bool { return s.Name == name })
}

func sortedKeys(m StatusMapping) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

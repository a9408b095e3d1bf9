package orgconfig

import (
	"bytes"
	"cmp"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"slices"
	"strings"

	"github.com/azdosync/azdosync/internal/clip"
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

// Kinds of problem in a status mapping, for errors.Is. A [*MappingError]
// wraps one of the first four; [ParseStatusMapping] errors wrap one of the
// last two.
var (
	// ErrStatusRequired: an entry lacks its on_resolve or on_unresolve
	// state.
	ErrStatusRequired = errors.New("resolve and unresolve status are required")
	// ErrUnknownProject: the organization has no project with that ID.
	ErrUnknownProject = errors.New("unknown project")
	// ErrUnknownState: the project's work item type has no such state.
	ErrUnknownState = errors.New("unknown state")
	// ErrStatesUnknown: the form was built without this project's states
	// (a failure, or WithStateProjectLimit), or without the projects, so
	// the entry cannot be checked.
	ErrStatesUnknown = errors.New("states unknown")

	// ErrMalformedMapping: the submitted value is not a status mapping:
	// another JSON shape, an unknown or repeated key, a project ID empty,
	// longer than [MaxProjectIDLen] or given twice (IDs ignore case),
	// trailing data.
	ErrMalformedMapping = errors.New("malformed status mapping")
	// ErrMappingTooLarge: the submitted value exceeds a limit
	// ([MaxMappingBytes], [MaxMappingProjects], [MaxChoiceLen]).
	ErrMappingTooLarge = errors.New("status mapping too large")
)

// Keys of a [ProjectStatuses] entry, as submitted and in [MappingError].
const (
	KeyOnResolve   = "on_resolve"
	KeyOnUnresolve = "on_unresolve"
)

// parseError is an error of ParseStatusMapping: its text begins "parse
// status mapping" and it wraps the kind.
type parseError struct {
	msg  string
	kind error
}

func (e *parseError) Error() string { return "parse status mapping: " + e.msg }
func (e *parseError) Unwrap() error { return e.kind }

// ParseStatusMapping parses a submitted status mapping: a JSON object whose
// values are objects with only "on_resolve" and "on_unresolve" strings.
// Keys must match exactly (no case folding); no key may appear twice at any
// level, and no project ID twice ignoring case; nothing but white space may
// follow the object. It refuses other shapes, null entries and values past
// the size limits. Errors begin "parse status mapping" and wrap
// [ErrMalformedMapping] or [ErrMappingTooLarge].
func ParseStatusMapping(data []byte) (StatusMapping, error) {
	p := mappingParser{dec: json.NewDecoder(bytes.NewReader(data))}
	if len(data) > MaxMappingBytes {
		return nil, tooLarge("%d bytes, more than the limit of %d", len(data), MaxMappingBytes)
	}
	if tok, err := p.dec.Token(); err != nil || tok != json.Delim('{') {
		return nil, malformed("not a JSON object")
	}
	m := StatusMapping{}
	spelled := map[string]string{} // folded ID -> ID as submitted
	for p.dec.More() {
		id, err := p.key()
		if err != nil {
			return nil, err
		}
		if id == "" || len(id) > MaxProjectIDLen {
			return nil, malformed("project id %q must have 1 to %d characters", truncate(id), MaxProjectIDLen)
		}
		if first, dup := spelled[foldID(id)]; dup {
			if first == id {
				return nil, malformed("project %q appears twice", id)
			}
			return nil, malformed("project %q appears twice, also as %q (project ids ignore case)", first, id)
		}
		if len(m) == MaxMappingProjects {
			return nil, tooLarge("more than %d projects", MaxMappingProjects)
		}
		entry, err := p.entry(id)
		if err != nil {
			return nil, err
		}
		spelled[foldID(id)] = id
		m[id] = entry
	}
	if _, err := p.dec.Token(); err != nil {
		return nil, jsonErr(err)
	}
	if _, err := p.dec.Token(); err != io.EOF {
		return nil, malformed("data after the object")
	}
	return m, nil
}

func malformed(format string, args ...any) error {
	return &parseError{fmt.Sprintf(format, args...), ErrMalformedMapping}
}

func tooLarge(format string, args ...any) error {
	return &parseError{fmt.Sprintf(format, args...), ErrMappingTooLarge}
}

func jsonErr(err error) error {
	if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
		return malformed("malformed JSON: unexpected end")
	}
	return malformed("malformed JSON: %v", err)
}

// mappingParser walks the tokens of a submitted mapping, so that keys are
// matched exactly and repeated keys are seen (encoding/json folds case
// and keeps the last).
type mappingParser struct{ dec *json.Decoder }

// key reads an object key.
func (p mappingParser) key() (string, error) {
	tok, err := p.dec.Token()
	if err != nil {
		return "", jsonErr(err)
	}
	k, ok := tok.(string)
	if !ok { // unreachable: the decoder only yields strings as keys
		return "", malformed("malformed JSON: object key %v", tok)
	}
	return k, nil
}

// entry reads one project's {"on_resolve": ..., "on_unresolve": ...}.
func (p mappingParser) entry(id string) (ProjectStatuses, error) {
	var e ProjectStatuses
	tok, err := p.dec.Token()
	switch {
	case err != nil:
		return e, jsonErr(err)
	case tok == nil:
		return e, malformed("project %q: entry is null", id)
	case tok != json.Delim('{'):
		return e, malformed("project %q: entry must be an object", id)
	}
	seen := map[string]bool{}
	for p.dec.More() {
		key, err := p.key()
		if err != nil {
			return e, err
		}
		var dst *string
		switch key {
		case KeyOnResolve:
			dst = &e.OnResolve
		case KeyOnUnresolve:
			dst = &e.OnUnresolve
		default:
			return e, malformed("project %q: unknown field %q", id, truncate(key))
		}
		if seen[key] {
			return e, malformed("project %q: %q appears twice", id, key)
		}
		seen[key] = true
		tok, err := p.dec.Token()
		if err != nil {
			return e, jsonErr(err)
		}
		s, ok := tok.(string)
		if !ok {
			return e, malformed("project %q: %q must be a string", id, key)
		}
		if len(s) > MaxChoiceLen {
			return e, tooLarge("project %q: status of %d bytes, more than the limit of %d", id, len(s), MaxChoiceLen)
		}
		*dst = s
	}
	if _, err := p.dec.Token(); err != nil { // the closing brace
		return e, jsonErr(err)
	}
	return e, nil
}

// truncate shortens an input quoted in an error.
func truncate(s string) string { return clip.String(s, 40) }

// msgStatusRequired is the reference integration's message, which admins
// and its front end know.
const msgStatusRequired = "Resolve and unresolve status are required."

// MappingError is one problem of one entry of a status mapping, for a UI to
// show next to the row (ProjectID) and column (Key) it concerns.
// errors.Is(e, kind) reports its kind.
type MappingError struct {
	// ProjectID is the entry's project ID as submitted; "" when the
	// problem concerns the whole mapping (it cannot be checked because the
	// form was built without the projects).
	ProjectID string
	// Key is KeyOnResolve or KeyOnUnresolve when the problem is one
	// state of the entry, or "" for the whole entry.
	Key string
	// State is the state named, when the problem is a state
	// (ErrUnknownState).
	State string
	// Err is the kind: ErrStatusRequired, ErrUnknownProject,
	// ErrUnknownState or ErrStatesUnknown; ErrMalformedMapping when a
	// mapping that did not come from ParseStatusMapping names one project
	// twice (IDs ignore case).
	Err error

	name   string // the project's name, when known
	detail string // ErrStatesUnknown of the whole mapping: why; ErrMalformedMapping: the other spelling
}

// Error names the project (by name and ID when it exists) and says what is
// wrong, quoting the state: project "Fabrikam" (p1): "Done" is not one of
// its states.
func (e *MappingError) Error() string {
	if e == nil {
		return "<nil>"
	}
	var msg string
	switch {
	case errors.Is(e.Err, ErrStatusRequired):
		msg = msgStatusRequired
	case errors.Is(e.Err, ErrUnknownProject):
		msg = "no such Azure DevOps project"
	case errors.Is(e.Err, ErrUnknownState):
		msg = fmt.Sprintf("%q is not one of its states", e.State)
	case errors.Is(e.Err, ErrStatesUnknown) && e.ProjectID == "":
		msg = "the status mapping cannot be checked: the form was built without the Azure DevOps projects"
		if e.detail != "" {
			msg += " (" + e.detail + ")"
		}
	case errors.Is(e.Err, ErrStatesUnknown):
		msg = "its work item states were not loaded, so its statuses cannot be checked; try again later"
	case errors.Is(e.Err, ErrMalformedMapping) && e.detail != "":
		msg = fmt.Sprintf("the same project as %q (project ids ignore case)", e.detail)
	case e.Err != nil:
		msg = e.Err.Error()
	default:
		msg = "invalid entry"
	}
	switch {
	case e.ProjectID == "":
		return msg
	case e.name != "":
		return fmt.Sprintf("project %q (%s): %s", e.name, e.ProjectID, msg)
	}
	return fmt.Sprintf("project %q: %s", e.ProjectID, msg)
}

// Unwrap returns Err.
func (e *MappingError) Unwrap() error {
	if e == nil {
		return nil
	}
	return e.Err
}

// MappingErrors are every problem of a status mapping, sorted by project ID
// then key, as [Config.ValidateStatusMapping] returns them. Use errors.As to
// get the list; errors.Is sees each element's kind.
type MappingErrors []*MappingError

// Error is the elements' texts, one a line.
func (e MappingErrors) Error() string {
	var b strings.Builder
	for _, m := range e {
		if m == nil {
			continue
		}
		if b.Len() > 0 {
			b.WriteByte('\n')
		}
		b.WriteString(m.Error())
	}
	return b.String()
}

// Unwrap returns the elements, so that errors.Is and errors.As look at
// each.
func (e MappingErrors) Unwrap() []error {
	errs := make([]error, 0, len(e))
	for _, m := range e {
		if m != nil {
			errs = append(errs, m)
		}
	}
	return errs
}

// ValidateStatusMapping checks a submitted mapping against what Azure
// DevOps has: every entry needs both states, its project must exist
// (project IDs compare ignoring case), and both states must be states of
// the project's work item type. It returns nil or a [MappingErrors] listing
// every problem of every entry, sorted by project ID then key; each
// matches one of ErrStatusRequired, ErrUnknownProject, ErrUnknownState or
// ErrStatesUnknown with errors.Is. When the form was built without the
// projects (a zero Config, a gated form, a failed project list), one
// ErrStatesUnknown with an empty ProjectID stands for every entry, besides
// the missing states. A mapping built by hand that names one project twice
// (IDs ignore case; ParseStatusMapping refuses it) gets an
// ErrMalformedMapping for each later spelling. An empty mapping is valid.
func (c *Config) ValidateStatusMapping(m StatusMapping) error {
	if len(m) == 0 {
		return nil
	}
	var errs MappingErrors
	known := c.knowsProjects()
	if !known {
		errs = append(errs, &MappingError{Err: ErrStatesUnknown, detail: c.reasonText()})
	}
	index := c.projectIndex()
	spelled := make(map[string]string, len(m)) // folded ID -> first ID as submitted
	for _, id := range sortedKeys(m) {
		entry := m[id]
		folded := foldID(id)
		if first, dup := spelled[folded]; dup {
			errs = append(errs, &MappingError{ProjectID: id, Err: ErrMalformedMapping, detail: first})
			continue
		}
		spelled[folded] = id
		p, found := index[folded]
		if known && !found {
			errs = append(errs, &MappingError{ProjectID: id, Err: ErrUnknownProject})
		}
		var states []State
		statesKnown := false
		if found {
			states, statesKnown = c.States[p.ID]
			if !statesKnown {
				errs = append(errs, &MappingError{ProjectID: id, Err: ErrStatesUnknown, name: p.Name})
			}
		}
		for _, st := range [...]struct{ key, state string }{{KeyOnResolve, entry.OnResolve}, {KeyOnUnresolve, entry.OnUnresolve}} {
			switch {
			case st.state == "":
				errs = append(errs, &MappingError{ProjectID: id, Key: st.key, Err: ErrStatusRequired, name: p.Name})
			case statesKnown && !hasState(states, st.state):
				errs = append(errs, &MappingError{ProjectID: id, Key: st.key, State: st.state, Err: ErrUnknownState, name: p.Name})
			}
		}
	}
	if len(errs) == 0 {
		return nil
	}
	slices.SortStableFunc(errs, func(a, b *MappingError) int {
		return cmp.Or(strings.Compare(a.ProjectID, b.ProjectID), strings.Compare(a.Key, b.Key))
	})
	return errs
}

// reasonText is why the form lacks its projects, as its status field says
// it (translated), else in English; "" when unknown.
func (c *Config) reasonText() string {
	if f := c.StatusField(); f != nil && f.DisabledReason != "" {
		return f.DisabledReason
	}
	if c == nil {
		return ""
	}
	return withMinutes(c.Reason.Text(), textThrottledLater, c.RetryAt)
}

// SuggestedStatuses proposes a project's mapping: on resolve its first
// state in category Resolved, else Completed; on unresolve its first state
// in category Proposed, else InProgress. It reports false when the
// project's states are unknown or either side has no fitting state.
func (c *Config) SuggestedStatuses(projectID string) (ProjectStatuses, bool) {
	p, ok := c.Project(projectID)
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
	ProjectID string     `json:"project_id"`      // as saved
	State     string     `json:"state,omitempty"` // the saved state the project no longer has
	Reason    DropReason `json:"reason"`
}

// DropReason says why [Config.PruneStatusMapping] dropped an entry: a
// stable code a program can switch on, as it marshals to JSON. Text gives
// it in English.
type DropReason string

// Reasons of [Dropped].
const (
	DroppedProjectGone DropReason = "project_gone"      // the project no longer exists
	DroppedStateGone   DropReason = "state_gone"        // the project no longer has the saved state
	DroppedDuplicate   DropReason = "duplicate_project" // another entry names the same project
)

// Text says the reason in English, for a log or an admin.
func (r DropReason) Text() string {
	switch r {
	case DroppedProjectGone:
		return "the project no longer exists"
	case DroppedStateGone:
		return "the project no longer has this state"
	case DroppedDuplicate:
		return "another entry names the same project"
	}
	return string(r)
}

// PruneStatusMapping heals a saved mapping before it is shown again: it
// drops entries whose project no longer exists or whose saved states the
// project no longer has, and reports them, in project ID order. Only what
// the form knows is judged: when the projects could not be loaded (or c is
// a zero Config), every entry stays as saved; when a project's states were
// not loaded, its entry stays.
//
// Kept entries are keyed by the project ID as Azure DevOps spells it
// ([Config.Projects]), so pruning a validated submission also normalizes
// it. When several saved IDs name one project (IDs ignore case), the one
// spelled as Azure DevOps does is kept, else the first in byte order; the
// others are dropped with DroppedDuplicate. saved is not modified.
func (c *Config) PruneStatusMapping(saved StatusMapping) (kept StatusMapping, dropped []Dropped) {
	kept = make(StatusMapping, len(saved))
	if !c.knowsProjects() {
		maps.Copy(kept, saved)
		return kept, nil
	}
	index := c.projectIndex()
	ids := sortedKeys(saved)
	chosen := make(map[string]string, len(saved)) // Azure DevOps ID -> saved ID kept
	for _, id := range ids {
		if p, ok := index[foldID(id)]; ok {
			if prev, dup := chosen[p.ID]; !dup || (id == p.ID && prev != p.ID) {
				chosen[p.ID] = id
			}
		}
	}
	for _, id := range ids {
		entry := saved[id]
		p, ok := index[foldID(id)]
		if !ok {
			dropped = append(dropped, Dropped{ProjectID: id, Reason: DroppedProjectGone})
			continue
		}
		if chosen[p.ID] != id {
			dropped = append(dropped, Dropped{ProjectID: id, Reason: DroppedDuplicate})
			continue
		}
		states, known := c.States[p.ID]
		if !known {
			kept[p.ID] = entry
			continue
		}
		var gone []string
		for _, s := range []string{entry.OnResolve, entry.OnUnresolve} {
			if s != "" && !hasState(states, s) && !slices.Contains(gone, s) {
				gone = append(gone, s)
			}
		}
		if len(gone) == 0 {
			kept[p.ID] = entry
			continue
		}
		for _, s := range gone {
			dropped = append(dropped, Dropped{ProjectID: id, State: s, Reason: DroppedStateGone})
		}
	}
	return kept, dropped
}

// projectIndex maps folded project IDs to projects; nil for a nil Config.
func (c *Config) projectIndex() map[string]Project {
	if c == nil {
		return nil
	}
	index := make(map[string]Project, len(c.Projects))
	for _, p := range c.Projects {
		index[foldID(p.ID)] = p
	}
	return index
}

// foldID is how project IDs compare: ignoring ASCII case, as GUIDs do.
// Other characters compare exactly (no Unicode folding).
func foldID(id string) string {
	for i := 0; i < len(id); i++ {
		if 'A' <= id[i] && id[i] <= 'Z' {
			b := []byte(id)
			for j := i; j < len(b); j++ {
				if 'A' <= b[j] && b[j] <= 'Z' {
					b[j] += 'a' - 'A'
				}
			}
			return string(b)
		}
	}
	return id
}

func hasState(states []State, name string) bool {
	return slices.ContainsFunc(states, func(s State) bool { return s.Name == name })
}

func sortedKeys(m StatusMapping) []string {
	return slices.Sorted(maps.Keys(m))
}

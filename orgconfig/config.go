package orgconfig

import "time"

// Config is the result of [Builder.Build].
//
// A Config is the caller's own: its slices, maps, fields and the [*OpError]
// values in Problems are copies, so changing them reaches neither the
// Builder's cache nor any other Config (the causes inside an OpError are
// shared). The same holds within one Config: each project has its own
// slice in States and its own choices in the per-project selectors, even
// when projects have the same states. The zero Config holds no projects and no states.
//
// Its methods other than PrefillSelectors only read it, so several
// goroutines may call them at once while none changes it. A Config made by hand (in a test, or restored
// from storage) that lists Projects is judged against them by
// ValidateStatusMapping and PruneStatusMapping; one without projects is
// treated as a form built without them.
type Config struct {
	// Fields is the form; json.Marshal(cfg.Fields) gives the reference
	// schema.
	Fields []Field
	// Projects are every project, in drop-down order: by name
	// (case-insensitive), then by ID.
	Projects []Project
	// States holds, by project ID, the states of every project whose
	// states were fetched. Its keys are spelled as in Projects (as Azure
	// DevOps spells them); for an ID spelled otherwise (IDs ignore case),
	// look it up with Project first.
	States map[string][]State
	// Types holds, by project ID like States, the work item type whose
	// states States holds (such as Bug, or a project's own choice with
	// azdo.WithProjectWorkItemTypes), for every project whose Client
	// said it: the Client must be a [TypedClient]. It is nil when no
	// project's type is known.
	Types map[string]WorkItemType
	// Problems are what degraded the form, in a stable order: which step
	// failed, for which project, and why. errors.Is and errors.As see
	// through each to the Client's or FeatureGate's error.
	Problems []*OpError
	// Reason says why the form (ReasonNoAccess, ReasonGateError) or its
	// status field (the other reasons) is disabled; "" when it is usable.
	// The fields' disabledReason is the translated Reason.Text().
	Reason Reason
	// RetryAt is, for ReasonThrottled, when Azure DevOps allows requests
	// again (as far as its Retry-After said); zero otherwise.
	RetryAt time.Time
	// FetchedAt is when the projects and states were read from Azure
	// DevOps: by this Build, or by the one whose snapshot the cache (or
	// another replica, through WithSharedCache) kept. A page may say
	// "loaded 2 minutes ago" next to a Refresh ([Builder.Forget]). It is
	// zero when they were not read (the gate said no, or the project list
	// failed). It is in whole milliseconds, alike on every replica.
	FetchedAt time.Time

	// projectsKnown is set when the project list was loaded, so that a
	// project missing from it is known to be gone.
	projectsKnown bool
}

// StatusField returns the status choice mapper of the form, or nil when
// there is none (a zero or nil Config).
func (c *Config) StatusField() *ChoiceMapperField {
	if c == nil {
		return nil
	}
	for _, f := range c.Fields {
		if m, ok := f.(*ChoiceMapperField); ok {
			return m
		}
	}
	return nil
}

// Project returns the project with the given ID, compared ignoring case
// (IDs are GUIDs). It reports false when the form has no such project, and
// on a zero or nil Config.
func (c *Config) Project(id string) (Project, bool) {
	if c == nil {
		return Project{}, false
	}
	folded := foldID(id)
	for _, p := range c.Projects {
		if foldID(p.ID) == folded {
			return p, true
		}
	}
	return Project{}, false
}

// knowsProjects reports whether c can tell a project is gone: Build loaded
// the project list, or c lists projects (a Config made by hand or
// restored, which cannot set projectsKnown).
func (c *Config) knowsProjects() bool {
	return c != nil && (c.projectsKnown || len(c.Projects) > 0)
}

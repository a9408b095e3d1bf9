package orgconfig

import (
	"errors"
	"strings"
)

// WithStatesURL offers each project its own states lazily, for large
// organizations: the status field carries "statusUrl": url and selectors
// only for the rows [Config.PrefillSelectors] names; Sentry's frontend
// asks GET {url}?field=status&project={id} for the others, which your
// service answers with [Config.StatusChoices]. It implies
// [WithPerProjectChoices], at the union form's size. url (usually a path
// of your service) must not be empty or hold white space.
func WithStatesURL(url string) Option {
	// url goes to the browser as given. Like WithPerProjectChoices the
	// field falls back to flat selectors (without "statusUrl") when the
	// projects or every project's states are unknown.
	return func(s *settings) error {
		if url == "" {
			return errors.New("states url must not be empty")
		}
		if strings.ContainsFunc(url, func(r rune) bool { return r <= ' ' || r == 0x7f }) {
			return errors.New("states url must not contain white space or control characters")
		}
		s.statesURL = url
		s.perProjectChoices = true
		return nil
	}
}

// PrefillSelectors gives a lazy status field (see [WithStatesURL]) the
// per-item selectors of the projects saved names, keyed as saved names
// them, so that the frontend asks the states URL only for rows added
// later. Call it with the saved mapping healed by
// [Config.PruneStatusMapping], before encoding the fields. A project
// whose states are unknown gets the union; a key that names no project
// of the form gets nothing (the frontend will ask, and be told there is
// no such project). It does nothing when the status field is not lazy
// (no StatusURL), or c is nil.
//
// It changes the status field: call it before sharing c between
// goroutines.
func (c *Config) PrefillSelectors(saved StatusMapping) {
	f := c.StatusField()
	if f == nil || !f.PerItemMapping || f.StatusURL == "" || len(saved) == 0 {
		return
	}
	if f.PerItemSelectors == nil {
		f.PerItemSelectors = make(map[string]Selectors, len(saved))
	}
	placeholder := f.MappedSelectors.OnResolve.Placeholder
	index := c.projectIndex()
	for id := range saved {
		p, ok := index[foldID(id)]
		if !ok {
			continue
		}
		choices := c.choicesOf(p.ID, f)
		f.PerItemSelectors[id] = Selectors{
			OnResolve:   Selector{Choices: choices, Placeholder: placeholder},
			OnUnresolve: Selector{Choices: copyChoices(choices), Placeholder: placeholder},
		}
	}
}

// copyChoices copies choices, never nil, so that the two columns share no memory.
func copyChoices(choices []Choice) []Choice { return append([]Choice{}, choices...) }

// choicesOf is the choices the form offers project id (as Azure DevOps
// spells it): its own states, else the union of the flat selectors of f.
func (c *Config) choicesOf(id string, f *ChoiceMapperField) []Choice {
	if states, ok := c.States[id]; ok {
		return choicesOf(states)
	}
	if f == nil {
		return []Choice{}
	}
	return copyChoices(f.MappedSelectors.OnResolve.Choices)
}

// StatusChoice is one state offered to a project, as the frontend reads
// the answer of the states URL ([WithStatesURL]).
type StatusChoice struct {
	Value string `json:"value"`
	Label string `json:"label"`
}

// StatusChoices is the answer of the states URL ([WithStatesURL]) for one
// project: the choices its row offers, in the order of the per-item
// selectors, encoded by encoding/json as the frontend expects
// ([{"value": …, "label": …}]). A project whose states are unknown is
// offered the union, as in the per-item selectors. It reports false when
// the form has no project with this ID (compared ignoring case), which
// includes a form built without the projects. It is never nil when true.
func (c *Config) StatusChoices(projectID string) ([]StatusChoice, bool) {
	p, ok := c.Project(projectID)
	if !ok {
		return nil, false
	}
	choices := c.choicesOf(p.ID, c.StatusField())
	out := make([]StatusChoice, len(choices))
	for i, ch := range choices {
		out[i] = StatusChoice{Value: ch[0], Label: ch[1]}
	}
	return out, true
}

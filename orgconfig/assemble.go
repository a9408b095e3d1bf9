package orgconfig

import (
	"hash/maphash"
	"slices"
)

// precompute fills the parts of the form that depend only on the
// snapshot's data: the distinct state lists and the choices they give. It
// then drops the states by project, which lists and listOf now hold, so
// that a cached snapshot keeps each state list once and little else for
// the garbage collector to scan on every cycle. The snapshot is not
// modified afterwards; every Build copies what it hands out (see assemble).
func (b *Builder) precompute(s *snapshot) *snapshot {
	s.lists, s.listOf = stateLists(s.projects, s.states)
	s.states = nil
	s.typeList, s.typeOf = typeLists(s.projects, s.types)
	s.types = nil
	s.projectStates = 0
	for _, i := range s.listOf {
		if i >= 0 {
			s.projectStates += len(s.lists[i])
		}
	}
	s.union = unionChoices(s.lists)
	if b.opts.perProjectChoices && b.opts.statesURL == "" {
		s.listChoices = make([][]Choice, len(s.lists))
		for i, l := range s.lists {
			s.listChoices[i] = choicesOf(l)
		}
	}
	return s
}

// stateLists groups the fetched projects by their states. Projects of one
// process have the same list, so lists holds each distinct list once, in
// drop-down order of first appearance, and listOf[k] is the index of
// projects[k]'s list, or -1 when its states were not fetched. Lists are
// told apart by a hash of their state names, checked for equality of
// whole states.
func stateLists(projects []Project, states map[string][]State) (lists [][]State, listOf []int) {
	seed := maphash.MakeSeed()
	byHash := make(map[uint64]int)
	listOf = make([]int, len(projects))
	for k, p := range projects {
		ss, ok := states[p.ID]
		if !ok {
			listOf[k] = -1
			continue
		}
		key := statesHash(seed, ss)
		if i, hit := byHash[key]; hit && slices.Equal(lists[i], ss) {
			listOf[k] = i
			continue
		}
		byHash[key] = len(lists)
		listOf[k] = len(lists)
		lists = append(lists, ss)
	}
	return lists, listOf
}

// statesHash hashes the names only: they tell lists apart in practice,
// and stateLists compares whole states on a hit anyway.
func statesHash(seed maphash.Seed, states []State) uint64 {
	h := uint64(len(states))
	for _, st := range states {
		h = (h ^ maphash.String(seed, st.Name)) * 0x100000001b3
	}
	return h
}

// rankedChoice is a state name with the category rank of its first
// appearance.
type rankedChoice struct {
	name string
	rank int
}

// unionChoices is the union of state names over the distinct lists,
// ordered by category rank, then by first appearance walking the lists (in
// drop-down order of their projects) and states in server order. Empty
// names and names longer than MaxChoiceLen are skipped.
func unionChoices(lists [][]State) []Choice {
	seen := make(map[string]struct{})
	var ranked []rankedChoice
	for _, ss := range lists {
		for _, s := range ss {
			if !choosable(s.Name) {
				continue
			}
			if _, dup := seen[s.Name]; dup {
				continue
			}
			seen[s.Name] = struct{}{}
			ranked = append(ranked, rankedChoice{s.Name, categoryRank(s.Category)})
		}
	}
	return sortedChoices(ranked)
}

// choicesOf orders one project's states like unionChoices does.
func choicesOf(states []State) []Choice {
	ranked := make([]rankedChoice, 0, len(states))
	seen := make(map[string]struct{}, len(states)) // not a scan of the earlier states: quadratic in a hostile list
	for _, s := range states {
		if !choosable(s.Name) {
			continue
		}
		if _, dup := seen[s.Name]; dup {
			continue
		}
		seen[s.Name] = struct{}{}
		ranked = append(ranked, rankedChoice{s.Name, categoryRank(s.Category)})
	}
	return sortedChoices(ranked)
}

// MaxChoiceLen is the longest state name offered as a choice, in bytes.
// Azure DevOps names are far shorter; a longer one is a broken or hostile
// answer and would swell every form that shows it.
const MaxChoiceLen = 256

func choosable(name string) bool { return name != "" && len(name) <= MaxChoiceLen }

func sortedChoices(ranked []rankedChoice) []Choice {
	slices.SortStableFunc(ranked, func(a, b rankedChoice) int { return a.rank - b.rank })
	out := make([]Choice, len(ranked))
	for i, r := range ranked {
		out[i] = Choice{r.name, r.name}
	}
	return out
}

// assemble builds the form for one Build from a precomputed snapshot.
//
// The Config is the caller's own: every slice and map it holds is a new
// copy, so that nothing a caller does to it reaches the snapshot (which the
// cache shares between Builds), any other Config, or another project of
// the same Config: each project has its own copy of its states and
// choices. The copies of each kind are carved from one allocation, each
// with its capacity cut to its length, so that appending to one never
// writes into another; a warm Build of 1 000 projects makes some twenty
// allocations (BenchmarkBuildWarm: 17 for the union form, 24 per project).
func (b *Builder) assemble(s *snapshot) *Config {
	t := b.texts
	status := &ChoiceMapperField{
		Name:          KeySyncStatusForward,
		Label:         t.statusLabel,
		Help:          t.statusHelp,
		AddButtonText: t.addButton,
		AddDropdown: AddDropdown{
			EmptyMessage:     t.emptyMessage,
			NoResultsMessage: t.noResults,
			Items:            dropdownItems(s.projects),
		},
		PerItemMapping:     b.perItem(s),
		ColumnLabels:       ColumnLabels{OnResolve: t.columnOnResolve, OnUnresolve: t.columnOnUnresolve},
		MappedColumnLabel:  t.mappedColumnLabel,
		FormatMessageValue: false,
	}
	perProject := status.PerItemMapping && b.opts.statesURL == ""
	choices := choiceCopier{buf: make([]Choice, 0, s.choiceCount(perProject))}
	status.MappedSelectors = b.ownSelectors(&choices, s.union)
	switch {
	case status.PerItemMapping && b.opts.statesURL != "":
		// Lazy: the frontend asks for each row's states;
		// Config.PrefillSelectors adds the saved rows'.
		status.StatusURL = b.opts.statesURL
		status.PerItemSelectors = map[string]Selectors{}
	case perProject:
		status.PerItemSelectors = b.perItemSelectors(&choices, s)
	}
	if s.statusReason != "" {
		status.Disabled, status.DisabledReason = true, withMinutes(t.reasons[s.statusReason], t.throttledLater, s.retryAt)
	}
	fields := make([]Field, 0, 5)
	fields = append(fields, status)
	bools := make([]BooleanField, len(t.booleans))
	for i, bt := range t.booleans {
		bools[i] = BooleanField{Name: bt.key, Label: bt.label, Help: bt.help}
		fields = append(fields, &bools[i])
	}
	return &Config{
		Fields:        fields,
		Projects:      slices.Clone(s.projects),
		States:        ownStates(s),
		Types:         ownTypes(s),
		Problems:      ownProblems(s.problems),
		Reason:        s.statusReason,
		RetryAt:       s.retryAt,
		FetchedAt:     s.fetched,
		projectsKnown: s.projectsKnown,
	}
}

// perItem reports whether the status field offers each project its own
// states: only WithPerProjectChoices (or WithStatesURL), and only when the project list was
// loaded and some project's states were. Otherwise the field is flat (the
// union, or no choices with the placeholder), as the reference's Jira form
// is when it cannot fill per-item selectors: a renderer looking up the
// selectors of a saved row in an empty per-item map shows empty selects or
// throws.
func (b *Builder) perItem(s *snapshot) bool {
	return b.opts.perProjectChoices && s.projectsKnown && len(s.lists) > 0
}

// choiceCount is how many choices assemble copies: the union for each
// column, and with perProject each project's choices for each column.
func (s *snapshot) choiceCount(perProject bool) int {
	n := 2 * len(s.union)
	if perProject {
		for k := range s.projects {
			n += 2 * len(s.choicesOf(k))
		}
	}
	return n
}

// choicesOf is the choices of projects[k]: those of its own states, or
// the union when they are unknown. Only WithPerProjectChoices.
func (s *snapshot) choicesOf(k int) []Choice {
	if i := s.listOf[k]; i >= 0 {
		return s.listChoices[i]
	}
	return s.union
}

// choiceCopier hands out copies of choice lists carved from one buffer.
type choiceCopier struct{ buf []Choice }

func (c *choiceCopier) clone(choices []Choice) []Choice {
	start := len(c.buf)
	c.buf = append(c.buf, choices...)
	return c.buf[start:len(c.buf):len(c.buf)]
}

// ownSelectors is the two columns' selectors for choices, each column with
// its own copy.
func (b *Builder) ownSelectors(c *choiceCopier, choices []Choice) Selectors {
	return Selectors{
		OnResolve:   Selector{Choices: c.clone(choices), Placeholder: b.texts.placeholder},
		OnUnresolve: Selector{Choices: c.clone(choices), Placeholder: b.texts.placeholder},
	}
}

// perItemSelectors gives each project its own copy of the choices of its
// own states, or of the union when its states are unknown.
func (b *Builder) perItemSelectors(c *choiceCopier, s *snapshot) map[string]Selectors {
	out := make(map[string]Selectors, len(s.projects))
	for k, p := range s.projects {
		out[p.ID] = b.ownSelectors(c, s.choicesOf(k))
	}
	return out
}

// dropdownItems is the "add project" drop-down's items, one per project;
// never nil.
func dropdownItems(projects []Project) []DropdownItem {
	items := make([]DropdownItem, len(projects))
	for i, p := range projects {
		items[i] = DropdownItem{Value: p.ID, Label: p.Name}
	}
	return items
}

// ownStates copies the snapshot's states, a copy for each project, carved
// from one allocation. It is nil when the project list was not loaded.
func ownStates(s *snapshot) map[string][]State {
	if !s.projectsKnown {
		return nil
	}
	buf := make([]State, 0, s.projectStates)
	out := make(map[string][]State, len(s.projects))
	for k, p := range s.projects {
		if i := s.listOf[k]; i >= 0 {
			start := len(buf)
			buf = append(buf, s.lists[i]...)
			out[p.ID] = buf[start:len(buf):len(buf)]
		}
	}
	return out
}

// ownProblems copies the problems; their causes are shared.
func ownProblems(problems []*OpError) []*OpError {
	if problems == nil {
		return nil
	}
	out := make([]*OpError, len(problems))
	for i, p := range problems {
		c := *p
		out[i] = &c
	}
	return out
}

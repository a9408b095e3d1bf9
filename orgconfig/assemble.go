package orgconfig

import (
	"hash/maphash"
	"slices"
)

// precompute fills the parts of the form that depend only on the snapshot.
func (b *Builder) precompute(s *snapshot) *snapshot {
	s.items = make([]DropdownItem, len(s.projects))
	for i, p := range s.projects {
		s.items[i] = DropdownItem{Value: p.ID, Label: p.Name}
	}
	lists, listOf := stateLists(s.projects, s.states)
	s.union = unionChoices(lists)
	if b.opts.perProjectChoices {
		perList := make([]Selectors, len(lists))
		for i, l := range lists {
			perList[i] = b.selectors(choicesOf(l))
		}
		union := b.selectors(s.union)
		s.perProject = make(map[string]Selectors, len(s.projects))
		for k, p := range s.projects {
			if i := listOf[k]; i >= 0 {
				s.perProject[p.ID] = perList[i]
			} else {
				s.perProject[p.ID] = union
			}
		}
	}
	return s
}

// stateLists groups the fetched projects by their states. Projects of one
// process have the same list, so lists holds each distinct list once, in
// drop-down order of first appearance, and listOf[k] is the index of
// projects[k]'s list, or -1 when its states were not fetched. Lists are told apart by a hash of names and categories,
// checked for equality.
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
		if i, hit := byHash[key]; hit && sameChoices(lists[i], ss) {
			listOf[k] = i
			continue
		}
		byHash[key] = len(lists)
		listOf[k] = len(lists)
		lists = append(lists, ss)
	}
	return lists, listOf
}

func statesHash(seed maphash.Seed, states []State) uint64 {
	h := uint64(len(states))
	for _, st := range states {
		h = (h^maphash.String(seed, st.Name))*0x100000001b3 ^ maphash.String(seed, st.Category)
	}
	return h
}

// sameChoices reports whether two state lists give the same choices. It
// compares contents only, whatever memory the Client handed out: strings
// shared between lists (as azdo's are, per process) compare in constant
// time anyway.
func sameChoices(a, b []State) bool {
	return slices.EqualFunc(a, b, func(x, y State) bool { return x.Name == y.Name && x.Category == y.Category })
}

func (b *Builder) selectors(choices []Choice) Selectors {
	sel := Selector{Choices: choices, Placeholder: b.texts.placeholder}
	return Selectors{OnResolve: sel, OnUnresolve: sel}
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
	for i, s := range states {
		if !choosable(s.Name) || slices.ContainsFunc(states[:i], func(o State) bool { return o.Name == s.Name }) {
			continue
		}
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

// assemble builds the form for one Build. Only the field structs are new;
// the slices come from the snapshot.
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
			Items:            s.items,
		},
		MappedSelectors:    b.selectors(s.union),
		PerItemMapping:     b.opts.perProjectChoices,
		PerItemSelectors:   s.perProject,
		ColumnLabels:       ColumnLabels{OnResolve: t.columnOnResolve, OnUnresolve: t.columnOnUnresolve},
		MappedColumnLabel:  t.mappedColumnLabel,
		FormatMessageValue: false,
	}
	if status.AddDropdown.Items == nil {
		status.AddDropdown.Items = []DropdownItem{}
	}
	if status.MappedSelectors.OnResolve.Choices == nil {
		status.MappedSelectors = b.selectors([]Choice{})
	}
	if s.statusReason != "" {
		status.Disabled, status.DisabledReason = true, t.reasons[s.statusReason]
	}
	fields := make([]Field, 0, 5)
	fields = append(fields, status)
	bools := make([]BooleanField, len(t.booleans))
	for i, bt := range t.booleans {
		bools[i] = BooleanField{Name: bt.key, Label: bt.label, Help: bt.help}
		fields = append(fields, &bools[i])
	}
	return &Config{Fields: fields, Projects: s.projects, States: s.states, Problems: s.problems, Reason: s.statusReason, projectsKnown: s.projectsKnown}
}

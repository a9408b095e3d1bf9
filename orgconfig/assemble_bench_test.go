package orgconfig

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"testing"
	"time"
)

// benchSnapshot is 10 000 projects with 12 states each, every project with
// its own slice (the worst case: azdo shares one slice per process).
func benchSnapshot(projects, states int) *snapshot { return benchOrg(projects, states, false) }

// benchOrg is projects with states each over 20 state lists; with shared,
// projects with the same list share one slice, as azdo hands out the
// states of one process.
func benchOrg(projects, states int, shared bool) *snapshot {
	byList := make(map[int][]State)
	s := &snapshot{projects: make([]Project, projects), states: make(map[string][]State, projects), projectsKnown: true}
	categories := []string{CategoryProposed, CategoryInProgress, CategoryResolved, CategoryCompleted, CategoryRemoved, ""}
	for i := range projects {
		id := fmt.Sprintf("%08d-0000-0000-0000-000000000000", i)
		s.projects[i] = Project{ID: id, Name: fmt.Sprintf("Project %05d", i)}
		list := i % (states + 8)
		if st, ok := byList[list]; ok && shared {
			s.states[id] = st
			continue
		}
		st := make([]State, states)
		for j := range st {
			n := (i + j) % (states + 8) // 20 distinct names overall
			st[j] = State{Name: fmt.Sprintf("State %02d", n), Category: categories[n%len(categories)], Color: "b2b2b2"}
		}
		byList[list] = st
		s.states[id] = st
	}
	return s
}

func benchBuilder(b *testing.B, opts ...Option) *Builder {
	bl, err := NewBuilder(nopClient{}, nopGate{}, opts...)
	if err != nil {
		b.Fatal(err)
	}
	return bl
}

type nopClient struct{}

func (nopClient) Projects(context.Context) ([]Project, error)             { return nil, nil }
func (nopClient) WorkItemStates(context.Context, string) ([]State, error) { return nil, nil }

type nopGate struct{}

func (nopGate) Enabled(context.Context, string, string) (bool, error) { return true, nil }

// benchModes are the two shapes of the status field.
var benchModes = []struct {
	name string
	opts []Option
}{
	{"union", nil},
	{"per-project", []Option{WithPerProjectChoices()}},
}

// BenchmarkAssemble measures turning fetched projects and states into the
// form: drop-down items, the ordered union of choices, the fields.
// "shared" is the same organization with one slice per state list, as azdo
// hands them out.
func BenchmarkAssemble(b *testing.B) {
	for _, mode := range benchModes {
		for _, shared := range []bool{false, true} {
			name := fmt.Sprintf("%s/10000x12", mode.name)
			if shared {
				name += "/shared"
			}
			b.Run(name, func(b *testing.B) {
				bl := benchBuilder(b, mode.opts...)
				base := benchOrg(10000, 12, shared)
				b.ReportAllocs()
				for b.Loop() {
					s := &snapshot{projects: base.projects, states: base.states, projectsKnown: true}
					cfg := bl.assemble(bl.precompute(s))
					if len(cfg.Fields) != 5 {
						b.Fatal("bad form")
					}
				}
			})
		}
	}
}

// BenchmarkEncode measures json.Marshal of the assembled form.
func BenchmarkEncode(b *testing.B) {
	for _, mode := range benchModes {
		b.Run(fmt.Sprintf("%s/10000x12", mode.name), func(b *testing.B) {
			bl := benchBuilder(b, mode.opts...)
			cfg := bl.assemble(bl.precompute(benchSnapshot(10000, 12)))
			b.ReportAllocs()
			for b.Loop() {
				if err := json.NewEncoder(io.Discard).Encode(cfg.Fields); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// snapClient answers with a snapshot's projects and states.
type snapClient struct{ s *snapshot }

func (c snapClient) Projects(context.Context) ([]Project, error) { return c.s.projects, nil }
func (c snapClient) WorkItemStates(_ context.Context, id string) ([]State, error) {
	return c.s.states[id], nil
}

// BenchmarkBuildWarm measures a Build served from the cache: asking the
// gate, then copying the cached form into a Config of the caller's own. It
// reports the median Build as median-ns/op besides the mean.
func BenchmarkBuildWarm(b *testing.B) {
	for _, mode := range benchModes {
		b.Run(fmt.Sprintf("%s/1000x12", mode.name), func(b *testing.B) {
			bl, err := NewBuilder(snapClient{benchOrg(1000, 12, true)}, nopGate{}, append(mode.opts, WithCacheTTL(time.Hour))...)
			if err != nil {
				b.Fatal(err)
			}
			ctx := context.Background()
			if _, err := bl.Build(ctx, "org-1"); err != nil {
				b.Fatal(err)
			}
			var took []time.Duration
			b.ReportAllocs()
			for b.Loop() {
				start := time.Now()
				cfg, err := bl.Build(ctx, "org-1")
				took = append(took, time.Since(start))
				if err != nil || len(cfg.Projects) != 1000 || len(cfg.Problems) != 0 {
					b.Fatalf("Build = %v, %v", cfg, err)
				}
			}
			slices.Sort(took)
			b.ReportMetric(float64(took[len(took)/2].Nanoseconds()), "median-ns/op")
		})
	}
}

// BenchmarkBuildWarmFloor measures, in BuildWarm's setting, only what the
// exported types force on a per-project Config of 1 000 projects, whatever
// the Builder does: the States and PerItemSelectors maps filled for every
// project, Projects and the drop-down items, without asking the gate or
// copying states and choices. It is the floor under
// BuildWarm/per-project: the two maps alone are 300 KB of fresh memory
// holding pointers, so the garbage collector runs every few Builds.
func BenchmarkBuildWarmFloor(b *testing.B) {
	bl, err := NewBuilder(snapClient{benchOrg(1000, 12, true)}, nopGate{}, WithPerProjectChoices(), WithCacheTTL(time.Hour))
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	s, err := bl.snapshot(ctx)
	if err != nil || len(s.projects) != 1000 {
		b.Fatalf("snapshot = %v, %v", s, err)
	}
	sel := make([]Selectors, len(s.listChoices))
	for i, l := range s.listChoices {
		sel[i] = Selectors{Selector{l, "placeholder"}, Selector{l, "placeholder"}}
	}
	var took []time.Duration
	b.ReportAllocs()
	for b.Loop() {
		start := time.Now()
		states := make(map[string][]State, len(s.projects))
		perItem := make(map[string]Selectors, len(s.projects))
		for k, p := range s.projects {
			states[p.ID] = s.lists[s.listOf[k]]
			perItem[p.ID] = sel[s.listOf[k]]
		}
		cfg := &Config{
			Fields:   []Field{&ChoiceMapperField{AddDropdown: AddDropdown{Items: dropdownItems(s.projects)}, PerItemSelectors: perItem}},
			Projects: slices.Clone(s.projects),
			States:   states,
		}
		took = append(took, time.Since(start))
		if len(cfg.Projects) != 1000 {
			b.Fatal("bad config")
		}
	}
	slices.Sort(took)
	b.ReportMetric(float64(took[len(took)/2].Nanoseconds()), "median-ns/op")
}

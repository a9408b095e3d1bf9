package orgconfig_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log"
	"testing"

	"github.com/azdosync/azdosync/orgconfig"
	"github.com/google/go-cmp/cmp"
)

func buildWith(t *testing.T, c orgconfig.Client, opts ...orgconfig.Option) *orgconfig.Config {
	t.Helper()
	b, err := orgconfig.NewBuilder(c, gateFunc(allow), opts...)
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := b.Build(t.Context(), "org-1")
	if err != nil {
		t.Fatal(err)
	}
	return cfg
}

// TestLazyForm: WithStatesURL gives the per-project field "statusUrl" and
// no per-item selectors; PrefillSelectors adds the saved rows' (the same
// as the eager form's), keyed as saved; StatusChoices answers for one
// project.
func TestLazyForm(t *testing.T) {
	org := sampleOrg()
	eager := buildWith(t, org.client(), orgconfig.WithPerProjectChoices()).StatusField()
	cfg := buildWith(t, org.client(), orgconfig.WithStatesURL("/states?org=1"))
	f := cfg.StatusField()
	if !f.PerItemMapping || f.StatusURL != "/states?org=1" || len(f.PerItemSelectors) != 0 {
		t.Fatalf("lazy field: per item %v, url %q, %d selectors", f.PerItemMapping, f.StatusURL, len(f.PerItemSelectors))
	}
	data, err := json.Marshal(f)
	if err != nil {
		t.Fatal(err)
	}
	var wire struct {
		StatusURL       string                     `json:"statusUrl"`
		MappedSelectors map[string]json.RawMessage `json:"mappedSelectors"`
	}
	if err := json.Unmarshal(data, &wire); err != nil {
		t.Fatal(err)
	}
	if wire.StatusURL != "/states?org=1" || wire.MappedSelectors == nil || len(wire.MappedSelectors) != 0 {
		t.Errorf("lazy JSON: %s", data)
	}

	cfg.PrefillSelectors(orgconfig.StatusMapping{
		"p2":   {OnResolve: "Done", OnUnresolve: "New"},
		"P3":   {OnResolve: "Done", OnUnresolve: "To Do"},
		"gone": {OnResolve: "Done", OnUnresolve: "New"},
	})
	want := map[string]orgconfig.Selectors{"p2": eager.PerItemSelectors["p2"], "P3": eager.PerItemSelectors["p3"]}
	if diff := cmp.Diff(want, f.PerItemSelectors); diff != "" {
		t.Errorf("prefilled selectors (-want +got):\n%s", diff)
	}
	// The columns are the caller's own: changing one changes no other.
	f.PerItemSelectors["p2"].OnResolve.Choices[0] = orgconfig.Choice{"x", "x"}
	if got := f.PerItemSelectors["p2"].OnUnresolve.Choices[0]; got != (orgconfig.Choice{"New", "New"}) {
		t.Errorf("on_unresolve shares memory with on_resolve: %v", got)
	}

	got, ok := cfg.StatusChoices("P1")
	wantChoices := []orgconfig.StatusChoice{{"New", "New"}, {"Active", "Active"}, {"Resolved", "Resolved"}, {"Closed", "Closed"}}
	if diff := cmp.Diff(wantChoices, got); !ok || diff != "" {
		t.Errorf("StatusChoices(P1) = %v (-want +got):\n%s", ok, diff)
	}
	if got, ok := cfg.StatusChoices("nope"); ok || got != nil {
		t.Errorf("StatusChoices(nope) = %v, %v; want nil, false", got, ok)
	}
}

// TestLazyFormDegraded: the lazy form falls back like the eager one, and
// StatusChoices offers the union for a project whose states are unknown.
func TestLazyFormDegraded(t *testing.T) {
	failing := &stubClient{projects: func(context.Context) ([]orgconfig.Project, error) { return nil, errors.New("boom") }}
	cfg := buildWith(t, failing, orgconfig.WithStatesURL("/states"))
	f := cfg.StatusField()
	if f.PerItemMapping || f.PerItemSelectors != nil || f.StatusURL != "" {
		t.Errorf("degraded lazy field: per item %v, url %q, selectors %v", f.PerItemMapping, f.StatusURL, f.PerItemSelectors)
	}
	cfg.PrefillSelectors(orgconfig.StatusMapping{"p1": {OnResolve: "a", OnUnresolve: "b"}})
	if f.PerItemSelectors != nil {
		t.Errorf("PrefillSelectors filled a flat field: %v", f.PerItemSelectors)
	}
	if _, ok := cfg.StatusChoices("p1"); ok {
		t.Error("StatusChoices answers for a form without projects")
	}

	c := failingStates(sampleOrg(), "p2")
	cfg = buildWith(t, c, orgconfig.WithStatesURL("/states"))
	got, ok := cfg.StatusChoices("p2")
	var want []orgconfig.StatusChoice
	for _, ch := range cfg.StatusField().MappedSelectors.OnResolve.Choices {
		want = append(want, orgconfig.StatusChoice{Value: ch[0], Label: ch[1]})
	}
	if diff := cmp.Diff(want, got); !ok || len(want) == 0 || diff != "" {
		t.Errorf("StatusChoices of a project without states = %v (-want the union +got):\n%s", ok, diff)
	}
}

func TestWithStatesURLRejects(t *testing.T) {
	for _, url := range []string{"", "/states x", "/states\n"} {
		if _, err := orgconfig.NewBuilder(sampleOrg().client(), gateFunc(allow), orgconfig.WithStatesURL(url)); err == nil {
			t.Errorf("WithStatesURL(%q) accepted", url)
		}
	}
}

// largeOrg is 1 000 projects with GUID-like IDs over the three system
// processes' bug states, as a large organization's form has them.
func largeOrg(n int) org {
	o := org{states: map[string][]orgconfig.State{}}
	lists := [][]orgconfig.State{agileBug, scrumBug, basicIssue}
	for i := range n {
		id := fmt.Sprintf("%08x-4f1e-4c1a-9d2b-%012x", i*2654435761%(1<<32), i)
		o.projects = append(o.projects, orgconfig.Project{ID: id, Name: fmt.Sprintf("Team project %04d", i)})
		o.states[id] = lists[i%len(lists)]
	}
	return o
}

// TestLazyFormSize: at 1 000 projects with 10 saved rows, the lazy form's
// JSON is within 10 % of the union form's, where the eager per-project form
// is several times larger. go test ./orgconfig -run TestLazyFormSize -v
// prints the sizes (docs/form.md quotes them).
func TestLazyFormSize(t *testing.T) {
	o := largeOrg(1000)
	saved := orgconfig.StatusMapping{}
	for _, p := range o.projects[:10] {
		saved[p.ID] = orgconfig.ProjectStatuses{OnResolve: "Done", OnUnresolve: "New"}
	}
	size := func(opts ...orgconfig.Option) int {
		cfg := buildWith(t, o.client(), opts...)
		cfg.PrefillSelectors(saved)
		data, err := json.Marshal(cfg.Fields)
		if err != nil {
			t.Fatal(err)
		}
		return len(data)
	}
	union := size()
	eager := size(orgconfig.WithPerProjectChoices())
	lazy := size(orgconfig.WithStatesURL("/organizations/fabrikam/search"))
	t.Logf("1 000 projects, 10 saved rows: union %d bytes, per-project %d bytes, lazy %d bytes (%.3f of union)", union, eager, lazy, float64(lazy)/float64(union))
	if float64(lazy) > 1.10*float64(union) {
		t.Errorf("lazy form %d bytes, more than 110%% of the union form's %d", lazy, union)
	}
}

// A lazy form: the frontend asks the states URL for each added row; the
// saved rows come with their selectors.
func ExampleWithStatesURL() {
	client := memoryClient{
		projects: []orgconfig.Project{{ID: "p1", Name: "Fabrikam"}, {ID: "p2", Name: "Tailspin"}},
		states: map[string][]orgconfig.State{
			"p1": {{Name: "To Do", Category: "Proposed"}, {Name: "Done", Category: "Completed"}},
			"p2": {{Name: "New", Category: "Proposed"}, {Name: "Closed", Category: "Completed"}},
		},
	}
	b, err := orgconfig.NewBuilder(client, alwaysOn{}, orgconfig.WithStatesURL("/orgs/my-org/search"))
	if err != nil {
		log.Fatal(err)
	}
	cfg, err := b.Build(context.Background(), "my-org")
	if err != nil {
		log.Fatal(err)
	}
	saved, _ := cfg.PruneStatusMapping(orgconfig.StatusMapping{"p1": {OnResolve: "Done", OnUnresolve: "To Do"}})
	cfg.PrefillSelectors(saved)
	status := cfg.StatusField()
	fmt.Println(status.StatusURL, len(status.PerItemSelectors), status.PerItemSelectors["p1"].OnResolve.Choices)

	// What GET /orgs/my-org/search?field=status&project=p2 answers.
	choices, _ := cfg.StatusChoices("p2")
	answer, _ := json.Marshal(choices)
	fmt.Println(string(answer))
	// Output:
	// /orgs/my-org/search 1 [[To Do To Do] [Done Done]]
	// [{"value":"New","label":"New"},{"value":"Closed","label":"Closed"}]
}

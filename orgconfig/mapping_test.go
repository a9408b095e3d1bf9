package orgconfig_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/azdosync/azdosync/orgconfig"
	"github.com/google/go-cmp/cmp"
)

func TestParseStatusMapping(t *testing.T) {
	long := strings.Repeat("s", orgconfig.MaxChoiceLen+1)
	var many strings.Builder
	many.WriteString("{")
	for i := range orgconfig.MaxMappingProjects + 1 {
		if i > 0 {
			many.WriteString(",")
		}
		fmt.Fprintf(&many, `"p%d":{}`, i)
	}
	many.WriteString("}")
	for _, tt := range []struct {
		name, in string
		want     orgconfig.StatusMapping
		wantErr  string
	}{
		{"empty turns sync off", `{}`, orgconfig.StatusMapping{}, ""},
		{"three projects", `{"p1":{"on_resolve":"Resolved","on_unresolve":"New"},"p2":{"on_resolve":"Done","on_unresolve":"New"},"p3":{"on_resolve":"Done","on_unresolve":"To Do"}}`,
			orgconfig.StatusMapping{"p1": {"Resolved", "New"}, "p2": {"Done", "New"}, "p3": {"Done", "To Do"}}, ""},
		{"missing keys parse, validation refuses them", `{"p1":{"on_unresolve":"New"}}`, orgconfig.StatusMapping{"p1": {OnUnresolve: "New"}}, ""},
		{"array", `[]`, nil, "parse status mapping: not a JSON object"},
		{"null", `null`, nil, "parse status mapping: not a JSON object"},
		{"nothing", ``, nil, "parse status mapping: not a JSON object"},
		{"unknown key", `{"p1":{"on_resolve":"A","on_unresolve":"B","on_close":"C"}}`, nil, `parse status mapping: project "p1": unknown field "on_close"`},
		{"null entry", `{"p1":null}`, nil, `parse status mapping: project "p1": entry is null`},
		{"string entry", `{"p1":"Resolved"}`, nil, `parse status mapping: project "p1": entry must be an object`},
		{"number state", `{"p1":{"on_resolve":3}}`, nil, `parse status mapping: project "p1": "on_resolve" must be a string`},
		{"repeated project", `{"p1":{},"p1":{}}`, nil, `parse status mapping: project "p1" appears twice`},
		{"trailing data", `{} {}`, nil, "parse status mapping: data after the object"},
		{"unterminated", `{"p1":{"on_resolve":"A"}`, nil, "parse status mapping: malformed JSON: unexpected end"},
		{"empty project id", `{"":{}}`, nil, `parse status mapping: project id "" must have 1 to 64 characters`},
		{"long project id", `{"` + strings.Repeat("i", 65) + `":{}}`, nil, "must have 1 to 64 characters"},
		{"long state", `{"p1":{"on_resolve":"` + long + `"}}`, nil, `parse status mapping: project "p1": status of 257 bytes, more than the limit of 256`},
		{"too many projects", many.String(), nil, "parse status mapping: more than 10000 projects"},
		{"too many bytes", `{"p":{"on_resolve":"` + strings.Repeat(" ", orgconfig.MaxMappingBytes) + `"}}`, nil, "more than the limit of 1048576"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			got, err := orgconfig.ParseStatusMapping([]byte(tt.in))
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("error = %v, want it to contain %q", err, tt.wantErr)
				}
				if !strings.HasPrefix(err.Error(), "parse status mapping") {
					t.Errorf("error %q does not begin with parse status mapping", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("mapping (-want +got):\n%s", diff)
			}
		})
	}
}

// sampleConfig builds the stub sample organization: Alpha (p1, Agile Bug),
// beta (p2, Scrum Bug), zeta (p3, Basic Issue).
func sampleConfig(t *testing.T, opts ...orgconfig.Option) *orgconfig.Config {
	t.Helper()
	b, err := orgconfig.NewBuilder(sampleOrg().client(), gateFunc(allow), opts...)
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := b.Build(t.Context(), "org-1")
	if err != nil {
		t.Fatal(err)
	}
	return cfg
}

func errLines(err error) []string {
	if err == nil {
		return nil
	}
	return strings.Split(err.Error(), "\n")
}

func TestValidateStatusMapping(t *testing.T) {
	cfg := sampleConfig(t)
	limited := sampleConfig(t, orgconfig.WithStateProjectLimit(1))
	unreachable := func() *orgconfig.Config {
		c := &stubClient{projects: func(context.Context) ([]orgconfig.Project, error) { return nil, errDown }}
		b, _ := orgconfig.NewBuilder(c, gateFunc(allow))
		cfg, _ := b.Build(t.Context(), "org-1")
		return cfg
	}()
	for _, tt := range []struct {
		name      string
		cfg       *orgconfig.Config
		in        orgconfig.StatusMapping
		wantLines []string
		wantIs    []error
	}{
		{name: "empty turns sync off", cfg: cfg, in: orgconfig.StatusMapping{}},
		{name: "three valid projects", cfg: cfg, in: orgconfig.StatusMapping{"p1": {"Resolved", "New"}, "p2": {"Done", "Approved"}, "P3": {"Done", "To Do"}}},
		{name: "empty on_resolve (reference)", cfg: cfg, in: orgconfig.StatusMapping{"p1": {"", "New"}},
			wantLines: []string{`project "Alpha" (p1): Resolve and unresolve status are required.`}, wantIs: []error{orgconfig.ErrStatusRequired}},
		{name: "unknown project", cfg: cfg, in: orgconfig.StatusMapping{"nope": {"Done", "New"}},
			wantLines: []string{`project "nope": no such Azure DevOps project`}, wantIs: []error{orgconfig.ErrUnknownProject}},
		{name: "state the project lacks", cfg: cfg, in: orgconfig.StatusMapping{"p3": {"Resolved", "To Do"}},
			wantLines: []string{`project "zeta" (p3): "Resolved" is not one of its states`}, wantIs: []error{orgconfig.ErrUnknownState}},
		{name: "every problem at once, by project id", cfg: cfg,
			in: orgconfig.StatusMapping{"zz": {"A", "B"}, "p2": {"Closed", "Open"}, "p1": {"Resolved", ""}},
			wantLines: []string{
				`project "Alpha" (p1): Resolve and unresolve status are required.`,
				`project "beta" (p2): "Closed" is not one of its states`,
				`project "beta" (p2): "Open" is not one of its states`,
				`project "zz": no such Azure DevOps project`,
			},
			wantIs: []error{orgconfig.ErrStatusRequired, orgconfig.ErrUnknownState, orgconfig.ErrUnknownProject}},
		{name: "states not loaded", cfg: limited, in: orgconfig.StatusMapping{"p1": {"Resolved", "New"}, "p2": {"Done", "New"}},
			wantLines: []string{`project "beta" (p2): its work item states were not loaded, so its statuses cannot be checked; try again later`},
			wantIs:    []error{orgconfig.ErrStatesUnknown}},
		{name: "projects not loaded", cfg: unreachable, in: orgconfig.StatusMapping{"p1": {"Resolved", "New"}},
			wantLines: []string{"the status mapping cannot be checked: the form was built without the Azure DevOps projects (" + orgconfig.ReasonUnreachable.Text() + ")"},
			wantIs:    []error{orgconfig.ErrStatesUnknown}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.cfg.ValidateStatusMapping(tt.in)
			if diff := cmp.Diff(tt.wantLines, errLines(err)); diff != "" {
				t.Errorf("errors (-want +got):\n%s", diff)
			}
			for _, kind := range tt.wantIs {
				if !errors.Is(err, kind) {
					t.Errorf("error is not %v", kind)
				}
			}
		})
	}
}

func TestSuggestedStatuses(t *testing.T) {
	o := sampleOrg()
	o.projects = append(o.projects, orgconfig.Project{ID: "p4", Name: "odd"})
	o.states["p4"] = []orgconfig.State{{Name: "Doing", Category: "InProgress"}, {Name: "Gone", Category: "Removed"}}
	b, err := orgconfig.NewBuilder(o.client(), gateFunc(allow))
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := b.Build(t.Context(), "org-1")
	if err != nil {
		t.Fatal(err)
	}
	type result struct {
		Statuses orgconfig.ProjectStatuses
		OK       bool
	}
	got := map[string]result{}
	for _, id := range []string{"p1", "p2", "p3", "p4", "missing"} {
		s, ok := cfg.SuggestedStatuses(id)
		got[id] = result{s, ok}
	}
	want := map[string]result{
		"p1":      {orgconfig.ProjectStatuses{OnResolve: "Resolved", OnUnresolve: "New"}, true},
		"p2":      {orgconfig.ProjectStatuses{OnResolve: "Done", OnUnresolve: "New"}, true},
		"p3":      {orgconfig.ProjectStatuses{OnResolve: "Done", OnUnresolve: "To Do"}, true},
		"p4":      {orgconfig.ProjectStatuses{OnUnresolve: "Doing"}, false},
		"missing": {},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("suggestions (-want +got):\n%s", diff)
	}
	// A suggestion always validates.
	for id, r := range got {
		if r.OK {
			if err := cfg.ValidateStatusMapping(orgconfig.StatusMapping{id: r.Statuses}); err != nil {
				t.Errorf("suggestion for %s does not validate: %v", id, err)
			}
		}
	}
}

func TestPruneStatusMapping(t *testing.T) {
	cfg := sampleConfig(t)
	limited := sampleConfig(t, orgconfig.WithStateProjectLimit(1))
	gated := func() *orgconfig.Config {
		b, _ := orgconfig.NewBuilder(&stubClient{}, gateFunc(func(context.Context, string, string) (bool, error) { return false, nil }))
		cfg, _ := b.Build(t.Context(), "org-1")
		return cfg
	}()
	saved := orgconfig.StatusMapping{
		"p1":      {"Resolved", "New"},     // fine
		"p2":      {"Resolved", "Removed"}, // Scrum Bug has no Resolved
		"p3":      {"Gone", "Gone"},        // reported once
		"deleted": {"Done", "New"},         // project gone
	}
	original := fmt.Sprint(saved)
	for _, tt := range []struct {
		name        string
		cfg         *orgconfig.Config
		wantKept    orgconfig.StatusMapping
		wantDropped []orgconfig.Dropped
	}{
		{"full form", cfg, orgconfig.StatusMapping{"p1": {"Resolved", "New"}}, []orgconfig.Dropped{
			{ProjectID: "deleted", Reason: orgconfig.DroppedProjectGone},
			{ProjectID: "p2", State: "Resolved", Reason: orgconfig.DroppedStateGone},
			{ProjectID: "p3", State: "Gone", Reason: orgconfig.DroppedStateGone},
		}},
		{"states unknown stay", limited, orgconfig.StatusMapping{"p1": {"Resolved", "New"}, "p2": {"Resolved", "Removed"}, "p3": {"Gone", "Gone"}}, []orgconfig.Dropped{
			{ProjectID: "deleted", Reason: orgconfig.DroppedProjectGone},
		}},
		{"projects unknown: everything stays", gated, saved, nil},
	} {
		t.Run(tt.name, func(t *testing.T) {
			kept, dropped := tt.cfg.PruneStatusMapping(saved)
			if diff := cmp.Diff(tt.wantKept, kept); diff != "" {
				t.Errorf("kept (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tt.wantDropped, dropped); diff != "" {
				t.Errorf("dropped (-want +got):\n%s", diff)
			}
			if fmt.Sprint(saved) != original {
				t.Error("PruneStatusMapping modified its input")
			}
		})
	}
}

// FuzzParseStatusMapping: no panic, and what parses survives a round trip
// through JSON unchanged and within the limits.
func FuzzParseStatusMapping(f *testing.F) {
	for _, seed := range []string{
		`{}`, `{"p1":{"on_resolve":"Resolved","on_unresolve":"New"}}`, `{"p1":{"on_resolve":""}}`, `{"p1":null}`,
		`{"a":{},"a":{}}`, `[]`, `{"p":{"x":1}}`, `{"\u00e9":{"on_resolve":"\ud83d\ude00"}}`, `{} x`, `{"p":{"on_resolve":"a","on_resolve":"b"}}`,
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		m, err := orgconfig.ParseStatusMapping(data)
		if err != nil {
			if !strings.HasPrefix(err.Error(), "parse status mapping") {
				t.Fatalf("error %q lacks the prefix", err)
			}
			return
		}
		if len(m) > orgconfig.MaxMappingProjects {
			t.Fatalf("%d projects accepted", len(m))
		}
		out, err := json.Marshal(m)
		if err != nil {
			t.Fatal(err)
		}
		again, err := orgconfig.ParseStatusMapping(out)
		if err != nil {
			t.Fatalf("re-parsing %s: %v", out, err)
		}
		if diff := cmp.Diff(m, again); diff != "" {
			t.Fatalf("round trip changed the mapping (-first +again):\n%s", diff)
		}
	})
}

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
	"github.com/google/go-cmp/cmp/cmpopts"
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
	malformed, tooLarge := orgconfig.ErrMalformedMapping, orgconfig.ErrMappingTooLarge
	for _, tt := range []struct {
		name, in string
		want     orgconfig.StatusMapping
		wantErr  string // the whole text, or with wantIn a part of it
		wantIn   bool
		wantIs   error
	}{
		{name: "empty turns sync off", in: `{}`, want: orgconfig.StatusMapping{}},
		{name: "three projects", in: `{"p1":{"on_resolve":"Resolved","on_unresolve":"New"},"p2":{"on_resolve":"Done","on_unresolve":"New"},"p3":{"on_resolve":"Done","on_unresolve":"To Do"}}`,
			want: orgconfig.StatusMapping{"p1": {"Resolved", "New"}, "p2": {"Done", "New"}, "p3": {"Done", "To Do"}}},
		{name: "white space around", in: " \n{ \"p1\" : { \"on_unresolve\" : \"New\" } }\n\t", want: orgconfig.StatusMapping{"p1": {OnUnresolve: "New"}}},
		{name: "missing keys parse, validation refuses them", in: `{"p1":{"on_unresolve":"New"}}`, want: orgconfig.StatusMapping{"p1": {OnUnresolve: "New"}}},
		{name: "array", in: `[]`, wantErr: "parse status mapping: not a JSON object", wantIs: malformed},
		{name: "null", in: `null`, wantErr: "parse status mapping: not a JSON object", wantIs: malformed},
		{name: "nothing", in: ``, wantErr: "parse status mapping: not a JSON object", wantIs: malformed},
		{name: "unknown key", in: `{"p1":{"on_resolve":"A","on_unresolve":"B","on_close":"C"}}`, wantErr: `parse status mapping: project "p1": unknown field "on_close"`, wantIs: malformed},
		{name: "key in upper case", in: `{"p1":{"ON_RESOLVE":"A","on_unresolve":"B"}}`, wantErr: `parse status mapping: project "p1": unknown field "ON_RESOLVE"`, wantIs: malformed},
		{name: "key with a Unicode fold (long s)", in: `{"p1":{"on_re\u017Folve":"A"}}`, wantErr: `parse status mapping: project "p1": unknown field "on_reſolve"`, wantIs: malformed},
		{name: "repeated key in an entry", in: `{"p1":{"on_resolve":"A","on_resolve":"B"}}`, wantErr: `parse status mapping: project "p1": "on_resolve" appears twice`, wantIs: malformed},
		{name: "null entry", in: `{"p1":null}`, wantErr: `parse status mapping: project "p1": entry is null`, wantIs: malformed},
		{name: "string entry", in: `{"p1":"Resolved"}`, wantErr: `parse status mapping: project "p1": entry must be an object`, wantIs: malformed},
		{name: "number state", in: `{"p1":{"on_resolve":3}}`, wantErr: `parse status mapping: project "p1": "on_resolve" must be a string`, wantIs: malformed},
		{name: "null state", in: `{"p1":{"on_resolve":null}}`, wantErr: `parse status mapping: project "p1": "on_resolve" must be a string`, wantIs: malformed},
		{name: "object state", in: `{"p1":{"on_resolve":{}}}`, wantErr: `parse status mapping: project "p1": "on_resolve" must be a string`, wantIs: malformed},
		{name: "repeated project", in: `{"p1":{},"p1":{}}`, wantErr: `parse status mapping: project "p1" appears twice`, wantIs: malformed},
		{name: "project repeated in another case", in: `{"4F03AB":{},"4f03ab":{}}`, wantErr: `parse status mapping: project "4F03AB" appears twice, also as "4f03ab" (project ids ignore case)`, wantIs: malformed},
		{name: "trailing object", in: `{} {}`, wantErr: "parse status mapping: data after the object", wantIs: malformed},
		{name: "trailing garbage", in: `{} garbage`, wantErr: "parse status mapping: data after the object", wantIs: malformed},
		{name: "unterminated", in: `{"p1":{"on_resolve":"A"}`, wantErr: "parse status mapping: malformed JSON: unexpected end", wantIs: malformed},
		{name: "unterminated entry", in: `{"p1":{"on_resolve":"A"`, wantErr: "parse status mapping: malformed JSON: unexpected end", wantIs: malformed},
		{name: "bad syntax", in: `{"p1" {}}`, wantErr: "parse status mapping: malformed JSON: ", wantIn: true, wantIs: malformed},
		{name: "empty project id", in: `{"":{}}`, wantErr: `parse status mapping: project id "" must have 1 to 64 characters`, wantIs: malformed},
		{name: "long project id", in: `{"` + strings.Repeat("i", 65) + `":{}}`, wantErr: "must have 1 to 64 characters", wantIn: true, wantIs: malformed},
		{name: "long state", in: `{"p1":{"on_resolve":"` + long + `"}}`, wantErr: `parse status mapping: project "p1": status of 257 bytes, more than the limit of 256`, wantIs: tooLarge},
		{name: "too many projects", in: many.String(), wantErr: "parse status mapping: more than 10000 projects", wantIs: tooLarge},
		{name: "too many bytes", in: `{"p":{"on_resolve":"` + strings.Repeat(" ", orgconfig.MaxMappingBytes) + `"}}`, wantErr: "parse status mapping: 1048599 bytes, more than the limit of 1048576", wantIs: tooLarge},
	} {
		t.Run(tt.name, func(t *testing.T) {
			got, err := orgconfig.ParseStatusMapping([]byte(tt.in))
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("mapping (-want +got):\n%s", diff)
			}
			if tt.wantErr == "" {
				if err != nil {
					t.Fatal(err)
				}
				return
			}
			if err == nil {
				t.Fatalf("no error, want %q", tt.wantErr)
			}
			if tt.wantIn && !strings.Contains(err.Error(), tt.wantErr) || !tt.wantIn && err.Error() != tt.wantErr {
				t.Errorf("error = %q, want %q", err, tt.wantErr)
			}
			if !strings.HasPrefix(err.Error(), "parse status mapping: ") {
				t.Errorf("error %q does not begin with parse status mapping", err)
			}
			if diff := cmp.Diff(tt.wantIs, err, cmpopts.EquateErrors()); diff != "" {
				t.Errorf("error kind (-want +got):\n%s", diff)
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

// row is a MappingError's exported fields, for comparing with cmp.
type row struct {
	ProjectID, Key, State string
	Err                   error
	Text                  string
}

// rows lists the MappingErrors in err, failing the test when err is
// neither nil nor a MappingErrors.
func rows(t *testing.T, err error) []row {
	t.Helper()
	if err == nil {
		return nil
	}
	var list orgconfig.MappingErrors
	if !errors.As(err, &list) {
		t.Fatalf("error %T (%v) is not a MappingErrors", err, err)
	}
	var out []row
	for _, e := range list {
		out = append(out, row{e.ProjectID, e.Key, e.State, e.Err, e.Error()})
	}
	return out
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
	const (
		onResolve   = orgconfig.KeyOnResolve
		onUnresolve = orgconfig.KeyOnUnresolve
	)
	var (
		required   = orgconfig.ErrStatusRequired
		noProject  = orgconfig.ErrUnknownProject
		noState    = orgconfig.ErrUnknownState
		noStates   = orgconfig.ErrStatesUnknown
		notChecked = "the status mapping cannot be checked: the form was built without the Azure DevOps projects"
	)
	for _, tt := range []struct {
		name string
		cfg  *orgconfig.Config
		in   orgconfig.StatusMapping
		want []row
	}{
		{name: "empty turns sync off", cfg: cfg, in: orgconfig.StatusMapping{}},
		{name: "three valid projects, ids ignore case", cfg: cfg, in: orgconfig.StatusMapping{"p1": {"Resolved", "New"}, "p2": {"Done", "Approved"}, "P3": {"Done", "To Do"}}},
		{name: "empty on_resolve (reference)", cfg: cfg, in: orgconfig.StatusMapping{"p1": {"", "New"}},
			want: []row{{"p1", onResolve, "", required, `project "Alpha" (p1): Resolve and unresolve status are required.`}}},
		{name: "both empty", cfg: cfg, in: orgconfig.StatusMapping{"P1": {}},
			want: []row{
				{"P1", onResolve, "", required, `project "Alpha" (P1): Resolve and unresolve status are required.`},
				{"P1", onUnresolve, "", required, `project "Alpha" (P1): Resolve and unresolve status are required.`},
			}},
		{name: "unknown project", cfg: cfg, in: orgconfig.StatusMapping{"nope": {"Done", "New"}},
			want: []row{{"nope", "", "", noProject, `project "nope": no such Azure DevOps project`}}},
		// Issue 9 item 10: the missing status was not reported.
		{name: "unknown project and a missing status", cfg: cfg, in: orgconfig.StatusMapping{"1": {"", "X"}},
			want: []row{
				{"1", "", "", noProject, `project "1": no such Azure DevOps project`},
				{"1", onResolve, "", required, `project "1": Resolve and unresolve status are required.`},
			}},
		{name: "state the project lacks", cfg: cfg, in: orgconfig.StatusMapping{"p3": {"Resolved", "To Do"}},
			want: []row{{"p3", onResolve, "Resolved", noState, `project "zeta" (p3): "Resolved" is not one of its states`}}},
		{name: "every problem at once, by project id then key", cfg: cfg,
			in: orgconfig.StatusMapping{"zz": {"A", ""}, "p2": {"Closed", "Open"}, "p1": {"Resolved", ""}, "p3": {"", "Nope"}},
			want: []row{
				{"p1", onUnresolve, "", required, `project "Alpha" (p1): Resolve and unresolve status are required.`},
				{"p2", onResolve, "Closed", noState, `project "beta" (p2): "Closed" is not one of its states`},
				{"p2", onUnresolve, "Open", noState, `project "beta" (p2): "Open" is not one of its states`},
				{"p3", onResolve, "", required, `project "zeta" (p3): Resolve and unresolve status are required.`},
				{"p3", onUnresolve, "Nope", noState, `project "zeta" (p3): "Nope" is not one of its states`},
				{"zz", "", "", noProject, `project "zz": no such Azure DevOps project`},
				{"zz", onUnresolve, "", required, `project "zz": Resolve and unresolve status are required.`},
			}},
		{name: "one project twice, ids ignore case", cfg: cfg, in: orgconfig.StatusMapping{"p1": {"Resolved", "New"}, "P1": {"Closed", "New"}},
			want: []row{{"p1", "", "", orgconfig.ErrMalformedMapping, `project "p1": the same project as "P1" (project ids ignore case)`}}},
		{name: "states not loaded", cfg: limited, in: orgconfig.StatusMapping{"p1": {"Resolved", "New"}, "p2": {"Done", ""}},
			want: []row{
				{"p2", "", "", noStates, `project "beta" (p2): its work item states were not loaded, so its statuses cannot be checked; try again later`},
				{"p2", onUnresolve, "", required, `project "beta" (p2): Resolve and unresolve status are required.`},
			}},
		{name: "projects not loaded", cfg: unreachable, in: orgconfig.StatusMapping{"p1": {"Resolved", "New"}, "p2": {"", "New"}},
			want: []row{
				{"", "", "", noStates, notChecked + " (" + orgconfig.ReasonUnreachable.Text() + ")"},
				{"p2", onResolve, "", required, `project "p2": Resolve and unresolve status are required.`},
			}},
		{name: "zero Config knows no projects", cfg: &orgconfig.Config{}, in: orgconfig.StatusMapping{"p1": {"Resolved", "New"}},
			want: []row{{"", "", "", noStates, notChecked}}},
		{name: "nil Config", cfg: nil, in: orgconfig.StatusMapping{"p1": {"Resolved", "New"}},
			want: []row{{"", "", "", noStates, notChecked}}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.cfg.ValidateStatusMapping(tt.in)
			got := rows(t, err)
			if diff := cmp.Diff(tt.want, got, cmpopts.EquateErrors()); diff != "" {
				t.Errorf("errors (-want +got):\n%s", diff)
			}
			// The kinds are seen through the list, and its text is the
			// rows' texts.
			var texts []string
			for _, r := range tt.want {
				if !errors.Is(err, r.Err) {
					t.Errorf("errors.Is(err, %v) = false", r.Err)
				}
				texts = append(texts, r.Text)
			}
			if err != nil && err.Error() != strings.Join(texts, "\n") {
				t.Errorf("Error() = %q", err)
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

// TestPruneStatusMappingProjectIDCase: kept entries are keyed by the ID as
// Azure DevOps spells it, and of several spellings of one project the same
// one is kept every time (issue 9 item 7: the server saved one at random).
func TestPruneStatusMappingProjectIDCase(t *testing.T) {
	o := org{
		projects: []orgconfig.Project{{ID: "4F03AB", Name: "Upper"}, {ID: "7c9d", Name: "lower"}},
		states:   map[string][]orgconfig.State{"4F03AB": agileBug, "7c9d": basicIssue},
	}
	b, err := orgconfig.NewBuilder(o.client(), gateFunc(allow))
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := b.Build(t.Context(), "org-1")
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		name        string
		saved       orgconfig.StatusMapping
		wantKept    orgconfig.StatusMapping
		wantDropped []orgconfig.Dropped
	}{
		{"keyed as Azure DevOps spells it", orgconfig.StatusMapping{"4f03ab": {"Resolved", "New"}, "7C9D": {"Done", "To Do"}},
			orgconfig.StatusMapping{"4F03AB": {"Resolved", "New"}, "7c9d": {"Done", "To Do"}}, nil},
		{"the Azure DevOps spelling wins", orgconfig.StatusMapping{"4f03ab": {"Resolved", "New"}, "4F03AB": {"Closed", "Active"}, "4F03ab": {"Resolved", "Active"}},
			orgconfig.StatusMapping{"4F03AB": {"Closed", "Active"}}, []orgconfig.Dropped{
				{ProjectID: "4F03ab", Reason: orgconfig.DroppedDuplicate},
				{ProjectID: "4f03ab", Reason: orgconfig.DroppedDuplicate},
			}},
		{"else the first in byte order", orgconfig.StatusMapping{"7c9D": {"Done", "To Do"}, "7C9d": {"Done", "Doing"}},
			orgconfig.StatusMapping{"7c9d": {"Done", "Doing"}}, []orgconfig.Dropped{
				{ProjectID: "7c9D", Reason: orgconfig.DroppedDuplicate},
			}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			for range 20 { // map order must not matter
				kept, dropped := cfg.PruneStatusMapping(tt.saved)
				if diff := cmp.Diff(tt.wantKept, kept); diff != "" {
					t.Fatalf("kept (-want +got):\n%s", diff)
				}
				if diff := cmp.Diff(tt.wantDropped, dropped); diff != "" {
					t.Fatalf("dropped (-want +got):\n%s", diff)
				}
			}
		})
	}
}

func TestConfigProject(t *testing.T) {
	cfg := sampleConfig(t)
	type result struct {
		P  orgconfig.Project
		OK bool
	}
	got := map[string]result{}
	for _, id := range []string{"p1", "P1", "p9", "", "p\u0131"} {
		p, ok := cfg.Project(id)
		got[id] = result{p, ok}
	}
	want := map[string]result{
		"p1": {orgconfig.Project{ID: "p1", Name: "Alpha"}, true},
		"P1": {orgconfig.Project{ID: "p1", Name: "Alpha"}, true},
		"p9": {}, "": {}, "p\u0131": {},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Project (-want +got):\n%s", diff)
	}
}

// TestZeroValues calls every exported method on zero values and nil
// receivers: none panics, and a zero Config knows no projects and no
// states (issue 9 item 12: ValidateStatusMapping dereferenced nil).
func TestZeroValues(t *testing.T) {
	m := orgconfig.StatusMapping{"p1": {"Done", "New"}}
	for _, c := range []*orgconfig.Config{{}, nil} {
		name := "zero"
		if c == nil {
			name = "nil"
		}
		t.Run(name+" Config", func(t *testing.T) {
			type result struct {
				Status      *orgconfig.ChoiceMapperField
				Validate    []row
				Suggested   orgconfig.ProjectStatuses
				SuggestedOK bool
				Kept        orgconfig.StatusMapping
				Dropped     []orgconfig.Dropped
				Project     orgconfig.Project
				ProjectOK   bool
			}
			var r result
			r.Status = c.StatusField()
			r.Validate = rows(t, c.ValidateStatusMapping(m))
			r.Suggested, r.SuggestedOK = c.SuggestedStatuses("p1")
			r.Kept, r.Dropped = c.PruneStatusMapping(m)
			r.Project, r.ProjectOK = c.Project("p1")
			want := result{
				Validate: []row{{"", "", "", orgconfig.ErrStatesUnknown, "the status mapping cannot be checked: the form was built without the Azure DevOps projects"}},
				Kept:     m,
			}
			if diff := cmp.Diff(want, r, cmpopts.EquateErrors()); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
			if err := c.ValidateStatusMapping(nil); err != nil {
				t.Errorf("empty mapping: %v", err)
			}
		})
	}
	t.Run("errors and fields", func(t *testing.T) {
		var (
			nilOp      *orgconfig.OpError
			nilMapping *orgconfig.MappingError
			nilChoice  *orgconfig.ChoiceMapperField
			nilBool    *orgconfig.BooleanField
		)
		got := []any{
			(&orgconfig.OpError{}).Error(), (&orgconfig.OpError{}).Unwrap(), nilOp.Error(), nilOp.Unwrap(),
			(&orgconfig.MappingError{}).Error(), (&orgconfig.MappingError{}).Unwrap(), nilMapping.Error(), nilMapping.Unwrap(),
			orgconfig.MappingErrors(nil).Error(), len(orgconfig.MappingErrors(nil).Unwrap()),
			orgconfig.MappingErrors{nil}.Error(), len(orgconfig.MappingErrors{nil}.Unwrap()),
			orgconfig.Reason("").Text(),
			(&orgconfig.ChoiceMapperField{}).Key(), nilChoice.Key(), (&orgconfig.BooleanField{}).Key(), nilBool.Key(),
		}
		want := []any{
			"orgconfig: build: unknown error", nil, "<nil>", nil,
			"invalid entry", nil, "<nil>", nil,
			"", 0,
			"", 0,
			"",
			"", "", "", "",
		}
		if diff := cmp.Diff(want, got, cmpopts.EquateErrors()); diff != "" {
			t.Errorf("(-want +got):\n%s", diff)
		}
		for _, f := range []json.Marshaler{&orgconfig.ChoiceMapperField{}, &orgconfig.BooleanField{}, nilChoice, nilBool} {
			if _, err := f.MarshalJSON(); err != nil {
				t.Errorf("%T.MarshalJSON: %v", f, err)
			}
		}
	})
	t.Run("zero Builder", func(t *testing.T) {
		for _, b := range []*orgconfig.Builder{{}, nil} {
			cfg, err := b.Build(t.Context(), "org-1")
			if cfg != nil || err == nil || err.Error() != "orgconfig: build organization config: the Builder was not made by NewBuilder" {
				t.Errorf("Build = %v, %v", cfg, err)
			}
		}
	})
}

// FuzzParseStatusMapping: no panic, and what parses survives a round trip
// through JSON unchanged and within the limits.
func FuzzParseStatusMapping(f *testing.F) {
	for _, seed := range []string{
		`{}`, `{"p1":{"on_resolve":"Resolved","on_unresolve":"New"}}`, `{"p1":{"on_resolve":""}}`, `{"p1":null}`,
		`{"a":{},"a":{}}`, `[]`, `{"p":{"x":1}}`, `{"\u00e9":{"on_resolve":"\ud83d\ude00"}}`, `{} x`, `{"p":{"on_resolve":"a","on_resolve":"b"}}`,
		`{"p":{"ON_RESOLVE":"a"}}`, `{"p":{"on_re\u017Folve":"a"}}`, `{"4F03":{},"4f03":{}}`, `{"p":{"on_resolve":null}}`,
		`{"p":{"on_unresolve":"b","on_resolve":"a"}}`, "{\"p\xff\":{\"on_resolve\":\"\xfe\"}}", `{"p":{}} {}`, `{"p":{"on_resolve":"a"`,
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		m, err := orgconfig.ParseStatusMapping(data)
		if err != nil {
			if !strings.HasPrefix(err.Error(), "parse status mapping: ") {
				t.Fatalf("error %q lacks the prefix", err)
			}
			if errors.Is(err, orgconfig.ErrMalformedMapping) == errors.Is(err, orgconfig.ErrMappingTooLarge) {
				t.Fatalf("error %q is not exactly one of ErrMalformedMapping, ErrMappingTooLarge", err)
			}
			return
		}
		if len(m) > orgconfig.MaxMappingProjects {
			t.Fatalf("%d projects accepted", len(m))
		}
		// What the strict parser accepts, encoding/json reads alike, and no
		// two project IDs differ only in case.
		var loose orgconfig.StatusMapping
		if err := json.Unmarshal(data, &loose); err != nil {
			t.Fatalf("accepted %q, which encoding/json refuses: %v", data, err)
		}
		if diff := cmp.Diff(loose, m); diff != "" {
			t.Fatalf("encoding/json reads %q differently (-json +strict):\n%s", data, diff)
		}
		folded := map[string]bool{}
		for id := range m {
			if k := asciiLower(id); folded[k] {
				t.Fatalf("accepted %q with a case duplicate of %q", data, id)
			} else {
				folded[k] = true
			}
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

// asciiLower folds ASCII letters only: project IDs are GUIDs.
func asciiLower(s string) string {
	return strings.Map(func(r rune) rune {
		if 'A' <= r && r <= 'Z' {
			return r + 'a' - 'A'
		}
		return r
	}, s)
}

// TestHandMadeConfig: a Config made by hand (in a test of yours, or
// restored from storage) has no way to set the unexported mark that the
// projects were loaded; one that lists projects is judged against them, as
// the Config Build returned would be.
func TestHandMadeConfig(t *testing.T) {
	cfg := &orgconfig.Config{
		Projects: []orgconfig.Project{{ID: "p1", Name: "Alpha"}},
		States: map[string][]orgconfig.State{
			"p1": {{Name: "New", Category: orgconfig.CategoryProposed}, {Name: "Done", Category: orgconfig.CategoryCompleted}},
		},
	}
	m := orgconfig.StatusMapping{"P1": {OnResolve: "Done", OnUnresolve: "New"}, "p9": {OnResolve: "Done", OnUnresolve: "New"}}
	wantRows := []row{{"p9", "", "", orgconfig.ErrUnknownProject, `project "p9": no such Azure DevOps project`}}
	if diff := cmp.Diff(wantRows, rows(t, cfg.ValidateStatusMapping(m)), cmpopts.EquateErrors()); diff != "" {
		t.Errorf("ValidateStatusMapping (-want +got):\n%s", diff)
	}
	kept, dropped := cfg.PruneStatusMapping(m)
	wantKept := orgconfig.StatusMapping{"p1": {OnResolve: "Done", OnUnresolve: "New"}}
	wantDropped := []orgconfig.Dropped{{ProjectID: "p9", Reason: orgconfig.DroppedProjectGone}}
	if diff := cmp.Diff(wantKept, kept); diff != "" {
		t.Errorf("PruneStatusMapping kept (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(wantDropped, dropped); diff != "" {
		t.Errorf("PruneStatusMapping dropped (-want +got):\n%s", diff)
	}
}

package orgconfig_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log"
	"strings"

	"github.com/azdosync/azdosync/orgconfig"
)

// memoryClient is an orgconfig.Client over fixed data, as a test of yours
// might write one. Real programs use package azdo.
type memoryClient struct {
	projects []orgconfig.Project
	states   map[string][]orgconfig.State
}

func (m memoryClient) Projects(context.Context) ([]orgconfig.Project, error) {
	return m.projects, nil
}

func (m memoryClient) WorkItemStates(_ context.Context, id string) ([]orgconfig.State, error) {
	return m.states[id], nil
}

// alwaysOn enables every feature; package features has ready-made gates.
type alwaysOn struct{}

func (alwaysOn) Enabled(context.Context, string, string) (bool, error) { return true, nil }

func ExampleNewBuilder() {
	client := memoryClient{
		projects: []orgconfig.Project{{ID: "6ce954b1", Name: "Fabrikam"}, {ID: "0a1b2c3d", Name: "contoso"}},
		states: map[string][]orgconfig.State{
			"6ce954b1": {{Name: "New", Category: "Proposed"}, {Name: "Resolved", Category: "Resolved"}, {Name: "Closed", Category: "Completed"}},
			"0a1b2c3d": {{Name: "To Do", Category: "Proposed"}, {Name: "Done", Category: "Completed"}},
		},
	}
	b, err := orgconfig.NewBuilder(client, alwaysOn{}, orgconfig.WithConcurrency(4))
	if err != nil {
		log.Fatal(err)
	}
	cfg, err := b.Build(context.Background(), "my-org")
	if err != nil {
		log.Fatal(err)
	}
	status := cfg.StatusField()
	items, _ := json.Marshal(status.AddDropdown.Items)
	choices, _ := json.Marshal(status.MappedSelectors.OnResolve.Choices)
	fmt.Println(string(items))
	fmt.Println(string(choices))
	fmt.Println("problems:", len(cfg.Problems))
	// Output:
	// [{"value":"0a1b2c3d","label":"contoso"},{"value":"6ce954b1","label":"Fabrikam"}]
	// [["To Do","To Do"],["New","New"],["Resolved","Resolved"],["Done","Done"],["Closed","Closed"]]
	// problems: 0
}

// A gate that says no disables every field, without contacting Azure DevOps.
func ExampleBuilder_Build_featureDisabled() {
	noAccess := gateFunc(func(context.Context, string, string) (bool, error) { return false, nil })
	b, err := orgconfig.NewBuilder(memoryClient{}, noAccess)
	if err != nil {
		log.Fatal(err)
	}
	cfg, err := b.Build(context.Background(), "my-org")
	if err != nil {
		log.Fatal(err)
	}
	for _, f := range cfg.Fields {
		switch f := f.(type) {
		case *orgconfig.ChoiceMapperField:
			fmt.Printf("%s disabled=%v: %s\n", f.Key(), f.Disabled, f.DisabledReason)
		case *orgconfig.BooleanField:
			fmt.Printf("%s disabled=%v\n", f.Key(), f.Disabled)
		}
	}
	// Output:
	// sync_status_forward disabled=true: Your organization does not have access to this feature
	// sync_forward_assignment disabled=true
	// sync_comments disabled=true
	// sync_status_reverse disabled=true
	// sync_reverse_assignment disabled=true
}

// Per-project choices offer each project only the states it has.
func ExampleWithPerProjectChoices() {
	client := memoryClient{
		projects: []orgconfig.Project{{ID: "p1", Name: "Agile project"}, {ID: "p2", Name: "Basic project"}},
		states: map[string][]orgconfig.State{
			"p1": {{Name: "New", Category: "Proposed"}, {Name: "Closed", Category: "Completed"}},
			"p2": {{Name: "To Do", Category: "Proposed"}, {Name: "Done", Category: "Completed"}},
		},
	}
	b, err := orgconfig.NewBuilder(client, alwaysOn{}, orgconfig.WithPerProjectChoices())
	if err != nil {
		log.Fatal(err)
	}
	cfg, err := b.Build(context.Background(), "my-org")
	if err != nil {
		log.Fatal(err)
	}
	status := cfg.StatusField()
	for _, p := range cfg.Projects {
		fmt.Println(p.Name, status.PerItemSelectors[p.ID].OnResolve.Choices)
	}
	// Output:
	// Agile project [[New New] [Closed Closed]]
	// Basic project [[To Do To Do] [Done Done]]
}

// A submitted mapping is parsed strictly, then checked against the states
// Azure DevOps has, reporting every problem at once.
func ExampleConfig_ValidateStatusMapping() {
	client := memoryClient{
		projects: []orgconfig.Project{{ID: "p1", Name: "Fabrikam"}},
		states: map[string][]orgconfig.State{
			"p1": {{Name: "New", Category: "Proposed"}, {Name: "Closed", Category: "Completed"}},
		},
	}
	b, err := orgconfig.NewBuilder(client, alwaysOn{})
	if err != nil {
		log.Fatal(err)
	}
	cfg, err := b.Build(context.Background(), "my-org")
	if err != nil {
		log.Fatal(err)
	}
	submitted := []byte(`{"p1":{"on_resolve":"Resolved","on_unresolve":"New"},"p9":{"on_resolve":"Done","on_unresolve":""}}`)
	m, err := orgconfig.ParseStatusMapping(submitted)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(cfg.ValidateStatusMapping(m))
	suggested, ok := cfg.SuggestedStatuses("p1")
	fmt.Println(suggested, ok, cfg.ValidateStatusMapping(orgconfig.StatusMapping{"p1": suggested}))
	// Output:
	// project "Fabrikam" (p1): "Resolved" is not one of its states
	// project "p9": no such Azure DevOps project
	// project "p9": Resolve and unresolve status are required.
	// {Closed New} true <nil>
}

// A saved mapping is healed before the form shows it again.
func ExampleConfig_PruneStatusMapping() {
	client := memoryClient{
		projects: []orgconfig.Project{{ID: "p1", Name: "Fabrikam"}},
		states: map[string][]orgconfig.State{
			"p1": {{Name: "To Do", Category: "Proposed"}, {Name: "Done", Category: "Completed"}},
		},
	}
	b, err := orgconfig.NewBuilder(client, alwaysOn{})
	if err != nil {
		log.Fatal(err)
	}
	cfg, err := b.Build(context.Background(), "my-org")
	if err != nil {
		log.Fatal(err)
	}
	saved := orgconfig.StatusMapping{
		"p1":      {OnResolve: "Closed", OnUnresolve: "To Do"}, // "Closed" was renamed "Done"
		"deleted": {OnResolve: "Done", OnUnresolve: "To Do"},
	}
	kept, dropped := cfg.PruneStatusMapping(saved)
	fmt.Println(len(kept))
	for _, d := range dropped {
		fmt.Printf("%s %q: %s (%s)\n", d.ProjectID, d.State, d.Reason, d.Reason.Text())
	}
	// Output:
	// 0
	// deleted "": project_gone (the project no longer exists)
	// p1 "Closed": state_gone (the project no longer has this state)
}

// Config.Reason tells a program why the form is disabled, whatever language
// the disabledReason is shown in.
func ExampleReason() {
	refused := forbiddenClient{}
	b, err := orgconfig.NewBuilder(refused, alwaysOn{}, orgconfig.WithTranslator(func(s string) string { return "[fr] " + s }))
	if err != nil {
		log.Fatal(err)
	}
	cfg, err := b.Build(context.Background(), "my-org")
	if err != nil {
		log.Fatal(err)
	}
	switch cfg.Reason {
	case "":
		fmt.Println("usable")
	case orgconfig.ReasonNoAccess, orgconfig.ReasonGateError:
		fmt.Println("403: the organization may not use this integration")
	case orgconfig.ReasonForbidden:
		fmt.Println("ask an admin to grant permission:", cfg.Reason.Text())
	default:
		fmt.Println("degraded:", cfg.Reason)
	}
	fmt.Println(cfg.StatusField().DisabledReason == "[fr] "+cfg.Reason.Text())
	// Output:
	// ask an admin to grant permission: Azure DevOps did not allow this integration to read its projects. Give its account permission to view the projects (for a personal access token, the Project and Team (Read) scope) and try again.
	// true
}

// forbiddenClient answers like an identity that may not read projects.
type forbiddenClient struct{ memoryClient }

func (forbiddenClient) Projects(context.Context) ([]orgconfig.Project, error) {
	return nil, fmt.Errorf("403 Forbidden: %w", orgconfig.ErrForbidden)
}

// MappingErrors give a UI each problem with its row (project) and column
// (key), instead of text to split.
func ExampleMappingErrors() {
	client := memoryClient{
		projects: []orgconfig.Project{{ID: "6CE954B1", Name: "Fabrikam"}},
		states: map[string][]orgconfig.State{
			"6CE954B1": {{Name: "To Do", Category: "Proposed"}, {Name: "Done", Category: "Completed"}},
		},
	}
	b, err := orgconfig.NewBuilder(client, alwaysOn{})
	if err != nil {
		log.Fatal(err)
	}
	cfg, err := b.Build(context.Background(), "my-org")
	if err != nil {
		log.Fatal(err)
	}
	m, err := orgconfig.ParseStatusMapping([]byte(`{"6ce954b1":{"on_resolve":"Closed","on_unresolve":""},"0a1b":{"on_resolve":"Done","on_unresolve":"To Do"}}`))
	if err != nil {
		log.Fatal(err)
	}
	err = cfg.ValidateStatusMapping(m)
	var rows orgconfig.MappingErrors
	if errors.As(err, &rows) {
		for _, r := range rows {
			fmt.Printf("%s %q %q: %v\n", r.ProjectID, r.Key, r.State, r.Err)
		}
	}
	fmt.Println(errors.Is(err, orgconfig.ErrUnknownState))
	fmt.Println(err)

	// A valid submission, pruned, is keyed by the IDs as Azure DevOps
	// spells them.
	kept, _ := cfg.PruneStatusMapping(orgconfig.StatusMapping{"6ce954b1": {OnResolve: "Done", OnUnresolve: "To Do"}})
	fmt.Println(kept)
	// Output:
	// 0a1b "" "": unknown project
	// 6ce954b1 "on_resolve" "Closed": unknown state
	// 6ce954b1 "on_unresolve" "": resolve and unresolve status are required
	// true
	// project "0a1b": no such Azure DevOps project
	// project "Fabrikam" (6ce954b1): "Closed" is not one of its states
	// project "Fabrikam" (6ce954b1): Resolve and unresolve status are required.
	// map[6CE954B1:{Done To Do}]
}

// Errors of ParseStatusMapping tell a malformed value from one too large.
func ExampleParseStatusMapping() {
	for _, body := range []string{
		`{"p1":{"ON_RESOLVE":"Done"}}`,
		`{"p1":{"on_resolve":"Done","on_unresolve":"New"}} trailing`,
		`{"p1":{"on_resolve":"` + strings.Repeat("x", 300) + `"}}`,
	} {
		_, err := orgconfig.ParseStatusMapping([]byte(body))
		fmt.Println(errors.Is(err, orgconfig.ErrMalformedMapping), errors.Is(err, orgconfig.ErrMappingTooLarge), err)
	}
	// Output:
	// true false parse status mapping: project "p1": unknown field "ON_RESOLVE"
	// true false parse status mapping: data after the object
	// false true parse status mapping: project "p1": status of 300 bytes, more than the limit of 256
}

// Project finds a submitted project ID in the form, ignoring case, to name
// it next to a saved row.
func ExampleConfig_Project() {
	client := memoryClient{
		projects: []orgconfig.Project{{ID: "6CE954B1-4B1F-4F0B-9B4E-A5D4B6C7D8E9", Name: "Fabrikam"}},
	}
	b, err := orgconfig.NewBuilder(client, alwaysOn{})
	if err != nil {
		log.Fatal(err)
	}
	cfg, err := b.Build(context.Background(), "my-org")
	if err != nil {
		log.Fatal(err)
	}
	for _, id := range []string{"6ce954b1-4b1f-4f0b-9b4e-a5d4b6c7d8e9", "0a1b2c3d-0000-0000-0000-000000000000"} {
		p, ok := cfg.Project(id)
		fmt.Printf("%v %q\n", ok, p.Name)
	}
	// Output:
	// true "Fabrikam"
	// false ""
}

// SuggestedStatuses pre-fills the row of a project an admin adds to the
// mapping, from the states' categories.
func ExampleConfig_SuggestedStatuses() {
	client := memoryClient{
		projects: []orgconfig.Project{{ID: "p1", Name: "Fabrikam"}},
		states: map[string][]orgconfig.State{
			"p1": {
				{Name: "New", Category: orgconfig.CategoryProposed},
				{Name: "Active", Category: orgconfig.CategoryInProgress},
				{Name: "Resolved", Category: orgconfig.CategoryResolved},
				{Name: "Closed", Category: orgconfig.CategoryCompleted},
			},
		},
	}
	b, err := orgconfig.NewBuilder(client, alwaysOn{})
	if err != nil {
		log.Fatal(err)
	}
	cfg, err := b.Build(context.Background(), "my-org")
	if err != nil {
		log.Fatal(err)
	}
	s, ok := cfg.SuggestedStatuses("p1")
	fmt.Println(ok, s.OnResolve, s.OnUnresolve)
	// Output:
	// true Resolved New
}

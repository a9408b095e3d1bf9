package orgconfig_test

import (
	"encoding/json"
	"errors"
	"fmt"
	"log"
	"testing"

	"github.com/azdosync/azdosync/orgconfig"
	"github.com/google/go-cmp/cmp"
)

// TestMappingErrorJSON: every kind ValidateStatusMapping reports has its
// stable code, and the JSON carries it with the row, column, state and
// message.
func TestMappingErrorJSON(t *testing.T) {
	cfg := &orgconfig.Config{
		Projects: []orgconfig.Project{{ID: "p1", Name: "Alpha"}, {ID: "p2", Name: "Beta"}},
		States:   map[string][]orgconfig.State{"p1": agileBug},
	}
	err := cfg.ValidateStatusMapping(orgconfig.StatusMapping{
		"p1":   {OnResolve: "Gone", OnUnresolve: ""},
		"P2":   {OnResolve: "Closed", OnUnresolve: "New"},
		"p2":   {OnResolve: "Closed", OnUnresolve: "New"},
		"nope": {OnResolve: "Closed", OnUnresolve: "New"},
	})
	var list orgconfig.MappingErrors
	if !errors.As(err, &list) {
		t.Fatalf("ValidateStatusMapping = %v, want MappingErrors", err)
	}
	gated := (&orgconfig.Config{}).ValidateStatusMapping(orgconfig.StatusMapping{"x": {OnResolve: "a", OnUnresolve: "b"}})
	var gatedList orgconfig.MappingErrors
	if !errors.As(gated, &gatedList) {
		t.Fatalf("ValidateStatusMapping = %v, want MappingErrors", gated)
	}
	list = append(list, gatedList...)
	list = append(list, &orgconfig.MappingError{ProjectID: "p9", Err: errors.New("something else")})
	data, err := json.Marshal(list)
	if err != nil {
		t.Fatal(err)
	}
	type row struct {
		Code, ProjectID, Key, State, Message string
	}
	var got []struct {
		Code      string `json:"code"`
		ProjectID string `json:"project_id"`
		Key       string `json:"key"`
		State     string `json:"state"`
		Message   string `json:"message"`
	}
	if err := json.Unmarshal(data, &got); err != nil {
		t.Fatal(err)
	}
	var rows []row
	for i, g := range got {
		rows = append(rows, row(g))
		if c := list[i].Code(); c != g.Code {
			t.Errorf("row %d: Code() = %q, JSON code %q", i, c, g.Code)
		}
	}
	want := []row{
		{orgconfig.CodeStatesUnknown, "P2", "", "", `project "Beta" (P2): its work item states were not loaded, so its statuses cannot be checked; try again later`},
		{orgconfig.CodeUnknownProject, "nope", "", "", `project "nope": no such Azure DevOps project`},
		{orgconfig.CodeUnknownState, "p1", "on_resolve", "Gone", `project "Alpha" (p1): "Gone" is not one of its states`},
		{orgconfig.CodeStatusRequired, "p1", "on_unresolve", "", `project "Alpha" (p1): Resolve and unresolve status are required.`},
		{orgconfig.CodeDuplicateProject, "p2", "", "", `project "p2": the same project as "P2" (project ids ignore case)`},
		{orgconfig.CodeStatesUnknown, "", "", "", "the status mapping cannot be checked: the form was built without the Azure DevOps projects"},
		{"", "p9", "", "", `project "p9": something else`},
	}
	if diff := cmp.Diff(want, rows); diff != "" {
		t.Errorf("rows (-want +got):\n%s\n%s", diff, data)
	}
	if got := (*orgconfig.MappingError)(nil).Code(); got != "" {
		t.Errorf("nil Code() = %q", got)
	}
}

// A MappingError marshals to what a client shows next to the row: a
// stable code to switch on and an English message.
func ExampleMappingError_MarshalJSON() {
	cfg := &orgconfig.Config{
		Projects: []orgconfig.Project{{ID: "p1", Name: "Fabrikam"}},
		States:   map[string][]orgconfig.State{"p1": {{Name: "To Do"}, {Name: "Done"}}},
	}
	err := cfg.ValidateStatusMapping(orgconfig.StatusMapping{"p1": {OnResolve: "Closed"}})
	var rows orgconfig.MappingErrors
	if !errors.As(err, &rows) {
		log.Fatal(err)
	}
	for _, r := range rows {
		data, err := json.Marshal(r)
		if err != nil {
			log.Fatal(err)
		}
		fmt.Println(r.Code(), string(data))
	}
	// Output:
	// unknown_state {"code":"unknown_state","project_id":"p1","key":"on_resolve","state":"Closed","message":"project \"Fabrikam\" (p1): \"Closed\" is not one of its states"}
	// status_required {"code":"status_required","project_id":"p1","key":"on_unresolve","state":"","message":"project \"Fabrikam\" (p1): Resolve and unresolve status are required."}
}

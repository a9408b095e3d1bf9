package azdo_test

import (
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/azdosync/azdosync/azdo/azdotest"
	"github.com/azdosync/azdosync/orgconfig"
)

// hiddenTwiceBody is shaped like captured process work item types of an
// inherited process (?$expand=states): the hidden inherited state Resolved
// is listed twice with the same id, once as an ordinary system state and
// once with "hidden": true, after the others.
const hiddenTwiceBody = `{"count":1,"value":[{
 "referenceName":"Microsoft.VSTS.WorkItemTypes.Bug","name":"Bug",
 "description":"Describes a divergence between required and actual behavior.",
 "url":"https://dev.azure.com/fabrikam/_apis/work/processes/0c2a8d70-1b0f-4b4c-8d53-7a0b4d2f6c11/workItemTypes/Microsoft.VSTS.WorkItemTypes.Bug",
 "customization":"system","color":"CC293D","icon":"icon_insect","isDisabled":false,
 "states":[
  {"id":"7b7e3e8c-e500-40b6-ad56-d59b8d64d757","name":"New","color":"b2b2b2","stateCategory":"Proposed","order":1,"url":"https://dev.azure.com/fabrikam/_apis/work/processes/0c2a8d70-1b0f-4b4c-8d53-7a0b4d2f6c11/workItemTypes/Microsoft.VSTS.WorkItemTypes.Bug/states/7b7e3e8c-e500-40b6-ad56-d59b8d64d757","customizationType":"system"},
  {"id":"cad8ea3d-3b0d-4bc0-a6ac-3c4f5e7d6d9e","name":"Active","color":"007acc","stateCategory":"InProgress","order":2,"url":"https://dev.azure.com/fabrikam/_apis/work/processes/0c2a8d70-1b0f-4b4c-8d53-7a0b4d2f6c11/workItemTypes/Microsoft.VSTS.WorkItemTypes.Bug/states/cad8ea3d-3b0d-4bc0-a6ac-3c4f5e7d6d9e","customizationType":"system"},
  {"id":"8e4a6d3b-44b4-4e6f-9b8a-1f9e4c1d2a33","name":"Resolved","color":"ff9d00","stateCategory":"Resolved","order":3,"url":"https://dev.azure.com/fabrikam/_apis/work/processes/0c2a8d70-1b0f-4b4c-8d53-7a0b4d2f6c11/workItemTypes/Microsoft.VSTS.WorkItemTypes.Bug/states/8e4a6d3b-44b4-4e6f-9b8a-1f9e4c1d2a33","customizationType":"system"},
  {"id":"5f0a4d2c-9c1e-4a7b-8f3d-2b6e1c0a9d44","name":"Closed","color":"339933","stateCategory":"Completed","order":4,"url":"https://dev.azure.com/fabrikam/_apis/work/processes/0c2a8d70-1b0f-4b4c-8d53-7a0b4d2f6c11/workItemTypes/Microsoft.VSTS.WorkItemTypes.Bug/states/5f0a4d2c-9c1e-4a7b-8f3d-2b6e1c0a9d44","customizationType":"system"},
  {"id":"8e4a6d3b-44b4-4e6f-9b8a-1f9e4c1d2a33","name":"Resolved","color":"ff9d00","stateCategory":"Resolved","order":3,"url":"https://dev.azure.com/fabrikam/_apis/work/processes/0c2a8d70-1b0f-4b4c-8d53-7a0b4d2f6c11/workItemTypes/Microsoft.VSTS.WorkItemTypes.Bug/states/8e4a6d3b-44b4-4e6f-9b8a-1f9e4c1d2a33","hidden":true,"customizationType":"inherited"}
 ]}]}`

// TestHiddenStateListedTwice checks that a state name any entry of the
// type marks hidden is not offered (issue 9, item 9).
func TestHiddenStateListedTwice(t *testing.T) {
	org := azdotest.SampleOrg()
	woodgrove := projectByName(t, org, "Woodgrove Bank")
	_, c := newPair(t, org, []azdotest.Option{azdotest.WithFaults(
		azdotest.Fault{Endpoint: azdotest.EndpointProcessWorkItemTypes, Status: 200, Body: hiddenTwiceBody},
	)})
	listed(t, t.Context(), c)
	got, err := c.WorkItemStates(t.Context(), woodgrove.ID)
	if err != nil {
		t.Fatal(err)
	}
	want := []orgconfig.State{
		{Name: "New", Category: "Proposed", Color: "b2b2b2"},
		{Name: "Active", Category: "InProgress", Color: "007acc"},
		{Name: "Closed", Category: "Completed", Color: "339933"},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("states (-want +got):\n%s", diff)
	}
}

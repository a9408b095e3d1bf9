package azdo_test

import (
	"fmt"
	"testing"

	"github.com/azdosync/azdosync/azdo"
)

// On dev.azure.com the path is the organization's name, which Azure DevOps
// keeps to letters, digits and hyphens (azdo.OrgURL checks the same). A
// name it could not have was accepted, and every request then answered
// 404, shown to the admin as "could not reach Azure DevOps".
func TestDevAzureOrganizationName(t *testing.T) {
	for _, tt := range []struct{ raw, want string }{
		{"https://dev.azure.com/fab rikam", `azdo: new client: organization "fab rikam" on dev.azure.com is not a name Azure DevOps allows (letters, digits and hyphens)`},
		{"https://dev.azure.com/fab%20rikam", `azdo: new client: organization "fab rikam" on dev.azure.com is not a name Azure DevOps allows (letters, digits and hyphens)`},
		{"https://dev.azure.com/my_org", `azdo: new client: organization "my_org" on dev.azure.com is not a name Azure DevOps allows (letters, digits and hyphens)`},
		{"https://dev.azure.com/-fabrikam", `azdo: new client: organization "-fabrikam" on dev.azure.com is not a name Azure DevOps allows (letters, digits and hyphens)`},
		{"https://dev.azure.com/fabrikam", ""},
		{"https://dev.azure.com/Fabrikam-Fiber2/", ""},
	} {
		t.Run(tt.raw, func(t *testing.T) {
			_, err := azdo.New(tt.raw, azdo.PAT("pat"))
			if got := fmt.Sprint(err); (tt.want == "" && err != nil) || (tt.want != "" && got != tt.want) {
				t.Errorf("New error %v, want %q", err, tt.want)
			}
		})
	}
}

package azdo_test

import (
	"context"
	"errors"
	"fmt"
	"log"
	"os"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azidentity"

	"github.com/azdosync/azdosync/azdo"
	"github.com/azdosync/azdosync/azdo/azdotest"
	"github.com/azdosync/azdosync/features"
	"github.com/azdosync/azdosync/orgconfig"
)

func ExampleNew() {
	// A real organization would be https://dev.azure.com/{organization}
	// with azdo.PAT(os.Getenv("AZDO_PAT")); here azdotest stands in.
	srv, err := azdotest.Start(azdotest.SampleOrg(), azdotest.WithPAT("demo-pat"))
	if err != nil {
		log.Fatal(err)
	}
	defer srv.Close()

	client, err := azdo.New(srv.URL(), azdo.PAT("demo-pat"),
		azdo.WithRetry(4, 10*time.Second),
		azdo.WithRequestTimeout(30*time.Second),
	)
	if err != nil {
		log.Fatal(err)
	}
	b, err := orgconfig.NewBuilder(client, features.Static(true))
	if err != nil {
		log.Fatal(err)
	}
	cfg, err := b.Build(context.Background(), "my-org")
	if err != nil {
		log.Fatal(err)
	}
	for _, p := range cfg.Projects {
		fmt.Printf("%s: %d states\n", p.Name, len(cfg.States[p.ID]))
	}
	// Output:
	// basic-tracker: 3 states
	// Contoso Web: 5 states
	// Fabrikam Fiber: 4 states
	// Tailspin Toys: 4 states
	// Woodgrove Bank: 5 states
}

// Errors tell their kind with errors.Is and their details with errors.As.
func ExampleAPIError() {
	srv, err := azdotest.Start(azdotest.SampleOrg(), azdotest.WithPAT("right"))
	if err != nil {
		log.Fatal(err)
	}
	defer srv.Close()

	client, err := azdo.New(srv.URL(), azdo.PAT("wrong"))
	if err != nil {
		log.Fatal(err)
	}
	_, err = client.Projects(context.Background())
	var apiErr *azdo.APIError
	if errors.As(err, &apiErr) {
		fmt.Println(apiErr.Op, apiErr.StatusCode, apiErr.TypeKey)
	}
	fmt.Println(errors.Is(err, azdo.ErrUnauthorized), errors.Is(err, orgconfig.ErrUnauthorized))
	// Output:
	// list projects 401 UnauthorizedRequestException
	// true true
}

// A service authenticates with Microsoft Entra ID: azidentity's
// DefaultAzureCredential finds a managed or workload identity, a service
// principal in the AZURE_* variables, or the Azure CLI's sign-in.
func ExampleEntraID() {
	cred, err := azidentity.NewDefaultAzureCredential(nil)
	if err != nil {
		log.Fatal(err)
	}
	client, err := azdo.New("https://dev.azure.com/fabrikam", azdo.EntraID(cred))
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(client)
	// Output: azdo.Client(https://dev.azure.com/fabrikam)
}

func ExampleTokenFunc() {
	// tokens is your OAuth token source, refreshing as needed.
	tokens := func(ctx context.Context) (string, error) { return os.Getenv("AZDO_ACCESS_TOKEN"), nil }
	client, err := azdo.New("https://dev.azure.com/fabrikam", azdo.TokenFunc(tokens))
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(client)
	// Output: azdo.Client(https://dev.azure.com/fabrikam)
}

// The reference integration stores an organization's ID and looks its URL
// up; OrgURL does the same, without credentials.
func ExampleOrgURL() {
	// On Azure DevOps Services, leave WithLocationService out; here
	// azdotest stands in for the location service and the organization.
	srv, err := azdotest.Start(azdotest.SampleOrg(), azdotest.WithPAT("demo-pat"))
	if err != nil {
		log.Fatal(err)
	}
	defer srv.Close()

	orgURL, err := azdo.OrgURL(context.Background(), srv.OrgID(), azdo.WithLocationService(srv.LocationServiceURL()))
	if err != nil {
		log.Fatal(err)
	}
	client, err := azdo.New(orgURL, azdo.PAT("demo-pat"))
	if err != nil {
		log.Fatal(err)
	}
	projects, err := client.Projects(context.Background())
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(orgURL == srv.URL(), len(projects))
	// Output: true 5
}

// Projects asks for 1 000 projects a page, the most an organization on
// Azure DevOps Services holds, so one request usually lists them all;
// WithMaxProjects bounds what an organization may list in all.
func ExampleWithProjectPageSize() {
	srv, err := azdotest.Start(azdotest.ScaledOrg(1000), azdotest.WithPAT("demo-pat"))
	if err != nil {
		log.Fatal(err)
	}
	defer srv.Close()
	ctx := context.Background()
	for _, opts := range [][]azdo.Option{
		nil,                             // $top=1000
		{azdo.WithProjectPageSize(100)}, // 10 pages, one after the other
		{azdo.WithMaxProjects(500)},     // too many: ErrTooManyProjects
	} {
		client, err := azdo.New(srv.URL(), azdo.PAT("demo-pat"), append(opts, azdo.WithProcessAPI(false))...)
		if err != nil {
			log.Fatal(err)
		}
		before := srv.Count(azdotest.EndpointProjects)
		projects, err := client.Projects(ctx)
		fmt.Println(len(projects), srv.Count(azdotest.EndpointProjects)-before, errors.Is(err, azdo.ErrTooManyProjects))
	}
	// Output:
	// 1000 1 false
	// 1000 10 false
	// 0 1 true
}

// A platform that files User Stories in one project, and bugs elsewhere,
// offers each project the states of the type it creates there; the form
// says which type that is.
func ExampleWithProjectWorkItemTypes() {
	org := azdotest.SampleOrg()
	story := azdotest.WorkItemType{Name: "User Story", ReferenceName: "Microsoft.VSTS.WorkItemTypes.UserStory", States: []azdotest.State{
		{Name: "New", Category: "Proposed"}, {Name: "Active", Category: "InProgress"}, {Name: "Closed", Category: "Completed"},
	}}
	org.Processes[0].WorkItemTypes = append(org.Processes[0].WorkItemTypes, story) // Agile
	srv, err := azdotest.Start(org, azdotest.WithPAT("demo-pat"))
	if err != nil {
		log.Fatal(err)
	}
	defer srv.Close()

	stories := map[string]bool{azdotest.StableID("project/Fabrikam Fiber"): true} // your platform's setting
	client, err := azdo.New(srv.URL(), azdo.PAT("demo-pat"),
		azdo.WithProjectWorkItemTypes(func(projectID string) []string {
			if stories[projectID] {
				return []string{"Microsoft.VSTS.WorkItemTypes.UserStory"}
			}
			return nil // the defaults: Bug, Issue, Task
		}),
	)
	if err != nil {
		log.Fatal(err)
	}
	b, err := orgconfig.NewBuilder(client, features.Static(true))
	if err != nil {
		log.Fatal(err)
	}
	cfg, err := b.Build(context.Background(), "my-org")
	if err != nil {
		log.Fatal(err)
	}
	for _, p := range cfg.Projects {
		fmt.Printf("%s: states of %s (%s)\n", p.Name, cfg.Types[p.ID].Name, cfg.Types[p.ID].ReferenceName)
	}
	// Output:
	// basic-tracker: states of Issue (Microsoft.VSTS.WorkItemTypes.Issue)
	// Contoso Web: states of Bug (Microsoft.VSTS.WorkItemTypes.Bug)
	// Fabrikam Fiber: states of User Story (Microsoft.VSTS.WorkItemTypes.UserStory)
	// Tailspin Toys: states of Bug (Microsoft.VSTS.WorkItemTypes.Bug)
	// Woodgrove Bank: states of Bug (AgileCustom.Bug)
}

// ConnectedAs says which account the integration acts as; its ID keys what
// the identity shares, such as the throttling of WithSharedThrottle.
func ExampleClient_ConnectedAs() {
	srv, err := azdotest.Start(azdotest.SampleOrg(), azdotest.WithPAT("demo-pat"))
	if err != nil {
		log.Fatal(err)
	}
	defer srv.Close()
	client, err := azdo.New(srv.URL(), azdo.PAT("demo-pat"))
	if err != nil {
		log.Fatal(err)
	}
	me, err := client.ConnectedAs(context.Background())
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("Connected as", me.DisplayName, me.ID == azdotest.UserID)
	// Output: Connected as Azdotest User true
}

// An Azure DevOps Server without TLS is refused unless WithInsecureHTTP
// says so; Azure DevOps Services is refused in http even then.
func ExampleWithInsecureHTTP() {
	const server = "http://tfs:8080/tfs/DefaultCollection"
	_, err := azdo.New(server, azdo.PAT("pat"))
	fmt.Println(errors.Is(err, azdo.ErrInvalidURL))

	client, err := azdo.New(server, azdo.PAT("pat"), azdo.WithInsecureHTTP())
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(client)

	_, err = azdo.New("http://dev.azure.com/fabrikam", azdo.PAT("pat"), azdo.WithInsecureHTTP())
	fmt.Println(errors.Is(err, azdo.ErrInvalidURL))
	// Output:
	// true
	// azdo.Client(http://tfs:8080/tfs/DefaultCollection)
	// true
}

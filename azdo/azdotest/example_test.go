package azdotest_test

import (
	"context"
	"fmt"
	"log"
	"testing"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/cloud"
	"github.com/Azure/azure-sdk-for-go/sdk/azidentity"

	"github.com/azdosync/azdosync/azdo"
	"github.com/azdosync/azdosync/azdo/azdotest"
)

// In a test, NewServer starts the fake and closes it when the test ends.
func ExampleNewServer() {
	testSomething := func(t *testing.T) {
		srv := azdotest.NewServer(t, azdotest.SampleOrg(),
			azdotest.WithPAT("test-pat"),
			azdotest.WithFaults(azdotest.Fault{Endpoint: azdotest.EndpointProjects, Times: 1, Status: 503}),
		)
		c, err := azdo.New(srv.URL(), azdo.PAT("test-pat"))
		if err != nil {
			t.Fatal(err)
		}
		projects, err := c.Projects(t.Context()) // the 503 is retried
		if err != nil {
			t.Fatal(err)
		}
		if got := srv.Count(azdotest.EndpointProjects); got != 2 {
			t.Errorf("project requests = %d, want 2", got)
		}
		_ = projects
	}
	_ = testSomething
}

// NewEntra is a fake Microsoft Entra ID tenant for tests of azdo.EntraID
// with azidentity's own credentials: point them at its AuthorityHost and
// Client, and a Server made WithEntra accepts the tokens it issues.
func ExampleNewEntra() {
	testSomething := func(t *testing.T) {
		e := azdotest.NewEntra(t)
		srv := azdotest.NewServer(t, azdotest.SampleOrg(), azdotest.WithEntra(e))
		cred, err := azidentity.NewClientSecretCredential(azdotest.EntraTenantID, azdotest.EntraClientID, azdotest.EntraClientSecret,
			&azidentity.ClientSecretCredentialOptions{
				ClientOptions: azcore.ClientOptions{
					Cloud:     cloud.Configuration{ActiveDirectoryAuthorityHost: e.AuthorityHost()},
					Transport: e.Client(),
				},
				DisableInstanceDiscovery: true,
			})
		if err != nil {
			t.Fatal(err)
		}
		c, err := azdo.New(srv.URL(), azdo.EntraID(cred))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := c.Projects(t.Context()); err != nil {
			t.Fatal(err)
		}
		if got := e.TokenRequests(); got != 1 {
			t.Errorf("token requests = %d, want 1", got)
		}
	}
	_ = testSomething
}

// Outside a test, Start runs the fake until Close.
func ExampleStart() {
	srv, err := azdotest.Start(azdotest.SampleOrg(), azdotest.WithPAT("demo-pat"))
	if err != nil {
		log.Fatal(err)
	}
	defer srv.Close()

	c, err := azdo.New(srv.URL(), azdo.PAT("demo-pat"))
	if err != nil {
		log.Fatal(err)
	}
	projects, err := c.Projects(context.Background())
	if err != nil {
		log.Fatal(err)
	}
	for _, p := range projects {
		states, err := c.WorkItemStates(context.Background(), p.ID)
		if err != nil {
			log.Fatal(err)
		}
		fmt.Printf("%s: %d states\n", p.Name, len(states))
	}
	// Output:
	// Fabrikam Fiber: 4 states
	// Contoso Web: 5 states
	// Tailspin Toys: 4 states
	// basic-tracker: 3 states
	// Woodgrove Bank: 5 states
}

// SetOrg changes the organization while the server runs, so that a test
// can check what a Client sees when a project is deleted between two
// calls; Count tells how many requests each call cost.
func ExampleServer_SetOrg() {
	org := azdotest.SampleOrg()
	srv, err := azdotest.Start(org, azdotest.WithPAT("demo-pat"))
	if err != nil {
		log.Fatal(err)
	}
	defer srv.Close()
	c, err := azdo.New(srv.URL(), azdo.PAT("demo-pat"))
	if err != nil {
		log.Fatal(err)
	}
	ctx := context.Background()
	before, err := c.Projects(ctx)
	if err != nil {
		log.Fatal(err)
	}

	org.Projects = org.Projects[1:] // delete "Fabrikam Fiber"
	if err := srv.SetOrg(org); err != nil {
		log.Fatal(err)
	}
	srv.ResetStats()
	after, err := c.Projects(ctx)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(len(before), "projects, then", len(after))
	fmt.Println("project list requests:", srv.Count(azdotest.EndpointProjects))
	// Output:
	// 5 projects, then 4
	// project list requests: 1
}

// A collection created in German: the Client finds each project's bug type
// by its reference name or through the project's Bug category, whatever
// its display name, on a server without the process API too.
func ExampleLocalizedOrg() {
	srv, err := azdotest.Start(azdotest.LocalizedOrg(), azdotest.WithoutProcessAPI())
	if err != nil {
		log.Fatal(err)
	}
	defer srv.Close()
	c, err := azdo.New(srv.URL(), azdo.PAT("any"))
	if err != nil {
		log.Fatal(err)
	}
	for _, p := range azdotest.LocalizedOrg().Projects {
		typ, states, err := c.WorkItemTypeStates(context.Background(), p.ID)
		if err != nil {
			log.Fatal(err)
		}
		fmt.Printf("%s: %s, %d states, first %s\n", p.Name, typ.Name, len(states), states[0].Name)
	}
	fmt.Println(srv.Count(azdotest.EndpointWorkItemTypeCategory, azdotest.EndpointWorkItemTypeStates), "per-project requests")
	// Output:
	// Webshop: Fehler, 4 states, first Neu
	// Lager: Fehler, 4 states, first Neu
	// Mängel: Defect, 4 states, first Reported
	// 6 per-project requests
}

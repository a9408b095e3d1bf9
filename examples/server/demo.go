package main

import (
	"log/slog"
	"slices"

	"github.com/azdosync/azdosync/azdo"
	"github.com/azdosync/azdosync/azdo/azdotest"
	"github.com/azdosync/azdosync/features"
	"github.com/azdosync/azdosync/orgconfig"
)

// Names of the demo's organizations.
const (
	orgEnabled  = "fabrikam"  // azdotest's sample organization, with the feature
	orgGated    = "tailspin"  // without the feature: the gated form
	orgDegraded = "northwind" // its Azure DevOps throttles: the degraded form
)

const demoPAT = "demo-pat"

// demo is what the example serves: three organizations, each a fake Azure
// DevOps (azdotest) in process, so every state of the form can be seen. A
// platform would look its organizations and their credentials up in its
// database instead.
type demo struct {
	orgs    []organization
	gate    *features.Set
	servers map[string]*azdotest.Server // by organization name
}

// startDemo starts the demo's fake organizations; Close stops them. The
// Clients get the azdo options given. With a throttle store (-redis), each
// organization's Clients share their throttling with the other replicas'
// Clients of that organization. The keys follow docs/replicas.md's pattern:
// the identity the credentials act as names the throttling, and the
// organization's URL and that identity name the snapshots. Each replica
// runs its own fake Azure DevOps at its own loopback URL, so the keys
// name the URL each organization would have on Azure DevOps, alike on
// every replica. Each organization has its own demo account: like real
// organizations, each fake throttles on its own, and one organization's
// Retry-After must not hold back another's form.
func startDemo(logger *slog.Logger, throttle azdo.ThrottleStore, opts ...azdo.Option) (*demo, error) {
	d := &demo{gate: &features.Set{}, servers: map[string]*azdotest.Server{}}
	d.gate.Enable(orgEnabled, orgconfig.FeatureIssueSync)
	d.gate.Enable(orgDegraded, orgconfig.FeatureIssueSync)
	for _, o := range []struct {
		name, description string
		opts              []azdotest.Option
	}{
		{orgEnabled, "azdotest's sample organization, with the issue-sync feature: the complete form", nil},
		{orgGated, "an organization without the issue-sync feature: every field disabled, Azure DevOps not contacted", nil},
		{orgDegraded, "an organization whose Azure DevOps throttles the project list (429, Retry-After one hour): the degraded form",
			[]azdotest.Option{azdotest.WithFaults(azdotest.Fault{
				Endpoint: azdotest.EndpointProjects, Kind: azdotest.FaultStatus,
				Status: 429, RetryAfter: "3600",
			})}},
	} {
		org := azdotest.SampleOrg()
		org.Name = o.name
		srv, err := azdotest.Start(org, append([]azdotest.Option{azdotest.WithPAT(demoPAT)}, o.opts...)...)
		if err != nil {
			d.Close()
			return nil, err
		}
		d.servers[o.name] = srv
		identity := o.name + "-demo-account" // the account the demo token belongs to
		orgOpts := append([]azdo.Option{azdo.WithLogger(logger)}, opts...)
		if throttle != nil {
			orgOpts = append(orgOpts, azdo.WithSharedThrottle(throttle, identity))
		}
		d.orgs = append(d.orgs, organization{
			Name:        o.name,
			Description: o.description,
			Connect: func(more ...azdo.Option) (*azdo.Client, error) {
				return azdo.New(srv.URL(), azdo.PAT(demoPAT), append(slices.Clip(orgOpts), more...)...)
			},
			Key: "https://dev.azure.com/" + o.name + " " + identity,
		})
	}
	return d, nil
}

// Close stops the fake organizations.
func (d *demo) Close() {
	for _, srv := range d.servers {
		srv.Close()
	}
}

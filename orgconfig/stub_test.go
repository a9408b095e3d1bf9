package orgconfig_test

import (
	"context"
	"fmt"
	"slices"
	"sync/atomic"
	"time"

	"github.com/azdosync/azdosync/orgconfig"
)

// stubClient is a function-field Client; a nil field fails the call.
type stubClient struct {
	projects func(ctx context.Context) ([]orgconfig.Project, error)
	states   func(ctx context.Context, projectID string) ([]orgconfig.State, error)

	projectCalls atomic.Int64
	stateCalls   atomic.Int64
}

func (s *stubClient) Projects(ctx context.Context) ([]orgconfig.Project, error) {
	s.projectCalls.Add(1)
	if s.projects == nil {
		return nil, fmt.Errorf("stub: Projects called unexpectedly")
	}
	return s.projects(ctx)
}

func (s *stubClient) WorkItemStates(ctx context.Context, id string) ([]orgconfig.State, error) {
	s.stateCalls.Add(1)
	if s.states == nil {
		return nil, fmt.Errorf("stub: WorkItemStates called unexpectedly")
	}
	return s.states(ctx, id)
}

// gateFunc is a FeatureGate from a function; orgconfig's tests do not import
// package features so that they test orgconfig alone.
type gateFunc func(ctx context.Context, orgID, feature string) (bool, error)

func (f gateFunc) Enabled(ctx context.Context, orgID, feature string) (bool, error) {
	return f(ctx, orgID, feature)
}

func allow(context.Context, string, string) (bool, error) { return true, nil }

// org is a fixed organization for stubs: projects and states by project ID.
type org struct {
	projects []orgconfig.Project
	states   map[string][]orgconfig.State
}

func (o org) client() *stubClient {
	return &stubClient{
		projects: func(context.Context) ([]orgconfig.Project, error) { return o.projects, nil },
		states: func(ctx context.Context, id string) ([]orgconfig.State, error) {
			if err := ctx.Err(); err != nil {
				return nil, err
			}
			st, ok := o.states[id]
			if !ok {
				return nil, fmt.Errorf("stub: no project %s", id)
			}
			return st, nil
		},
	}
}

var (
	agileBug = []orgconfig.State{
		{Name: "New", Category: "Proposed", Color: "b2b2b2"},
		{Name: "Active", Category: "InProgress", Color: "007acc"},
		{Name: "Resolved", Category: "Resolved", Color: "ff9d00"},
		{Name: "Closed", Category: "Completed", Color: "339933"},
	}
	scrumBug = []orgconfig.State{
		{Name: "New", Category: "Proposed", Color: "b2b2b2"},
		{Name: "Approved", Category: "Proposed", Color: "b2b2b2"},
		{Name: "Committed", Category: "InProgress", Color: "007acc"},
		{Name: "Done", Category: "Completed", Color: "339933"},
		{Name: "Removed", Category: "Removed", Color: "ffffff"},
	}
	basicIssue = []orgconfig.State{
		{Name: "To Do", Category: "Proposed", Color: "b2b2b2"},
		{Name: "Doing", Category: "InProgress", Color: "007acc"},
		{Name: "Done", Category: "Completed", Color: "339933"},
	}
)

// sampleOrg has projects on three processes, listed out of drop-down order.
func sampleOrg() org {
	return org{
		projects: []orgconfig.Project{
			{ID: "p3", Name: "zeta"},
			{ID: "p1", Name: "Alpha"},
			{ID: "p2", Name: "beta"},
		},
		states: map[string][]orgconfig.State{"p1": agileBug, "p2": scrumBug, "p3": basicIssue},
	}
}

// copy returns o with its own copies of the projects and states, so that
// what a Builder over it hands out shares no memory with another's.
func (o org) copy() org {
	c := org{projects: slices.Clone(o.projects), states: make(map[string][]orgconfig.State, len(o.states))}
	for id, st := range o.states {
		c.states[id] = slices.Clone(st)
	}
	return c
}

// failingStates is o's client, whose state fetch fails for project id.
func failingStates(o org, id string) *stubClient {
	c := o.client()
	inner := c.states
	c.states = func(ctx context.Context, pid string) ([]orgconfig.State, error) {
		if pid == id {
			return nil, fmt.Errorf("stub: states of %s fail", id)
		}
		return inner(ctx, pid)
	}
	return c
}

// cacheModes are a Builder's options without and with the cache, for the
// tests that check that cached and uncached Builds end alike.
var cacheModes = []struct {
	name string
	opts []orgconfig.Option
}{
	{"no cache", nil},
	{"cache", []orgconfig.Option{orgconfig.WithCacheTTL(time.Minute)}},
}

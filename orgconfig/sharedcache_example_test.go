package orgconfig_test

import (
	"context"
	"fmt"
	"log"
	"sync"
	"sync/atomic"
	"time"

	"github.com/azdosync/azdosync/orgconfig"
)

// memoryStore is an orgconfig.SharedCache in memory, to show the contract;
// a service with replicas uses package rediscache instead.
type memoryStore struct {
	mu     sync.Mutex
	values map[string][]byte
	claims map[string]time.Time // key → expiry
}

func (m *memoryStore) Get(_ context.Context, key string) ([]byte, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.values[key], nil
}

func (m *memoryStore) Set(_ context.Context, key string, value []byte, _ time.Duration) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.values[key] = value // a real store expires it after the TTL
	return nil
}

func (m *memoryStore) Delete(_ context.Context, key string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	delete(m.values, key)
	delete(m.claims, key)
	return nil
}

func (m *memoryStore) Claim(_ context.Context, key string, ttl time.Duration) (func(context.Context), error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if time.Now().Before(m.claims[key]) {
		return nil, nil // another replica is refilling key
	}
	m.claims[key] = time.Now().Add(ttl)
	return func(context.Context) {
		m.mu.Lock()
		defer m.mu.Unlock()
		delete(m.claims, key)
	}, nil
}

// countingClient counts the calls that would go to Azure DevOps.
type countingClient struct {
	memoryClient
	calls atomic.Int64
}

func (c *countingClient) Projects(ctx context.Context) ([]orgconfig.Project, error) {
	c.calls.Add(1)
	return c.memoryClient.Projects(ctx)
}

func (c *countingClient) WorkItemStates(ctx context.Context, id string) ([]orgconfig.State, error) {
	c.calls.Add(1)
	return c.memoryClient.WorkItemStates(ctx, id)
}

// Two replicas of a service, each with its own Client and Builder, share
// one store: the second builds the form without asking Azure DevOps.
func ExampleWithSharedCache() {
	store := &memoryStore{values: map[string][]byte{}, claims: map[string]time.Time{}}
	org := memoryClient{
		projects: []orgconfig.Project{{ID: "6ce954b1", Name: "Fabrikam"}},
		states:   map[string][]orgconfig.State{"6ce954b1": {{Name: "New", Category: "Proposed"}, {Name: "Done", Category: "Completed"}}},
	}
	for _, replica := range []string{"A", "B"} {
		client := &countingClient{memoryClient: org}
		b, err := orgconfig.NewBuilder(client, alwaysOn{},
			orgconfig.WithCacheTTL(time.Minute),               // both tiers
			orgconfig.WithSharedCache(store, "fabrikam-azdo"), // names the Azure DevOps organization
		)
		if err != nil {
			log.Fatal(err)
		}
		cfg, err := b.Build(context.Background(), "my-org")
		if err != nil {
			log.Fatal(err)
		}
		fmt.Printf("replica %s: %d projects, %d calls to Azure DevOps\n", replica, len(cfg.Projects), client.calls.Load())
	}
	// Output:
	// replica A: 1 projects, 2 calls to Azure DevOps
	// replica B: 1 projects, 0 calls to Azure DevOps
}

// A "Refresh" button: an admin who just created a project asks for the
// form again. Forget drops the cached snapshot, in memory and in the
// shared store (for every replica), so that the next Build fetches.
func ExampleBuilder_Forget() {
	store := &memoryStore{values: map[string][]byte{}, claims: map[string]time.Time{}}
	client := &countingClient{memoryClient: memoryClient{
		projects: []orgconfig.Project{{ID: "6ce954b1", Name: "Fabrikam"}},
		states:   map[string][]orgconfig.State{"6ce954b1": {{Name: "New", Category: "Proposed"}}},
	}}
	b, err := orgconfig.NewBuilder(client, alwaysOn{},
		orgconfig.WithCacheTTL(time.Hour),
		orgconfig.WithSharedCache(store, "fabrikam-azdo"))
	if err != nil {
		log.Fatal(err)
	}
	show := func(when string) {
		cfg, err := b.Build(context.Background(), "my-org")
		if err != nil {
			log.Fatal(err)
		}
		fmt.Printf("%s: %d projects\n", when, len(cfg.Projects))
	}
	show("first")
	// An admin creates a project in Azure DevOps.
	client.projects = append(client.projects, orgconfig.Project{ID: "0a1b2c3d", Name: "Contoso"})
	client.states["0a1b2c3d"] = []orgconfig.State{{Name: "New", Category: "Proposed"}}
	show("cached")
	// They press Refresh.
	if err := b.Forget(context.Background()); err != nil {
		log.Printf("refresh: %v", err) // the shared store failed: other replicas may still show the old form
	}
	show("refreshed")
	// Output:
	// first: 1 projects
	// cached: 1 projects
	// refreshed: 2 projects
}

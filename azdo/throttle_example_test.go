package azdo_test

import (
	"context"
	"errors"
	"fmt"
	"log"
	"sync"
	"time"

	"github.com/azdosync/azdosync/azdo"
	"github.com/azdosync/azdosync/azdo/azdotest"
)

// memoryThrottle is an azdo.ThrottleStore in memory, to show the contract;
// replicas of a service share one through package rediscache.
type memoryThrottle struct {
	mu            sync.Mutex
	refused, slow map[string]time.Time
}

func (m *memoryThrottle) Hold(_ context.Context, key string, until time.Time, refused bool) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	times := m.slow
	if refused {
		times = m.refused
	}
	if until.After(times[key]) {
		times[key] = until
	}
	return nil
}

func (m *memoryThrottle) Held(_ context.Context, key string) (time.Time, time.Time, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.refused[key], m.slow[key], nil
}

// A 429 that one Client receives holds back another Client of the same
// identity: its request fails at once, without reaching Azure DevOps,
// because the wait asked for does not fit its deadline.
func ExampleWithSharedThrottle() {
	srv, err := azdotest.Start(azdotest.SampleOrg(), azdotest.WithPAT("demo-pat"),
		azdotest.WithFaults(azdotest.Fault{Endpoint: azdotest.EndpointProjects, Times: 1, Status: 429, RetryAfter: "30"}))
	if err != nil {
		log.Fatal(err)
	}
	defer srv.Close()
	store := &memoryThrottle{refused: map[string]time.Time{}, slow: map[string]time.Time{}}

	var clients []*azdo.Client
	for range 2 {
		c, err := azdo.New(srv.URL(), azdo.PAT("demo-pat"), azdo.WithSharedThrottle(store, "integration-identity"))
		if err != nil {
			log.Fatal(err)
		}
		clients = append(clients, c)
	}
	for i, c := range clients {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		before := srv.Count(azdotest.EndpointProjects)
		_, err := c.Projects(ctx)
		cancel()
		fmt.Printf("client %d: rate limited %t, requests for projects %d\n", i+1,
			errors.Is(err, azdo.ErrRateLimited), srv.Count(azdotest.EndpointProjects)-before)
	}
	// Output:
	// client 1: rate limited true, requests for projects 1
	// client 2: rate limited true, requests for projects 0
}

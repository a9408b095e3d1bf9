package main

import (
	"bytes"
	"encoding/json"
	"testing"

	"github.com/azdosync/azdosync/internal/redistest"
)

// TestBenchReplicas runs the replicas mode on a small organization against
// a real redis-server and checks its request counts (not its times).
func TestBenchReplicas(t *testing.T) {
	rds := redistest.Start(t)
	var out bytes.Buffer
	if err := run([]string{"-replicas", "8", "-sizes", "50", "-latency", "1ms", "-warm-runs", "5", "-json", "-redis", rds.URL()}, &out); err != nil {
		t.Fatal(err)
	}
	got := map[string]replicaRow{}
	dec := json.NewDecoder(&out)
	for dec.More() {
		var r replicaRow
		if err := dec.Decode(&r); err != nil {
			t.Fatal(err)
		}
		got[r.Mode] = r
	}
	alone, shared, warm := got["memory only"], got["memory + redis"], got["from redis"]
	if alone.Complete != 8 || shared.Complete != 8 || warm.Complete != 5 {
		t.Errorf("complete forms: %d, %d, %d; want 8, 8, 5", alone.Complete, shared.Complete, warm.Complete)
	}
	// The harness must show the fleet sharing one fetch. The bound is
	// looser than rediscache's fleet test (at most 2 × one Build): under
	// -race on a loaded machine a Redis operation may pass its 100 ms
	// timeout, and that replica then rightly fetches on its own. Without
	// the shared tier, every replica fetches: 8 × one Build.
	if one := alone.Requests / 8; shared.Requests >= 4*one {
		t.Errorf("8 replicas with redis made %d requests; one Build makes %d, 8 without redis %d", shared.Requests, one, alone.Requests)
	}
	if warm.Requests != 0 {
		t.Errorf("Builds from redis made %d requests, want 0", warm.Requests)
	}
}

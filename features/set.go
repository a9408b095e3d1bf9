package features

import (
	"context"
	"sync"

	"github.com/azdosync/azdosync/orgconfig"
)

var _ orgconfig.FeatureGate = (*Set)(nil)

// Set is a gate backed by an in-memory map from platform organization ID
// (as given to orgconfig.Builder.Build, compared exactly) to its enabled
// features. The zero value is an empty set, ready to use, and a nil *Set
// answers like one. It is safe for concurrent reads and updates. A Set
// must not be copied after first use.
type Set struct {
	mu   sync.RWMutex
	orgs map[string]map[string]struct{}
}

// Enable turns the features on for the organization.
func (s *Set) Enable(platformOrgID string, features ...string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.orgs == nil {
		s.orgs = make(map[string]map[string]struct{})
	}
	fs := s.orgs[platformOrgID]
	if fs == nil {
		fs = make(map[string]struct{}, len(features))
		s.orgs[platformOrgID] = fs
	}
	for _, f := range features {
		fs[f] = struct{}{}
	}
}

// Disable turns the features off for the organization.
func (s *Set) Disable(platformOrgID string, features ...string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	fs := s.orgs[platformOrgID]
	for _, f := range features {
		delete(fs, f)
	}
	if len(fs) == 0 {
		delete(s.orgs, platformOrgID)
	}
}

// Enabled reports whether the feature is on for the organization. It never
// fails.
func (s *Set) Enabled(_ context.Context, platformOrgID, feature string) (bool, error) {
	if s == nil {
		return false, nil
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	_, ok := s.orgs[platformOrgID][feature]
	return ok, nil
}

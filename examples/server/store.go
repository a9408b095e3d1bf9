package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sync"

	"github.com/azdosync/azdosync/orgconfig"
)

// Saved is an organization's saved configuration: the form's values.
type Saved struct {
	SyncStatusForward     orgconfig.StatusMapping `json:"sync_status_forward"`
	SyncForwardAssignment bool                    `json:"sync_forward_assignment"`
	SyncComments          bool                    `json:"sync_comments"`
	SyncStatusReverse     bool                    `json:"sync_status_reverse"`
	SyncReverseAssignment bool                    `json:"sync_reverse_assignment"`
}

// Store keeps saved configurations. Implementations must be safe for
// concurrent use.
type Store interface {
	// Load returns the organization's configuration; a zero Saved when
	// none was saved.
	Load(ctx context.Context, org string) (Saved, error)
	Save(ctx context.Context, org string, s Saved) error
}

// memStore keeps configurations in memory.
type memStore struct {
	mu   sync.Mutex
	orgs map[string]Saved
}

func newMemStore() *memStore { return &memStore{orgs: map[string]Saved{}} }

func (m *memStore) Load(_ context.Context, org string) (Saved, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.orgs[org], nil
}

func (m *memStore) Save(_ context.Context, org string, s Saved) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.orgs[org] = s
	return nil
}

// fileStore keeps every organization's configuration in one JSON file,
// rewritten whole through a temporary file and a rename, so a crash never
// leaves it half written. A mutex orders concurrent saves.
type fileStore struct {
	path string
	mu   sync.Mutex
}

func newFileStore(path string) *fileStore { return &fileStore{path: path} }

func (f *fileStore) read() (map[string]Saved, error) {
	data, err := os.ReadFile(f.path)
	if errors.Is(err, fs.ErrNotExist) {
		return map[string]Saved{}, nil
	}
	if err != nil {
		return nil, err
	}
	orgs := map[string]Saved{}
	if err := json.Unmarshal(data, &orgs); err != nil {
		return nil, fmt.Errorf("store %s: %w", f.path, err)
	}
	return orgs, nil
}

func (f *fileStore) Load(_ context.Context, org string) (Saved, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	orgs, err := f.read()
	return orgs[org], err
}

func (f *fileStore) Save(_ context.Context, org string, s Saved) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	orgs, err := f.read()
	if err != nil {
		return err
	}
	orgs[org] = s
	data, err := json.MarshalIndent(orgs, "", "  ")
	if err != nil {
		return err
	}
	tmp, err := os.CreateTemp(filepath.Dir(f.path), filepath.Base(f.path)+".*.tmp")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name()) // a no-op after the rename
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), f.path)
}

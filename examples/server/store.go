package main

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"strings"
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

// clone returns a copy sharing no memory with s.
func (s Saved) clone() Saved {
	s.SyncStatusForward = maps.Clone(s.SyncStatusForward)
	return s
}

// version identifies saved values by their content: the first 16 bytes of
// the SHA-256 of their JSON (map keys sorted), in hex. Equal values have
// equal versions, so it survives a restart and needs no counter; a save
// that changes nothing keeps the version.
func version(s Saved) string {
	if s.SyncStatusForward == nil {
		s.SyncStatusForward = orgconfig.StatusMapping{}
	}
	data, _ := json.Marshal(s) // cannot fail: strings, bools and maps of them
	sum := sha256.Sum256(data)
	return hex.EncodeToString(sum[:16])
}

// errVersionMismatch reports a conditional save refused because the saved
// values are no longer the version the caller read.
var errVersionMismatch = errors.New("the saved configuration has changed")

// Store keeps saved configurations. Implementations must be safe for
// concurrent use, and values passed in or returned are the caller's own.
type Store interface {
	// Load returns the organization's configuration and its version; a
	// zero Saved when none was saved.
	Load(ctx context.Context, org string) (Saved, string, error)
	// Save stores s if match is nil or reports true for the version of
	// the stored values, checked and written atomically, and returns the
	// new version. Otherwise it returns an error wrapping
	// errVersionMismatch and stores nothing.
	Save(ctx context.Context, org string, s Saved, match func(version string) bool) (string, error)
}

// memStore keeps configurations in memory.
type memStore struct {
	mu   sync.Mutex
	orgs map[string]Saved
}

func newMemStore() *memStore { return &memStore{orgs: map[string]Saved{}} }

func (m *memStore) Load(_ context.Context, org string) (Saved, string, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	s := m.orgs[org].clone()
	return s, version(s), nil
}

func (m *memStore) Save(_ context.Context, org string, s Saved, match func(string) bool) (string, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if match != nil && !match(version(m.orgs[org])) {
		return "", fmt.Errorf("save %s: %w", org, errVersionMismatch)
	}
	m.orgs[org] = s.clone()
	return version(s), nil
}

// fileStore keeps every organization's configuration in one JSON file,
// rewritten whole through a temporary file, an fsync, a rename and an
// fsync of the directory, so a crash leaves the old file or the new one,
// never half of either. A mutex orders the saves of one process; one
// process owns the file (opening it removes temporary files that a crash
// of the previous owner left behind).
type fileStore struct {
	path    string
	syncDir func(dir string) error // replaced by tests

	mu sync.Mutex
}

// newFileStore opens the store at path, removing the stale temporary files
// an interrupted save left behind ("path.NNN.tmp"). The file itself is
// created on the first save.
func newFileStore(path string) (*fileStore, error) {
	f := &fileStore{path: path, syncDir: syncDir}
	if err := f.removeStale(); err != nil {
		return nil, err
	}
	return f, nil
}

// tempPattern is the os.CreateTemp pattern of the store's temporary files;
// CreateTemp replaces the * with decimal digits.
func (f *fileStore) tempPattern() string { return filepath.Base(f.path) + ".*.tmp" }

func (f *fileStore) removeStale() error {
	dir := filepath.Dir(f.path)
	entries, err := os.ReadDir(dir)
	if err != nil {
		return fmt.Errorf("open store %s: %w", f.path, err)
	}
	prefix, suffix, _ := strings.Cut(f.tempPattern(), "*")
	for _, e := range entries {
		name := e.Name()
		middle, ok := strings.CutPrefix(name, prefix)
		if !ok || !e.Type().IsRegular() {
			continue
		}
		if middle, ok = strings.CutSuffix(middle, suffix); !ok || middle == "" || strings.Trim(middle, "0123456789") != "" {
			continue
		}
		if err := os.Remove(filepath.Join(dir, name)); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return fmt.Errorf("open store %s: remove stale temporary file: %w", f.path, err)
		}
	}
	return nil
}

// syncDir makes a rename in dir durable.
func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	err = d.Sync()
	if cerr := d.Close(); err == nil {
		err = cerr
	}
	return err
}

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
		return nil, fmt.Errorf("read store %s: %w", f.path, err)
	}
	return orgs, nil
}

func (f *fileStore) Load(_ context.Context, org string) (Saved, string, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	orgs, err := f.read()
	if err != nil {
		return Saved{}, "", err
	}
	return orgs[org], version(orgs[org]), nil
}

func (f *fileStore) Save(_ context.Context, org string, s Saved, match func(string) bool) (string, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	orgs, err := f.read()
	if err != nil {
		return "", err
	}
	if match != nil && !match(version(orgs[org])) {
		return "", fmt.Errorf("save %s: %w", org, errVersionMismatch)
	}
	orgs[org] = s
	data, err := json.MarshalIndent(orgs, "", "  ")
	if err != nil {
		return "", err
	}
	if err := f.write(data); err != nil {
		return "", fmt.Errorf("write store %s: %w", f.path, err)
	}
	return version(s), nil
}

func (f *fileStore) write(data []byte) error {
	dir := filepath.Dir(f.path)
	tmp, err := os.CreateTemp(dir, f.tempPattern())
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
	if err := os.Rename(tmp.Name(), f.path); err != nil {
		return err
	}
	return f.syncDir(dir)
}

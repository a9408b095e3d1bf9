package main

import (
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestFileStoreRemovesStaleTemporaryFiles leaves what a kill -9 during
// saves leaves behind: opening the store removes its temporary files and
// nothing else.
func TestFileStoreRemovesStaleTemporaryFiles(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "configs.json")
	for _, name := range []string{
		"configs.json",               // the store itself
		"configs.json.123456.tmp",    // stale
		"configs.json.9.tmp",         // stale
		"configs.json.bak",           // not ours
		"other.json.123.tmp",         // another file's
		"configs.json.notdigits.tmp", // not a name CreateTemp gives
	} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte("{}"), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := newFileStore(path); err != nil {
		t.Fatal(err)
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, e := range entries {
		got = append(got, e.Name())
	}
	slices.Sort(got)
	want := []string{"configs.json", "configs.json.bak", "configs.json.notdigits.tmp", "other.json.123.tmp"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("files after open (-want +got):\n%s", diff)
	}
}

// TestFileStoreSyncsDirectoryAfterRename checks that the directory is
// synced once the new file is in place, so the rename survives a crash.
func TestFileStoreSyncsDirectoryAfterRename(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "configs.json")
	store, err := newFileStore(path)
	if err != nil {
		t.Fatal(err)
	}
	var synced []string
	store.syncDir = func(d string) error {
		data, err := os.ReadFile(path)
		if err != nil {
			t.Errorf("directory synced before the file was renamed into place: %v", err)
		}
		synced = append(synced, d+" "+string(data[:min(len(data), 1)]))
		return syncDir(d)
	}
	if _, err := store.Save(t.Context(), "fabrikam", Saved{SyncComments: true}, nil); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{dir + " {"}, synced); diff != "" {
		t.Errorf("directory syncs (-want +got):\n%s", diff)
	}
	got, _, err := store.Load(t.Context(), "fabrikam")
	if err != nil || !got.SyncComments {
		t.Errorf("load after save: %+v, %v", got, err)
	}
}

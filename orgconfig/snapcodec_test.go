package orgconfig

import (
	"bytes"
	"encoding/binary"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func codecSample() *snapshot {
	agile := []State{{"New", CategoryProposed, "b2b2b2"}, {"Active", CategoryInProgress, "007acc"}, {"Closed", CategoryCompleted, ""}}
	basic := []State{{"To Do", CategoryProposed, ""}, {"Doing", CategoryInProgress, ""}, {"Done", CategoryCompleted, ""}}
	return &snapshot{
		projects: []Project{{"p2", "alpha"}, {"p1", "Beta"}, {"p4", "delta"}, {"p3", "zéta"}},
		states:   map[string][]State{"p1": agile, "p2": agile, "p3": basic, "p4": {}},
		types: map[string]WorkItemType{
			"p1": {"Bug", "Microsoft.VSTS.WorkItemTypes.Bug"}, "p2": {"Bug", "Microsoft.VSTS.WorkItemTypes.Bug"},
			"p3": {Name: "Fehler"},
		},
	}
}

func TestSnapshotCodecRoundTrip(t *testing.T) {
	in := codecSample()
	fetched := time.UnixMilli(1_790_000_000_123)
	b := encodeSnapshot(testKey, in, fetched)
	projects, states, types, gotFetched, err := decodeSnapshot(testKey, b)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(in.types, types); diff != "" {
		t.Errorf("types (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(in.projects, projects); diff != "" {
		t.Errorf("projects (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(in.states, states); diff != "" {
		t.Errorf("states (-want +got):\n%s", diff)
	}
	if !gotFetched.Equal(fetched) {
		t.Errorf("fetched = %v, want %v", gotFetched, fetched)
	}
	if &states["p1"][0] != &states["p2"][0] {
		t.Error("projects with the same states do not share one slice after decoding")
	}
	// Projects whose states were not fetched stay without states.
	in.states = map[string][]State{"p1": in.states["p1"]}
	_, states, _, _, err = decodeSnapshot(testKey, encodeSnapshot(testKey, in, fetched))
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(map[string][]State{"p1": in.states["p1"]}, states); diff != "" {
		t.Errorf("partial states (-want +got):\n%s", diff)
	}
}

// TestSnapshotCodecRefuses feeds values a store may hold by accident or
// malice; each must be refused with errSnapshot, naming what is wrong.
func TestSnapshotCodecRefuses(t *testing.T) {
	good := encodeSnapshot(testKey, codecSample(), time.UnixMilli(1))
	withCRC := func(b []byte) []byte {
		binary.BigEndian.PutUint32(b[13:], snapChecksum(testKey, b[snapHeaderSize:]))
		return b
	}
	payload := func(p ...byte) []byte {
		b := append(append([]byte(nil), good[:snapHeaderSize]...), p...)
		return withCRC(b)
	}
	flipped := bytes.Clone(good)
	flipped[len(flipped)-3] ^= 0x40
	otherVersion := bytes.Clone(good)
	otherVersion[4] = 1
	for _, tc := range []struct {
		name string
		in   []byte
		want string
	}{
		{"empty", nil, "not a snapshot"},
		{"json", []byte(`{"projects":[]}`), "not a snapshot"},
		{"other version", otherVersion, "version 1, want 2"},
		{"corrupt", flipped, "checksum mismatch"},
		{"stored for another key", encodeSnapshot("orgconfig:v1:contoso:0123456789abcdef", codecSample(), time.UnixMilli(1)), "checksum mismatch"},
		{"truncated", good[:len(good)-5], "checksum mismatch"},
		{"truncated with matching checksum", withCRC(bytes.Clone(good[:len(good)-5])), "beyond the value"},
		{"trailing bytes", withCRC(append(bytes.Clone(good), 0)), "after the end"},
		{"huge list count", payload(0xff, 0xff, 0xff, 0xff, 0x0f), "beyond the value"},
		{"huge string", payload(1, 1, 0xff, 0xff, 0x03, 'a'), "beyond the value"},
		{"invalid utf-8", payload(1, 1, 2, 'N', 0xff, 0, 0, 0), "not UTF-8"},
		{"too many projects", payload(append([]byte{0, 0, 0xa1, 0x8d, 0x06}, make([]byte, 4*100_001)...)...), "100001 projects, limit 100000"},
		{"list index out of range", payload(0, 0, 1, 1, 'p', 1, 'n', 7, 0), "uses state list 7 of 0"},
		{"type index out of range", payload(0, 1, 1, 'B', 0, 1, 1, 'p', 1, 'n', 0, 2), "uses work item type 2 of 1"},
		{"oversized", make([]byte, maxSnapshotBytes+1), "limit"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, _, _, _, err := decodeSnapshot(testKey, tc.in)
			if !errors.Is(err, errSnapshot) || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("decode = %v, want errSnapshot mentioning %q", err, tc.want)
			}
		})
	}
}

// testKey is the key the test values are stored under.
const testKey = "orgconfig:v1:fabrikam:0123456789abcdef"

// FuzzDecodeSnapshot checks that the decoder never panics or allocates
// without bound, and that whatever it accepts encodes back to a value that
// decodes to the same projects and states.
func FuzzDecodeSnapshot(f *testing.F) {
	f.Add(encodeSnapshot(testKey, codecSample(), time.UnixMilli(1)))
	f.Add(encodeSnapshot(testKey, &snapshot{}, time.UnixMilli(0)))
	f.Add([]byte("azsc"))
	f.Fuzz(func(t *testing.T, b []byte) {
		projects, states, types, fetched, err := decodeSnapshot(testKey, b)
		if err != nil {
			if !errors.Is(err, errSnapshot) {
				t.Fatalf("error %v is not errSnapshot", err)
			}
			return
		}
		again := encodeSnapshot(testKey, &snapshot{projects: projects, states: states, types: types}, fetched)
		p2, s2, t2, f2, err := decodeSnapshot(testKey, again)
		if err != nil {
			t.Fatalf("re-encoded value does not decode: %v", err)
		}
		if diff := cmp.Diff(projects, p2); diff != "" {
			t.Errorf("projects changed in a round trip (-first +second):\n%s", diff)
		}
		if diff := cmp.Diff(types, t2); diff != "" {
			t.Errorf("types changed in a round trip (-first +second):\n%s", diff)
		}
		if diff := cmp.Diff(states, s2); diff != "" {
			t.Errorf("states changed in a round trip (-first +second):\n%s", diff)
		}
		if !f2.Equal(fetched) {
			t.Errorf("fetched changed in a round trip: %v, then %v", fetched, f2)
		}
	})
}

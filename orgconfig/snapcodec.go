package orgconfig

import (
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"time"
	"unicode/utf8"
)

// The shared snapshot encoding, version 2:
//
//	"azsc"        magic, 4 bytes
//	version       1 byte (2)
//	fetched       8 bytes, big-endian Unix milliseconds of the fetch
//	crc           4 bytes, big-endian CRC-32C of the key the value is
//	              stored under, then the payload
//	payload:
//	  lists       uvarint n, then n state lists: uvarint m, then m states
//	              (name, category, color as strings)
//	  types       uvarint n, then n work item types: name, reference
//	              name as strings (version 2)
//	  projects    uvarint n, then n projects: id, name as strings, then
//	              uvarint list: 0 when its states were not fetched, else
//	              the index of its list plus one; then uvarint type: 0
//	              when its type is unknown, else its index plus one
//
// Strings are a uvarint length and that many bytes of UTF-8. It holds only project
// IDs and names, work item type names and state names, categories and
// colours: never a URL or a credential. The version is also part of the key, so that a replica
// running another version neither reads nor overwrites these values; the
// key is part of the checksum, so that a value copied or renamed to
// another key (another organization's) is refused there.
const (
	snapMagic      = "azsc"
	snapVersion    = 2
	snapHeaderSize = 4 + 1 + 8 + 4

	// maxSnapshotBytes bounds a value to decode; counts and lengths inside
	// are bounded by the bytes that remain, so a value cannot make the
	// decoder allocate much more than its own size.
	maxSnapshotBytes = 16 << 20

	// maxSnapshotProjects bounds the projects of a value: the most the
	// azdo Client lists by default (WithMaxProjects), far beyond any
	// organization on Azure DevOps Services (1 000). Without it a 16 MiB
	// value could hold two million projects, and the form would grow with
	// whatever a value claims. Larger snapshots are not shared.
	maxSnapshotProjects = 100_000
)

var crcTable = crc32.MakeTable(crc32.Castagnoli)

// errSnapshot is the kind of every decoding failure.
var errSnapshot = errors.New("bad shared snapshot")

// encodeSnapshot encodes the projects and states of a complete snapshot,
// precomputed or not, to be stored under key.
func encodeSnapshot(key string, s *snapshot, fetched time.Time) []byte {
	lists, listOf := s.lists, s.listOf
	if listOf == nil {
		lists, listOf = stateLists(s.projects, s.states)
	}
	types, typeOf := s.typeList, s.typeOf
	if typeOf == nil {
		types, typeOf = typeLists(s.projects, s.types)
	}
	size := snapHeaderSize + 16
	for _, l := range lists {
		for _, st := range l {
			size += len(st.Name) + len(st.Category) + len(st.Color) + 3*binary.MaxVarintLen32
		}
	}
	for _, t := range types {
		size += len(t.Name) + len(t.ReferenceName) + 2*binary.MaxVarintLen32
	}
	for _, p := range s.projects {
		size += len(p.ID) + len(p.Name) + 4*binary.MaxVarintLen32
	}
	b := make([]byte, snapHeaderSize, size)
	copy(b, snapMagic)
	b[4] = snapVersion
	binary.BigEndian.PutUint64(b[5:], uint64(fetched.UnixMilli()))
	b = binary.AppendUvarint(b, uint64(len(lists)))
	for _, l := range lists {
		b = binary.AppendUvarint(b, uint64(len(l)))
		for _, st := range l {
			b = appendString(b, st.Name)
			b = appendString(b, st.Category)
			b = appendString(b, st.Color)
		}
	}
	b = binary.AppendUvarint(b, uint64(len(types)))
	for _, t := range types {
		b = appendString(b, t.Name)
		b = appendString(b, t.ReferenceName)
	}
	b = binary.AppendUvarint(b, uint64(len(s.projects)))
	for k, p := range s.projects {
		b = appendString(b, p.ID)
		b = appendString(b, p.Name)
		b = binary.AppendUvarint(b, uint64(listOf[k]+1))
		b = binary.AppendUvarint(b, uint64(typeOf[k]+1))
	}
	binary.BigEndian.PutUint32(b[13:], snapChecksum(key, b[snapHeaderSize:]))
	return b
}

// snapChecksum is the checksum of a payload stored under key.
func snapChecksum(key string, payload []byte) uint32 {
	return crc32.Update(crc32.Checksum([]byte(key), crcTable), crcTable, payload)
}

func appendString(b []byte, s string) []byte {
	b = binary.AppendUvarint(b, uint64(len(s)))
	return append(b, s...)
}

// decodeSnapshot decodes a value of encodeSnapshot read under key,
// refusing anything else: another magic or version, a checksum mismatch
// (which a value stored for another key also is), a truncated or
// oversized value, more than maxSnapshotProjects projects, counts or
// lengths beyond the value, strings that are not UTF-8, list indexes out
// of range or trailing bytes. Projects come back in drop-down order
// without empty or repeated IDs, whatever the value held; projects sharing
// a state list share its slice. types holds the known work item types by
// project ID.
func decodeSnapshot(key string, b []byte) (projects []Project, states map[string][]State, types map[string]WorkItemType, fetched time.Time, err error) {
	if len(b) > maxSnapshotBytes {
		return nil, nil, nil, time.Time{}, fmt.Errorf("%w: %d bytes, limit %d", errSnapshot, len(b), maxSnapshotBytes)
	}
	if len(b) < snapHeaderSize || string(b[:4]) != snapMagic {
		return nil, nil, nil, time.Time{}, fmt.Errorf("%w: not a snapshot", errSnapshot)
	}
	if b[4] != snapVersion {
		return nil, nil, nil, time.Time{}, fmt.Errorf("%w: version %d, want %d", errSnapshot, b[4], snapVersion)
	}
	fetched = time.UnixMilli(int64(binary.BigEndian.Uint64(b[5:])))
	if snapChecksum(key, b[snapHeaderSize:]) != binary.BigEndian.Uint32(b[13:]) {
		return nil, nil, nil, time.Time{}, fmt.Errorf("%w: checksum mismatch (corrupt, truncated or stored for another key)", errSnapshot)
	}
	d := decoder{b: b[snapHeaderSize:]}
	lists := make([][]State, d.count(1))
	for i := range lists {
		if d.err != nil {
			break
		}
		l := make([]State, d.count(3))
		for j := range l {
			l[j] = State{Name: d.string(), Category: d.string(), Color: d.string()}
		}
		lists[i] = l
	}
	typeList := make([]WorkItemType, d.count(2))
	for i := range typeList {
		typeList[i] = WorkItemType{Name: d.string(), ReferenceName: d.string()}
	}
	n := d.count(4)
	if n > maxSnapshotProjects {
		return nil, nil, nil, time.Time{}, fmt.Errorf("%w: %d projects, limit %d", errSnapshot, n, maxSnapshotProjects)
	}
	projects = make([]Project, n)
	listOf := make([]uint64, len(projects))
	typeOf := make([]uint64, len(projects))
	for i := range projects {
		projects[i] = Project{ID: d.string(), Name: d.string()}
		listOf[i] = d.uvarint()
		typeOf[i] = d.uvarint()
	}
	if d.err == nil && len(d.b) > 0 {
		d.err = fmt.Errorf("%w: %d bytes after the end", errSnapshot, len(d.b))
	}
	if d.err != nil {
		return nil, nil, nil, time.Time{}, d.err
	}
	states = make(map[string][]State, len(projects))
	types = make(map[string]WorkItemType)
	for i, p := range projects {
		switch t := typeOf[i]; {
		case t == 0 || p.ID == "":
		case t > uint64(len(typeList)):
			return nil, nil, nil, time.Time{}, fmt.Errorf("%w: project %d uses work item type %d of %d", errSnapshot, i, t, len(typeList))
		default:
			if _, dup := types[p.ID]; !dup {
				types[p.ID] = typeList[t-1]
			}
		}
		switch l := listOf[i]; {
		case l == 0 || p.ID == "":
		case l > uint64(len(lists)):
			return nil, nil, nil, time.Time{}, fmt.Errorf("%w: project %d uses state list %d of %d", errSnapshot, i, l, len(lists))
		default:
			if _, dup := states[p.ID]; !dup {
				states[p.ID] = lists[l-1]
			}
		}
	}
	projects = dropdownOrder(projects)
	return projects, states, types, fetched, nil
}

// decoder reads the payload; after the first error every read returns a
// zero value.
type decoder struct {
	b   []byte
	err error
}

func (d *decoder) uvarint() uint64 {
	if d.err != nil {
		return 0
	}
	v, n := binary.Uvarint(d.b)
	if n <= 0 {
		d.err = fmt.Errorf("%w: truncated", errSnapshot)
		return 0
	}
	d.b = d.b[n:]
	return v
}

// count reads a number of elements, each at least size bytes long, so it
// cannot exceed the bytes left: a value cannot make the decoder allocate
// much more than its own size.
func (d *decoder) count(size int) int {
	n := d.uvarint()
	if d.err == nil && n > uint64(len(d.b)/size) {
		d.err = fmt.Errorf("%w: count %d beyond the value", errSnapshot, n)
	}
	if d.err != nil {
		return 0
	}
	return int(n)
}

func (d *decoder) string() string {
	n := d.uvarint()
	if d.err == nil && n > uint64(len(d.b)) {
		d.err = fmt.Errorf("%w: string of %d bytes beyond the value", errSnapshot, n)
	}
	if d.err != nil {
		return ""
	}
	s := string(d.b[:n])
	if !utf8.ValidString(s) {
		// Azure DevOps answers in JSON, whose decoding never yields
		// invalid UTF-8: such a name would be offered as a choice that a
		// submitted (JSON) mapping can never match.
		d.err = fmt.Errorf("%w: string not UTF-8", errSnapshot)
		return ""
	}
	d.b = d.b[n:]
	return s
}

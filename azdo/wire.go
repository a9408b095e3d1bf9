package azdo

import (
	"bytes"

	"github.com/google/uuid"
)

// The wire types below hold only what a Client reads of the two large
// answers of a Build, the project pages and the process list: decoding
// them into the SDK's models (core.TeamProjectReference,
// workitemtrackingprocess.ProcessInfo) parses every field, a timestamp
// per project among them, and was most of a cold Build's client CPU.

// wireID is a UUID of an answer. One that is not a UUID string leaves it
// unset rather than failing the whole answer, so that a malformed entry
// costs only itself.
type wireID struct {
	id uuid.UUID
	ok bool
}

func (w *wireID) UnmarshalJSON(b []byte) error {
	*w = wireID{}
	if s, ok := bytes.CutPrefix(b, []byte(`"`)); ok {
		if s, ok = bytes.CutSuffix(s, []byte(`"`)); ok {
			id, err := uuid.ParseBytes(s)
			*w = wireID{id, err == nil}
		}
	}
	return nil
}

// wireProject is a project of GET _apis/projects.
type wireProject struct {
	ID    wireID  `json:"id"`
	Name  *string `json:"name"`
	State *string `json:"state"`
}

// wireProcess is a process of GET _apis/work/processes?$expand=projects.
type wireProcess struct {
	TypeID   wireID `json:"typeId"`
	Projects []struct {
		ID wireID `json:"id"`
	} `json:"projects"`
}

package azdo

import (
	"bytes"
	"encoding/json"
	"net/http"
	"sync"

	"github.com/google/uuid"
	"github.com/microsoft/azure-devops-go-api/azuredevops/v7/core"
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
	ID    wireID    `json:"id"`
	Name  string    `json:"name"`
	State wireState `json:"state"`
}

// wireState is a project's state, read without keeping a string per
// project: whether it is wellFormed (or absent, as on older servers).
type wireState struct{ other bool }

func (w *wireState) UnmarshalJSON(b []byte) error {
	w.other = string(b) != `"wellFormed"` && string(b) != "null"
	return nil
}

// wellFormedState and otherState are the states a project of a page is
// given (wireState.ptr): pointers to these, shared, instead of one
// allocation per project. Nothing writes through them.
var (
	wellFormedState = core.ProjectStateValues.WellFormed
	otherState      = core.ProjectState("other")
)

func (w wireState) ptr() *core.ProjectState {
	if w.other {
		return &otherState
	}
	return &wellFormedState
}

// wireProcess is a process of GET _apis/work/processes?$expand=projects.
type wireProcess struct {
	TypeID   wireID `json:"typeId"`
	Projects []struct {
		ID wireID `json:"id"`
	} `json:"projects"`
}

// unmarshalCollection decodes the value of a {"count","value"} answer
// into v and closes the body, as the SDK's UnmarshalCollectionBody does.
func unmarshalCollection(resp *http.Response, v any) error {
	return unmarshalBody(resp, &struct {
		Value any `json:"value"`
	}{v})
}

// unmarshalBody decodes an answer into v and closes the body, as the
// SDK's UnmarshalBody does, reading the body into a buffer reused across
// answers: read with io.ReadAll, the buffer of each large answer grows a
// dozen times, and that was a third of the bytes a cold Build allocated.
func unmarshalBody(resp *http.Response, v any) error {
	defer resp.Body.Close()
	buf := bodyBuffers.Get().(*bytes.Buffer)
	defer func() {
		if buf.Cap() <= maxPooledBody {
			buf.Reset()
			bodyBuffers.Put(buf)
		}
	}()
	if _, err := buf.ReadFrom(resp.Body); err != nil {
		return err
	}
	return json.Unmarshal(bytes.TrimPrefix(buf.Bytes(), []byte("\xef\xbb\xbf")), v)
}

// bodyBuffers holds the buffers of unmarshalCollection; one larger than
// maxPooledBody is left to the garbage collector.
var bodyBuffers = sync.Pool{New: func() any { return new(bytes.Buffer) }}

const maxPooledBody = 4 << 20

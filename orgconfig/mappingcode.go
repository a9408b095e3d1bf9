package orgconfig

import (
	"encoding/json"
	"errors"
)

// Codes of [MappingError.Code]: stable names of the kinds, for a client to
// switch on (the messages are English prose and may change).
const (
	CodeStatusRequired   = "status_required"   // ErrStatusRequired
	CodeUnknownProject   = "unknown_project"   // ErrUnknownProject
	CodeUnknownState     = "unknown_state"     // ErrUnknownState
	CodeStatesUnknown    = "states_unknown"    // ErrStatesUnknown
	CodeDuplicateProject = "duplicate_project" // ErrMalformedMapping: one project in two spellings
)

// Code names the error's kind: one of the Code constants, or "" for an
// error of another kind (or a nil one).
func (e *MappingError) Code() string {
	if e == nil {
		return ""
	}
	switch {
	case errors.Is(e.Err, ErrStatusRequired):
		return CodeStatusRequired
	case errors.Is(e.Err, ErrUnknownProject):
		return CodeUnknownProject
	case errors.Is(e.Err, ErrUnknownState):
		return CodeUnknownState
	case errors.Is(e.Err, ErrStatesUnknown):
		return CodeStatesUnknown
	case errors.Is(e.Err, ErrMalformedMapping):
		return CodeDuplicateProject
	}
	return ""
}

// MarshalJSON encodes the error for a client to show next to its row and
// column: {"code", "project_id", "key", "state", "message"}, where code is
// [MappingError.Code], project_id the ID as submitted ("" for the whole
// mapping), key "on_resolve", "on_unresolve" or "" (the whole entry), state
// the state named ("" unless unknown_state) and message the English
// [MappingError.Error] text. Every key is always present.
func (e *MappingError) MarshalJSON() ([]byte, error) {
	if e == nil {
		return []byte("null"), nil
	}
	return json.Marshal(struct {
		Code      string `json:"code"`
		ProjectID string `json:"project_id"`
		Key       string `json:"key"`
		State     string `json:"state"`
		Message   string `json:"message"`
	}{e.Code(), e.ProjectID, e.Key, e.State, e.Error()})
}

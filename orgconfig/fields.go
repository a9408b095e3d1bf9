package orgconfig

import "encoding/json"

// Keys of the form's fields, as the platform stores them.
const (
	KeySyncStatusForward     = "sync_status_forward"
	KeySyncForwardAssignment = "sync_forward_assignment"
	KeySyncComments          = "sync_comments"
	KeySyncStatusReverse     = "sync_status_reverse"
	KeySyncReverseAssignment = "sync_reverse_assignment"
)

// Field is one field of the form: a [*ChoiceMapperField] or a
// [*BooleanField]. The set is sealed; use a type switch to tell them apart.
type Field interface {
	// Key is the field's name, one of the Key constants.
	Key() string
	isField()
}

// Choice is one option of a selector, encoded as the [value, label] pair the
// form schema expects.
type Choice [2]string

// Selector is a drop-down of states in one column of the choice mapper.
type Selector struct {
	Choices     []Choice `json:"choices"`
	Placeholder string   `json:"placeholder"`
}

// Selectors holds the two columns of one mapped row.
type Selectors struct {
	OnResolve   Selector `json:"on_resolve"`
	OnUnresolve Selector `json:"on_unresolve"`
}

// ColumnLabels names the two columns of the choice mapper.
type ColumnLabels struct {
	OnResolve   string `json:"on_resolve"`
	OnUnresolve string `json:"on_unresolve"`
}

// DropdownItem is one project offered by the "add project" drop-down.
type DropdownItem struct {
	Value string `json:"value"` // project ID
	Label string `json:"label"` // project name
}

// AddDropdown is the drop-down that adds a project row to the mapper.
type AddDropdown struct {
	EmptyMessage     string         `json:"emptyMessage"`
	NoResultsMessage string         `json:"noResultsMessage"`
	Items            []DropdownItem `json:"items"`
}

// ChoiceMapperField maps each Azure DevOps project to the states to set when
// an issue is resolved or unresolved (the key [KeySyncStatusForward]).
//
// It encodes as a "choice_mapper" field. When PerItemMapping is true,
// "mappedSelectors" is PerItemSelectors (keyed by project ID) and
// "perItemMapping": true is added; otherwise it is MappedSelectors. Build
// sets PerItemMapping only when it can fill a selector for every project
// (see [WithPerProjectChoices]), and StatusURL, encoded as "statusUrl" with
// PerItemMapping only, only with [WithStatesURL].
//
// A field returned by Build is the caller's own (see [Config]).
type ChoiceMapperField struct {
	Name             string
	Disabled         bool
	DisabledReason   string
	Label            string
	Help             string
	AddButtonText    string
	AddDropdown      AddDropdown
	MappedSelectors  Selectors
	PerItemMapping   bool
	PerItemSelectors map[string]Selectors
	// StatusURL, with PerItemMapping, is where the frontend asks for the
	// states of a row without per-item selectors (see [WithStatesURL]);
	// encoded as "statusUrl" when set.
	StatusURL          string
	ColumnLabels       ColumnLabels
	MappedColumnLabel  string
	FormatMessageValue bool
}

// Key returns the field's name; "" for a nil field.
func (f *ChoiceMapperField) Key() string {
	if f == nil {
		return ""
	}
	return f.Name
}
func (*ChoiceMapperField) isField() {}

// MarshalJSON encodes the field in the reference form schema.
func (f *ChoiceMapperField) MarshalJSON() ([]byte, error) {
	if f == nil {
		return []byte("null"), nil
	}
	var selectors any = f.MappedSelectors
	statusURL := ""
	if f.PerItemMapping {
		statusURL = f.StatusURL
		per := f.PerItemSelectors
		if per == nil {
			per = map[string]Selectors{}
		}
		selectors = per
	}
	return json.Marshal(struct {
		Name               string       `json:"name"`
		Type               string       `json:"type"`
		Disabled           bool         `json:"disabled"`
		Label              string       `json:"label"`
		Help               string       `json:"help"`
		AddButtonText      string       `json:"addButtonText"`
		AddDropdown        AddDropdown  `json:"addDropdown"`
		MappedSelectors    any          `json:"mappedSelectors"`
		PerItemMapping     bool         `json:"perItemMapping,omitempty"`
		StatusURL          string       `json:"statusUrl,omitempty"`
		ColumnLabels       ColumnLabels `json:"columnLabels"`
		MappedColumnLabel  string       `json:"mappedColumnLabel"`
		FormatMessageValue bool         `json:"formatMessageValue"`
		DisabledReason     string       `json:"disabledReason,omitempty"`
	}{
		f.Name, "choice_mapper", f.Disabled, f.Label, f.Help, f.AddButtonText,
		f.AddDropdown, selectors, f.PerItemMapping, statusURL, f.ColumnLabels,
		f.MappedColumnLabel, f.FormatMessageValue, f.DisabledReason,
	})
}

// BooleanField is an on/off toggle of the form.
type BooleanField struct {
	Name           string
	Label          string
	Help           string
	Disabled       bool
	DisabledReason string
}

// Key returns the field's name; "" for a nil field.
func (f *BooleanField) Key() string {
	if f == nil {
		return ""
	}
	return f.Name
}
func (*BooleanField) isField() {}

// MarshalJSON encodes the field in the reference form schema: "disabled" and
// "disabledReason" appear only when the field is disabled.
func (f *BooleanField) MarshalJSON() ([]byte, error) {
	if f == nil {
		return []byte("null"), nil
	}
	return json.Marshal(struct {
		Name           string `json:"name"`
		Type           string `json:"type"`
		Label          string `json:"label"`
		Help           string `json:"help"`
		Disabled       bool   `json:"disabled,omitempty"`
		DisabledReason string `json:"disabledReason,omitempty"`
	}{f.Name, "boolean", f.Label, f.Help, f.Disabled, f.DisabledReason})
}

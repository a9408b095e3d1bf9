package orgconfig

import "strings"

// Reason says why the form or its status field is disabled; it is "" when
// the form is usable. [Config.Reason] holds it: compare it, not the
// (possibly translated) disabledReason text, to decide what to do.
type Reason string

// Reasons a Build sets in [Config.Reason].
const (
	// ReasonNoAccess: the feature gate said no; every field is disabled.
	ReasonNoAccess Reason = "no_access"
	// ReasonGateError: the feature gate failed; every field is disabled.
	ReasonGateError Reason = "gate_error"
	// ReasonUnauthorized: Azure DevOps refused the credentials (401, or a
	// sign-in page instead of an answer); the status field is disabled.
	ReasonUnauthorized Reason = "unauthorized"
	// ReasonForbidden: Azure DevOps answered 403 to the project list: the
	// credentials are valid but lack the permission to read projects; the
	// status field is disabled.
	ReasonForbidden Reason = "forbidden"
	// ReasonUnreachable: the project list could not be loaded (network,
	// 5xx, throttled past the deadline, a broken answer); the status field
	// is disabled.
	ReasonUnreachable Reason = "unreachable"
	// ReasonNoStates: projects were listed, but no project's states could
	// be loaded; the status field is disabled.
	ReasonNoStates Reason = "no_states"
)

// Text returns the English disabledReason of r, before translation: the
// text [WithTranslator] receives. It returns "" for "" and for values that
// are not one of the Reason constants.
func (r Reason) Text() string {
	switch r {
	case ReasonNoAccess:
		return "Your organization does not have access to this feature"
	case ReasonGateError:
		return "Could not verify access to this feature"
	case ReasonUnauthorized:
		return "Azure DevOps refused the credentials of this integration. Reconnect it and try again."
	case ReasonForbidden:
		return "Azure DevOps did not allow this integration to read its projects. Give its account permission to view the projects (for a personal access token, the Project and Team (Read) scope) and try again."
	case ReasonUnreachable:
		return "Could not reach Azure DevOps to load its projects. Try again later."
	case ReasonNoStates:
		return "Could not load work item states from Azure DevOps. Try again later."
	}
	return ""
}

// platformToken is replaced by the platform name in the texts below; the
// translator then sees the final English text, as the reference's msgids.
const platformToken = "{platform}"

const (
	textStatusLabel        = "Sync {platform} Status to Azure DevOps"
	textStatusHelp         = "When a {platform} issue changes status, change the status of the linked work item in Azure DevOps."
	textAddButton          = "Add Azure DevOps Project"
	textEmptyMessage       = "All projects configured"
	textNoResultsMessage   = "Could not find Azure DevOps project"
	textPlaceholder        = "Select a status"
	textColumnOnResolve    = "When resolved"
	textColumnOnUnresolve  = "When unresolved"
	textMappedColumnLabel  = "Azure DevOps Project"
	textForwardAssignLabel = "Sync {platform} Assignment to Azure DevOps"
	textForwardAssignHelp  = "When an issue is assigned in {platform}, assign its linked Azure DevOps work item to the same user."
	textCommentsLabel      = "Sync {platform} Comments to Azure DevOps"
	textCommentsHelp       = "Post comments from {platform} issues to linked Azure DevOps work items"
	textStatusReverseLabel = "Sync Azure DevOps Status to {platform}"
	textStatusReverseHelp  = "When an Azure DevOps work item is marked done, resolve its linked issue in {platform}. When an Azure DevOps work item is removed from being done, unresolve its linked {platform} issue."
	textReverseAssignLabel = "Sync Azure DevOps Assignment to {platform}"
	textReverseAssignHelp  = "When a work item is assigned in Azure DevOps, assign its linked {platform} issue to the same user."
)

// texts are the user-visible strings of one Builder, computed once in
// NewBuilder with the platform name and translator applied.
type texts struct {
	statusLabel, statusHelp, addButton, emptyMessage, noResults, placeholder string
	columnOnResolve, columnOnUnresolve, mappedColumnLabel                    string
	booleans                                                                 [4]struct{ key, label, help string }
	reasons                                                                  map[Reason]string
}

func newTexts(platform string, translate func(string) string) *texts {
	t := func(s string) string { return translate(strings.ReplaceAll(s, platformToken, platform)) }
	tx := &texts{
		statusLabel:       t(textStatusLabel),
		statusHelp:        t(textStatusHelp),
		addButton:         t(textAddButton),
		emptyMessage:      t(textEmptyMessage),
		noResults:         t(textNoResultsMessage),
		placeholder:       t(textPlaceholder),
		columnOnResolve:   t(textColumnOnResolve),
		columnOnUnresolve: t(textColumnOnUnresolve),
		mappedColumnLabel: t(textMappedColumnLabel),
		reasons:           make(map[Reason]string, 6),
	}
	tx.booleans = [4]struct{ key, label, help string }{
		{KeySyncForwardAssignment, t(textForwardAssignLabel), t(textForwardAssignHelp)},
		{KeySyncComments, t(textCommentsLabel), t(textCommentsHelp)},
		{KeySyncStatusReverse, t(textStatusReverseLabel), t(textStatusReverseHelp)},
		{KeySyncReverseAssignment, t(textReverseAssignLabel), t(textReverseAssignHelp)},
	}
	for _, r := range []Reason{ReasonNoAccess, ReasonGateError, ReasonUnauthorized, ReasonForbidden, ReasonUnreachable, ReasonNoStates} {
		tx.reasons[r] = t(r.Text())
	}
	return tx
}

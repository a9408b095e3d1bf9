package orgconfig

import "strings"

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
	throttledLater                                                           string // ReasonThrottled's text when no time is known
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
		reasons:           make(map[Reason]string, len(reasons)),
		throttledLater:    t(textThrottledLater),
	}
	tx.booleans = [4]struct{ key, label, help string }{
		{KeySyncForwardAssignment, t(textForwardAssignLabel), t(textForwardAssignHelp)},
		{KeySyncComments, t(textCommentsLabel), t(textCommentsHelp)},
		{KeySyncStatusReverse, t(textStatusReverseLabel), t(textStatusReverseHelp)},
		{KeySyncReverseAssignment, t(textReverseAssignLabel), t(textReverseAssignHelp)},
	}
	for _, r := range reasons {
		tx.reasons[r] = t(r.Text())
	}
	return tx
}

package orgconfig

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
	// 5xx, throttled past the deadline, a broken answer, and any refusal
	// but 401 and 403: a 404 from a wrong organization or collection URL
	// reads the same); the status field is disabled.
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

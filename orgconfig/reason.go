package orgconfig

import (
	"errors"
	"strconv"
	"strings"
	"time"
)

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
	// ReasonUnreachable: the project list could not be loaded for a
	// reason none of the others names (network, 5xx, a broken answer, a
	// refusal other than those below); the status field is disabled.
	ReasonUnreachable Reason = "unreachable"
	// ReasonNoStates: projects were listed, but no project's states could
	// be loaded; the status field is disabled.
	ReasonNoStates Reason = "no_states"
	// ReasonNotFound: the organization URL answered 404 or its host does
	// not exist (the Client's error wraps [ErrNotFound]): the URL is
	// wrong. The status field is disabled.
	ReasonNotFound Reason = "not_found"
	// ReasonThrottled: Azure DevOps asked to wait longer than the Build
	// could (the error wraps [ErrThrottled]); [Config.RetryAt] says until
	// when, and the text "in about N minutes". When Azure DevOps did not
	// say how long (a 429 without Retry-After), RetryAt is zero and the
	// text names no time: "Try again later." The status field is
	// disabled.
	ReasonThrottled Reason = "throttled"
	// ReasonNoCredential: the credential could not produce a token (an
	// Entra ID or token func failure; the error wraps [ErrNoCredential]),
	// so Azure DevOps was not contacted. The status field is disabled.
	ReasonNoCredential Reason = "no_credential"
	// ReasonTooManyProjects: the organization has more projects than the
	// Client lists (azdo.WithMaxProjects; the error wraps
	// [ErrTooManyProjects]). The status field is disabled.
	ReasonTooManyProjects Reason = "too_many_projects"
)

// reasons are every Reason, for the Builder's translated texts.
var reasons = []Reason{ReasonNoAccess, ReasonGateError, ReasonUnauthorized, ReasonForbidden, ReasonUnreachable, ReasonNoStates,
	ReasonNotFound, ReasonThrottled, ReasonNoCredential, ReasonTooManyProjects}

// minutesToken is replaced in ReasonThrottled's text, after translation,
// by the minutes left to wait.
const minutesToken = "{minutes}"

// textThrottledLater is ReasonThrottled's text when Azure DevOps did not
// say how long to wait ([Config.RetryAt] is zero): it names no time.
const textThrottledLater = "Azure DevOps asked this integration to wait before sending more requests. Try again later."

// Text returns the English disabledReason of r, before translation: the
// text [WithTranslator] receives. It returns "" for "" and for values that
// are not one of the Reason constants. ReasonThrottled's text holds
// "{minutes}", which Build replaces, after translation, with the minutes
// left until [Config.RetryAt]; when RetryAt is zero (Azure DevOps did not
// say how long), Build uses instead "Azure DevOps asked this integration to
// wait before sending more requests. Try again later.", which
// [WithTranslator] receives as well.
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
	case ReasonNotFound:
		return "Azure DevOps has no organization at the URL of this integration (it answered 404, or its host does not exist). Check the organization URL."
	case ReasonThrottled:
		return "Azure DevOps asked this integration to wait before sending more requests. Try again in about {minutes} minutes."
	case ReasonNoCredential:
		return "This integration could not get a token to sign in to Azure DevOps, so Azure DevOps was not contacted. Check its credential (for Microsoft Entra ID: the application, its tenant, secret and consent) and try again."
	case ReasonTooManyProjects:
		return "This Azure DevOps organization has more projects than this integration is set to load. Ask whoever runs the integration to raise its project limit."
	}
	return ""
}

// reasonOf is the Reason the project list's failure err disables the
// status field with, and, for ReasonThrottled, until when (zero when
// unknown).
func reasonOf(err error) (Reason, time.Time) {
	switch {
	case errors.Is(err, ErrNoCredential): // before ErrUnauthorized, which it also is
		return ReasonNoCredential, time.Time{}
	case errors.Is(err, ErrUnauthorized):
		return ReasonUnauthorized, time.Time{}
	case errors.Is(err, ErrForbidden):
		return ReasonForbidden, time.Time{}
	case errors.Is(err, ErrNotFound):
		return ReasonNotFound, time.Time{}
	case errors.Is(err, ErrTooManyProjects):
		return ReasonTooManyProjects, time.Time{}
	case errors.Is(err, ErrThrottled):
		var d RetryDelayer
		if errors.As(err, &d) && d.RetryDelay() > 0 {
			return ReasonThrottled, time.Now().Add(d.RetryDelay())
		}
		return ReasonThrottled, time.Time{}
	}
	return ReasonUnreachable, time.Time{}
}

// withMinutes puts the minutes left until at (rounded up, at least 1) in a
// throttled text: "in about 1 minute" in English, the number alone in a
// translation. With at zero (no time known) it is later, the text that
// names none.
func withMinutes(text, later string, at time.Time) string {
	if !strings.Contains(text, minutesToken) {
		return text
	}
	if at.IsZero() {
		return later
	}
	left := time.Until(at)
	n := int(left / time.Minute) // rounded up below: adding a minute first could overflow
	if left%time.Minute > 0 {
		n++
	}
	n = max(n, 1)
	if n == 1 {
		text = strings.ReplaceAll(text, minutesToken+" minutes", "1 minute")
	}
	return strings.ReplaceAll(text, minutesToken, strconv.Itoa(n))
}

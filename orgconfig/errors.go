package orgconfig

import (
	"errors"
	"fmt"
	"time"
)

// ErrEmptyPlatformOrgID is recorded in [Config.Problems] when Build is
// called with an empty platformOrgID (your platform's organization, not
// the Azure DevOps one); the form is then disabled like any gate failure.
var ErrEmptyPlatformOrgID = errors.New("empty platform organization id")

// Operations named by [OpError].
const (
	OpFeatureGate    = "check feature gate"
	OpListProjects   = "list projects"
	OpWorkItemStates = "get work item states"
)

// OpError is the error recorded in [Config.Problems]: which step of the
// flow failed, for which project, and why. Err is the error the Client or
// FeatureGate returned, so errors.Is and errors.As see through it.
//
// Its text says each thing once: "orgconfig: " and the step (with the
// project, for OpWorkItemStates), then the cause's text. When the cause
// already names the same operation — it is an [OpNamer] whose Operation
// returns Op, as package azdo's errors are — the step is not repeated:
//
//	orgconfig: list projects: connection refused
//	azdo: list projects: 401 Unauthorized: TF400813: …
//	orgconfig: project "Fabrikam" (6ce9…): azdo: get work item states: 404 Not Found: …
//	orgconfig: get work item states of project "Fabrikam" (6ce9…): azdo: list processes: 401 Unauthorized: …
type OpError struct {
	Op          string // one of the Op constants
	ProjectID   string // set for OpWorkItemStates
	ProjectName string // set for OpWorkItemStates
	Err         error
}

// OpNamer is an optional interface of a [Client]'s errors: an error that
// names the step it failed in. When a problem's cause (or an error it
// wraps) names the same step as the problem, [OpError.Error] says it once.
// Package azdo's errors are OpNamers.
type OpNamer interface {
	error
	// Operation names the step, in the words of the Op constants (such
	// as OpListProjects); "" when the error names none.
	Operation() string
}

// RetryDelayer is an optional interface of a [Client]'s errors that wrap
// [ErrThrottled]: an error that says how long Azure DevOps asked to wait.
// When the project list fails with one, Build sets [Config.RetryAt] and
// says "in about N minutes" in the reason. Package azdo's errors are
// RetryDelayers.
type RetryDelayer interface {
	error
	// RetryDelay is the wait Azure DevOps asked for; 0 when it said none.
	RetryDelay() time.Duration
}

// Error names the step, the project when there is one, and the cause,
// without repeating an operation the cause names.
func (e *OpError) Error() string {
	if e == nil {
		return "<nil>"
	}
	cause := "unknown error"
	if e.Err != nil {
		cause = e.Err.Error()
	}
	var named OpNamer
	said := e.Op != "" && errors.As(e.Err, &named) && named.Operation() == e.Op
	op := e.Op
	if op == "" {
		op = "build"
	}
	switch {
	case e.ProjectID != "" && said:
		return fmt.Sprintf("orgconfig: project %q (%s): %s", e.ProjectName, e.ProjectID, cause)
	case e.ProjectID != "":
		return fmt.Sprintf("orgconfig: %s of project %q (%s): %s", op, e.ProjectName, e.ProjectID, cause)
	case said:
		return cause
	}
	return "orgconfig: " + op + ": " + cause
}

// Unwrap returns the cause.
func (e *OpError) Unwrap() error {
	if e == nil {
		return nil
	}
	return e.Err
}

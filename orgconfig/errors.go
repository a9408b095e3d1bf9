package orgconfig

import (
	"errors"
	"fmt"
)

// ErrEmptyOrgID is recorded in [Config.Problems] when Build is called with
// an empty organization ID; the form is then disabled like any gate failure.
var ErrEmptyOrgID = errors.New("empty organization id")

// Operations named by [OpError].
const (
	OpFeatureGate    = "check feature gate"
	OpListProjects   = "list projects"
	OpWorkItemStates = "get work item states"
)

// OpError is the error recorded in [Config.Problems]: which step of the
// flow failed, for which project, and why. Err is the error the Client or
// FeatureGate returned, so errors.Is and errors.As see through it.
type OpError struct {
	Op          string // one of the Op constants
	ProjectID   string // set for OpWorkItemStates
	ProjectName string // set for OpWorkItemStates
	Err         error
}

// Error names the step, the project when there is one, and the cause.
func (e *OpError) Error() string {
	if e == nil {
		return "<nil>"
	}
	if e.ProjectID == "" {
		return fmt.Sprintf("orgconfig: %s: %v", e.Op, e.Err)
	}
	return fmt.Sprintf("orgconfig: %s of project %q (%s): %v", e.Op, e.ProjectName, e.ProjectID, e.Err)
}

// Unwrap returns the cause.
func (e *OpError) Unwrap() error {
	if e == nil {
		return nil
	}
	return e.Err
}

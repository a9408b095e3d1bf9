package features

import (
	"context"
	"errors"

	"github.com/azdosync/azdosync/orgconfig"
)

var _ orgconfig.FeatureGate = Func(nil)

// Func adapts an ordinary function to a gate, as http.HandlerFunc does for
// handlers. The function must be safe for concurrent use. A nil Func
// answers every call with an error, so the Builder fails closed.
type Func func(ctx context.Context, platformOrgID, feature string) (bool, error)

// Enabled calls f.
func (f Func) Enabled(ctx context.Context, platformOrgID, feature string) (bool, error) {
	if f == nil {
		return false, errors.New("features: func: nil function")
	}
	return f(ctx, platformOrgID, feature)
}

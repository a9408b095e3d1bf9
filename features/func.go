package features

import (
	"context"

	"github.com/azdosync/azdosync/orgconfig"
)

var _ orgconfig.FeatureGate = Func(nil)

// Func adapts an ordinary function to a gate, as http.HandlerFunc does for
// handlers. The function must be safe for concurrent use.
type Func func(ctx context.Context, platformOrgID, feature string) (bool, error)

// Enabled calls f.
func (f Func) Enabled(ctx context.Context, platformOrgID, feature string) (bool, error) {
	return f(ctx, platformOrgID, feature)
}

package features

import (
	"context"

	"github.com/azdosync/azdosync/orgconfig"
)

var _ orgconfig.FeatureGate = Static(false)

// Static is a gate that gives the same answer for every organization and
// feature: features.Static(true) enables everything.
type Static bool

// Enabled reports the constant answer.
func (s Static) Enabled(context.Context, string, string) (bool, error) { return bool(s), nil }

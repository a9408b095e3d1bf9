// Package features provides [orgconfig.FeatureGate] implementations: a
// constant ([Static]), an in-memory per-organization set ([Set]), a function
// adapter ([Func]) and a TTL-caching decorator ([Cached]).
//
// The organizations gates speak of are your platform's organizations
// (tenants): the platformOrgID given to [orgconfig.Builder.Build], never an
// Azure DevOps organization, which the Builder's Client is tied to.
//
// # Writing your own gate
//
// A gate is any type with the method
//
//	Enabled(ctx context.Context, platformOrgID, feature string) (bool, error)
//
// that is safe for concurrent use and returns when ctx is done (the Build
// waits for it). Return an error when the answer is
// unknown (a billing service is down, say): the Builder then fails closed,
// disabling every field with the reason "Could not verify access to this
// feature". Wrap a slow gate in [Cached] so that each Build does not pay
// for it. A one-off gate can be a [Func]:
//
//	gate := features.Func(func(ctx context.Context, platformOrgID, feature string) (bool, error) {
//		plan, err := billing.Plan(ctx, platformOrgID)
//		if err != nil {
//			return false, err
//		}
//		return plan.Includes(feature), nil
//	})
package features

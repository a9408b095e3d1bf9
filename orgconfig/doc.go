// Package orgconfig builds the organization configuration form of an Azure
// DevOps issue-sync integration.
//
// The flow has four steps, all driven by [Builder.Build]:
//
//  1. ask the [FeatureGate] whether the platform's organization (the ID
//     given to Build) has [FeatureIssueSync]; if not, every field is
//     disabled and Azure DevOps is not contacted;
//  2. list the Azure DevOps organization's projects through the [Client],
//     which is tied to that one Azure DevOps organization;
//  3. fetch each project's work item states concurrently (bounded by
//     [WithConcurrency]), and the work item type they are of when the
//     Client is a [TypedClient] ([Config.Types]);
//  4. assemble the typed fields: a [ChoiceMapperField] mapping each project to
//     the states to set when an issue is resolved or unresolved, and four
//     [BooleanField] toggles.
//
// json.Marshal of [Config.Fields] is drop-in compatible with the form of the
// reference, Sentry's Azure DevOps integration (see package azdosync), and
// so with Sentry's frontend. The same inputs always produce byte-identical JSON. For
// large organizations, [WithStatesURL] keeps each project's own states
// without sending them all: the frontend asks for a row's states
// ([Config.StatusChoices]) and [Config.PrefillSelectors] adds the saved
// rows'.
//
// orgconfig owns the small interfaces it consumes ([Client], [FeatureGate],
// [SharedCache]) and imports no adapter: package azdo provides a Client for
// Azure DevOps, package features provides gates, and package rediscache a
// SharedCache that the replicas of a service share ([WithSharedCache]).
// Tests can satisfy Client with a plain struct of functions.
//
// Steps 2 and 3 are what [WithCacheTTL] keeps: concurrent Builds share one
// fetch, a complete one is kept for the TTL (in every replica, with
// [WithSharedCache]), and [Builder.Forget] drops it so that the next Build
// fetches (a "Refresh"). The gate is asked on every Build.
//
// Failures never break the form: what went wrong is recorded in
// [Config.Problems] and the affected field is disabled with a reason, which
// [Config.Reason] gives as a code ([Reason]) to switch on. Build itself
// returns an error only when its context is done.
//
// After an admin submits the form, [ParseStatusMapping] reads the status
// field's value strictly, [Config.ValidateStatusMapping] checks it against
// the states Azure DevOps has and returns every problem as [MappingErrors]
// (each marshals to JSON with a stable code), and
// [Config.PruneStatusMapping] heals a saved mapping: do it before rendering
// saved values with the form. Project IDs compare
// ignoring case everywhere. Every method works on a zero Config.
package orgconfig

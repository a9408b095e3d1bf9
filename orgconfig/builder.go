package orgconfig

import (
	"context"
	"errors"
	"fmt"

	"github.com/azdosync/azdosync/internal/flight"
)

// Builder builds the organization configuration form. Create one with
// [NewBuilder] per Client: the Client is tied to one Azure DevOps
// organization, and so is the Builder (and its cache). It is safe for
// concurrent use. A zero or nil Builder fails every Build with an error
// saying NewBuilder did not make it.
type Builder struct {
	client Client
	gate   FeatureGate
	opts   settings
	texts  *texts

	cache flight.Cache[*snapshot] // used when opts.cacheTTL > 0
	key   string                  // of the shared tier, with opts.shared
	org   string                  // the Client as it describes itself, for logs
}

// NewBuilder returns a Builder reading from c and gated by g. It does no
// I/O. It fails when c or g is nil or an option is invalid.
func NewBuilder(c Client, g FeatureGate, opts ...Option) (*Builder, error) {
	if c == nil {
		return nil, errors.New("orgconfig: new builder: nil client")
	}
	if g == nil {
		return nil, errors.New("orgconfig: new builder: nil feature gate")
	}
	s := defaultSettings()
	for i, opt := range opts {
		if opt == nil {
			return nil, fmt.Errorf("orgconfig: new builder: option %d is nil", i)
		}
		if err := opt(&s); err != nil {
			return nil, fmt.Errorf("orgconfig: new builder: %w", err)
		}
	}
	if s.shared != nil && s.cacheTTL == 0 {
		return nil, errors.New("orgconfig: new builder: a shared cache needs WithCacheTTL")
	}
	b := &Builder{client: c, gate: g, opts: s, texts: newTexts(s.platform, s.translate)}
	if str, ok := c.(fmt.Stringer); ok {
		b.org = str.String() // azdo.Client: its URL
	}
	b.initCache()
	return b, nil
}

// Build asks the feature gate, then gathers projects and states and
// assembles the form.
//
// platformOrgID identifies the organization on your platform whose settings
// form this is (the tenant that linked the Azure DevOps organization): it is
// passed to the [FeatureGate] and nowhere else. It is not the Azure DevOps
// organization, which the Builder's Client fixes; one platform organization
// may link several Azure DevOps organizations, each with its own Builder.
// An empty platformOrgID disables the form like a gate failure
// ([ErrEmptyPlatformOrgID]).
//
// Failures of the gate or the Client do not fail Build: they disable the
// affected fields with a reason and are listed in [Config.Problems]. Build
// returns an error only when ctx is done before the form is complete (the
// error wraps ctx.Err()), or on a zero or nil Builder, which NewBuilder
// did not make. Every goroutine Build starts has ended when it returns, so
// the Client must honour ctx.
func (b *Builder) Build(ctx context.Context, platformOrgID string) (*Config, error) {
	if b == nil || b.client == nil || b.gate == nil || b.texts == nil {
		return nil, buildErr(errors.New("the Builder was not made by NewBuilder"))
	}
	if err := ctx.Err(); err != nil {
		return nil, buildErr(err)
	}
	if platformOrgID == "" {
		return b.gated(ReasonGateError, &OpError{Op: OpFeatureGate, Err: ErrEmptyPlatformOrgID}), nil
	}
	enabled, err := b.gate.Enabled(ctx, platformOrgID, FeatureIssueSync)
	if err != nil {
		if ctx.Err() != nil {
			return nil, buildErr(ctx.Err())
		}
		b.opts.logger.WarnContext(ctx, "feature gate failed; form disabled", "platform_org", platformOrgID, "err", err)
		return b.gated(ReasonGateError, &OpError{Op: OpFeatureGate, Err: err}), nil
	}
	if !enabled {
		b.opts.logger.DebugContext(ctx, "feature not enabled; form disabled", "platform_org", platformOrgID, "feature", FeatureIssueSync)
		return b.gated(ReasonNoAccess, nil), nil
	}
	snap, err := b.snapshot(ctx)
	if err != nil {
		return nil, buildErr(err)
	}
	if len(snap.problems) > 0 {
		// One line per Build, not per project: a failed lookup can fail
		// thousands of projects alike.
		b.opts.logger.WarnContext(ctx, "form degraded", "platform_org", platformOrgID, "problems", len(snap.problems), "first", snap.problems[0])
		for _, p := range snap.problems[1:] {
			b.opts.logger.DebugContext(ctx, "form degraded", "platform_org", platformOrgID, "err", p)
		}
	}
	return b.assemble(snap), nil
}

func buildErr(err error) error {
	return fmt.Errorf("orgconfig: build organization config: %w", err)
}

// gated is the form with every field disabled, built without asking the
// Client anything.
func (b *Builder) gated(reason Reason, problem *OpError) *Config {
	cfg := b.assemble(&snapshot{})
	cfg.Reason = reason
	r := b.texts.reasons[reason]
	for _, f := range cfg.Fields {
		switch f := f.(type) {
		case *ChoiceMapperField:
			f.Disabled, f.DisabledReason = true, r
		case *BooleanField:
			f.Disabled, f.DisabledReason = true, r
		}
	}
	if problem != nil {
		cfg.Problems = []*OpError{problem}
	}
	return cfg
}

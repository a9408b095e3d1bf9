// Command customgate wires a feature gate written by a platform into a
// Builder: organizations get issue sync when their billing plan includes
// it. It runs against azdotest's sample organization and shows the three
// outcomes: enabled, gated, and failed closed when the plan cannot be read.
//
//	go run ./examples/customgate
//
// It takes no arguments; -h prints this usage. Exit status: 0 on success
// and for -h, 1 on failure, 2 on a usage error.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/azdosync/azdosync/azdo"
	"github.com/azdosync/azdosync/azdo/azdotest"
	"github.com/azdosync/azdosync/features"
	"github.com/azdosync/azdosync/orgconfig"
)

// PlanGate enables a feature for organizations whose plan includes it. It
// is what a platform would write against its own billing service. The
// organizations are the platform's (the ID given to Build), not Azure
// DevOps organizations.
type PlanGate struct {
	// Plans maps a platform organization ID to its plan; a missing one is
	// a lookup failure, like a billing service that is down.
	Plans map[string]string
	// Includes lists the features of each plan.
	Includes map[string][]string
}

var _ orgconfig.FeatureGate = PlanGate{}

// ErrNoPlan reports an organization whose plan could not be found.
var ErrNoPlan = errors.New("billing: no plan for organization")

// Enabled reports whether the organization's plan includes the feature.
func (g PlanGate) Enabled(ctx context.Context, platformOrgID, feature string) (bool, error) {
	if err := ctx.Err(); err != nil {
		return false, err
	}
	plan, ok := g.Plans[platformOrgID]
	if !ok {
		return false, fmt.Errorf("%w %q", ErrNoPlan, platformOrgID)
	}
	for _, f := range g.Includes[plan] {
		if f == feature {
			return true, nil
		}
	}
	return false, nil
}

func main() {
	os.Exit(runMain(os.Args[1:], os.Stdout, os.Stderr))
}

// runMain parses the command line, runs the demonstration and returns the
// exit status.
func runMain(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("customgate", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintln(fs.Output(), "usage: customgate\n\nBuilds the form for three organizations behind a plan-based feature gate:\none enabled, one gated, one failing closed. It takes no flags.")
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "customgate: unexpected argument %q\n", fs.Arg(0))
		return 2
	}
	if err := run(stdout); err != nil {
		fmt.Fprintln(stderr, "customgate:", err)
		return 1
	}
	return 0
}

func run(w io.Writer) error {
	srv, err := azdotest.Start(azdotest.SampleOrg(), azdotest.WithPAT("demo-pat"))
	if err != nil {
		return err
	}
	defer srv.Close()
	client, err := azdo.New(srv.URL(), azdo.PAT("demo-pat"))
	if err != nil {
		return err
	}
	plans := PlanGate{
		Plans:    map[string]string{"acme": "business", "globex": "team"},
		Includes: map[string][]string{"business": {orgconfig.FeatureIssueSync}},
	}
	// Cache the plan lookups for a minute; failures are not cached.
	gate, err := features.Cached(plans, time.Minute)
	if err != nil {
		return err
	}
	// One Builder for the one Azure DevOps organization (the sample); the
	// platform organizations below are what the gate is asked about.
	builder, err := orgconfig.NewBuilder(client, gate)
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	for _, org := range []string{"acme", "globex", "initech"} {
		cfg, err := builder.Build(ctx, org)
		if err != nil {
			return err
		}
		status := cfg.StatusField()
		switch {
		case !status.Disabled:
			fmt.Fprintf(w, "%-8s enabled: %d projects to map\n", org, len(status.AddDropdown.Items))
		default:
			fmt.Fprintf(w, "%-8s disabled: %s\n", org, status.DisabledReason)
		}
		for _, p := range cfg.Problems {
			fmt.Fprintf(w, "%-8s problem: %v (no plan: %v)\n", org, p, errors.Is(p, ErrNoPlan))
		}
	}
	return nil
}

// Command bench measures, side by side in one process, how the reference
// algorithm and this library's strategies build the form for organizations
// of 10 to 5 000 projects in azdotest, with a per-request latency:
//
//	go run ./examples/bench                      # table
//	go run ./examples/bench -json                # one JSON object per row
//	go run ./examples/bench -svg examples/bench/bench.svg
//	go run ./examples/bench -strategies reference,process -runs 9
//	go run ./examples/bench -replicas 8 -sizes 100,1000 -warm-runs 200
//
// Organizations (-orgs):
//
//	system     projects spread round-robin over the four system processes
//	inherited  projects spread round-robin over the four system processes
//	           and four processes inherited from them, each with a
//	           customized Bug
//
// Strategies:
//
//	reference    list every project page of 100 ($top=100, "100 is max"),
//	             then states for the first six projects only, one request
//	             at a time (Bug, else Issue, else Task), as the reference
//	             integration does
//	per-project  this library's Builder with the process API off: every
//	             project, concurrently, two requests each on the Bug processes and Basic
//	process      this library's Builder on the default process path: the
//	             first page of up to 1 000 projects, the process list and
//	             the system processes' types at once, then the other
//	             processes' types and the remaining pages
//	warm         a second Build on a Builder with a cache (the median of
//	             -warm-runs Builds)
//
// Every cold measurement is the first Build of a Client for an organization
// URL the process has not seen (a new server, on a new port): it pays for
// whatever the first Build after a deploy pays. reference and process are
// the median of -runs such Builds; per-project is measured once. The fake
// pages as Azure DevOps Services does (100 projects without $top, $top
// honoured up to 1 000). Round trips are wall time divided by the latency.
// Allocations count the whole process, the in-process fake server
// included. Method, targets and results: README.md in this directory.
package main

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"runtime"
	"runtime/pprof"
	"slices"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/azdosync/azdosync/azdo"
	"github.com/azdosync/azdosync/azdo/azdotest"
	"github.com/azdosync/azdosync/features"
	"github.com/azdosync/azdosync/orgconfig"
)

const pat = "bench-pat"

// row is one measurement.
type row struct {
	Projects   int     `json:"projects"`
	Org        string  `json:"org"` // system or inherited
	Strategy   string  `json:"strategy"`
	Covered    int     `json:"covered"`
	Pages      int     `json:"pages"`
	Requests   int     `json:"requests"`
	WallMS     float64 `json:"wall_ms"`
	RoundTrips float64 `json:"round_trips"`
	Allocs     uint64  `json:"allocs"`
	Runs       int     `json:"runs"` // Builds the wall time is the median of
}

func main() {
	os.Exit(exitCode(run(os.Args[1:], os.Stdout), os.Stderr))
}

// usageError is a mistake in the command line: exit 2. explained is set
// when the flag package has already said what it is.
type usageError struct {
	msg       string
	explained bool
}

func (e usageError) Error() string { return e.msg }

// exitCode is the exit status of run's result: 0 on success and for -h
// (the flag package has printed the usage), 2 on a usage error, else 1,
// printing the error unless the flag package has.
func exitCode(err error, stderr io.Writer) int {
	var usage usageError
	switch {
	case err == nil, errors.Is(err, flag.ErrHelp):
		return 0
	case errors.As(err, &usage):
		if !usage.explained {
			fmt.Fprintln(stderr, "bench:", err)
		}
		return 2
	}
	fmt.Fprintln(stderr, "bench:", err)
	return 1
}

func run(args []string, out io.Writer) error {
	fs := flag.NewFlagSet("bench", flag.ContinueOnError)
	latency := fs.Duration("latency", 20*time.Millisecond, "latency the fake server adds to every request")
	sizesFlag := fs.String("sizes", "10,100,1000,5000", "organization sizes in projects, comma-separated")
	asJSON := fs.Bool("json", false, "print one JSON object per row instead of a table")
	svg := fs.String("svg", "", "also write a plot of round trips against project count to this file")
	warmRuns := fs.Int("warm-runs", 1000, "warm Builds to take the median of")
	runs := fs.Int("runs", 5, "cold Builds (each on a new organization URL) to take the median of, for reference and process")
	orgsFlag := fs.String("orgs", "system,inherited", "organizations: system, inherited, comma-separated")
	strategiesFlag := fs.String("strategies", "reference,per-project,process,warm", "strategies to run, comma-separated")
	cpuProfile := fs.String("cpuprofile", "", "write a CPU profile of the whole run to this file")
	replicas := fs.Int("replicas", 0, "replicas mode (see replicas.go): this many replicas build each size cold at once, without and with a shared Redis tier")
	redisURL := fs.String("redis", "", "replicas mode: the Redis to use (default: start redis-server from PATH)")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return err
		}
		return usageError{msg: err.Error(), explained: true}
	}
	if fs.NArg() > 0 {
		// Not repeated: it may hold a secret (a Redis URL given without -redis).
		return usageError{msg: fmt.Sprintf("unexpected arguments after the flags (%d): every value is a flag's, such as -redis URL", fs.NArg())}
	}
	if *latency <= 0 || *warmRuns < 1 || *runs < 1 {
		return usageError{msg: "-latency, -runs and -warm-runs must be positive"}
	}
	if *replicas < 0 {
		return usageError{msg: "-replicas must not be negative"}
	}
	var sizes []int
	for _, s := range strings.Split(*sizesFlag, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(s))
		if err != nil || n < 1 {
			return usageError{msg: fmt.Sprintf("bad size %q", s)}
		}
		sizes = append(sizes, n)
	}
	var orgs []string
	for _, o := range strings.Split(*orgsFlag, ",") {
		o = strings.TrimSpace(o)
		if o != "system" && o != "inherited" {
			return usageError{msg: fmt.Sprintf("bad organization %q: want system or inherited", o)}
		}
		orgs = append(orgs, o)
	}
	var chosen []strategy
	for _, name := range strings.Split(*strategiesFlag, ",") {
		i := slices.IndexFunc(strategies, func(s strategy) bool { return s.name == strings.TrimSpace(name) })
		if i < 0 {
			return usageError{msg: fmt.Sprintf("bad strategy %q", name)}
		}
		chosen = append(chosen, strategies[i])
	}
	if *replicas > 0 {
		return runReplicas(out, sizes, *latency, *replicas, *warmRuns, *redisURL, *asJSON)
	}

	if *cpuProfile != "" {
		f, err := os.Create(*cpuProfile)
		if err != nil {
			return err
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			return err
		}
		defer pprof.StopCPUProfile()
	}
	var rows []row
	for _, kind := range orgs {
		for _, n := range sizes {
			org := azdotest.ScaledOrg(n)
			if kind == "inherited" {
				org = inheritedOrg(n)
			}
			for _, s := range chosen {
				r, err := measureMedian(s, org, *latency, *warmRuns, *runs)
				if err != nil {
					return fmt.Errorf("%s at %d projects (%s): %w", s.name, n, kind, err)
				}
				r.Org = kind
				rows = append(rows, r)
				if *asJSON {
					if err := json.NewEncoder(out).Encode(r); err != nil {
						return err
					}
				}
			}
		}
	}
	if !*asJSON {
		printTable(out, rows, *latency)
	}
	if *svg != "" {
		if err := os.WriteFile(*svg, plot(rows, *latency), 0o644); err != nil {
			return err
		}
	}
	return nil
}

type strategy struct {
	name string
	opts []azdo.Option
	// build makes the measured run and returns how many projects' states
	// it covered.
	build func(ctx context.Context, c *azdo.Client, srv *azdotest.Server, warmRuns int) (covered int, wall time.Duration, allocs uint64, err error)
}

var (
	processOff = azdo.WithProcessAPI(false)
	strategies = []strategy{
		// The reference asks 100 projects a page, one request at a time,
		// and each project's types by display name, one request per type
		// tried (no Bug category).
		{"reference", []azdo.Option{processOff, azdo.WithProjectPageSize(100), azdo.WithMaxConcurrentRequests(1), azdo.WithWorkItemTypes("Bug", "Issue", "Task")}, reference},
		{"per-project", []azdo.Option{processOff}, builder(nil, false)},
		{"process", nil, builder(nil, false)},
		{"warm", nil, builder([]orgconfig.Option{orgconfig.WithCacheTTL(time.Hour)}, true)},
	}
)

// measureMedian measures s runs times (reference and process; once for
// the others), each time on a new server, and returns the run of median
// wall time.
func measureMedian(s strategy, org azdotest.Org, latency time.Duration, warmRuns, runs int) (row, error) {
	if s.name != "reference" && s.name != "process" {
		runs = 1
	}
	rows := make([]row, runs)
	for i := range rows {
		r, err := measure(s, org, latency, warmRuns)
		if err != nil {
			return row{}, err
		}
		rows[i] = r
	}
	slices.SortFunc(rows, func(a, b row) int { return cmp.Compare(a.WallMS, b.WallMS) })
	r := rows[len(rows)/2]
	r.Runs = runs
	return r, nil
}

func measure(s strategy, org azdotest.Org, latency time.Duration, warmRuns int) (row, error) {
	// The garbage of the run before (per-project at 5 000 projects leaves
	// gigabytes) is not this run's to collect.
	runtime.GC()
	srv, err := azdotest.Start(org, azdotest.WithPAT(pat), azdotest.WithLatency(latency))
	if err != nil {
		return row{}, err
	}
	defer srv.Close()
	c, err := azdo.New(srv.URL(), azdo.PAT(pat), s.opts...)
	if err != nil {
		return row{}, err
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	covered, wall, allocs, err := s.build(ctx, c, srv, warmRuns)
	if err != nil {
		return row{}, err
	}
	return row{
		Projects: len(org.Projects), Strategy: s.name, Covered: covered,
		Pages:    srv.Count(azdotest.EndpointProjects),
		Requests: srv.Count(), WallMS: float64(wall) / float64(time.Millisecond),
		RoundTrips: float64(wall) / float64(latency), Allocs: allocs,
	}, nil
}

func mallocs() uint64 {
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.Mallocs
}

// reference is the reference integration's algorithm through the same
// orgconfig.Client contract: every project page, then the states of the
// first six projects, sequentially.
func reference(ctx context.Context, c *azdo.Client, _ *azdotest.Server, _ int) (int, time.Duration, uint64, error) {
	before, start := mallocs(), time.Now()
	projects, err := c.Projects(ctx)
	if err != nil {
		return 0, 0, 0, err
	}
	covered := 0
	for i, p := range projects {
		if i > 5 {
			break
		}
		if _, err := c.WorkItemStates(ctx, p.ID); err != nil {
			return 0, 0, 0, err
		}
		covered++
	}
	return covered, time.Since(start), mallocs() - before, nil
}

// builder measures a Build; warm first builds once unmeasured, then reports
// the median of warmRuns cached Builds.
func builder(opts []orgconfig.Option, warm bool) func(context.Context, *azdo.Client, *azdotest.Server, int) (int, time.Duration, uint64, error) {
	return func(ctx context.Context, c *azdo.Client, srv *azdotest.Server, warmRuns int) (int, time.Duration, uint64, error) {
		b, err := orgconfig.NewBuilder(c, features.Static(true), opts...)
		if err != nil {
			return 0, 0, 0, err
		}
		build := func() (*orgconfig.Config, error) {
			cfg, err := b.Build(ctx, "bench")
			if err == nil && len(cfg.Problems) > 0 {
				err = cfg.Problems[0]
			}
			return cfg, err
		}
		if !warm {
			before, start := mallocs(), time.Now()
			cfg, err := build()
			if err != nil {
				return 0, 0, 0, err
			}
			return len(cfg.States), time.Since(start), mallocs() - before, nil
		}
		if _, err := build(); err != nil {
			return 0, 0, 0, err
		}
		srv.ResetStats()
		walls := make([]time.Duration, warmRuns)
		before := mallocs()
		var cfg *orgconfig.Config
		for i := range walls {
			start := time.Now()
			if cfg, err = build(); err != nil {
				return 0, 0, 0, err
			}
			walls[i] = time.Since(start)
		}
		allocs := (mallocs() - before) / uint64(warmRuns)
		slices.Sort(walls)
		return len(cfg.States), walls[len(walls)/2], allocs, nil
	}
}

func printTable(w io.Writer, rows []row, latency time.Duration) {
	fmt.Fprintf(w, "latency %v per request; round trips = wall / latency; cold Builds: the median of runs, each the first Build for a new organization URL\n\n", latency)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "org\tprojects\tstrategy\tcovered\tpages\trequests\twall\tround trips\tallocs\truns\t")
	for _, r := range rows {
		wall := time.Duration(r.WallMS * float64(time.Millisecond))
		fmt.Fprintf(tw, "%s\t%d\t%s\t%d\t%d\t%d\t%v\t%.3f\t%d\t%d\t\n", r.Org, r.Projects, r.Strategy, r.Covered, r.Pages, r.Requests, wall.Round(100*time.Nanosecond), r.RoundTrips, r.Allocs, r.Runs)
	}
	tw.Flush()
}

// inheritedOrg is an organization of n projects spread round-robin over
// the four system processes and four processes inherited from them, each
// of which customizes its first type (Bug, or Epic in Basic) with a state
// of its own, as azdotest.CustomAgileProcess does.
func inheritedOrg(n int) azdotest.Org {
	org := azdotest.ScaledOrg(n)
	org.Name = "inherited"
	system := org.Processes
	for _, parent := range system {
		p := parent
		p.ID, p.Name, p.ParentID = azdotest.StableID("process/Inherited "+parent.Name), "Inherited "+parent.Name, parent.ID
		p.WorkItemTypes = slices.Clone(parent.WorkItemTypes)
		t := &p.WorkItemTypes[0]
		t.Inherits, t.ReferenceName = t.ReferenceName, "Inherited"+parent.Name+"."+t.Name
		t.States = append(slices.Clone(t.States), azdotest.State{Name: "Triaged", Category: "Proposed", Color: "5688e0"})
		org.Processes = append(org.Processes, p)
	}
	for i := range org.Projects {
		org.Projects[i].ProcessID = org.Processes[i%len(org.Processes)].ID
	}
	return org
}

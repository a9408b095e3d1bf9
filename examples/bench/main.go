// Command bench measures, side by side in one process, how the reference
// algorithm and this library's strategies build the form for organizations
// of 10 to 5 000 projects in azdotest, with a per-request latency:
//
//	go run ./examples/bench                      # table
//	go run ./examples/bench -json                # one JSON object per row
//	go run ./examples/bench -svg examples/bench/bench.svg
//	go run ./examples/bench -replicas 8 -sizes 100,1000 -warm-runs 200
//
// Strategies:
//
//	reference    list every project page of 100 ($top=100, "100 is max"),
//	             then states for the first six projects only, one request
//	             at a time (Bug, else Issue, else Task), as the reference
//	             integration does
//	per-project  this library's Builder with the process API off: every
//	             project, concurrently, two requests each on the Bug processes and Basic
//	process      this library's Builder on the default process path:
//	             pages of up to 1 000 projects, and 1 + P requests for the
//	             states of all projects, overlapping the paging
//	warm         a second Build on a Builder with a cache (the median of
//	             -warm-runs Builds)
//
// The fake pages as Azure DevOps Services does (100 projects without $top,
// $top honoured up to 1 000). Round trips are wall time divided by the
// latency. Allocations count the whole process, the in-process fake server
// included. Method, targets and results: README.md in this directory.
package main

import (
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
	Strategy   string  `json:"strategy"`
	Covered    int     `json:"covered"`
	Pages      int     `json:"pages"`
	Requests   int     `json:"requests"`
	WallMS     float64 `json:"wall_ms"`
	RoundTrips float64 `json:"round_trips"`
	Allocs     uint64  `json:"allocs"`
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
		return usageError{msg: fmt.Sprintf("unexpected argument %q", fs.Arg(0))}
	}
	if *latency <= 0 || *warmRuns < 1 {
		return usageError{msg: "-latency and -warm-runs must be positive"}
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
	for _, n := range sizes {
		org := azdotest.ScaledOrg(n)
		for _, s := range strategies {
			r, err := measure(s, org, *latency, *warmRuns)
			if err != nil {
				return fmt.Errorf("%s at %d projects: %w", s.name, n, err)
			}
			rows = append(rows, r)
			if *asJSON {
				if err := json.NewEncoder(out).Encode(r); err != nil {
					return err
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

func measure(s strategy, org azdotest.Org, latency time.Duration, warmRuns int) (row, error) {
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
	fmt.Fprintf(w, "latency %v per request; round trips = wall / latency\n\n", latency)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "projects\tstrategy\tcovered\tpages\trequests\twall\tround trips\tallocs\t")
	for _, r := range rows {
		wall := time.Duration(r.WallMS * float64(time.Millisecond))
		fmt.Fprintf(tw, "%d\t%s\t%d\t%d\t%d\t%v\t%.3f\t%d\t\n", r.Projects, r.Strategy, r.Covered, r.Pages, r.Requests, wall.Round(100*time.Nanosecond), r.RoundTrips, r.Allocs)
	}
	tw.Flush()
}

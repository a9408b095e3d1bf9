package azdo_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/azdosync/azdosync/azdo"
	"github.com/azdosync/azdosync/azdo/azdotest"
	"github.com/azdosync/azdosync/features"
	"github.com/azdosync/azdosync/internal/testutil"
	"github.com/azdosync/azdosync/orgconfig"
)

// faultCase is one row of the fault matrix: a fault, and what the user of
// the form sees.
type faultCase struct {
	name    string
	faults  []azdotest.Fault
	srvOpts []azdotest.Option
	opts    []azdo.Option
	// deadline of the Build; 5s when zero.
	deadline time.Duration

	wantBuildErr error            // non-nil: Build fails with this (a context error)
	wantReason   orgconfig.Reason // Config.Reason; the status field's disabledReason is its Text ("" = enabled)
	wantIs       error            // every problem is this kind; nil = no problems
	wantOp       string           // the OpError's operation
	wantProject  string           // the project the problem names, if any (anyProject: some project)
	wantStates   int              // projects with states
}

// anyProject is a wantProject met by a problem naming any project.
const anyProject = "(any)"

// faultMatrix is also the fault table of docs/flow.md (fault → what the
// admin sees), which TestFaultTable checks.
func faultMatrix() []faultCase {
	org := azdotest.SampleOrg()
	basic := org.Projects[3].Name
	projects := azdotest.EndpointProjects
	quick := []azdo.Option{azdo.WithRetry(3, 20*time.Millisecond)}
	onPrem := []azdotest.Option{azdotest.WithoutProcessAPI()}
	list, unreachable, unauthorized := orgconfig.OpListProjects, orgconfig.ReasonUnreachable, orgconfig.ReasonUnauthorized
	return []faultCase{
		{name: "401 json", faults: []azdotest.Fault{{Endpoint: projects, Status: 401}}, wantReason: unauthorized, wantIs: orgconfig.ErrUnauthorized, wantOp: list},
		{name: "401 html", faults: []azdotest.Fault{{Endpoint: projects, Status: 401, ContentType: "text/html", Body: "<html><body>Access Denied: The Personal Access Token used has expired.</body></html>"}}, wantReason: unauthorized, wantIs: orgconfig.ErrUnauthorized, wantOp: list},
		{name: "401 empty body", faults: []azdotest.Fault{{Endpoint: projects, Status: 401, EmptyBody: true}}, wantReason: unauthorized, wantIs: orgconfig.ErrUnauthorized, wantOp: list},
		{name: "401 on states", faults: []azdotest.Fault{{Endpoint: azdotest.EndpointProcesses, Status: 401}}, wantReason: unauthorized, wantIs: orgconfig.ErrUnauthorized, wantOp: orgconfig.OpWorkItemStates, wantProject: anyProject},
		{name: "403 on projects", faults: []azdotest.Fault{{Endpoint: projects, Status: 403}}, wantReason: orgconfig.ReasonForbidden, wantIs: orgconfig.ErrForbidden, wantOp: list},
		{name: "403 on processes: per-project fallback", faults: []azdotest.Fault{{Endpoint: azdotest.EndpointProcesses, Status: 403}}, wantStates: 5},
		{name: "403 on one project", srvOpts: onPrem, faults: []azdotest.Fault{{Project: basic, Status: 403}}, wantIs: azdo.ErrForbidden, wantOp: orgconfig.OpWorkItemStates, wantProject: basic, wantStates: 4},
		{name: "404 project", srvOpts: onPrem, faults: []azdotest.Fault{{Project: basic, Status: 404}}, wantIs: azdo.ErrNotFound, wantOp: orgconfig.OpWorkItemStates, wantProject: basic, wantStates: 4},
		{name: "429 with Retry-After", faults: []azdotest.Fault{{Endpoint: projects, Times: 1, Status: 429, RetryAfter: "1"}}, wantStates: 5},
		{name: "429 without Retry-After", faults: []azdotest.Fault{{Endpoint: projects, Times: 2, Status: 429}}, wantStates: 5},
		{name: "Retry-After beyond the deadline", deadline: 2 * time.Second, faults: []azdotest.Fault{{Endpoint: projects, Status: 429, RetryAfter: "30"}}, opts: []azdo.Option{azdo.WithRetry(4, time.Minute)}, wantReason: orgconfig.ReasonThrottled, wantIs: azdo.ErrRateLimited, wantOp: list},
		{name: "500", faults: []azdotest.Fault{{Endpoint: projects, Status: 500}}, wantReason: unreachable, wantIs: azdo.ErrUnavailable, wantOp: list},
		{name: "502 storm", faults: []azdotest.Fault{{Status: 502}}, opts: quick, wantReason: unreachable, wantIs: azdo.ErrUnavailable, wantOp: list},
		{name: "503 storm", faults: []azdotest.Fault{{Status: 503, ContentType: "text/plain", Body: "Service Unavailable"}}, opts: quick, wantReason: unreachable, wantIs: azdo.ErrUnavailable, wantOp: list},
		{name: "504 storm", faults: []azdotest.Fault{{Status: 504, EmptyBody: true}}, opts: quick, wantReason: unreachable, wantIs: azdo.ErrUnavailable, wantOp: list},
		{name: "203 sign-in page", faults: []azdotest.Fault{{Endpoint: projects, Kind: azdotest.FaultSignIn}}, wantReason: unauthorized, wantIs: orgconfig.ErrUnauthorized, wantOp: list},
		{name: "malformed json", faults: []azdotest.Fault{{Endpoint: projects, Kind: azdotest.FaultMalformed}}, wantReason: unreachable, wantIs: azdo.ErrBadResponse, wantOp: list},
		{name: "truncated body", faults: []azdotest.Fault{{Endpoint: projects, Kind: azdotest.FaultTruncated}}, wantReason: unreachable, wantIs: azdo.ErrBadResponse, wantOp: list},
		{name: "oversized body", faults: []azdotest.Fault{{Endpoint: projects, Kind: azdotest.FaultOversized, Size: 3 << 20}}, opts: []azdo.Option{azdo.WithMaxResponseBytes(1 << 20)}, wantReason: unreachable, wantIs: azdo.ErrBadResponse, wantOp: list},
		{name: "304 with a Location, not followable", faults: []azdotest.Fault{{Endpoint: projects, Status: 304, EmptyBody: true, Header: http.Header{"Location": {"/fabrikam/_apis/projects"}}}}, wantReason: unreachable, wantIs: azdo.ErrBadResponse, wantOp: list},
		{name: "redirect to a link-local host", faults: []azdotest.Fault{{Endpoint: projects, Status: 302, EmptyBody: true, Header: http.Header{"Location": {"https://169.254.169.254/latest/meta-data"}}}}, wantReason: unreachable, wantIs: azdo.ErrBadResponse, wantOp: list},
		{name: "redirect to a numeric host", faults: []azdotest.Fault{{Endpoint: projects, Status: 307, EmptyBody: true, Header: http.Header{"Location": {"https://0xa9fea9fe/latest/meta-data"}}}}, wantReason: unreachable, wantIs: azdo.ErrBadResponse, wantOp: list},
		{name: "404 on location discovery: a wrong collection URL on an older server", srvOpts: []azdotest.Option{azdotest.WithAPIVersion("7.0")}, faults: []azdotest.Fault{{Endpoint: azdotest.EndpointLocations, Status: 404}}, wantReason: orgconfig.ReasonNotFound, wantIs: azdo.ErrNotFound, wantOp: list},
		{name: "404 on projects: a wrong collection URL", faults: []azdotest.Fault{{Endpoint: projects, Status: 404}}, wantReason: orgconfig.ReasonNotFound, wantIs: azdo.ErrNotFound, wantOp: list},
		{name: "more projects than WithMaxProjects", opts: []azdo.Option{azdo.WithMaxProjects(2)}, wantReason: orgconfig.ReasonTooManyProjects, wantIs: azdo.ErrTooManyProjects, wantOp: list},
		{name: "every state fetch failing", srvOpts: onPrem, faults: []azdotest.Fault{{Endpoint: azdotest.EndpointWorkItemTypeCategory, Status: 500}}, wantReason: orgconfig.ReasonNoStates, wantIs: azdo.ErrUnavailable, wantOp: orgconfig.OpWorkItemStates, wantProject: anyProject},
		{name: "connection reset", faults: []azdotest.Fault{{Endpoint: projects, Kind: azdotest.FaultDrop}}, opts: quick, wantReason: unreachable, wantIs: azdo.ErrUnavailable, wantOp: list},
		{name: "slower than the deadline", deadline: 500 * time.Millisecond, faults: []azdotest.Fault{{Kind: azdotest.FaultDelay, Delay: 10 * time.Second}}, wantBuildErr: context.DeadlineExceeded},
		{name: "never answers", deadline: 500 * time.Millisecond, faults: []azdotest.Fault{{Endpoint: projects, Kind: azdotest.FaultHang}}, wantBuildErr: context.DeadlineExceeded},
	}
}

// recorder collects everything a run prints or returns, to scan for the
// token.
type recorder struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (r *recorder) Write(p []byte) (int, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.buf.Write(p)
}

func (r *recorder) printf(format string, args ...any) { fmt.Fprintf(r, format+"\n", args...) }

func (r *recorder) String() string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.buf.String()
}

// runFault builds the sample organization's form under one fault and
// checks what the user sees, the deadline and that no goroutine is left.
// Everything printed goes to out. bopts are more Builder options.
func runFault(t *testing.T, tc faultCase, cred azdo.Credential, token string, out *recorder, bopts ...orgconfig.Option) {
	t.Helper()
	before := runtime.NumGoroutine()
	srv, err := azdotest.Start(azdotest.SampleOrg(), append(tc.srvOpts,
		azdotest.WithPAT(token), azdotest.WithBearer(token), azdotest.WithFaults(tc.faults...))...)
	if err != nil {
		t.Fatal(err)
	}
	tr := http.DefaultTransport.(*http.Transport).Clone()
	logger := slog.New(slog.NewTextHandler(out, &slog.HandlerOptions{Level: slog.LevelDebug}))
	opts := append([]azdo.Option{azdo.WithHTTPClient(&http.Client{Transport: tr}), azdo.WithLogger(logger)}, tc.opts...)
	c, err := azdo.New(srv.URL(), cred, opts...)
	if err != nil {
		t.Fatal(err)
	}
	b, err := orgconfig.NewBuilder(c, features.Static(true), append([]orgconfig.Option{orgconfig.WithLogger(logger)}, bopts...)...)
	if err != nil {
		t.Fatal(err)
	}
	deadline := tc.deadline
	if deadline == 0 {
		deadline = 5 * time.Second
	}
	ctx, cancel := context.WithTimeout(t.Context(), deadline)
	start := time.Now()
	cfg, err := b.Build(ctx, "org-1")
	elapsed := time.Since(start)
	cancel()
	if elapsed > deadline+time.Second {
		t.Errorf("Build took %v, deadline %v", elapsed, deadline)
	}
	out.printf("client %v %+v %#v %s; cred %v %+v %#v %s", c, c, c, c, cred, cred, cred, cred)
	logger.Info("objects", "client", c, "cred", cred)

	switch {
	case tc.wantBuildErr != nil:
		if !errors.Is(err, tc.wantBuildErr) || cfg != nil {
			t.Errorf("Build = %v, %v; want error %v", cfg, err, tc.wantBuildErr)
		}
		out.printf("build error %v %+v %#v", err, err, err)
	case err != nil:
		t.Fatalf("Build: %v", err)
	default:
		checkConfig(t, tc, cfg)
		form, _ := json.Marshal(cfg.Fields)
		out.printf("form %s", form)
		for _, p := range cfg.Problems {
			out.printf("problem %v | %+v | %#v", p, p, p)
			var apiErr *azdo.APIError
			if errors.As(p, &apiErr) {
				out.printf("api error %#v", *apiErr)
			}
		}
	}
	tr.CloseIdleConnections()
	srv.Close()
	testutil.WaitGoroutines(t, before)
}

func checkConfig(t *testing.T, tc faultCase, cfg *orgconfig.Config) {
	t.Helper()
	status := cfg.StatusField()
	wantText := tc.wantReason.Text()
	if tc.wantReason == orgconfig.ReasonThrottled {
		// Retry-After: 30 is about a minute away.
		wantText = strings.ReplaceAll(wantText, "{minutes} minutes", "1 minute")
		if left := time.Until(cfg.RetryAt); left < 20*time.Second || left > 30*time.Second {
			t.Errorf("RetryAt %v is %v away, want about 30s", cfg.RetryAt, left)
		}
	}
	if cfg.Reason != tc.wantReason || status.DisabledReason != wantText {
		t.Errorf("reason %q, status disabledReason %q; want %q, %q", cfg.Reason, status.DisabledReason, tc.wantReason, wantText)
	}
	if len(cfg.States) != tc.wantStates {
		t.Errorf("%d projects with states, want %d", len(cfg.States), tc.wantStates)
	}
	if tc.wantIs == nil {
		if len(cfg.Problems) != 0 {
			t.Errorf("problems %v, want none", cfg.Problems)
		}
		return
	}
	if len(cfg.Problems) == 0 {
		t.Fatalf("no problems, want %v", tc.wantIs)
	}
	found := false
	for _, p := range cfg.Problems {
		if !errors.Is(p, tc.wantIs) {
			t.Errorf("problem %v is not %v", p, tc.wantIs)
		}
		var op *orgconfig.OpError
		if !errors.As(p, &op) || op.Op != tc.wantOp {
			t.Errorf("problem %v: op %v, want %q", p, op, tc.wantOp)
			continue
		}
		if tc.wantProject == "" || op.ProjectName == tc.wantProject || (tc.wantProject == anyProject && op.ProjectName != "") {
			found = true
		}
		if tc.wantProject != "" && !strings.Contains(p.Error(), op.ProjectName) {
			t.Errorf("problem %q does not name its project", p)
		}
	}
	if !found {
		t.Errorf("no problem names project %q: %v", tc.wantProject, cfg.Problems)
	}
}

// TestFaultMatrix runs every fault on an uncached Builder and on a cached
// one (WithCacheTTL): cached and uncached Builds end alike.
func TestFaultMatrix(t *testing.T) {
	for _, tc := range faultMatrix() {
		t.Run(tc.name, func(t *testing.T) {
			runFault(t, tc, azdo.PAT(testToken), testToken, &recorder{})
		})
		t.Run(tc.name+"/cache", func(t *testing.T) {
			runFault(t, tc, azdo.PAT(testToken), testToken, &recorder{}, orgconfig.WithCacheTTL(time.Minute))
		})
	}
}

// TestSecretsNeverLeak runs every fault with each kind of credential and
// scans every error, debug log line, form and printed value for the token.
func TestSecretsNeverLeak(t *testing.T) {
	const token = "Zq9-DISTINCTIVE-s3cr3t-t0k3n-77"
	creds := map[string]azdo.Credential{
		"pat":        azdo.PAT(token),
		"bearer":     azdo.Bearer(token),
		"token func": azdo.TokenFunc(func(context.Context) (string, error) { return token, nil }),
		"entra id":   azdo.EntraID(staticTokenCredential(token)),
	}
	forms := []string{token, strings.ToLower(token), "OlpxOS1ESVNUSU5DVElWRS1zM2NyM3Qt"} // the last: base64 of ":" and its start, as in a Basic header
	for name, cred := range creds {
		t.Run(name, func(t *testing.T) {
			out := &recorder{}
			for _, tc := range faultMatrix() {
				t.Run(tc.name, func(t *testing.T) { runFault(t, tc, cred, token, out) })
			}
			all := out.String()
			if len(all) < 1000 {
				t.Fatalf("recorded only %d bytes; the scan would prove nothing", len(all))
			}
			for _, f := range forms {
				if i := strings.Index(all, f); i >= 0 {
					t.Errorf("token found in output: …%s…", all[max(0, i-200):min(len(all), i+100)])
				}
			}
		})
	}
}

// TestRetryBudget storms every endpoint with 503s: each request is tried at
// most maxAttempts times, and the Build ends within its deadline.
func TestRetryBudget(t *testing.T) {
	const attempts = 3
	for _, tt := range []struct {
		name    string
		srvOpts []azdotest.Option
	}{
		{"process api", nil},
		{"per project", []azdotest.Option{azdotest.WithoutProcessAPI()}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			srv := azdotest.NewServer(t, azdotest.SampleOrg(), append(tt.srvOpts, azdotest.WithFaults(azdotest.Fault{Status: 503}))...)
			c, err := azdo.New(srv.URL(), azdo.PAT("x"), azdo.WithRetry(attempts, 50*time.Millisecond))
			if err != nil {
				t.Fatal(err)
			}
			b, err := orgconfig.NewBuilder(c, features.Static(true))
			if err != nil {
				t.Fatal(err)
			}
			ctx, cancel := context.WithTimeout(t.Context(), 3*time.Second)
			defer cancel()
			start := time.Now()
			cfg, err := b.Build(ctx, "org-1")
			if err != nil || time.Since(start) > 3*time.Second {
				t.Fatalf("Build = %v after %v", err, time.Since(start))
			}
			if !cfg.StatusField().Disabled {
				t.Error("status field enabled despite the storm")
			}
			perCall := map[string]int{}
			for _, r := range srv.Requests() {
				perCall[r.Method+" "+r.Path+"?"+r.Query]++
			}
			for call, n := range perCall {
				// Concurrent callers share one discovery (OPTIONS) request.
				if n > attempts {
					t.Errorf("%s tried %d times, want at most %d", call, n, attempts)
				}
			}
		})
	}
}

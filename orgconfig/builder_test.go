package orgconfig_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/azdosync/azdosync/orgconfig"
	"github.com/google/go-cmp/cmp"
)

// outcome is what a test checks of a Config: the status field's state, its
// items and choices, the booleans' state, the fetched projects and the
// problems' texts.
type outcome struct {
	Reason         orgconfig.Reason
	StatusDisabled bool
	StatusReason   string
	Items          []string // "id=name"
	Choices        []string
	BoolsDisabled  []string // "key: reason" of disabled booleans
	Fetched        []string // project IDs in Config.States, in drop-down order
	Problems       []string
}

func outcomeOf(cfg *orgconfig.Config) outcome {
	o := outcome{Reason: cfg.Reason}
	for _, f := range cfg.Fields {
		switch f := f.(type) {
		case *orgconfig.ChoiceMapperField:
			o.StatusDisabled, o.StatusReason = f.Disabled, f.DisabledReason
			for _, it := range f.AddDropdown.Items {
				o.Items = append(o.Items, it.Value+"="+it.Label)
			}
			for _, c := range f.MappedSelectors.OnResolve.Choices {
				o.Choices = append(o.Choices, c[0])
			}
		case *orgconfig.BooleanField:
			if f.Disabled {
				o.BoolsDisabled = append(o.BoolsDisabled, f.Name+": "+f.DisabledReason)
			}
		}
	}
	for _, p := range cfg.Projects {
		if _, ok := cfg.States[p.ID]; ok {
			o.Fetched = append(o.Fetched, p.ID)
		}
	}
	for _, p := range cfg.Problems {
		o.Problems = append(o.Problems, p.Error())
	}
	return o
}

func allBools(reason string) []string {
	return []string{
		"sync_forward_assignment: " + reason,
		"sync_comments: " + reason,
		"sync_status_reverse: " + reason,
		"sync_reverse_assignment: " + reason,
	}
}

var errDown = errors.New("connection refused")

func unauthorized(msg string) error { return fmt.Errorf("%s: %w", msg, orgconfig.ErrUnauthorized) }

func TestBuild(t *testing.T) {
	sample := sampleOrg()
	allChoices := []string{"New", "Approved", "To Do", "Active", "Committed", "Doing", "Resolved", "Closed", "Done", "Removed"}
	allItems := []string{"p1=Alpha", "p2=beta", "p3=zeta"}
	failing := func(bad map[string]error) func(context.Context, string) ([]orgconfig.State, error) {
		return func(ctx context.Context, id string) ([]orgconfig.State, error) {
			if err := bad[id]; err != nil {
				return nil, err
			}
			return sample.states[id], nil
		}
	}
	tests := []struct {
		name   string
		org    string
		gate   gateFunc
		client *stubClient
		opts   []orgconfig.Option
		want   outcome
		// wantCalls is the number of Projects and WorkItemStates calls.
		wantCalls [2]int64
	}{
		{
			name:      "enabled",
			client:    sample.client(),
			want:      outcome{Items: allItems, Choices: allChoices, Fetched: []string{"p1", "p2", "p3"}},
			wantCalls: [2]int64{1, 3},
		},
		{
			name:   "feature off makes no client call",
			gate:   func(context.Context, string, string) (bool, error) { return false, nil },
			client: &stubClient{},
			want: outcome{
				StatusDisabled: true, Reason: orgconfig.ReasonNoAccess, StatusReason: orgconfig.ReasonNoAccess.Text(),
				BoolsDisabled: allBools(orgconfig.ReasonNoAccess.Text()),
			},
		},
		{
			name:   "gate error fails closed",
			gate:   func(context.Context, string, string) (bool, error) { return true, errors.New("billing down") },
			client: &stubClient{},
			want: outcome{
				StatusDisabled: true, Reason: orgconfig.ReasonGateError, StatusReason: orgconfig.ReasonGateError.Text(),
				BoolsDisabled: allBools(orgconfig.ReasonGateError.Text()),
				Problems:      []string{"orgconfig: check feature gate: billing down"},
			},
		},
		{
			name:   "empty organization id fails closed",
			org:    "-",
			client: &stubClient{},
			want: outcome{
				StatusDisabled: true, Reason: orgconfig.ReasonGateError, StatusReason: orgconfig.ReasonGateError.Text(),
				BoolsDisabled: allBools(orgconfig.ReasonGateError.Text()),
				Problems:      []string{"orgconfig: check feature gate: empty platform organization id"},
			},
		},
		{
			name: "projects unreachable disables status only",
			client: &stubClient{projects: func(context.Context) ([]orgconfig.Project, error) {
				return nil, errDown
			}},
			want: outcome{
				StatusDisabled: true, Reason: orgconfig.ReasonUnreachable, StatusReason: orgconfig.ReasonUnreachable.Text(),
				Problems: []string{"orgconfig: list projects: connection refused"},
			},
			wantCalls: [2]int64{1, 0},
		},
		{
			name: "projects unauthorized",
			client: &stubClient{projects: func(context.Context) ([]orgconfig.Project, error) {
				return nil, unauthorized("401")
			}},
			want: outcome{
				StatusDisabled: true, Reason: orgconfig.ReasonUnauthorized, StatusReason: orgconfig.ReasonUnauthorized.Text(),
				Problems: []string{"orgconfig: list projects: 401: azure devops refused the credentials"},
			},
			wantCalls: [2]int64{1, 0},
		},
		{
			name: "projects forbidden",
			client: &stubClient{projects: func(context.Context) ([]orgconfig.Project, error) {
				return nil, fmt.Errorf("403: %w", orgconfig.ErrForbidden)
			}},
			want: outcome{
				Reason: orgconfig.ReasonForbidden, StatusDisabled: true, StatusReason: orgconfig.ReasonForbidden.Text(),
				Problems: []string{"orgconfig: list projects: 403: azure devops refused the request: missing permission"},
			},
			wantCalls: [2]int64{1, 0},
		},
		{
			name: "one project failing keeps the rest",
			client: &stubClient{
				projects: sample.client().projects,
				states:   failing(map[string]error{"p2": errDown}),
			},
			want: outcome{
				Items: allItems, Choices: []string{"New", "To Do", "Active", "Doing", "Resolved", "Closed", "Done"},
				Fetched:  []string{"p1", "p3"},
				Problems: []string{`orgconfig: get work item states of project "beta" (p2): connection refused`},
			},
			wantCalls: [2]int64{1, 3},
		},
		{
			name: "every project failing disables status",
			client: &stubClient{
				projects: sample.client().projects,
				states:   failing(map[string]error{"p1": errDown, "p2": errDown, "p3": errDown}),
			},
			want: outcome{
				StatusDisabled: true, Reason: orgconfig.ReasonNoStates, StatusReason: orgconfig.ReasonNoStates.Text(),
				Items: allItems,
				Problems: []string{
					`orgconfig: get work item states of project "Alpha" (p1): connection refused`,
					`orgconfig: get work item states of project "beta" (p2): connection refused`,
					`orgconfig: get work item states of project "zeta" (p3): connection refused`,
				},
			},
			wantCalls: [2]int64{1, 3},
		},
		{
			name: "unauthorized stops the fan-out",
			opts: []orgconfig.Option{orgconfig.WithConcurrency(1)},
			client: &stubClient{
				projects: sample.client().projects,
				states:   failing(map[string]error{"p1": unauthorized("401")}),
			},
			want: outcome{
				StatusDisabled: true, Reason: orgconfig.ReasonUnauthorized, StatusReason: orgconfig.ReasonUnauthorized.Text(),
				Items:    allItems,
				Problems: []string{`orgconfig: get work item states of project "Alpha" (p1): 401: azure devops refused the credentials`},
			},
			wantCalls: [2]int64{1, 1},
		},
		{
			name:      "state project limit",
			opts:      []orgconfig.Option{orgconfig.WithStateProjectLimit(2)},
			client:    sample.client(),
			want:      outcome{Items: allItems, Choices: []string{"New", "Approved", "Active", "Committed", "Resolved", "Closed", "Done", "Removed"}, Fetched: []string{"p1", "p2"}},
			wantCalls: [2]int64{1, 2},
		},
		{
			name: "no projects",
			client: &stubClient{
				projects: func(context.Context) ([]orgconfig.Project, error) { return nil, nil },
			},
			want:      outcome{},
			wantCalls: [2]int64{1, 0},
		},
		{
			name: "duplicate and empty project ids, ties by id",
			client: org{
				projects: []orgconfig.Project{
					{ID: "b", Name: "Same"}, {ID: "a", Name: "same"}, {ID: "b", Name: "Other name"}, {ID: "", Name: "no id"},
				},
				states: map[string][]orgconfig.State{
					"a": {{Name: "", Category: "Proposed"}, {Name: "Zed"}, {Name: "Open", Category: "Proposed"}, {Name: "Open", Category: "Completed"}},
					"b": {{Name: "Shut", Category: "Completed"}},
				},
			}.client(),
			want: outcome{
				Items:   []string{"a=same", "b=Same"},
				Choices: []string{"Open", "Shut", "Zed"},
				Fetched: []string{"a", "b"},
			},
			wantCalls: [2]int64{1, 2},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			gate := tt.gate
			if gate == nil {
				gate = allow
			}
			b, err := orgconfig.NewBuilder(tt.client, gate, tt.opts...)
			if err != nil {
				t.Fatal(err)
			}
			orgID := "org-1"
			if tt.org == "-" {
				orgID = ""
			}
			cfg, err := b.Build(t.Context(), orgID)
			if err != nil {
				t.Fatalf("Build: %v", err)
			}
			if diff := cmp.Diff(tt.want, outcomeOf(cfg)); diff != "" {
				t.Errorf("Build outcome mismatch (-want +got):\n%s", diff)
			}
			calls := [2]int64{tt.client.projectCalls.Load(), tt.client.stateCalls.Load()}
			if calls != tt.wantCalls {
				t.Errorf("client calls (Projects, WorkItemStates) = %v, want %v", calls, tt.wantCalls)
			}
		})
	}
}

func TestBuildProblemsAreTyped(t *testing.T) {
	c := &stubClient{
		projects: sampleOrg().client().projects,
		states: func(ctx context.Context, id string) ([]orgconfig.State, error) {
			if id == "p1" {
				return nil, unauthorized("token expired")
			}
			return nil, errDown
		},
	}
	b, err := orgconfig.NewBuilder(c, gateFunc(allow), orgconfig.WithConcurrency(1))
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := b.Build(t.Context(), "org-1")
	if err != nil {
		t.Fatal(err)
	}
	if len(cfg.Problems) != 1 {
		t.Fatalf("Problems = %v, want one", cfg.Problems)
	}
	var opErr *orgconfig.OpError
	if !errors.As(cfg.Problems[0], &opErr) {
		t.Fatalf("problem %T is not an *OpError", cfg.Problems[0])
	}
	got := orgconfig.OpError{Op: opErr.Op, ProjectID: opErr.ProjectID, ProjectName: opErr.ProjectName}
	want := orgconfig.OpError{Op: orgconfig.OpWorkItemStates, ProjectID: "p1", ProjectName: "Alpha"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("OpError mismatch (-want +got):\n%s", diff)
	}
	if !errors.Is(cfg.Problems[0], orgconfig.ErrUnauthorized) {
		t.Errorf("errors.Is(problem, ErrUnauthorized) = false")
	}
}

func TestNewBuilderRejects(t *testing.T) {
	c := sampleOrg().client()
	tests := []struct {
		name    string
		client  orgconfig.Client
		gate    orgconfig.FeatureGate
		opts    []orgconfig.Option
		wantErr string
	}{
		{"nil client", nil, gateFunc(allow), nil, "orgconfig: new builder: nil client"},
		{"nil gate", c, nil, nil, "orgconfig: new builder: nil feature gate"},
		{"nil option", c, gateFunc(allow), []orgconfig.Option{nil}, "orgconfig: new builder: option 0 is nil"},
		{"zero concurrency", c, gateFunc(allow), []orgconfig.Option{orgconfig.WithConcurrency(0)}, "orgconfig: new builder: concurrency must be at least 1, got 0"},
		{"negative limit", c, gateFunc(allow), []orgconfig.Option{orgconfig.WithStateProjectLimit(-1)}, "orgconfig: new builder: state project limit must not be negative, got -1"},
		{"negative ttl", c, gateFunc(allow), []orgconfig.Option{orgconfig.WithCacheTTL(-time.Second)}, "orgconfig: new builder: cache ttl must not be negative, got -1s"},
		{"nil logger", c, gateFunc(allow), []orgconfig.Option{orgconfig.WithLogger(nil)}, "orgconfig: new builder: logger must not be nil"},
		{"empty platform", c, gateFunc(allow), []orgconfig.Option{orgconfig.WithPlatformName("")}, "orgconfig: new builder: platform name must not be empty"},
		{"nil translator", c, gateFunc(allow), []orgconfig.Option{orgconfig.WithTranslator(nil)}, "orgconfig: new builder: translator must not be nil"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b, err := orgconfig.NewBuilder(tt.client, tt.gate, tt.opts...)
			if err == nil || b != nil {
				t.Fatalf("NewBuilder = %v, %v; want an error", b, err)
			}
			if diff := cmp.Diff(tt.wantErr, err.Error()); diff != "" {
				t.Errorf("error mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

func TestTranslatorAndPlatformName(t *testing.T) {
	var seen []string
	var mu sync.Mutex
	upper := func(s string) string {
		mu.Lock()
		seen = append(seen, s)
		mu.Unlock()
		return strings.ToUpper(s)
	}
	b, err := orgconfig.NewBuilder(sampleOrg().client(), gateFunc(func(context.Context, string, string) (bool, error) { return false, nil }),
		orgconfig.WithPlatformName("Acme"), orgconfig.WithTranslator(upper))
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := b.Build(t.Context(), "org-1")
	if err != nil {
		t.Fatal(err)
	}
	raw, err := json.Marshal(cfg.Fields)
	if err != nil {
		t.Fatal(err)
	}
	var fields any
	if err := json.Unmarshal(raw, &fields); err != nil {
		t.Fatal(err)
	}
	// Every user-visible string went through the translator: nothing
	// lower-case is left in them, and the platform name is Acme.
	var visible []string
	var walk func(key string, v any)
	walk = func(key string, v any) {
		switch v := v.(type) {
		case map[string]any:
			for k, x := range v {
				walk(k, x)
			}
		case []any:
			for _, x := range v {
				walk(key, x)
			}
		case string:
			if key != "name" && key != "type" {
				visible = append(visible, v)
			}
		}
	}
	walk("", fields)
	if len(visible) == 0 {
		t.Fatal("found no user-visible strings")
	}
	for _, s := range visible {
		if s != strings.ToUpper(s) || strings.Contains(s, "SENTRY") {
			t.Errorf("string %q was not translated with the platform name", s)
		}
	}
	if !strings.Contains(strings.Join(seen, "\n"), "Sync Acme Status to Azure DevOps") {
		t.Errorf("translator never saw the status label with the platform name; saw %q", seen)
	}
}

// TestBuildDeterministic runs Builds whose state fetches finish in random
// order and checks that every form is byte-identical.
func TestBuildDeterministic(t *testing.T) {
	o := org{states: map[string][]orgconfig.State{}}
	shapes := [][]orgconfig.State{agileBug, scrumBug, basicIssue}
	for i := range 40 {
		id := fmt.Sprintf("p%02d", i)
		o.projects = append(o.projects, orgconfig.Project{ID: id, Name: fmt.Sprintf("Project %d", 40-i)})
		o.states[id] = shapes[i%3]
	}
	c := o.client()
	inner := c.states
	c.states = func(ctx context.Context, id string) ([]orgconfig.State, error) {
		time.Sleep(time.Duration(rand.IntN(300)) * time.Microsecond)
		return inner(ctx, id)
	}
	for _, opts := range [][]orgconfig.Option{nil, {orgconfig.WithPerProjectChoices()}} {
		b, err := orgconfig.NewBuilder(c, gateFunc(allow), append(opts, orgconfig.WithConcurrency(16))...)
		if err != nil {
			t.Fatal(err)
		}
		var first []byte
		for i := range 20 {
			cfg, err := b.Build(t.Context(), "org-1")
			if err != nil {
				t.Fatal(err)
			}
			got, err := json.Marshal(cfg.Fields)
			if err != nil {
				t.Fatal(err)
			}
			if i == 0 {
				first = got
				continue
			}
			if diff := cmp.Diff(string(first), string(got)); diff != "" {
				t.Fatalf("Build %d differs from the first (-first +got):\n%s", i, diff)
			}
		}
	}
}

func TestBuildConcurrentUse(t *testing.T) {
	c := sampleOrg().client()
	b, err := orgconfig.NewBuilder(c, gateFunc(allow), orgconfig.WithLogger(slog.New(slog.DiscardHandler)))
	if err != nil {
		t.Fatal(err)
	}
	want, err := b.Build(t.Context(), "org-1")
	if err != nil {
		t.Fatal(err)
	}
	wantJSON, _ := json.Marshal(want.Fields)
	var wg sync.WaitGroup
	errs := make(chan error, 64)
	for range 64 {
		wg.Go(func() {
			cfg, err := b.Build(t.Context(), "org-1")
			if err != nil {
				errs <- err
				return
			}
			got, _ := json.Marshal(cfg.Fields)
			if string(got) != string(wantJSON) {
				errs <- fmt.Errorf("form differs:\n%s", got)
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
}

// TestReasonText pins the English texts: translators key on them.
func TestReasonText(t *testing.T) {
	got := map[orgconfig.Reason]string{}
	for _, r := range []orgconfig.Reason{"", "bogus", orgconfig.ReasonNoAccess, orgconfig.ReasonGateError, orgconfig.ReasonUnauthorized,
		orgconfig.ReasonForbidden, orgconfig.ReasonUnreachable, orgconfig.ReasonNoStates, orgconfig.ReasonNotFound, orgconfig.ReasonThrottled,
		orgconfig.ReasonNoCredential, orgconfig.ReasonTooManyProjects} {
		got[r] = r.Text()
	}
	want := map[orgconfig.Reason]string{
		"":                  "",
		"bogus":             "",
		"no_access":         "Your organization does not have access to this feature",
		"gate_error":        "Could not verify access to this feature",
		"unauthorized":      "Azure DevOps refused the credentials of this integration. Reconnect it and try again.",
		"forbidden":         "Azure DevOps did not allow this integration to read its projects. Give its account permission to view the projects (for a personal access token, the Project and Team (Read) scope) and try again.",
		"unreachable":       "Could not reach Azure DevOps to load its projects. Try again later.",
		"no_states":         "Could not load work item states from Azure DevOps. Try again later.",
		"not_found":         "Azure DevOps has no organization at the URL of this integration (it answered 404, or its host does not exist). Check the organization URL.",
		"throttled":         "Azure DevOps asked this integration to wait before sending more requests. Try again in about {minutes} minutes.",
		"no_credential":     "This integration could not get a token to sign in to Azure DevOps, so Azure DevOps was not contacted. Check its credential (for Microsoft Entra ID: the application, its tenant, secret and consent) and try again.",
		"too_many_projects": "This Azure DevOps organization has more projects than this integration is set to load. Ask whoever runs the integration to raise its project limit.",
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("texts (-want +got):\n%s", diff)
	}
}

// namedErr names its operation, as azdo's *APIError does.
type namedErr struct{ op, msg string }

func (e namedErr) Error() string     { return "adapter: " + e.op + ": " + e.msg }
func (e namedErr) Operation() string { return e.op }

// TestOpErrorText: each layer says its part once.
func TestOpErrorText(t *testing.T) {
	listed := namedErr{orgconfig.OpListProjects, "401 Unauthorized"}
	states := namedErr{orgconfig.OpWorkItemStates, "404 Not Found"}
	processes := namedErr{"list processes", "401 Unauthorized"}
	var got []string
	for _, e := range []*orgconfig.OpError{
		{Op: orgconfig.OpListProjects, Err: errDown},
		{Op: orgconfig.OpListProjects, Err: listed},
		{Op: orgconfig.OpListProjects, Err: fmt.Errorf("retrying: %w", listed)},
		{Op: orgconfig.OpWorkItemStates, ProjectID: "p1", ProjectName: "Alpha", Err: errDown},
		{Op: orgconfig.OpWorkItemStates, ProjectID: "p1", ProjectName: "Alpha", Err: states},
		{Op: orgconfig.OpWorkItemStates, ProjectID: "p1", ProjectName: "Alpha", Err: processes},
		{Op: orgconfig.OpFeatureGate, Err: errors.New("billing down")},
	} {
		got = append(got, e.Error())
	}
	want := []string{
		"orgconfig: list projects: connection refused",
		"adapter: list projects: 401 Unauthorized",
		"retrying: adapter: list projects: 401 Unauthorized",
		`orgconfig: get work item states of project "Alpha" (p1): connection refused`,
		`orgconfig: project "Alpha" (p1): adapter: get work item states: 404 Not Found`,
		`orgconfig: get work item states of project "Alpha" (p1): adapter: list processes: 401 Unauthorized`,
		"orgconfig: check feature gate: billing down",
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("texts (-want +got):\n%s", diff)
	}
}

// TestEmptyPlatformOrgIDIsAKind: the problem recorded for an empty
// platformOrgID is the sentinel, for errors.Is.
func TestEmptyPlatformOrgIDIsAKind(t *testing.T) {
	b, err := orgconfig.NewBuilder(&stubClient{}, gateFunc(func(context.Context, string, string) (bool, error) { return true, nil }))
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := b.Build(t.Context(), "")
	if err != nil {
		t.Fatal(err)
	}
	if len(cfg.Problems) != 1 || !errors.Is(cfg.Problems[0], orgconfig.ErrEmptyPlatformOrgID) {
		t.Errorf("Problems = %v, want one wrapping ErrEmptyPlatformOrgID", cfg.Problems)
	}
}

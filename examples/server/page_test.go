package main

import (
	"encoding/json"
	"fmt"
	"github.com/chromedp/chromedp/kb"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/azdosync/azdosync/azdo"
	"github.com/azdosync/azdosync/azdo/azdotest"
	"github.com/azdosync/azdosync/features"
	"github.com/azdosync/azdosync/orgconfig"
	"github.com/chromedp/cdproto/accessibility"
	"github.com/chromedp/chromedp"
	"github.com/google/go-cmp/cmp"
)

// hostileName is a project name that runs script if the page ever puts
// data into HTML.
const hostileName = `<img src=x onerror=alert(1)>`

// pageEnv is the server the page tests drive.
type pageEnv struct {
	url   string // the server's base URL
	srv   *httptest.Server
	store Store
	gate  *features.Set
	fakes map[string]*azdotest.Server // the demo's Azure DevOps, by organization
}

// orgHostile is the organization of TestBrowserHostileName, beside the
// demo's three (see demo.go).
const orgHostile = "hostile"

// pageOption changes what pageApp serves.
type pageOption int

const (
	// withUnion offers every project every state (the example's -union).
	withUnion pageOption = iota
	// withHostile adds orgHostile, whose last project is named hostileName.
	withHostile
	// withReasons adds reasonOrganizations.
	withReasons
)

// pageApp serves the example's demo organizations (fabrikam enabled,
// tailspin gated, northwind degraded), each project with its own states,
// as the example does by default.
func pageApp(t *testing.T, opts ...pageOption) *pageEnv {
	t.Helper()
	logger := slog.New(slog.DiscardHandler)
	// A state renamed in Azure DevOps reaches the next PUT's validation at
	// once (TestBrowserStateRenamed): the Clients keep no states.
	d, err := startDemo(logger, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(d.Close)
	orgs := d.orgs
	if slices.Contains(opts, withHostile) {
		orgs = append(orgs, hostileOrganization(t))
		d.gate.Enable(orgHostile, orgconfig.FeatureIssueSync)
	}
	if slices.Contains(opts, withReasons) {
		for _, o := range reasonOrganizations(t) {
			orgs = append(orgs, o)
			d.gate.Enable(o.Name, orgconfig.FeatureIssueSync)
		}
	}
	store := newMemStore()
	a, err := newApp(appConfig{Orgs: orgs, Gate: d.gate, Store: store, Timeout: 5 * time.Second, CacheTTL: time.Minute, Union: slices.Contains(opts, withUnion), Logger: logger})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(a.routes())
	t.Cleanup(srv.Close)
	return &pageEnv{url: srv.URL, srv: srv, store: store, gate: d.gate, fakes: d.servers}
}

// hostileOrganization is the sample organization plus a project named
// hostileName.
func hostileOrganization(t *testing.T) organization {
	t.Helper()
	hostileOrg := azdotest.SampleOrg()
	hostileOrg.Name = orgHostile
	hostileOrg.Projects = append(hostileOrg.Projects, azdotest.Project{
		ID: azdotest.StableID("project/hostile"), Name: hostileName, ProcessID: azdotest.AgileProcessID,
	})
	hostile := azdotest.NewServer(t, hostileOrg, azdotest.WithPAT("pat"))
	return organization{Name: orgHostile, Connect: func(opts ...azdo.Option) (*azdo.Client, error) {
		return azdo.New(hostile.URL(), azdo.PAT("pat"), opts...)
	}}
}

// saved is what the store holds for the organization.
func (env *pageEnv) saved(t *testing.T, org string) Saved {
	t.Helper()
	s, _, err := env.store.Load(t.Context(), org)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestPageHeaders(t *testing.T) {
	env := pageApp(t)
	for _, tt := range []struct {
		path        string
		status      int
		contentType string
		csp         string
	}{
		// Never framed: a page of another site could lay it under its own
		// and have the admin click Save on a mapping of its choosing.
		{"/organizations/fabrikam/", http.StatusOK, "text/html; charset=utf-8", "default-src 'self'; frame-ancestors 'none'"},
		{"/assets/app.js", http.StatusOK, "text/javascript; charset=utf-8", "default-src 'self'; frame-ancestors 'none'"},
		{"/assets/style.css", http.StatusOK, "text/css; charset=utf-8", "default-src 'self'; frame-ancestors 'none'"},
		{"/assets/page.html", http.StatusNotFound, "application/problem+json", "default-src 'none'; frame-ancestors 'none'"},
		{"/organizations/nobody/", http.StatusNotFound, "application/problem+json", "default-src 'none'; frame-ancestors 'none'"},
	} {
		resp, body := do(t, http.MethodGet, env.url+tt.path, nil)
		got := []any{resp.StatusCode, resp.Header.Get("Content-Type"), resp.Header.Get("Content-Security-Policy")}
		want := []any{tt.status, tt.contentType, tt.csp}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("GET %s: status, type, CSP (-want +got):\n%s\n%s", tt.path, diff, body)
		}
	}

	// The page has no inline script or style: the CSP would refuse them.
	_, body := do(t, http.MethodGet, env.url+"/organizations/fabrikam/", nil)
	if bad := regexp.MustCompile(`<script>|<style|\sstyle=|\son[a-z]+=|javascript:`).FindString(string(body)); bad != "" {
		t.Errorf("the page contains %q:\n%s", bad, body)
	}

	// Without the trailing slash, a redirect to the page.
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := client.Get(env.url + "/organizations/fabrikam")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if got := []any{resp.StatusCode, resp.Header.Get("Location")}; !cmp.Equal(got, []any{http.StatusMovedPermanently, "/organizations/fabrikam/"}) {
		t.Errorf("GET /organizations/fabrikam: %v, want a 301 to /organizations/fabrikam/", got)
	}
}

// open loads an organization's page in the tab and waits for the form.
func (tb *tab) open(t *testing.T, base, org string) {
	t.Helper()
	tb.do(t, chromedp.Navigate(base+"/organizations/"+org+"/"))
	tb.waitFor(t, `document.getElementById('app').getAttribute('aria-busy') === 'false'`)
}

func TestBrowserLoad(t *testing.T) {
	env := pageApp(t)
	tb := newTab(t)
	tb.open(t, env.url, orgEnabled)

	type fieldView struct {
		Key, Type, Label, Help, Reason string
		Disabled                       bool
	}
	got := eval[[]fieldView](t, tb, `[...document.querySelectorAll('.field')].map((f) => ({
		Key: f.dataset.key,
		Type: f.classList.contains('field-choice_mapper') ? 'choice_mapper' : 'boolean',
		Label: (f.querySelector('legend, .toggle label') || {}).textContent || '',
		Help: (f.querySelector('.help') || {}).textContent || '',
		Reason: (f.querySelector('.reason') || {}).textContent || '',
		Disabled: [...f.querySelectorAll('select, input, button')].some((c) => c.disabled),
	}))`)
	var want []fieldView
	for _, f := range serverForm(t, env.url, orgEnabled) {
		want = append(want, fieldView{Key: f.Name, Type: f.Type, Label: f.Label, Help: f.Help})
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("fields (-want +got):\n%s", diff)
	}

	options := eval[[]string](t, tb, `[...document.querySelectorAll('.add select option')].map((o) => o.textContent)`)
	if diff := cmp.Diff([]string{"Choose a project", "basic-tracker", "Contoso Web", "Fabrikam Fiber", "Tailspin Toys", "Woodgrove Bank"}, options); diff != "" {
		t.Errorf("the add drop-down (-want +got):\n%s", diff)
	}
	if saveDisabled := eval[bool](t, tb, `document.getElementById('save').disabled`); saveDisabled {
		t.Error("Save is disabled on an enabled form")
	}
	if got := []string{tb.status(t), tb.alert(t)}; !cmp.Equal(got, []string{"Loaded.", ""}) {
		t.Errorf("status and alert %q, want Loaded. and none", got)
	}
	// The navigation lists every organization and marks this one.
	nav := eval[[]string](t, tb, `[...document.querySelectorAll('nav a')].map((a) => a.textContent + (a.getAttribute('aria-current') === 'page' ? ' (current)' : ''))`)
	if diff := cmp.Diff([]string{"fabrikam (current)", "tailspin", "northwind"}, nav); diff != "" {
		t.Errorf("navigation (-want +got):\n%s", diff)
	}
	tb.expectLabelled(t)
	tb.expectClean(t)
}

// formField is the part of a field of the form the page tests compare.
type formField struct {
	Name, Type, Label, Help string
}

// serverForm is the form the server's JSON route gives.
func serverForm(t *testing.T, base, org string) []formField {
	t.Helper()
	resp, body := do(t, http.MethodGet, base+"/organizations/"+org+"/config", nil)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET config of %s: %d %s", org, resp.StatusCode, body)
	}
	var form struct{ Fields []formField }
	if err := json.Unmarshal(body, &form); err != nil {
		t.Fatal(err)
	}
	return form.Fields
}

// expectLabelled fails the test for any control of the page without an
// accessible name.
func (tb *tab) expectLabelled(t *testing.T) {
	t.Helper()
	controls, unnamed := tb.unlabelled(t)
	if controls == 0 {
		t.Error("no control in the accessibility tree")
	}
	for _, u := range unnamed {
		t.Errorf("a control has no accessible name: %s", u)
	}
}

// unlabelled counts the page's controls and lists those without an
// accessible name, as Chromium computes it for screen readers.
func (tb *tab) unlabelled(t *testing.T) (controls int, unnamed []string) {
	t.Helper()
	tree, err := chromedp.Call(tb.ctx, accessibility.GetFullAXTree, accessibility.GetFullAXTreeParams{})
	if err != nil {
		t.Fatalf("accessibility tree: %v", err)
	}
	for _, n := range tree.Nodes {
		if n.Ignored || n.Role == nil {
			continue
		}
		switch role := strings.Trim(string(n.Role.Value), `"`); role {
		case "button", "checkbox", "combobox", "ComboBoxSelect", "ComboBoxMenuButton", "listbox", "textbox", "switch":
			controls++
			if n.Name == nil || strings.Trim(string(n.Name.Value), `" `) == "" {
				unnamed = append(unnamed, fmt.Sprintf("%s (DOM node %d)", role, n.BackendDOMNodeID))
			}
		}
	}
	return controls, unnamed
}

// TestBrowserHarnessCatches shows the checks above can fail: an inline
// script, an error in the console and a control without a label are each
// reported.
func TestBrowserHarnessCatches(t *testing.T) {
	env := pageApp(t)
	tb := newTab(t)
	tb.open(t, env.url, orgEnabled)
	eval[bool](t, tb, `(() => {
		const s = document.createElement('script');
		s.textContent = 'window.inlineRan = true';
		document.body.append(s);
		console.error('boom');
		const sel = document.querySelector('.add select');
		sel.labels.forEach((l) => l.remove());
		return true;
	})()`)
	tb.waitFor(t, `window.__cspViolations.length > 0`)
	if ran := eval[bool](t, tb, `window.inlineRan === true`); ran {
		t.Error("an inline script ran despite the Content-Security-Policy")
	}
	got := tb.problems(t)
	// The violation is seen twice: by the page's listener and in the
	// browser's log.
	want := []string{"Content-Security-Policy violation: script-src-elem", "console error (security)", ": boom"}
	for _, w := range want {
		if !slices.ContainsFunc(got, func(p string) bool { return strings.Contains(p, w) }) {
			t.Errorf("problems %q lack one containing %q", got, w)
		}
	}
	if _, unnamed := tb.unlabelled(t); len(unnamed) != 1 {
		t.Errorf("unlabelled controls %q, want the add drop-down only", unnamed)
	}
}

// rowView is one project row of the page's mapper.
type rowView struct {
	Project, OnResolve, OnUnresolve string
	Errors                          []string
}

func (tb *tab) rows(t *testing.T) []rowView {
	t.Helper()
	return eval[[]rowView](t, tb, `[...document.querySelectorAll('.row')].map((r) => ({
		Project: r.querySelector('.project-name').textContent,
		OnResolve: r.querySelector('select[data-key="on_resolve"]').value,
		OnUnresolve: r.querySelector('select[data-key="on_unresolve"]').value,
		Errors: [...r.querySelectorAll('.row-errors li')].map((li) => li.textContent),
	}))`)
}

// addProject picks the project in the add drop-down and presses the add
// button, as a mouse user would, and waits for the row's states to load.
func (tb *tab) addProject(t *testing.T, id string) {
	t.Helper()
	tb.do(t,
		chromedp.SetValue(chromedp.CSS(`.add select`), id),
		chromedp.Click(chromedp.CSS(`.add button`)),
		chromedp.WaitVisible(chromedp.CSS(`.row[data-project="`+id+`"]`)),
		chromedp.WaitReady(chromedp.CSS(`.row[data-project="`+id+`"]:not([data-loading])`)),
	)
}

// choose sets a project row's two states.
func (tb *tab) choose(t *testing.T, id, onResolve, onUnresolve string) {
	t.Helper()
	row := `.row[data-project="` + id + `"] `
	tb.do(t,
		chromedp.SetValue(chromedp.CSS(row+`select[data-key="on_resolve"]`), onResolve),
		chromedp.SetValue(chromedp.CSS(row+`select[data-key="on_unresolve"]`), onUnresolve),
	)
}

func (tb *tab) status(t *testing.T) string {
	t.Helper()
	return eval[string](t, tb, `document.getElementById('status').textContent`)
}

func (tb *tab) alert(t *testing.T) string {
	t.Helper()
	return eval[string](t, tb, `(() => { const a = document.getElementById('alert'); return a.hidden ? '' : a.textContent; })()`)
}

func TestBrowserSaveAndReload(t *testing.T) {
	env := pageApp(t)
	ids := sampleIDs()
	tb := newTab(t)
	tb.open(t, env.url, orgEnabled)

	tb.addProject(t, ids["Tailspin Toys"])
	tb.addProject(t, ids["basic-tracker"])
	tb.choose(t, ids["Tailspin Toys"], "Resolved", "Active")
	tb.choose(t, ids["basic-tracker"], "Done", "To Do")
	// Rows stay in the drop-down's order, whatever the order of adding.
	order := eval[[]string](t, tb, `[...document.querySelectorAll('.row .project-name')].map((n) => n.textContent)`)
	if diff := cmp.Diff([]string{"basic-tracker", "Tailspin Toys"}, order); diff != "" {
		t.Errorf("rows (-want +got):\n%s", diff)
	}
	tb.do(t,
		chromedp.Click(chromedp.CSS(`[data-key="sync_comments"] input`)),
		chromedp.Click(chromedp.ID("save")),
	)
	tb.waitFor(t, `document.getElementById('status').textContent === 'Saved.'`)

	want := Saved{SyncComments: true, SyncStatusForward: orgconfig.StatusMapping{
		ids["Tailspin Toys"]: {OnResolve: "Resolved", OnUnresolve: "Active"},
		ids["basic-tracker"]: {OnResolve: "Done", OnUnresolve: "To Do"},
	}}
	got := env.saved(t, orgEnabled)
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("saved (-want +got):\n%s", diff)
	}
	if *update {
		writeScreenshot(t, tb)
	}

	// A new visit shows what was saved, rows in the drop-down's order.
	tb.open(t, env.url, orgEnabled)
	wantRows := []rowView{
		{Project: "basic-tracker", OnResolve: "Done", OnUnresolve: "To Do", Errors: []string{}},
		{Project: "Tailspin Toys", OnResolve: "Resolved", OnUnresolve: "Active", Errors: []string{}},
	}
	if diff := cmp.Diff(wantRows, tb.rows(t)); diff != "" {
		t.Errorf("rows after reload (-want +got):\n%s", diff)
	}
	toggles := eval[map[string]bool](t, tb, `Object.fromEntries([...document.querySelectorAll('.field-boolean input')].map((i) => [i.name, i.checked]))`)
	wantToggles := map[string]bool{"sync_forward_assignment": false, "sync_comments": true, "sync_status_reverse": false, "sync_reverse_assignment": false}
	if diff := cmp.Diff(wantToggles, toggles); diff != "" {
		t.Errorf("toggles after reload (-want +got):\n%s", diff)
	}
	// Both projects are mapped: the drop-down no longer offers them.
	options := eval[[]string](t, tb, `[...document.querySelectorAll('.add select option')].map((o) => o.textContent)`)
	if diff := cmp.Diff([]string{"Choose a project", "Contoso Web", "Fabrikam Fiber", "Woodgrove Bank"}, options); diff != "" {
		t.Errorf("the add drop-down after reload (-want +got):\n%s", diff)
	}

	// Removing a row and saving removes the mapping.
	tb.do(t, chromedp.Click(chromedp.CSS(`.row[data-project="`+ids["basic-tracker"]+`"] .remove`)), chromedp.Click(chromedp.ID("save")))
	tb.waitFor(t, `document.getElementById('status').textContent === 'Saved.'`)
	if diff := cmp.Diff(wantRows[1:], tb.rows(t)); diff != "" {
		t.Errorf("rows after removing one (-want +got):\n%s", diff)
	}
	tb.expectClean(t)
}

// writeScreenshot writes screenshot.png, the picture the README shows.
func writeScreenshot(t *testing.T, tb *tab) {
	t.Helper()
	png, err := chromedp.Run(tb.ctx, chromedp.FullScreenshot(100))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile("screenshot.png", png, 0o644); err != nil {
		t.Fatal(err)
	}
}

// formJSON is the form as GET /organizations/{org}/config serves it.
func formJSON(t *testing.T, base, org string) (fields []struct {
	Name           string `json:"name"`
	Disabled       bool   `json:"disabled"`
	DisabledReason string `json:"disabledReason"`
}, problems []string) {
	t.Helper()
	resp, body := do(t, http.MethodGet, base+"/organizations/"+org+"/config", nil)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET config of %s: %d %s", org, resp.StatusCode, body)
	}
	var form struct {
		Fields []struct {
			Name           string `json:"name"`
			Disabled       bool   `json:"disabled"`
			DisabledReason string `json:"disabledReason"`
		} `json:"fields"`
		Problems []string `json:"problems"`
	}
	if err := json.Unmarshal(body, &form); err != nil {
		t.Fatal(err)
	}
	return form.Fields, form.Problems
}

// TestBrowserDisabled: the gated and the degraded organizations show why
// their fields are disabled, and none of those fields can be changed.
func TestBrowserDisabled(t *testing.T) {
	env := pageApp(t)
	for _, org := range []string{orgGated, orgDegraded} {
		t.Run(org, func(t *testing.T) {
			fields, problems := formJSON(t, env.url, org)
			type fieldView struct {
				Key, Reason string
				Locked      bool // every control of the field is disabled
			}
			var want []fieldView
			allDisabled := true
			for _, f := range fields {
				want = append(want, fieldView{Key: f.Name, Reason: f.DisabledReason, Locked: f.Disabled})
				allDisabled = allDisabled && f.Disabled
			}
			if !fields[0].Disabled || fields[0].DisabledReason == "" {
				t.Fatalf("the form of %s has its status field enabled; the test needs it disabled", org)
			}

			tb := newTab(t)
			tb.open(t, env.url, org)
			got := eval[[]fieldView](t, tb, `[...document.querySelectorAll('.field')].map((f) => ({
				Key: f.dataset.key,
				Reason: (f.querySelector('.reason') || {}).textContent || '',
				Locked: [...f.querySelectorAll('select, input, button')].every((c) => c.matches(':disabled')),
			}))`)
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("fields (-want +got):\n%s", diff)
			}
			if saveDisabled := eval[bool](t, tb, `document.getElementById('save').disabled`); saveDisabled != allDisabled {
				t.Errorf("Save disabled: %v, want %v (every field disabled: %v)", saveDisabled, allDisabled, allDisabled)
			}
			// The problems' text changes from one Build to the next (the
			// client counts down the Retry-After): compare their number.
			shown := eval[[]string](t, tb, `[...document.querySelectorAll('#problems:not([hidden]) li')].map((li) => li.textContent)`)
			if len(shown) != len(problems) || slices.Contains(shown, "") {
				t.Errorf("problems shown %q, want %d like %q", shown, len(problems), problems)
			}

			// A click on the disabled add button changes nothing.
			tb.do(t, chromedp.Evaluate[chromedp.Void](`document.querySelector('.add button').click()`, chromedp.EvalIgnoreExceptions))
			if n := eval[int](t, tb, `document.querySelectorAll('.row').length`); n != 0 {
				t.Errorf("%d rows after clicking a disabled add button", n)
			}
			tb.expectClean(t)
		})
	}
}

func TestBrowserHostileName(t *testing.T) {
	env := pageApp(t, withHostile)
	tb := newTab(t)
	tb.open(t, env.url, orgHostile)
	id := azdotest.StableID("project/hostile")
	if got := eval[string](t, tb, `document.querySelector('.add select option[value="`+id+`"]').textContent`); got != hostileName {
		t.Errorf("the drop-down shows %q, want %q", got, hostileName)
	}
	tb.addProject(t, id)
	tb.choose(t, id, "Closed", "Active")
	tb.do(t, chromedp.Click(chromedp.ID("save")))
	tb.waitFor(t, `document.getElementById('status').textContent === 'Saved.'`)
	tb.open(t, env.url, orgHostile)
	if diff := cmp.Diff([]rowView{{Project: hostileName, OnResolve: "Closed", OnUnresolve: "Active", Errors: []string{}}}, tb.rows(t)); diff != "" {
		t.Errorf("rows (-want +got):\n%s", diff)
	}
	if n := eval[int](t, tb, `document.querySelectorAll('img').length`); n != 0 {
		t.Errorf("%d img elements in the page: a project name became HTML", n)
	}
	tb.expectClean(t)
}

// TestBrowserWidths: at 360 px nothing overflows sideways and a row's
// selects stack; at 1 280 px a row is one line.
func TestBrowserWidths(t *testing.T) {
	env := pageApp(t)
	ids := sampleIDs()
	tb := newTab(t)
	for _, tt := range []struct {
		width   int64
		oneLine bool
	}{{360, false}, {1280, true}} {
		tb.do(t, chromedp.EmulateViewport(tt.width, 800))
		tb.open(t, env.url, orgEnabled)
		tb.addProject(t, ids["Woodgrove Bank"])
		type layout struct {
			Overflow bool // something wider than the viewport
			OneLine  bool // the row's name and selects share a line
		}
		got := eval[layout](t, tb, `(() => {
			const w = document.documentElement.clientWidth;
			const overflow = document.documentElement.scrollWidth > w ||
				[...document.querySelectorAll('main *')].some((e) => e.getBoundingClientRect().right > w + 0.5);
			const row = document.querySelector('.row');
			const tops = [...row.querySelectorAll('.project-name, select')].map((e) => Math.round(e.getBoundingClientRect().bottom));
			return { Overflow: overflow, OneLine: tops.every((t) => Math.abs(t - tops[1]) < 30) && tops[1] === tops[2] };
		})()`)
		if diff := cmp.Diff(layout{OneLine: tt.oneLine}, got); diff != "" {
			t.Errorf("%d px wide (-want +got):\n%s", tt.width, diff)
		}
	}
	tb.expectClean(t)
}

// TestBrowserKeyboard maps a project and saves with the keyboard only:
// Tab to the drop-down, type to pick, Enter on the buttons.
func TestBrowserKeyboard(t *testing.T) {
	env := pageApp(t)
	ids := sampleIDs()
	tb := newTab(t)
	tb.open(t, env.url, orgEnabled)

	tabTo := func(selector string) {
		t.Helper()
		for range 30 {
			if eval[bool](t, tb, `document.activeElement === document.querySelector(`+jsString(selector)+`)`) {
				return
			}
			tb.do(t, chromedp.KeyEvent(kb.Tab))
		}
		t.Fatalf("Tab never reached %s; focus is on %s", selector, eval[string](t, tb, `document.activeElement.outerHTML`))
	}
	tabTo(`.add select`)
	tb.do(t, chromedp.KeyEvent("Tails"))
	tabTo(`.add button`)
	tb.do(t, chromedp.KeyEvent(kb.Enter))
	// The new row's first select has the focus.
	row := `.row[data-project="` + ids["Tailspin Toys"] + `"] `
	tb.waitFor(t, `document.activeElement === document.querySelector(`+jsString(row+`select[data-key="on_resolve"]`)+`)`)
	tb.do(t, chromedp.KeyEvent("Clo"))
	tabTo(row + `select[data-key="on_unresolve"]`)
	tb.do(t, chromedp.KeyEvent("Act"))
	tabTo(`[data-key="sync_status_reverse"] input`)
	tb.do(t, chromedp.KeyEvent(" "))
	tabTo(`#save`)
	tb.do(t, chromedp.KeyEvent(kb.Enter))
	tb.waitFor(t, `document.getElementById('status').textContent === 'Saved.'`)

	want := Saved{SyncStatusReverse: true, SyncStatusForward: orgconfig.StatusMapping{
		ids["Tailspin Toys"]: {OnResolve: "Closed", OnUnresolve: "Active"},
	}}
	got := env.saved(t, orgEnabled)
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("saved (-want +got):\n%s", diff)
	}
	tb.expectClean(t)
}

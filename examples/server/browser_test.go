package main

// The harness of the browser tests: one headless Chromium per test binary,
// one tab per test, and listeners that fail a test on a console error, a
// Content-Security-Policy violation or a JavaScript dialog.

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
)

var update = flag.Bool("update", false, "write examples/server/screenshot.png from the browser tests")

// browserEnv set to "required" makes a missing browser fail the browser
// tests instead of skipping them; .ci/run sets it.
const browserEnv = "AZDOSYNC_BROWSER"

// browserCandidates are the names Chromium and Chrome install under.
var browserCandidates = []string{"chromium", "chromium-browser", "google-chrome", "google-chrome-stable", "headless-shell"}

// browser is the one Chromium of this test binary, started by the first
// test that needs it and stopped by TestMain.
type browser struct {
	once   sync.Once
	ctx    context.Context // the browser's first tab; tests open their own
	cancel context.CancelFunc
	err    error
	path   string
}

var shared browser

func TestMain(m *testing.M) {
	flag.Parse()
	code := m.Run()
	if shared.cancel != nil {
		shared.cancel()
	}
	os.Exit(code)
}

func findBrowser() string {
	for _, name := range browserCandidates {
		if path, err := exec.LookPath(name); err == nil {
			return path
		}
	}
	return ""
}

func (b *browser) start() {
	b.path = findBrowser()
	if b.path == "" {
		return
	}
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(b.path),
		chromedp.NoSandbox, // the tests may run as root, in a container
		chromedp.Headless,
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		// The machine's network may be closed: ask Chromium for no
		// traffic of its own.
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.WindowSize(1280, 900),
	)
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancelCtx := chromedp.NewContext(allocCtx)
	b.ctx = ctx
	b.cancel = func() { cancelCtx(); cancelAlloc() }
	// Start the browser without a timeout: a timeout here would stop it.
	b.err = chromedp.Do(ctx)
}

// tab is one test's tab, with what its listeners saw.
type tab struct {
	ctx  context.Context
	mu   sync.Mutex
	logs []chromedp.ConsoleMessage
	dlgs []string
	done sync.WaitGroup
}

// newTab opens a tab in the shared browser for the test, or skips the test
// when there is no browser (fails when AZDOSYNC_BROWSER=required). The tab
// closes when the test ends; every listener goroutine has ended then.
func newTab(t *testing.T) *tab {
	t.Helper()
	shared.once.Do(shared.start)
	if shared.path == "" {
		msg := "no Chromium found (looked for " + strings.Join(browserCandidates, ", ") + " in $PATH); install the Debian package chromium (apt-get install chromium) to run the browser tests"
		if os.Getenv(browserEnv) == "required" {
			t.Fatalf("%s=required: %s", browserEnv, msg)
		}
		t.Skip(msg)
	}
	if shared.err != nil {
		t.Fatalf("start %s: %v", shared.path, shared.err)
	}
	timeoutCtx, cancelTimeout := context.WithTimeout(shared.ctx, 30*time.Second)
	ctx, cancel := chromedp.NewContext(timeoutCtx)
	tb := &tab{ctx: ctx}
	t.Cleanup(func() {
		cancel()
		cancelTimeout()
		tb.done.Wait()
	})

	// Collect the console, then record and dismiss any dialog so that it
	// cannot block the page.
	messages := chromedp.Console(ctx)
	dialogs := chromedp.Events(ctx, page.JavascriptDialogOpening)
	tb.done.Add(2)
	go func() {
		defer tb.done.Done()
		for m, err := range messages {
			if err != nil {
				return
			}
			tb.mu.Lock()
			tb.logs = append(tb.logs, m)
			tb.mu.Unlock()
		}
	}()
	go func() {
		defer tb.done.Done()
		for ev, err := range dialogs {
			if err != nil {
				return
			}
			tb.mu.Lock()
			tb.dlgs = append(tb.dlgs, string(ev.Type)+": "+ev.Message)
			tb.mu.Unlock()
			_, _ = chromedp.Call(ctx, page.HandleJavaScriptDialog, page.HandleJavaScriptDialogParams{Accept: false})
		}
	}()
	// Record the page's Content-Security-Policy violations from its own
	// point of view too: the script runs before the page's, and CSP does
	// not apply to it.
	if _, err := chromedp.Call(ctx, page.AddScriptToEvaluateOnNewDocument, page.AddScriptToEvaluateOnNewDocumentParams{
		Source: `window.__cspViolations = [];
document.addEventListener('securitypolicyviolation', (e) => {
  window.__cspViolations.push(e.violatedDirective + ' ' + (e.blockedURI || '') + ' ' + (e.sourceFile || '') + ':' + e.lineNumber);
});`,
	}); err != nil {
		t.Fatalf("install the CSP listener: %v", err)
	}
	return tb
}

// do runs the actions in the tab and fails the test on error.
func (tb *tab) do(t *testing.T, steps ...chromedp.Action[chromedp.Void]) {
	t.Helper()
	if err := chromedp.Do(tb.ctx, steps...); err != nil {
		t.Fatal(err)
	}
}

// eval evaluates a JavaScript expression in the page.
func eval[T any](t *testing.T, tb *tab, expr string) T {
	t.Helper()
	v, err := chromedp.Run(tb.ctx, chromedp.Evaluate[T](expr, chromedp.EvalAwaitPromise))
	if err != nil {
		t.Fatalf("evaluate %s: %v", expr, err)
	}
	return v
}

// waitFor waits until the JavaScript predicate is true.
func (tb *tab) waitFor(t *testing.T, predicate string) {
	t.Helper()
	if _, err := chromedp.Run(tb.ctx, chromedp.Poll[bool](predicate, chromedp.WithPollingTimeout(10*time.Second), chromedp.WithPollingMutation())); err != nil {
		status, _ := chromedp.Run(tb.ctx, chromedp.Evaluate[string](`document.getElementById('status').textContent + ' | ' + document.getElementById('alert').textContent`))
		t.Fatalf("waiting for %s: %v (page says: %s)", predicate, err, status)
	}
}

// expectClean fails the test if the page logged an error or a warning,
// violated its Content-Security-Policy or opened a dialog. allowed lists
// substrings of messages the test expects (such as the browser's note of a
// 422 response).
func (tb *tab) expectClean(t *testing.T, allowed ...string) {
	t.Helper()
	for _, p := range tb.problems(t, allowed...) {
		t.Error(p)
	}
}

// problems lists the page's console errors and warnings (but those
// containing an allowed substring), CSP violations and dialogs.
func (tb *tab) problems(t *testing.T, allowed ...string) []string {
	t.Helper()
	violations, err := chromedp.Run(tb.ctx, chromedp.Evaluate[[]string](`window.__cspViolations || []`))
	if err != nil {
		t.Fatalf("read CSP violations: %v", err)
	}
	var out []string
	for _, v := range violations {
		out = append(out, "Content-Security-Policy violation: "+v)
	}
	tb.mu.Lock()
	defer tb.mu.Unlock()
	for _, d := range tb.dlgs {
		out = append(out, "the page opened a dialog: "+d)
	}
next:
	for _, m := range tb.logs {
		switch m.Type {
		case chromedp.ConsoleError, chromedp.ConsoleWarning, chromedp.ConsoleException:
		default:
			continue
		}
		for _, a := range allowed {
			if strings.Contains(m.Text, a) {
				continue next
			}
		}
		out = append(out, fmt.Sprintf("console %s (%s) at %s: %s", m.Type, m.Source, m.URL, m.Text))
	}
	return out
}

// jsString quotes s as a JavaScript string literal.
func jsString(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}

package azdo_test

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/azdosync/azdosync/orgconfig"
)

// TestFaultTable checks the fault table of docs/flow.md, the README's
// "what the admin sees" for each fault (the rows of faultMatrix and the
// tests they name): every quoted disabledReason is a Reason's text, and
// every test it names exists.
func TestFaultTable(t *testing.T) {
	src, err := os.ReadFile("../docs/flow.md")
	if err != nil {
		t.Fatal(err)
	}
	_, table, ok := strings.Cut(string(src), "## Faults and what the admin sees")
	if !ok {
		t.Fatal(`docs/flow.md has no "## Faults and what the admin sees"`)
	}
	var texts []string
	for _, r := range []orgconfig.Reason{orgconfig.ReasonNoAccess, orgconfig.ReasonGateError, orgconfig.ReasonUnauthorized,
		orgconfig.ReasonForbidden, orgconfig.ReasonUnreachable, orgconfig.ReasonNoStates, orgconfig.ReasonNotFound,
		orgconfig.ReasonThrottled, orgconfig.ReasonNoCredential, orgconfig.ReasonTooManyProjects} {
		texts = append(texts, strings.ReplaceAll(r.Text(), "{minutes} minutes", "1 minute"))
	}
	tests := testNames(t)
	quoted := regexp.MustCompile(`\*"([^"]+)"\*`)
	named := regexp.MustCompile(`\bTest[A-Z]\w*`)
	rows := 0
	for line := range strings.Lines(table) {
		cols := strings.Split(line, " | ")
		if !strings.HasPrefix(line, "| ") || len(cols) < 3 || strings.HasPrefix(line, "| fault ") {
			continue
		}
		rows++
		for _, q := range quoted.FindAllStringSubmatch(cols[1], -1) {
			if !isReasonText(q[1], texts) {
				t.Errorf("docs/flow.md quotes %q, which no Reason's text says", q[1])
			}
		}
		for _, name := range named.FindAllString(line, -1) {
			if !tests[name] {
				t.Errorf("docs/flow.md names %s, which no test of the module is", name)
			}
		}
	}
	if rows < len(faultMatrix())/2 {
		t.Errorf("docs/flow.md's fault table has %d rows, faultMatrix %d cases", rows, len(faultMatrix()))
	}
}

// isReasonText reports whether q, whose parts a "…" may separate, is in
// one of the texts.
func isReasonText(q string, texts []string) bool {
	for _, text := range texts {
		rest, ok := text, true
		for part := range strings.SplitSeq(q, "…") {
			part = strings.TrimSpace(part)
			i := strings.Index(rest, part)
			if i < 0 {
				ok = false
				break
			}
			rest = rest[i+len(part):]
		}
		if ok {
			return true
		}
	}
	return false
}

// testNames are the Test functions of every package of the module.
func testNames(t *testing.T) map[string]bool {
	names := map[string]bool{}
	decl := regexp.MustCompile(`(?m)^func (Test\w+)\(`)
	err := filepath.WalkDir("..", func(path string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(path, "_test.go") {
			return err
		}
		src, err := os.ReadFile(path)
		for _, m := range decl.FindAllStringSubmatch(string(src), -1) {
			names[m[1]] = true
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return names
}

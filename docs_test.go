package azdosync_test

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// mdLink matches a Markdown link or image: [text](target) or ![alt](target).
var mdLink = regexp.MustCompile(`!?\[[^\]]*\]\(([^)\s]+)\)`)

// TestDocLinks: every relative link of the READMEs and docs/*.md names a file
// or directory of the repository, and every #fragment a heading of the
// page it points to, so that a reader never lands on nothing.
func TestDocLinks(t *testing.T) {
	pages, err := filepath.Glob("docs/*.md")
	if err != nil {
		t.Fatal(err)
	}
	more, err := filepath.Glob("examples/*/README.md")
	if err != nil {
		t.Fatal(err)
	}
	pages = append(append([]string{"README.md"}, more...), pages...)
	for _, page := range pages {
		src, err := os.ReadFile(page)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range mdLink.FindAllStringSubmatch(string(src), -1) {
			target := m[1]
			if strings.Contains(target, "://") || strings.HasPrefix(target, "mailto:") {
				continue
			}
			path, fragment, _ := strings.Cut(target, "#")
			file := page
			if path != "" {
				file = filepath.Join(filepath.Dir(page), path)
			}
			if _, err := os.Stat(file); err != nil {
				t.Errorf("%s: link %q: no such file or directory %s", page, target, file)
				continue
			}
			if fragment != "" && strings.HasSuffix(file, ".md") && !hasAnchor(t, file, fragment) {
				t.Errorf("%s: link %q: %s has no heading #%s", page, target, file, fragment)
			}
		}
	}
	if len(pages) < 8 {
		t.Errorf("only %d pages: %q", len(pages), pages)
	}
}

// hasAnchor reports whether a heading of the Markdown file gets the
// anchor GitHub gives it: lower case, punctuation dropped, spaces as
// hyphens.
func hasAnchor(t *testing.T, file, anchor string) bool {
	src, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	for line := range strings.Lines(string(src)) {
		if !strings.HasPrefix(line, "#") {
			continue
		}
		heading := strings.TrimSpace(strings.TrimLeft(line, "#"))
		var b strings.Builder
		for _, r := range strings.ToLower(heading) {
			switch {
			case r == ' ':
				b.WriteRune('-')
			case r == '-' || r == '_' || r >= 'a' && r <= 'z' || r >= '0' && r <= '9':
				b.WriteRune(r)
			}
		}
		if b.String() == anchor {
			return true
		}
	}
	return false
}

// TestReadmeTestCommand: CI runs the test command the README gives, so
// that what a newcomer runs is what CI checks.
func TestReadmeTestCommand(t *testing.T) {
	const cmd = "go test -race -count=1 ./..."
	for _, file := range []string{"README.md", ".ci/run"} {
		src, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(string(src), cmd) {
			t.Errorf("%s does not say %q", file, cmd)
		}
	}
}

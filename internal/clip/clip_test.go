package clip_test

import (
	"testing"

	"github.com/azdosync/azdosync/internal/clip"
)

func TestString(t *testing.T) {
	for _, tt := range []struct {
		s    string
		n    int
		want string
	}{
		{"abc", 3, "abc"},
		{"abcd", 3, "abc…"},
		{"aé", 2, "a…"}, // é is two bytes: never cut inside it
		{"abc", 0, "…"},
		{"abc", -1, "…"},
	} {
		if got := clip.String(tt.s, tt.n); got != tt.want {
			t.Errorf("String(%q, %d) = %q, want %q", tt.s, tt.n, got, tt.want)
		}
	}
}

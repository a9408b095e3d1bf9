// Package clip shortens text for errors and logs.
package clip

import "unicode/utf8"

// String cuts s to at most n bytes, on a rune boundary, and marks the cut
// with "…"; s is returned whole when it fits.
func String(s string, n int) string {
	if len(s) <= n {
		return s
	}
	cut := max(n, 0)
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + "…"
}

package azdo

import (
	"bytes"
	"encoding/json"
	"errors"
	"strings"
	"testing"
)

// FuzzLocationAnswer feeds arbitrary answers of the location service to
// OrgURL's parser: it must never panic, and what it accepts must be one
// JSON object, read by encoding/json to the same locationUrl, with no key
// twice (ignoring case) and locationUrl spelled exactly.
func FuzzLocationAnswer(f *testing.F) {
	for _, seed := range []string{
		`{"id":"79134c72-4a58-4b42-976c-04e7115f32bf","name":"Core","locationUrl":"https://dev.azure.com/fabrikam/"}`,
		`{"locationUrl":"https://dev.azure.com/a/","locationUrl":"http://127.0.0.1:8500/b"}`,
		`{"LOCATIONURL":"https://dev.azure.com/a/"}`, `{"locationUrl":"https://dev.azure.com/a/"} x`,
		`{"locationUrl":null}`, `null`, `{}`, `[]`, `{"locationUrl":1}`, `{"a":{"b":[1,{"c":null}]},"locationUrl":"x"}`,
		`{"locationUrl":"\u0068ttps://dev.azure.com/a"}`, ``, `{"locationUrl":"a"`,
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		loc, err := parseLocationAnswer(bytes.NewReader(body))
		if err != nil {
			return
		}
		var std struct {
			LocationURL string `json:"locationUrl"`
		}
		if stdErr := json.Unmarshal(body, &std); stdErr != nil {
			t.Fatalf("accepted %q, which encoding/json refuses: %v", body, stdErr)
		}
		if std.LocationURL != loc {
			t.Fatalf("read %q from %q, encoding/json reads %q", loc, body, std.LocationURL)
		}
		var keys map[string]json.RawMessage
		if err := json.Unmarshal(body, &keys); err != nil {
			t.Fatalf("accepted %q, which is not an object: %v", body, err)
		}
		folded := map[string]bool{}
		for k := range keys {
			if folded[strings.ToLower(k)] {
				t.Fatalf("accepted %q, with key %q twice ignoring case", body, k)
			}
			folded[strings.ToLower(k)] = true
			if strings.EqualFold(k, "locationUrl") && k != "locationUrl" {
				t.Fatalf("accepted %q, with key %q", body, k)
			}
		}
		if _, err := parseLocationAnswer(bytes.NewReader(append(body, "{}"...))); err == nil || errors.Is(err, errNoLocation) {
			t.Fatalf("accepted %q followed by {}: %v", body, err)
		}
	})
}

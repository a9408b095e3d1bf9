package azdo

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/azdosync/azdosync/internal/clip"
)

// errNoLocation is parseLocationAnswer's answer without a locationUrl (or
// null): the location service knows no URL for the organization.
var errNoLocation = errors.New("no locationUrl")

// parseLocationAnswer reads the location service's resource area, an
// object such as {"id": "…", "name": "core", "locationUrl": "https://…"},
// as strictly as orgconfig.ParseStatusMapping reads a mapping: by walking
// its tokens, so that a key appearing twice (at the top level, also in
// another case: encoding/json folds case and keeps the last) or
// "locationUrl" spelled in another case is refused, and nothing but white
// space may follow the object. A missing or null locationUrl, or a null
// answer, is errNoLocation. Errors of r (too large, cut short) are
// returned as they are.
func parseLocationAnswer(r io.Reader) (string, error) {
	dec := json.NewDecoder(r)
	tok, err := dec.Token()
	if err != nil {
		return "", err
	}
	if tok == nil {
		if err := atEnd(dec); err != nil {
			return "", err
		}
		return "", errNoLocation
	}
	if tok != json.Delim('{') {
		return "", errors.New("the answer is not a JSON object")
	}
	var loc *string
	seen := map[string]string{} // folded key -> key as sent
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return "", err
		}
		key, _ := tok.(string) // the decoder yields only strings as keys
		folded := strings.ToLower(key)
		if first, dup := seen[folded]; dup {
			if first == key {
				return "", fmt.Errorf("key %q appears twice", clip.String(key, 40))
			}
			return "", fmt.Errorf("key %q appears twice, also as %q", clip.String(first, 40), clip.String(key, 40))
		}
		seen[folded] = key
		if folded == "locationurl" && key != "locationUrl" {
			return "", fmt.Errorf("key %q is not spelled locationUrl", key)
		}
		if key != "locationUrl" {
			var skip json.RawMessage // another field: any JSON value
			if err := dec.Decode(&skip); err != nil {
				return "", err
			}
			continue
		}
		tok, err = dec.Token()
		if err != nil {
			return "", err
		}
		switch v := tok.(type) {
		case string:
			loc = &v
		case nil:
		default:
			return "", errors.New("locationUrl is not a string")
		}
	}
	if _, err := dec.Token(); err != nil { // the closing brace
		return "", err
	}
	if err := atEnd(dec); err != nil {
		return "", err
	}
	if loc == nil || *loc == "" {
		return "", errNoLocation
	}
	return *loc, nil
}

// atEnd reports data after the JSON value dec has read.
func atEnd(dec *json.Decoder) error {
	if _, err := dec.Token(); err != io.EOF {
		if err != nil && !isSyntaxError(err) {
			return err // the reader's: too large, cut short
		}
		return errors.New("data after the answer")
	}
	return nil
}

func isSyntaxError(err error) bool {
	var se *json.SyntaxError
	return errors.As(err, &se)
}

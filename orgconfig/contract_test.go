package orgconfig_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"testing"

	"github.com/azdosync/azdosync/orgconfig"
)

// The contract with Sentry's frontend: the keys, and the types of their
// values, that its renderers of "choice_mapper" and "boolean" fields read
// from the field list of get_organization_config. Written from these
// sources of getsentry/sentry (read, not copied):
//
//   - static/app/components/backendJsonFormAdapter/types.ts
//     @ 2aedc33d02668e88570ca023daa2afcda2b95435: the field configs
//     (JsonFormAdapterBase, JsonFormAdapterBoolean, ChoiceMapperSelector,
//     JsonFormAdapterChoiceMapperBase, …Flat, …PerItem).
//   - static/app/components/backendJsonFormAdapter/index.tsx
//     @ 61d247560e88e0e2d9a5909747217a343f382b97: the boolean renderer
//     reads label, help and disabled.
//   - static/app/components/backendJsonFormAdapter/choiceMapperAdapter.tsx
//     in the fork JonasBa/sentry @ c7a9c77c62f89e33fcd0648a30623928946146e2
//     (the lazy version of PR getsentry/sentry#120504): statusUrl is read
//     only when perItemMapping is set; the columns are the keys of
//     columnLabels, and a row's selector of column k is
//     mappedSelectors[k] (flat) or mappedSelectors[row][k] (per item,
//     else fetched from statusUrl).
//
// A key the frontend does not know is a breach too: the form must not
// grow keys no renderer reads.

// shape checks one JSON value (decoded with UseNumber) and returns what is
// wrong, each problem prefixed with its path.
type shape func(path string, v any) []string

func isString(path string, v any) []string {
	if _, ok := v.(string); !ok {
		return []string{fmt.Sprintf("%s: %T, want a string", path, v)}
	}
	return nil
}

func isBool(path string, v any) []string {
	if _, ok := v.(bool); !ok {
		return []string{fmt.Sprintf("%s: %T, want a boolean", path, v)}
	}
	return nil
}

func literal(want any) shape {
	return func(path string, v any) []string {
		if v != want {
			return []string{fmt.Sprintf("%s: %v, want %v", path, v, want)}
		}
		return nil
	}
}

func arrayOf(elem shape) shape {
	return func(path string, v any) []string {
		a, ok := v.([]any)
		if !ok {
			return []string{fmt.Sprintf("%s: %T, want an array", path, v)}
		}
		var errs []string
		for i, e := range a {
			errs = append(errs, elem(fmt.Sprintf("%s[%d]", path, i), e)...)
		}
		return errs
	}
}

// pair is a [value, label] tuple: Array<[string, string]>.
func pair(path string, v any) []string {
	a, ok := v.([]any)
	if !ok || len(a) != 2 {
		return []string{fmt.Sprintf("%s: %v, want a [value, label] pair", path, v)}
	}
	return append(isString(path+"[0]", a[0]), isString(path+"[1]", a[1])...)
}

// members checks that v is an object, and each of its members, in key
// order, with check.
func members(path string, v any, check func(path, key string, val any) []string) []string {
	m, ok := v.(map[string]any)
	if !ok {
		return []string{fmt.Sprintf("%s: %T, want an object", path, v)}
	}
	var errs []string
	for _, k := range slices.Sorted(maps.Keys(m)) {
		errs = append(errs, check(path+"."+k, k, m[k])...)
	}
	return errs
}

// record is Record<string, T>.
func record(elem shape) shape {
	return func(path string, v any) []string {
		return members(path, v, func(path, _ string, val any) []string { return elem(path, val) })
	}
}

// key is one key of an object shape.
type key struct {
	shape    shape
	required bool
}

// object is an interface of types.ts: its keys, required or optional; any
// other key is a breach.
func object(keys map[string]key) shape {
	return func(path string, v any) []string {
		errs := members(path, v, func(p, k string, val any) []string {
			spec, known := keys[k]
			if !known {
				return []string{fmt.Sprintf("%s: key %q, which the renderer does not read", path, k)}
			}
			return spec.shape(p, val)
		})
		m, ok := v.(map[string]any)
		if !ok {
			return errs
		}
		for _, k := range slices.Sorted(maps.Keys(keys)) {
			if _, ok := m[k]; keys[k].required && !ok {
				errs = append(errs, fmt.Sprintf("%s: required key %q missing", path, k))
			}
		}
		return errs
	}
}

// with is keys plus more.
func with(keys map[string]key, more map[string]key) map[string]key {
	out := maps.Clone(keys)
	maps.Copy(out, more)
	return out
}

var (
	opt = func(s shape) key { return key{shape: s} }
	req = func(s shape) key { return key{shape: s, required: true} }

	// JsonFormAdapterBase; default, placeholder and required we never
	// send, but they are the frontend's.
	baseKeys = map[string]key{
		"label": req(isString), "name": req(isString), "type": req(isString),
		"default":  opt(func(string, any) []string { return nil }),
		"disabled": opt(isBool), "disabledReason": opt(isString), "help": opt(isString),
		"placeholder": opt(isString), "required": opt(isBool),
	}
	booleanField = object(with(baseKeys, map[string]key{"type": req(literal("boolean")), "default": opt(isBool)}))

	// ChoiceMapperSelector.
	selector = object(map[string]key{"choices": req(arrayOf(pair)), "placeholder": opt(isString)})

	choiceMapperKeys = with(baseKeys, map[string]key{
		"type":          req(literal("choice_mapper")),
		"addButtonText": opt(isString),
		"addDropdown": opt(object(map[string]key{
			"items":            req(arrayOf(object(map[string]key{"label": req(isString), "value": req(isString)}))),
			"emptyMessage":     opt(isString),
			"noResultsMessage": opt(isString),
			"searchField":      opt(isString),
			"url":              opt(isString),
		})),
		"columnLabels":       opt(record(isString)),
		"formatMessageValue": opt(isBool),
		"mappedColumnLabel":  opt(isString),
	})
	flatMapper = object(with(choiceMapperKeys, map[string]key{
		"mappedSelectors": opt(record(selector)),
		"perItemMapping":  opt(literal(false)),
	}))
	perItemMapper = object(with(choiceMapperKeys, map[string]key{
		"perItemMapping":  req(literal(true)),
		"mappedSelectors": opt(record(record(selector))),
		"statusUrl":       opt(isString),
	}))
)

// checkField checks one field against the contract, and what the choice
// mapper's renderer looks up: for every column (a key of columnLabels) a
// selector, flat or per row; per row, one for every project of the
// drop-down unless the field is lazy (statusUrl).
func checkField(path string, v any) []string {
	f, ok := v.(map[string]any)
	if !ok {
		return []string{fmt.Sprintf("%s: %T, want a field object", path, v)}
	}
	switch f["type"] {
	case "boolean":
		return booleanField(path, f)
	case "choice_mapper":
	default:
		return []string{fmt.Sprintf("%s: type %v, not a choice_mapper or boolean", path, f["type"])}
	}
	if f["perItemMapping"] != true {
		errs := flatMapper(path, f)
		if len(errs) > 0 {
			return errs
		}
		selectors, _ := f["mappedSelectors"].(map[string]any)
		for _, col := range columns(f) {
			if _, ok := selectors[col]; !ok {
				errs = append(errs, fmt.Sprintf("%s.mappedSelectors: no selector for column %q", path, col))
			}
		}
		return errs
	}
	errs := perItemMapper(path, f)
	if len(errs) > 0 {
		return errs
	}
	selectors, _ := f["mappedSelectors"].(map[string]any)
	for row, sel := range selectors {
		for _, col := range columns(f) {
			if _, ok := sel.(map[string]any)[col]; !ok {
				errs = append(errs, fmt.Sprintf("%s.mappedSelectors.%s: no selector for column %q", path, row, col))
			}
		}
	}
	if _, lazy := f["statusUrl"]; !lazy {
		if len(selectors) == 0 {
			// The older renderer throws on a saved row, the newer shows
			// empty selects: flat selectors fill every row.
			errs = append(errs, fmt.Sprintf("%s.mappedSelectors: per item, but no row has selectors", path))
		}
		dropdown, _ := f["addDropdown"].(map[string]any)
		items, _ := dropdown["items"].([]any)
		for _, it := range items {
			id := it.(map[string]any)["value"].(string)
			if _, ok := selectors[id]; !ok {
				errs = append(errs, fmt.Sprintf("%s.mappedSelectors: no selectors for project %q of the drop-down", path, id))
			}
		}
	}
	sort.Strings(errs)
	return errs
}

func columns(f map[string]any) []string {
	labels, _ := f["columnLabels"].(map[string]any)
	return slices.Sorted(maps.Keys(labels))
}

// checkForm checks a form, the JSON of Config.Fields.
func checkForm(data []byte) []string {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	var fields []any
	if err := dec.Decode(&fields); err != nil {
		return []string{"not a JSON array of fields: " + err.Error()}
	}
	var errs []string
	for i, f := range fields {
		errs = append(errs, checkField(fmt.Sprintf("[%d]", i), f)...)
	}
	return errs
}

// TestFormContract checks every golden form, and degraded and gated
// forms, against what Sentry's frontend reads.
func TestFormContract(t *testing.T) {
	goldens, err := filepath.Glob("testdata/form*.json")
	if err != nil {
		t.Fatal(err)
	}
	root, err := filepath.Glob("../testdata/form*.json")
	if err != nil {
		t.Fatal(err)
	}
	goldens = append(goldens, root...)
	if len(goldens) < 6 {
		t.Fatalf("found only the golden forms %v", goldens)
	}
	for _, path := range goldens {
		t.Run(path, func(t *testing.T) {
			data, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			for _, e := range checkForm(data) {
				t.Error(e)
			}
		})
	}

	failingProjects := &stubClient{projects: func(context.Context) ([]orgconfig.Project, error) { return nil, errors.New("boom") }}
	noStates := &stubClient{
		projects: func(context.Context) ([]orgconfig.Project, error) { return sampleOrg().projects, nil },
		states:   func(context.Context, string) ([]orgconfig.State, error) { return nil, errors.New("boom") },
	}
	deny := gateFunc(func(context.Context, string, string) (bool, error) { return false, nil })
	perProject := []orgconfig.Option{orgconfig.WithPerProjectChoices()}
	lazy := []orgconfig.Option{orgconfig.WithStatesURL("/search")}
	for _, tt := range []struct {
		name   string
		client orgconfig.Client
		gate   gateFunc
		opts   []orgconfig.Option
	}{
		{"degraded: no projects", failingProjects, allow, nil},
		{"degraded: no projects, per project", failingProjects, allow, perProject},
		{"degraded: no states, per project", noStates, allow, perProject},
		{"degraded: one project's states, per project", failingStates(sampleOrg(), "p2"), allow, perProject},
		{"degraded: no projects, lazy", failingProjects, allow, lazy},
		{"gated", &stubClient{}, deny, nil},
		{"gated, per project", &stubClient{}, deny, perProject},
		{"gated, lazy", &stubClient{}, deny, lazy},
	} {
		t.Run(tt.name, func(t *testing.T) {
			b, err := orgconfig.NewBuilder(tt.client, tt.gate, tt.opts...)
			if err != nil {
				t.Fatal(err)
			}
			cfg, err := b.Build(t.Context(), "org-1")
			if err != nil {
				t.Fatal(err)
			}
			cfg.PrefillSelectors(orgconfig.StatusMapping{"p1": {OnResolve: "New", OnUnresolve: "New"}})
			data, err := json.Marshal(cfg.Fields)
			if err != nil {
				t.Fatal(err)
			}
			for _, e := range checkForm(data) {
				t.Error(e)
			}
		})
	}
}

// TestFormContractCatches: the contract refuses what would break the
// renderer, so that TestFormContract can fail.
func TestFormContractCatches(t *testing.T) {
	for _, tt := range []struct{ name, form string }{
		{"per item without a project's selectors", `[{"name":"s","type":"choice_mapper","label":"S","perItemMapping":true,
			"addDropdown":{"items":[{"value":"p1","label":"A"}]},"columnLabels":{"on_resolve":"R"},"mappedSelectors":{}}]`},
		{"per item without any selectors", `[{"name":"s","type":"choice_mapper","label":"S","perItemMapping":true,
			"addDropdown":{"items":[]},"columnLabels":{"on_resolve":"R"},"mappedSelectors":{}}]`},
		{"per item without a column", `[{"name":"s","type":"choice_mapper","label":"S","perItemMapping":true,"statusUrl":"/x",
			"columnLabels":{"on_resolve":"R","on_unresolve":"U"},"mappedSelectors":{"p1":{"on_resolve":{"choices":[]}}}}]`},
		{"flat with statusUrl", `[{"name":"s","type":"choice_mapper","label":"S","statusUrl":"/x","mappedSelectors":{}}]`},
		{"flat without a column", `[{"name":"s","type":"choice_mapper","label":"S","columnLabels":{"on_resolve":"R"},"mappedSelectors":{}}]`},
		{"a choice not a pair", `[{"name":"s","type":"choice_mapper","label":"S","columnLabels":{"on_resolve":"R"},"mappedSelectors":{"on_resolve":{"choices":[["a"]]}}}]`},
		{"a selector without choices", `[{"name":"s","type":"choice_mapper","label":"S","mappedSelectors":{"on_resolve":{"placeholder":"x"}}}]`},
		{"a boolean disabled as a string", `[{"name":"b","type":"boolean","label":"B","disabled":"yes"}]`},
		{"a boolean without a label", `[{"name":"b","type":"boolean"}]`},
		{"an unknown key", `[{"name":"b","type":"boolean","label":"B","colour":"red"}]`},
		{"another type", `[{"name":"b","type":"select","label":"B"}]`},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if errs := checkForm([]byte(tt.form)); len(errs) == 0 {
				t.Errorf("accepted %s", tt.form)
			}
		})
	}
}

package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestBenchRequests runs the harness on small organizations and checks its
// request counts (not its times), for both organizations: every strategy
// covers what it should, pages as it should, and the process path makes
// pages + 1 + processes requests, without location discovery (each run is
// a Client's first Build, which asks the four system processes up front:
// both organizations use them).
func TestBenchRequests(t *testing.T) {
	svg := filepath.Join(t.TempDir(), "plot.svg")
	var out bytes.Buffer
	if err := run([]string{"-sizes", "10,250", "-latency", "1ms", "-warm-runs", "5", "-runs", "2", "-json", "-svg", svg}, &out); err != nil {
		t.Fatal(err)
	}
	var rows []row
	dec := json.NewDecoder(&out)
	for dec.More() {
		var r row
		if err := dec.Decode(&r); err != nil {
			t.Fatal(err)
		}
		rows = append(rows, r)
	}
	if len(rows) != 16 {
		t.Fatalf("%d rows, want 16", len(rows))
	}
	for _, r := range rows {
		processes := 4
		if r.Org == "inherited" {
			processes = 8
		}
		wantCovered := r.Projects
		if r.Strategy == "reference" {
			wantCovered = min(6, r.Projects)
		}
		if r.Covered != wantCovered {
			t.Errorf("%s at %d: covered %d, want %d", r.Strategy, r.Projects, r.Covered, wantCovered)
		}
		wantPages := (r.Projects + 999) / 1000 // $top=1000
		switch r.Strategy {
		case "reference":
			wantPages = (r.Projects + 99) / 100 // 100 a page, as the reference asks
		case "warm":
			wantPages = 0 // no request at all
		}
		if r.Pages != wantPages {
			t.Errorf("%s at %d: %d project pages, want %d", r.Strategy, r.Projects, r.Pages, wantPages)
		}
		switch r.Strategy {
		case "process":
			if want := r.Pages + 1 + processes; r.Requests != want {
				t.Errorf("process at %d (%s): %d requests, want %d", r.Projects, r.Org, r.Requests, want)
			}
		case "warm":
			if r.Requests != 0 {
				t.Errorf("warm at %d: %d requests, want 0", r.Projects, r.Requests)
			}
		}
	}
	plot, err := os.ReadFile(svg)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"<svg", "reference", "per-project", "process", "warm", "</svg>"} {
		if !strings.Contains(string(plot), want) {
			t.Errorf("plot lacks %q", want)
		}
	}
}

func TestBenchCommandLine(t *testing.T) {
	var out, stderr bytes.Buffer
	if code := exitCode(run([]string{"-h"}, &out), &stderr); code != 0 {
		t.Errorf("-h: exit %d, want 0", code)
	}
	if code := exitCode(run([]string{"-nope"}, &out), &stderr); code != 2 {
		t.Errorf("-nope: exit %d, want 2", code)
	}
	// Every example exits 2 on a usage error, as the README says: a bad
	// flag value or a stray argument too, not only a flag the flag package
	// refuses (a stray argument used to start the whole default run).
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"-sizes", "x"}, `bench: bad size "x"`},
		{[]string{"-latency", "0"}, "bench: -latency, -runs and -warm-runs must be positive"},
		{[]string{"-warm-runs", "0"}, "bench: -latency, -runs and -warm-runs must be positive"},
		{[]string{"-runs", "0"}, "bench: -latency, -runs and -warm-runs must be positive"},
		{[]string{"-orgs", "xml"}, `bench: bad organization "xml"`},
		{[]string{"-strategies", "fast"}, `bench: bad strategy "fast"`},
		{[]string{"redis://:s3cret-pw@127.0.0.1:6379"}, "bench: unexpected arguments after the flags (1)"}, // not repeated: it may hold a password
		{[]string{"-replicas", "-1"}, "bench: -replicas must not be negative"},
	} {
		stderr.Reset()
		if code := exitCode(run(tc.args, &out), &stderr); code != 2 || !strings.Contains(stderr.String(), tc.want) {
			t.Errorf("%q: exit %d, want 2; stderr %q, want it to contain %q", tc.args, code, stderr.String(), tc.want)
		}
	}
}

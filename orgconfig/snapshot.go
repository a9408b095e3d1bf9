package orgconfig

import (
	"cmp"
	"context"
	"errors"
	"slices"
	"strings"
	"time"

	"golang.org/x/sync/errgroup"
)

// snapshot is what one fetch learned from the Client, with the parts of the
// form that depend only on it precomputed (by precompute), so that cached
// Builds are cheap. A precomputed snapshot is never modified: the cache
// shares it between Builds, and each Build copies what it hands out.
type snapshot struct {
	// What the fetch learned.
	projects      []Project               // drop-down order
	states        map[string][]State      // by project ID, fetched projects only; nil once precomputed
	types         map[string]WorkItemType // by project ID, fetched projects of a TypedClient only; nil once precomputed
	problems      []*OpError
	statusReason  Reason    // non-empty when the status field must be disabled
	retryAt       time.Time // ReasonThrottled: when Azure DevOps allows requests again
	projectsKnown bool      // the project list was loaded
	fetched       time.Time // when the Client was read, in whole milliseconds as the shared tier keeps it; zero when the projects were not listed

	// Derived by precompute, which drops states: lists and listOf hold
	// them.
	lists         [][]State      // each distinct state list once (see stateLists)
	listOf        []int          // by project: index in lists, -1 when unknown; nil until precomputed
	projectStates int            // the states of every project, summed
	union         []Choice       // the choices of every list
	listChoices   [][]Choice     // by list, only WithPerProjectChoices
	typeList      []WorkItemType // each distinct type once (see typeLists)
	typeOf        []int          // by project: index in typeList, -1 when unknown
}

// cacheable reports whether the snapshot is complete enough to keep.
func (s *snapshot) cacheable() bool { return len(s.problems) == 0 }

// fetch lists the projects and fetches their states, without
// precomputing. It returns an error only when ctx is done.
func (b *Builder) fetch(ctx context.Context) (*snapshot, error) {
	log := b.opts.logger
	projects, err := b.client.Projects(ctx)
	if err != nil {
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		reason, retryAt := reasonOf(err)
		return &snapshot{
			problems:     []*OpError{{Op: OpListProjects, Err: err}},
			statusReason: reason,
			retryAt:      retryAt,
		}, nil
	}
	projects = dropdownOrder(projects)
	n := len(projects)
	if limit := b.opts.stateProjectLimit; limit > 0 && limit < n {
		n = limit
	}
	log.DebugContext(ctx, "fetching work item states", "projects", len(projects), "fetching", n)

	results := make([][]State, n)
	types := make([]WorkItemType, n)
	errs := make([]*OpError, n)
	fetched := make([]bool, n) // false for fetches skipped after cancellation
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(b.opts.concurrency)
	for i, p := range projects[:n] {
		if gctx.Err() != nil {
			break // an unauthorized answer or ctx ended the fan-out
		}
		g.Go(func() error {
			if gctx.Err() != nil {
				return nil
			}
			typ, states, err := b.workItemStates(gctx, p.ID)
			if err != nil {
				errs[i] = &OpError{Op: OpWorkItemStates, ProjectID: p.ID, ProjectName: p.Name, Err: err}
				if errors.Is(err, ErrUnauthorized) {
					return errs[i] // cancels the rest: they would be refused too
				}
				return nil
			}
			results[i], types[i], fetched[i] = states, typ, true
			return nil
		})
	}
	var unauthorized *OpError
	if err := g.Wait(); err != nil {
		unauthorized = err.(*OpError) // the group's only error
	}
	if ctx.Err() != nil {
		return nil, ctx.Err()
	}

	snap := &snapshot{projects: projects, states: make(map[string][]State, n), types: make(map[string]WorkItemType), projectsKnown: true, fetched: time.Now().Truncate(time.Millisecond)}
	if unauthorized != nil {
		snap.problems = append(snap.problems, unauthorized)
		snap.statusReason = ReasonUnauthorized
	}
	failed := 0
	for i, err := range errs {
		if fetched[i] {
			snap.states[projects[i].ID] = results[i]
			if types[i] != (WorkItemType{}) {
				snap.types[projects[i].ID] = types[i]
			}
			continue
		}
		failed++
		if err == nil {
			continue // skipped: the fan-out was stopped
		}
		if unauthorized != nil && (errors.Is(err, ErrUnauthorized) || errors.Is(err, context.Canceled)) {
			continue // already said once
		}
		snap.problems = append(snap.problems, err)
	}
	if n > 0 && failed == n && snap.statusReason == "" {
		snap.statusReason = ReasonNoStates
	}
	return snap, nil
}

// dropdownOrder drops projects without an ID and repeated IDs, compared
// ignoring case (keeping the first), then sorts by name,
// case-insensitively, then by ID.
func dropdownOrder(in []Project) []Project {
	seen := make(map[string]struct{}, len(in))
	out := make([]Project, 0, len(in))
	for _, p := range in {
		if p.ID == "" {
			continue
		}
		if _, dup := seen[foldID(p.ID)]; dup {
			continue // IDs ignore case
		}
		seen[foldID(p.ID)] = struct{}{}
		out = append(out, p)
	}
	keys := make([]string, len(out))
	for i := range out {
		keys[i] = strings.ToLower(out[i].Name)
	}
	idx := make([]int, len(out))
	for i := range idx {
		idx[i] = i
	}
	slices.SortFunc(idx, func(a, b int) int {
		return cmp.Or(strings.Compare(keys[a], keys[b]), strings.Compare(out[a].ID, out[b].ID))
	})
	sorted := make([]Project, len(out))
	for i, j := range idx {
		sorted[i] = out[j]
	}
	return sorted
}

package azdotest

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
)

// handle answers a known route from d, the organization as the request
// found it on arrival.
func (s *Server) handle(w http.ResponseWriter, r *http.Request, rt route, d *orgData) {
	switch rt.ep {
	case EndpointLocations:
		s.locations(w)
	case EndpointResourceAreas:
		s.resourceAreas(w)
	case EndpointConnectionData:
		s.connectionData(w, r)
	case EndpointLocationService:
		s.lookupOrg(w, r, rt)
	case EndpointProjects:
		s.projects(w, r, d)
	case EndpointWorkItemTypes, EndpointWorkItemTypeStates, EndpointWorkItemType, EndpointWorkItemTypeCategory:
		s.projectTypes(w, rt, d)
	default:
		if s.noProcessAPI {
			writeError(w, http.StatusNotFound, "ApiResourceNotFoundException", "The requested REST API resource was not found.")
			return
		}
		s.processes(w, r, rt, d)
	}
}

type location struct {
	ID              string `json:"id"`
	Area            string `json:"area"`
	ResourceName    string `json:"resourceName"`
	RouteTemplate   string `json:"routeTemplate"`
	ResourceVersion int    `json:"resourceVersion"`
	MinVersion      string `json:"minVersion"`
	MaxVersion      string `json:"maxVersion"`
	ReleasedVersion string `json:"releasedVersion"`
}

// The real location IDs and route templates (see ADO-WIRE.md §1.3).
var (
	coreLocations = []location{
		{"e81700f7-3be2-46de-8624-2eb35882fcaa", "Location", "ResourceAreas", "_apis/{resource}/{areaId}", 1, "3.2", "7.2", "0.0"},
		{"603fe2ac-9723-48b9-88ad-09305aa6c6e1", "core", "projects", "_apis/{resource}/{*projectId}", 4, "1.0", "7.2", "7.1"},
		{"7c8d7a76-4a09-43e8-b5df-bd792f4ac6aa", "wit", "workItemTypes", "{project}/_apis/{area}/{resource}/{type}", 2, "1.0", "7.2", "7.1"},
		{"7c9d7a76-4a09-43e8-b5df-bd792f4ac6aa", "wit", "workItemTypeStates", "{project}/_apis/{area}/workitemtypes/{type}/states", 1, "1.0", "7.2", "7.1"},
		{"9b9f5734-36c8-415e-ba67-f83b45c31408", "wit", "workItemTypeCategories", "{project}/_apis/{area}/{resource}/{category}", 2, "1.0", "7.2", "7.1"},
	}
	processLocations = []location{
		{"02cc6a73-5cfb-427d-8c8e-b49fb086e8af", "processes", "processes", "_apis/work/{resource}/{processTypeId}", 2, "2.1", "7.2", "7.1"},
		{"e2e9d1a6-432d-4062-8870-bfcb8c324ad7", "processes", "workItemTypes", "_apis/work/{area}/{processId}/{resource}/{witRefName}", 2, "2.1", "7.2", "7.1"},
		{"31015d57-2dff-4a46-adb3-2fb4ee3dcec9", "processes", "states", "_apis/work/{area}/{processId}/workItemTypes/{witRefName}/{resource}/{stateId}", 1, "3.2", "7.2", "7.1"},
	}
)

func (s *Server) locations(w http.ResponseWriter) {
	locs := append([]location{connectionLocation}, coreLocations...)
	if !s.noProcessAPI {
		locs = append(locs, processLocations...)
	}
	collection(w, s.capVersions(locs))
}

func (s *Server) resourceAreas(w http.ResponseWriter) {
	if s.noProcessAPI {
		collection(w, []resourceArea{}) // the on-premises shape: use the connection URL
		return
	}
	base := s.URL() + "/"
	collection(w, []resourceArea{
		{coreAreaID, "core", base},
		{"5264459e-e5e0-4bd8-b118-0985e68a4ec5", "wit", base},
	})
}

type projectJSON struct {
	ID          string `json:"id"`
	Name        string `json:"name"`
	URL         string `json:"url"`
	State       string `json:"state"`
	Revision    int    `json:"revision"`
	Visibility  string `json:"visibility"`
	LastUpdated string `json:"lastUpdateTime"`
}

// projects pages as LegacyProjects2Controller does (ADO-WIRE.md §2), with
// each page also capped as Services caps it: at the page size without $top,
// at the maximum page size with it.
func (s *Server) projects(w http.ResponseWriter, r *http.Request, d *orgData) {
	q := r.URL.Query()
	filter := strings.ToLower(q.Get("stateFilter"))
	if filter == "" {
		filter = "wellformed"
	}
	matching := d.byState[filter]
	if filter == "all" {
		matching = d.org.Projects
	}
	count := len(matching)
	intParam := func(k string) (int, bool, bool) { // value, present, well-formed
		v := q.Get(k)
		if v == "" {
			return 0, false, true
		}
		n, err := strconv.Atoi(v)
		return n, true, err == nil
	}
	top, hasTop, ok1 := intParam("$top")
	skip, hasSkip, ok2 := intParam("$skip")
	token, hasToken, ok3 := intParam("continuationToken")
	if !ok1 || !ok2 || !ok3 {
		writeError(w, http.StatusBadRequest, "InvalidArgumentValueException", "TF400898: An Internal Error Occurred. Invalid integer parameter.")
		return
	}
	valid := (hasTop && top >= 0 && top <= count) || (hasSkip && skip > 0 && skip <= count) || (hasToken && token > 0 && token <= count)
	start, take := 0, count
	if valid {
		if hasToken && token > 0 {
			start = token
		} else if hasSkip {
			start = skip
		}
		switch {
		case hasTop:
			take = top
		default:
			take = count - start
		}
	}
	// Services caps every page: at pageSize without $top, at maxPageSize
	// with it. The cap pages even a request the algorithm answers whole.
	limit := s.pageSize
	if hasTop {
		limit = s.maxPageSize
	}
	if limit > 0 && take > limit {
		take = limit
		valid = true
	}
	start = min(max(start, 0), count)
	end := min(start+max(take, 0), count)
	if valid && start+take < count {
		w.Header().Set("x-ms-continuationtoken", strconv.Itoa(start+take))
	}
	page := make([]projectJSON, 0, end-start)
	for _, p := range matching[start:end] {
		page = append(page, projectJSON{
			ID: p.ID, Name: p.Name, URL: s.URL() + "/_apis/projects/" + p.ID, State: projectState(p),
			Revision: 1, Visibility: "private", LastUpdated: "2024-05-19T00:02:23.517Z",
		})
	}
	collection(w, page)
}

// findProject resolves a path segment naming a project by ID or name.
func (d *orgData) findProject(seg string) (Project, bool) {
	p, ok := d.byKey[strings.ToLower(seg)]
	return p, ok
}

func projectState(p Project) string {
	if p.State == "" {
		return "wellFormed"
	}
	return p.State
}

func (d *orgData) findProcess(id string) (Process, bool) {
	for _, p := range d.org.Processes {
		if strings.EqualFold(p.ID, id) {
			return p, true
		}
	}
	return Process{}, false
}

type stateColor struct {
	Name     string `json:"name"`
	Color    string `json:"color"`
	Category string `json:"category"`
}

// visibleStates are the states a project can use: a name that any entry
// of the type hides is hidden (an inherited process may list a hidden
// state twice, once without the mark).
func visibleStates(t WorkItemType) []stateColor {
	hidden := make(map[string]bool)
	for _, st := range t.States {
		if st.Hidden {
			hidden[strings.ToLower(st.Name)] = true
		}
	}
	out := make([]stateColor, 0, len(t.States))
	for _, st := range t.States {
		if !hidden[strings.ToLower(st.Name)] {
			out = append(out, stateColor{st.Name, st.Color, st.Category})
		}
	}
	return out
}

// projectTypes serves the work item types of a project, one type by
// display or reference name (404 VS402323 when unknown), the states of one
// type by display name (an unknown type answers 200 with no states, as
// the service does), or one category with its default type.
func (s *Server) projectTypes(w http.ResponseWriter, rt route, d *orgData) {
	p, ok := d.findProject(rt.project)
	if !ok {
		writeError(w, http.StatusNotFound, "ProjectDoesNotExistWithNameException",
			"TF200016: The following project does not exist: "+rt.project+". Verify that the name of the project is correct and that the project exists on the specified Azure DevOps Server.")
		return
	}
	proc, _ := d.findProcess(p.ProcessID)
	typeURL := func(t WorkItemType) string {
		return s.URL() + "/" + p.ID + "/_apis/wit/workItemTypes/" + url.PathEscape(t.Name)
	}
	type witJSON struct {
		Name          string       `json:"name"`
		ReferenceName string       `json:"referenceName"`
		IsDisabled    bool         `json:"isDisabled"`
		States        []stateColor `json:"states"`
		URL           string       `json:"url"`
	}
	switch rt.ep {
	case EndpointWorkItemTypeStates:
		for _, t := range proc.WorkItemTypes {
			if strings.EqualFold(t.Name, rt.typ) && !t.Disabled {
				collection(w, visibleStates(t))
				return
			}
		}
		collection(w, []stateColor{})
	case EndpointWorkItemType:
		for _, t := range proc.WorkItemTypes {
			if strings.EqualFold(t.Name, rt.typ) || strings.EqualFold(t.ReferenceName, rt.typ) {
				writeJSON(w, http.StatusOK, witJSON{t.Name, t.ReferenceName, t.Disabled, visibleStates(t), typeURL(t)})
				return
			}
		}
		writeError(w, http.StatusNotFound, "WorkItemTypeNotFoundException",
			"VS402323: Work item type "+rt.typ+" does not exist in project "+p.ID+" or you do not have permission to access it.")
	case EndpointWorkItemTypeCategory:
		type typeRef struct {
			Name string `json:"name"`
			URL  string `json:"url"`
		}
		var refs []typeRef
		for _, t := range proc.WorkItemTypes {
			if strings.EqualFold(categoryOf(t), rt.typ) {
				refs = append(refs, typeRef{t.Name, typeURL(t)})
			}
		}
		if len(refs) == 0 {
			// The service's answer for a category a project lacks is a
			// guess: a 404, as for a missing type.
			writeError(w, http.StatusNotFound, "WorkItemTypeCategoryNotFoundException",
				"Work item type category "+rt.typ+" does not exist in project "+p.ID+".")
			return
		}
		writeJSON(w, http.StatusOK, struct {
			Name                string    `json:"name"`
			ReferenceName       string    `json:"referenceName"`
			DefaultWorkItemType typeRef   `json:"defaultWorkItemType"`
			WorkItemTypes       []typeRef `json:"workItemTypes"`
			URL                 string    `json:"url"`
		}{rt.typ, rt.typ, refs[0], refs, s.URL() + "/" + p.ID + "/_apis/wit/workItemTypeCategories/" + rt.typ})
	default:
		out := make([]witJSON, 0, len(proc.WorkItemTypes))
		for _, t := range proc.WorkItemTypes {
			out = append(out, witJSON{t.Name, t.ReferenceName, t.Disabled, visibleStates(t), typeURL(t)})
		}
		collection(w, out)
	}
}

// categoryOf is the reference name of a type's category: its own, or the
// Bug category for the system Bug and types inheriting from it.
func categoryOf(t WorkItemType) string {
	if t.Category != "" {
		return t.Category
	}
	if strings.EqualFold(t.ReferenceName, systemBug) || strings.EqualFold(t.Inherits, systemBug) {
		return BugCategory
	}
	return ""
}

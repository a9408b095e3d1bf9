package azdotest

import (
	"net/http"
	"strings"
)

const zeroUUID = "00000000-0000-0000-0000-000000000000"

func customization(p Process) string {
	if p.XML {
		return "custom"
	}
	if p.ParentID != "" {
		return "inherited"
	}
	return "system"
}

type processStateJSON struct {
	ID                string `json:"id"`
	Name              string `json:"name"`
	Color             string `json:"color"`
	StateCategory     string `json:"stateCategory"`
	Order             int    `json:"order"`
	URL               string `json:"url"`
	Hidden            bool   `json:"hidden,omitempty"`
	CustomizationType string `json:"customizationType"`
}

func (s *Server) processStates(p Process, t WorkItemType) []processStateJSON {
	out := make([]processStateJSON, len(t.States))
	for i, st := range t.States {
		id := StableID("state/" + p.ID + "/" + t.ReferenceName + "/" + st.Name)
		out[i] = processStateJSON{
			ID: id, Name: st.Name, Color: st.Color, StateCategory: st.Category, Order: i + 1,
			URL:    s.URL() + "/_apis/work/processes/" + p.ID + "/workItemTypes/" + t.ReferenceName + "/states/" + id,
			Hidden: st.Hidden, CustomizationType: customization(p),
		}
	}
	return out
}

func (s *Server) processes(w http.ResponseWriter, r *http.Request, rt route, d *orgData) {
	switch rt.ep {
	case EndpointProcesses:
		s.listProcesses(w, r, d)
		return
	}
	p, ok := d.findProcess(rt.process)
	if !ok {
		writeError(w, http.StatusNotFound, "ProcessNotFoundByTypeIdException", "VS402362: No process template with type "+rt.process+" was found.")
		return
	}
	if p.XML {
		writeXMLProcessError(w, p)
		return
	}
	if rt.ep == EndpointProcessStates {
		for _, t := range p.WorkItemTypes {
			if strings.EqualFold(t.ReferenceName, rt.typ) || strings.EqualFold(t.Inherits, rt.typ) {
				collection(w, s.processStates(p, t))
				return
			}
		}
		writeError(w, http.StatusNotFound, "ProcessWorkItemTypeDoesNotExistException",
			"VS402805: Cannot find work item type with reference name '"+rt.typ+"' in process named '"+p.Name+"'.")
		return
	}
	expandStates := strings.EqualFold(r.URL.Query().Get("$expand"), "states")
	type witJSON struct {
		ReferenceName string             `json:"referenceName"`
		Name          string             `json:"name"`
		URL           string             `json:"url"`
		Customization string             `json:"customization"`
		Color         string             `json:"color"`
		Icon          string             `json:"icon"`
		IsDisabled    bool               `json:"isDisabled"`
		Inherits      *string            `json:"inherits"`
		States        []processStateJSON `json:"states,omitempty"`
	}
	out := make([]witJSON, 0, len(p.WorkItemTypes))
	for _, t := range p.WorkItemTypes {
		wj := witJSON{
			ReferenceName: t.ReferenceName, Name: t.Name, Color: "CC293D", Icon: "icon_insect",
			URL:           s.URL() + "/_apis/work/processes/" + p.ID + "/workItemTypes/" + t.ReferenceName,
			Customization: "system", IsDisabled: t.Disabled,
		}
		if t.Inherits != "" {
			wj.Customization, wj.Inherits = "inherited", &t.Inherits
		}
		if expandStates {
			wj.States = s.processStates(p, t)
		}
		out = append(out, wj)
	}
	collection(w, out)
}

func (s *Server) listProcesses(w http.ResponseWriter, r *http.Request, d *orgData) {
	expandProjects := strings.EqualFold(r.URL.Query().Get("$expand"), "projects")
	type projectRef struct {
		ID          string  `json:"id"`
		Name        string  `json:"name"`
		Description *string `json:"description"`
		URL         string  `json:"url"`
	}
	type processJSON struct {
		TypeID            string       `json:"typeId"`
		Name              string       `json:"name"`
		ReferenceName     *string      `json:"referenceName"`
		Description       string       `json:"description"`
		Projects          []projectRef `json:"projects,omitempty"`
		ParentProcessType string       `json:"parentProcessTypeId"`
		IsEnabled         bool         `json:"isEnabled"`
		IsDefault         bool         `json:"isDefault"`
		CustomizationType string       `json:"customizationType"`
	}
	out := make([]processJSON, 0, len(d.org.Processes))
	for i, p := range d.org.Processes {
		pj := processJSON{
			TypeID: p.ID, Name: p.Name, Description: p.Name + " process",
			ParentProcessType: zeroUUID, IsEnabled: true, IsDefault: i == 0, CustomizationType: customization(p),
		}
		if p.ParentID != "" {
			ref := "Inherited." + strings.ReplaceAll(p.ID, "-", "")
			pj.ReferenceName, pj.ParentProcessType = &ref, p.ParentID
		}
		if expandProjects && !p.ListsNoProjects {
			for _, proj := range d.org.Projects {
				if strings.EqualFold(proj.ProcessID, p.ID) {
					pj.Projects = append(pj.Projects, projectRef{ID: proj.ID, Name: proj.Name, URL: "vstfs:///Classification/TeamProject/" + proj.ID})
				}
			}
		}
		out = append(out, pj)
	}
	collection(w, out)
}

// writeXMLProcessError answers a process work item type route of an XML
// process as users saw the service do (vsts-rest-api-specs#506): 400 with
// VS402362. The type name is a guess from the 404 the same code has.
func writeXMLProcessError(w http.ResponseWriter, p Process) {
	writeJSON(w, http.StatusBadRequest, errorBody{
		ID: "1", Message: "VS402362: No process template with type " + p.ID + " was found.",
		TypeName:  "Microsoft.Azure.Boards.ProcessTemplates.ProcessNotFoundByTypeIdException, Microsoft.Azure.Boards.ProcessTemplates",
		TypeKey:   "ProcessNotFoundByTypeIdException",
		ErrorCode: 402362, EventID: 3000,
	})
}

package azdotest

import (
	"net/http"
	"strings"
)

// coreAreaID is the core resource area, whose location is the
// organization's URL.
const coreAreaID = "79134c72-4a58-4b42-976c-04e7115f32bf"

// resourceArea is an entry of the resource areas, as the organization's
// _apis/ResourceAreas lists them and the location service answers one.
type resourceArea struct {
	ID          string `json:"id"`
	Name        string `json:"name"`
	LocationURL string `json:"locationUrl"`
}

// LocationServiceURL is the base URL of the server's stand-in for the
// location service (https://app.vssps.visualstudio.com on Azure DevOps
// Services), which answers the organization lookup
//
//	GET /_apis/resourceAreas/79134C72-4A58-4B42-976C-04E7115F32BF?accountName={name}
//	GET /_apis/resourceAreas/79134C72-4A58-4B42-976C-04E7115F32BF?hostId={id}
//
// with the organization's URL, without credentials. Pass it to
// azdo.WithLocationService.
func (s *Server) LocationServiceURL() string {
	if s.ts == nil {
		return ""
	}
	return s.ts.URL
}

// OrgID is the Azure DevOps organization's ID, as the location service
// knows it (what azdo.OrgURL takes): the [Org.ID] given, or the one derived
// from the name. It is not the platform organization ID that
// orgconfig.Builder.Build takes.
func (s *Server) OrgID() string { return s.org.ID }

// parseLocationService routes the location service's resource area lookup,
// which lives at the server's root.
func parseLocationService(method string, segs []string) (route, bool) {
	if method != http.MethodGet || len(segs) != 3 || !strings.EqualFold(segs[0], "_apis") || !strings.EqualFold(segs[1], "resourceAreas") {
		return route{}, false
	}
	return route{ep: EndpointLocationService, typ: segs[2]}, true
}

// lookupOrg answers the resource area lookup as the location service does
// (ADO-WIRE.md §8): the core area's entry with the organization's URL when
// accountName or hostId names this organization, 404 otherwise.
func (s *Server) lookupOrg(w http.ResponseWriter, r *http.Request, rt route) {
	q := r.URL.Query()
	name, host := q.Get("accountName"), q.Get("hostId")
	known := (name != "" && strings.EqualFold(name, s.org.Name)) || (host != "" && strings.EqualFold(host, s.org.ID))
	if !strings.EqualFold(rt.typ, coreAreaID) || !known {
		// The service's exact answer here is not documented.
		writeError(w, http.StatusNotFound, "VssServiceException", "The organization or resource area was not found.")
		return
	}
	writeJSON(w, http.StatusOK, resourceArea{coreAreaID, "Core", s.URL() + "/"})
}

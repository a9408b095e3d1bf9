package azdotest

import (
	"net/http"
	"strings"
)

// The identities the server says a request is authenticated as
// (GET _apis/connectionData): UserName for a PAT, a bearer token set by
// WithBearer or no credential; EntraAppName for a token an [Entra] issued
// (its service principal). Their IDs are UserID and EntraAppID.
const (
	UserName     = "Azdotest User"
	EntraAppName = "azdotest"
)

// UserID and EntraAppID are the IDs of UserName and EntraAppName.
var (
	UserID     = StableID("identity/user")
	EntraAppID = StableID("identity/entra/" + EntraClientID)
)

// connectionLocation is the location of _apis/connectionData, which every
// host serves (area Location).
var connectionLocation = location{"00d9565f-ed9c-4a06-9a50-00e7896ccab4", "Location", "ConnectionData", "_apis/{resource}", 1, "1.0", "7.2", "7.1"}

// identityJSON is an identity as connectionData spells it.
type identityJSON struct {
	ID                  string         `json:"id"`
	Descriptor          string         `json:"descriptor"`
	SubjectDescriptor   string         `json:"subjectDescriptor"`
	ProviderDisplayName string         `json:"providerDisplayName"`
	IsActive            bool           `json:"isActive"`
	Properties          map[string]any `json:"properties"`
	ResourceVersion     int            `json:"resourceVersion"`
	MetaTypeID          int            `json:"metaTypeId"`
}

// connectionData answers as the service does (ADO-WIRE.md §9): who the
// request is authenticated as, the same identity as authorized user, and
// the host's IDs.
func (s *Server) connectionData(w http.ResponseWriter, r *http.Request) {
	id := identityJSON{
		ID: UserID, ProviderDisplayName: UserName, IsActive: true, ResourceVersion: 2,
		Descriptor:        "Microsoft.IdentityModel.Claims.ClaimsIdentity;" + EntraTenantID + "\\azdotest.user@fabrikam.example",
		SubjectDescriptor: "aad." + strings.ReplaceAll(UserID, "-", ""),
		Properties:        map[string]any{"Account": map[string]string{"$type": "System.String", "$value": "azdotest.user@fabrikam.example"}},
	}
	if tok, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer "); ok && s.entra != nil {
		if issued, _ := s.entra.check(tok); issued {
			id = identityJSON{
				ID: EntraAppID, ProviderDisplayName: EntraAppName, IsActive: true, ResourceVersion: 2, MetaTypeID: 1,
				Descriptor:        "Microsoft.TeamFoundation.ServicePrincipal;" + EntraTenantID + "\\" + EntraClientID,
				SubjectDescriptor: "aadsp." + strings.ReplaceAll(EntraAppID, "-", ""),
				Properties:        map[string]any{"Account": map[string]string{"$type": "System.String", "$value": EntraClientID}},
			}
		}
	}
	writeJSON(w, http.StatusOK, map[string]any{
		"authenticatedUser": id,
		"authorizedUser":    id,
		"instanceId":        s.org.ID,
		"deploymentId":      StableID("deployment/" + s.org.Name),
		"deploymentType":    "hosted",
		"locationServiceData": map[string]any{
			"serviceOwner":                "00025394-6065-48ca-87d9-7f5672854ef7",
			"defaultAccessMappingMoniker": "PublicAccessMapping",
			"lastChangeId":                1,
			"lastChangeId64":              1,
		},
	})
}

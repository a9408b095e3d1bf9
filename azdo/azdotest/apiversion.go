package azdotest

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"
)

// WithAPIVersion makes the server pose as an Azure DevOps Server whose
// latest REST API version is latest, "major.minor": "5.1" for Server
// 2019.1, "6.0" for Server 2020, "7.0" for Server 2022. Its location
// discovery offers no newer version, so the SDK negotiates down, and a
// request asking a newer api-version gets the 400
// VssVersionOutOfRangeException that Server sends. Without it the server
// takes any api-version, as Azure DevOps Services takes up to 7.2.
func WithAPIVersion(latest string) Option {
	// ADO-WIRE.md §9. The version is read from the query or Accept, as
	// the server reads it; the refusal says:
	//	The requested REST API version of 7.1 is out of range for this server.
	//	The latest REST API version this server supports is 7.0.
	return func(s *Server) error {
		v, ok := parseAPIVersion(latest)
		if !ok || latest != v.String() {
			return fmt.Errorf("api version %q must be major.minor, such as 7.0", latest)
		}
		s.latest = v
		return nil
	}
}

// apiVersion is the major.minor part of an api-version; the zero value is
// "none".
type apiVersion struct{ major, minor int }

func (v apiVersion) String() string { return strconv.Itoa(v.major) + "." + strconv.Itoa(v.minor) }

func (v apiVersion) less(w apiVersion) bool {
	return v.major < w.major || v.major == w.major && v.minor < w.minor
}

// parseAPIVersion reads the major.minor part of an api-version such as
// "7.1", "7.1-preview" or "7.1-preview.4".
func parseAPIVersion(s string) (apiVersion, bool) {
	num, _, _ := strings.Cut(strings.TrimSpace(s), "-")
	maj, min, ok := strings.Cut(num, ".")
	if !ok {
		return apiVersion{}, false
	}
	a, err1 := strconv.Atoi(maj)
	b, err2 := strconv.Atoi(min)
	if err1 != nil || err2 != nil || a < 0 || b < 0 {
		return apiVersion{}, false
	}
	return apiVersion{a, b}, true
}

// requestedVersion is the api-version a request asks for: the query's,
// else Accept's, both keys read case-insensitively; "" when none.
func requestedVersion(r *http.Request) string {
	for k, v := range r.URL.Query() {
		if strings.EqualFold(k, "api-version") && len(v) > 0 {
			return v[0]
		}
	}
	for _, accept := range r.Header.Values("Accept") {
		for _, param := range strings.Split(accept, ";") {
			if k, v, ok := strings.Cut(param, "="); ok && strings.EqualFold(strings.TrimSpace(k), "api-version") {
				return strings.TrimSpace(v)
			}
		}
	}
	return ""
}

// refuseVersion answers 400 when the server poses as an older one
// (WithAPIVersion) and r asks a newer api-version; it reports whether it
// did.
func (s *Server) refuseVersion(w http.ResponseWriter, r *http.Request) bool {
	if s.latest == (apiVersion{}) {
		return false
	}
	asked := requestedVersion(r)
	v, ok := parseAPIVersion(asked)
	if !ok || !s.latest.less(v) {
		return false
	}
	writeJSON(w, http.StatusBadRequest, errorBody{
		ID: "1",
		Message: "The requested REST API version of " + v.String() + " is out of range for this server. " +
			"The latest REST API version this server supports is " + s.latest.String() + ".",
		TypeName: "Microsoft.VisualStudio.Services.WebApi.VssVersionOutOfRangeException, Microsoft.VisualStudio.Services.WebApi",
		TypeKey:  "VssVersionOutOfRangeException",
		EventID:  3000,
	})
	return true
}

// capVersions lowers the maxVersion and releasedVersion of locations to
// the server's latest version (WithAPIVersion).
func (s *Server) capVersions(locs []location) []location {
	if s.latest == (apiVersion{}) {
		return locs
	}
	capped := func(v string) string {
		if got, ok := parseAPIVersion(v); ok && s.latest.less(got) {
			return s.latest.String()
		}
		return v
	}
	for i := range locs {
		locs[i].MaxVersion = capped(locs[i].MaxVersion)
		locs[i].ReleasedVersion = capped(locs[i].ReleasedVersion)
	}
	return locs
}

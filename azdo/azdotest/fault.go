package azdotest

import (
	"errors"
	"fmt"
	"net/http"
	"time"
)

// Endpoint names a route of the fake, for counting requests and aiming
// faults.
type Endpoint string

// The fake's endpoints.
const (
	EndpointLocations            Endpoint = "OPTIONS _apis"
	EndpointResourceAreas        Endpoint = "GET _apis/ResourceAreas"
	EndpointProjects             Endpoint = "GET _apis/projects"
	EndpointConnectionData       Endpoint = "GET _apis/connectionData"
	EndpointWorkItemTypes        Endpoint = "GET {project}/_apis/wit/workItemTypes"
	EndpointWorkItemTypeStates   Endpoint = "GET {project}/_apis/wit/workitemtypes/{type}/states"
	EndpointWorkItemType         Endpoint = "GET {project}/_apis/wit/workItemTypes/{type}"
	EndpointWorkItemTypeCategory Endpoint = "GET {project}/_apis/wit/workItemTypeCategories/{category}"
	EndpointProcesses            Endpoint = "GET _apis/work/processes"
	EndpointProcessWorkItemTypes Endpoint = "GET _apis/work/processes/{id}/workItemTypes"
	EndpointProcessStates        Endpoint = "GET _apis/work/processes/{id}/workItemTypes/{ref}/states"
	// EndpointLocationService is the organization lookup of the location
	// service, at the server's root rather than under the organization.
	EndpointLocationService Endpoint = "GET /_apis/resourceAreas/{areaId} (location service)"
	EndpointUnknown         Endpoint = "unknown"
)

// FaultKind is what an injected fault does instead of the normal answer.
type FaultKind int

const (
	// FaultStatus answers Status with Body (the service's JSON error
	// envelope when Body is empty and ContentType is JSON or empty).
	FaultStatus FaultKind = iota
	// FaultDelay answers normally after Delay.
	FaultDelay
	// FaultMalformed answers 200 with a JSON body that does not parse.
	FaultMalformed
	// FaultTruncated announces a longer body than it sends, then closes.
	FaultTruncated
	// FaultSignIn answers 203 with the HTML sign-in page Azure DevOps
	// shows a browser without valid credentials.
	FaultSignIn
	// FaultOversized answers 200 with a JSON body of Size bytes
	// (default 40 MiB).
	FaultOversized
	// FaultDrop closes the connection without answering.
	FaultDrop
	// FaultHang never answers; the request ends when the client gives up.
	FaultHang

	faultKinds // the number of kinds: keep it last
)

// Fault changes the answers of matching requests. Zero fields match
// anything: a Fault with only Kind set applies to every request, and the
// zero Fault answers every request 500.
type Fault struct {
	Endpoint Endpoint // "" matches every endpoint
	// Project matches the project ID or name in the path (case-insensitive);
	// "" matches any request, with or without a project.
	Project string
	// Times is how many matching requests the fault applies to; 0 is
	// forever.
	Times int

	Kind        FaultKind
	Status      int           // FaultStatus: the status code; 0 is 500
	Body        string        // FaultStatus: the body; empty gives the JSON envelope
	EmptyBody   bool          // FaultStatus: send no body at all (Content-Length: 0)
	ContentType string        // FaultStatus: the Content-Type; empty gives JSON
	RetryAfter  string        // any kind: the Retry-After header to send
	Header      http.Header   // any kind: more headers to send
	Delay       time.Duration // FaultDelay, and before any other kind
	Size        int           // FaultOversized: body size in bytes
}

// faultState is an injected fault with its remaining uses.
type faultState struct {
	Fault
	used int
}

// matches reports whether the fault has uses left for the endpoint; the
// project is checked by the server, which can resolve names and IDs.
func (f *faultState) matches(ep Endpoint) bool {
	if f.Times > 0 && f.used >= f.Times {
		return false
	}
	return f.Endpoint == "" || f.Endpoint == ep
}

// validate checks a fault's fields.
func (f Fault) validate() error {
	switch {
	case f.Kind < 0 || f.Kind >= faultKinds:
		return fmt.Errorf("unknown kind %d", f.Kind)
	case f.Status != 0 && (f.Status < 200 || f.Status > 599):
		return fmt.Errorf("status %d is not between 200 and 599", f.Status)
	case f.Times < 0:
		return fmt.Errorf("times must not be negative, got %d", f.Times)
	case f.Delay < 0:
		return fmt.Errorf("delay must not be negative, got %v", f.Delay)
	case f.Size < 0:
		return fmt.Errorf("size must not be negative, got %d", f.Size)
	case f.EmptyBody && f.Body != "":
		return errors.New("a body and an empty body both given")
	}
	return nil
}

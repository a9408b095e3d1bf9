package azdotest

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"
)

// signInPage is the start of the HTML Azure DevOps serves instead of JSON
// to a request without valid credentials that was not told to suppress
// the redirect to sign-in.
const signInPage = `<!DOCTYPE html>
<html lang="en-US">
<head><title>Azure DevOps Services | Sign In</title></head>
<body><form id="signin" action="https://app.vssps.visualstudio.com/_signin" method="post"></form></body>
</html>
`

// envelopeFor is the service's error for a status code.
func envelopeFor(status int) (typeKey, message string) {
	switch status {
	case http.StatusUnauthorized:
		return "UnauthorizedRequestException", "TF400813: The user '' is not authorized to access this resource."
	case http.StatusForbidden:
		return "AccessCheckException", "VS402356: You do not have the permissions required to perform the attempted operation."
	case http.StatusNotFound:
		return "ProjectDoesNotExistWithNameException", "TF200016: The following project does not exist. Verify that the name of the project is correct and that the project exists on the specified Azure DevOps Server."
	case http.StatusTooManyRequests:
		return "RequestBlockedException", "TF400733: The request has been canceled: Request was blocked due to exceeding usage of resource 'WorkItemTrackingResource' in namespace 'User'."
	case http.StatusServiceUnavailable:
		return "VssServiceException", "Service Unavailable"
	}
	return "VssServiceException", http.StatusText(status)
}

// applyFault answers the request as the fault says. It reports whether the
// normal answer should follow (only after a FaultDelay).
func (s *Server) applyFault(w http.ResponseWriter, r *http.Request, f *Fault) bool {
	if f.RetryAfter != "" {
		w.Header().Set("Retry-After", f.RetryAfter)
	}
	for k, vs := range f.Header {
		for _, v := range vs {
			w.Header().Add(k, v)
		}
	}
	if !sleep(r, f.Delay) {
		return false
	}
	switch f.Kind {
	case FaultDelay:
		return true
	case FaultStatus:
		status := f.Status
		if status == 0 {
			status = http.StatusInternalServerError
		}
		switch {
		case f.EmptyBody:
			w.Header().Set("Content-Length", "0")
			w.WriteHeader(status)
		case f.Body == "" && (f.ContentType == "" || strings.Contains(f.ContentType, "json")):
			typeKey, msg := envelopeFor(status)
			writeError(w, status, typeKey, msg)
		default:
			ct := f.ContentType
			if ct == "" {
				ct = jsonContentType
			}
			w.Header().Set("Content-Type", ct)
			w.WriteHeader(status)
			_, _ = w.Write([]byte(f.Body))
		}
	case FaultMalformed:
		w.Header().Set("Content-Type", jsonContentType)
		_, _ = w.Write([]byte(`{"count":2,"value":[{"id":"0000","name":`))
	case FaultTruncated:
		body := `{"count":2,"value":[{"id":"00000000-0000-0000-0000-000000000001","name":"Trunc`
		w.Header().Set("Content-Type", jsonContentType)
		w.Header().Set("Content-Length", strconv.Itoa(len(body)+4096))
		_, _ = w.Write([]byte(body)) // the server closes the connection short of the length
	case FaultSignIn:
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.WriteHeader(http.StatusNonAuthoritativeInfo)
		_, _ = w.Write([]byte(signInPage))
	case FaultOversized:
		size := f.Size
		if size <= 0 {
			size = 40 << 20
		}
		w.Header().Set("Content-Type", jsonContentType)
		chunk := []byte(strings.Repeat("a", 64<<10))
		if _, err := fmt.Fprint(w, `{"count":1,"value":[{"name":"`); err != nil {
			return false
		}
		for written := 0; written < size; written += len(chunk) {
			if _, err := w.Write(chunk); err != nil {
				return false // the client stopped reading
			}
		}
		_, _ = w.Write([]byte(`"}]}`))
	case FaultDrop:
		if conn, _, err := http.NewResponseController(w).Hijack(); err == nil {
			_ = conn.Close()
			return false
		}
		panic(http.ErrAbortHandler) // closes the connection without an answer
	case FaultHang:
		<-r.Context().Done()
	}
	return false
}

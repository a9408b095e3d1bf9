package main

import (
	"net/http"

	"github.com/azdosync/azdosync/orgconfig"
)

// statesUnavailableStatus is the status of an answer that needed the
// states Azure DevOps could not give, by the form's Reason:
//
//   - 503 Service Unavailable for what passes: Azure DevOps unreachable
//     (ReasonUnreachable, ReasonNoStates) or throttling (ReasonThrottled,
//     with its Retry-After);
//   - 502 Bad Gateway for what an admin must fix before a retry can help:
//     the credentials refused (ReasonUnauthorized) or producing no token
//     (ReasonNoCredential), a permission missing (ReasonForbidden), no
//     organization at the URL (ReasonNotFound), more projects than the
//     Client lists (ReasonTooManyProjects).
//
// The problem's detail is the form's disabledReason, which says which.
func statesUnavailableStatus(r orgconfig.Reason) int {
	switch r {
	case orgconfig.ReasonUnauthorized, orgconfig.ReasonNoCredential, orgconfig.ReasonForbidden,
		orgconfig.ReasonNotFound, orgconfig.ReasonTooManyProjects:
		return http.StatusBadGateway
	}
	return http.StatusServiceUnavailable
}

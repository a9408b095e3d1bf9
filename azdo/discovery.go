package azdo

import (
	"bytes"
	"encoding/json"

	"github.com/google/uuid"
	"github.com/microsoft/azure-devops-go-api/azuredevops/v7"
)

// neededLocations are the locations every Client uses first, whatever the
// server: the project list.
var neededLocations = [...]uuid.UUID{
	uuid.MustParse("603fe2ac-9723-48b9-88ad-09305aa6c6e1"),
}

// checkLocations vets a successful answer of the location discovery
// (OPTIONS _apis) before the SDK reads it. The SDK dereferences an entry's
// fields without checking them, so an entry without its id, area, resource
// name, route template, versions panics; and it caches the answer for the
// organization's URL for the life of the process, so an answer without the
// locations a Client needs would fail every later call. Incomplete entries
// are dropped (the body is then written anew); an answer without the
// needed locations is ErrBadResponse. A body that does not decode is
// handed on: the SDK reports it.
func checkLocations(status int, body []byte) ([]byte, error) {
	var env struct {
		Count int                                `json:"count"`
		Value []*azuredevops.ApiResourceLocation `json:"value"`
	}
	if json.Unmarshal(bytes.TrimPrefix(body, []byte("\xef\xbb\xbf")), &env) != nil {
		return body, nil
	}
	kept := make([]*azuredevops.ApiResourceLocation, 0, len(env.Value))
	have := make(map[uuid.UUID]bool)
	for _, l := range env.Value {
		if l == nil || l.Id == nil || l.Area == nil || l.ResourceName == nil || l.RouteTemplate == nil ||
			l.ResourceVersion == nil || l.MinVersion == nil || l.MaxVersion == nil || l.ReleasedVersion == nil {
			continue
		}
		kept = append(kept, l)
		have[*l.Id] = true
	}
	for _, id := range neededLocations {
		if !have[id] {
			return nil, &APIError{StatusCode: status, Kind: ErrBadResponse,
				Message: "the location discovery answer lacks the location " + id.String()}
		}
	}
	if len(kept) == len(env.Value) {
		return body, nil
	}
	env.Count, env.Value = len(kept), kept
	return json.Marshal(env)
}

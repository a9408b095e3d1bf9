package azdo

import (
	"context"

	"github.com/microsoft/azure-devops-go-api/azuredevops/v7/location"
)

// opConnectionData is the operation of [Client.ConnectedAs] in errors.
const opConnectionData = "get connection data"

// Identity is who Azure DevOps takes a Client's credential for: a user, or
// the service principal or managed identity behind an Entra ID token.
type Identity struct {
	// ID is Azure DevOps's ID of the identity (a GUID), the same from
	// every replica and for every credential of the identity: a key for
	// what the identity shares, such as WithSharedThrottle's.
	ID string
	// DisplayName is the name its identity provider gives it, such as
	// "Jamal Hartnett" or an application's name.
	DisplayName string
}

// ConnectedAs asks Azure DevOps who the Client's credential authenticates
// as (GET _apis/connectionData, its authenticatedUser), so that an admin
// can see which account the integration acts as. It needs no permission
// beyond signing in. Errors are [*APIError]s naming the operation "get connection data", as
// for the other calls; an answer without the user's ID is ErrBadResponse.
func (c *Client) ConnectedAs(ctx context.Context) (Identity, error) {
	if err := c.notMade(opConnectionData); err != nil {
		return Identity{}, err
	}
	data, err := c.location.GetConnectionData(ctx, location.GetConnectionDataArgs{})
	if err != nil {
		return Identity{}, fail(ctx, opConnectionData, err)
	}
	user := data.AuthenticatedUser
	if user == nil || user.Id == nil {
		return Identity{}, &APIError{Op: opConnectionData, Kind: ErrBadResponse, Message: "the answer names no authenticated user"}
	}
	id := Identity{ID: user.Id.String()}
	if user.ProviderDisplayName != nil {
		id.DisplayName = *user.ProviderDisplayName
	}
	if user.CustomDisplayName != nil && *user.CustomDisplayName != "" {
		id.DisplayName = *user.CustomDisplayName
	}
	return id, nil
}

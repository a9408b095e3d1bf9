package azdo_test

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"github.com/azdosync/azdosync/azdo"
	"github.com/azdosync/azdosync/azdo/azdotest"
	"github.com/azdosync/azdosync/features"
	"github.com/azdosync/azdosync/orgconfig"
)

// A token read from a file or an environment keeps its newline more often
// than not. No PAT or OAuth token holds white space or a control
// character, so New refuses them, saying so: a PAT with a newline was
// sent and read as "Azure DevOps refused the credentials", and a bearer
// token with one failed in net/http and read as "could not reach Azure
// DevOps" (ReasonUnreachable), after retries.
func TestTokenWithWhiteSpace(t *testing.T) {
	const want = "azdo: new client: credential: token contains white space or a control character (a newline read with it?)"
	for name, cred := range map[string]azdo.Credential{
		"pat, trailing newline":    azdo.PAT("pat\n"),
		"pat, leading space":       azdo.PAT(" pat"),
		"pat, CRLF":                azdo.PAT("pat\r\n"),
		"pat, NUL":                 azdo.PAT("pa\x00t"),
		"bearer, trailing newline": azdo.Bearer("token\n"),
		"bearer, inner space":      azdo.Bearer("to ken"),
		"bearer, DEL":              azdo.Bearer("token\x7f"),
	} {
		t.Run(name, func(t *testing.T) {
			c, err := azdo.New("https://dev.azure.com/fabrikam", cred)
			if c != nil || fmt.Sprint(err) != want {
				t.Errorf("New = %v, %v; want nil, %q", c, err, want)
			}
		})
	}

	// A TokenFunc's tokens come later: one with a newline fails the
	// request as no credential (a kind of refused credentials), before
	// anything is sent.
	srv := azdotest.NewServer(t, azdotest.SampleOrg(), azdotest.WithBearer("token"))
	c, err := azdo.New(srv.URL(), azdo.TokenFunc(func(context.Context) (string, error) { return "token\n", nil }))
	if err != nil {
		t.Fatal(err)
	}
	b, err := orgconfig.NewBuilder(c, features.Static(true))
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := b.Build(t.Context(), "acme")
	if err != nil {
		t.Fatal(err)
	}
	if len(cfg.Problems) != 1 || cfg.Reason != orgconfig.ReasonNoCredential || !errors.Is(cfg.Problems[0], orgconfig.ErrUnauthorized) ||
		cfg.Problems[0].Error() != "azdo: list projects: no credentials: token func returned a token containing white space or a control character" {
		t.Errorf("Reason %q, Problems %q; want %q and one unauthorized problem", cfg.Reason, cfg.Problems, orgconfig.ReasonNoCredential)
	}
	if n := srv.Count(); n != 0 {
		t.Errorf("%d requests sent", n)
	}
}

// The same newline, or a space pasted at either end, in an organization
// URL: a trailing space was accepted (as ".../fabrikam%20", then 404 on
// every request, read as "could not reach Azure DevOps") and a newline
// refused as "organization url does not parse" without saying why.
func TestURLWithWhiteSpace(t *testing.T) {
	const why = "does not parse: it has white space at either end or a control character (a newline read with it?)"
	for _, raw := range []string{
		"https://dev.azure.com/fabrikam\n",
		"https://dev.azure.com/fabrikam\r\n",
		" https://dev.azure.com/fabrikam",
		"https://dev.azure.com/fabrikam ",
		"\thttps://dev.azure.com/fabrikam",
		"https://dev.azure.com/fab\x00rikam",
		"https://dev.azure.com/org\nHost: evil",
	} {
		t.Run(fmt.Sprintf("%q", raw), func(t *testing.T) {
			c, err := azdo.New(raw, azdo.PAT("pat"))
			if want := "azdo: new client: organization url " + why; c != nil || fmt.Sprint(err) != want {
				t.Errorf("New = %v, %v; want nil, %q", c, err, want)
			}
		})
	}
	_, err := azdo.OrgURL(t.Context(), "fabrikam", azdo.WithLocationService("https://app.vssps.visualstudio.com\n"))
	if want := "azdo: look up organization url: location service url " + why; fmt.Sprint(err) != want {
		t.Errorf("OrgURL error %v, want %q", err, want)
	}
	// A space inside stays allowed: on-premises collection names may hold one.
	if c, err := azdo.New("https://tfs.example.com/tfs/Default Collection", azdo.PAT("pat")); err != nil || c.URL() != "https://tfs.example.com/tfs/Default%20Collection" {
		t.Errorf("New = %v, %v", c, err)
	}
}

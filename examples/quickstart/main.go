// Command quickstart builds the Azure DevOps organization configuration form
// and prints it as JSON.
//
// With no organization given, it starts azdotest's sample organization in
// process, so it runs anywhere with nothing but Go:
//
//	go run ./examples/quickstart
//
// Against a real organization, give its URL and sign in with Microsoft
// Entra ID, as Microsoft asks integrations to: -entra uses azidentity's
// DefaultAzureCredential, which reads the usual AZURE_* variables (a
// service principal's AZURE_TENANT_ID, AZURE_CLIENT_ID and
// AZURE_CLIENT_SECRET; a workload identity's AZURE_FEDERATED_TOKEN_FILE),
// else a managed identity or the Azure CLI's sign-in; AZURE_AUTHORITY_HOST
// names another authority (then without instance discovery):
//
//	AZDO_ORG_URL=https://dev.azure.com/fabrikam go run ./examples/quickstart -entra
//
// or a personal access token scoped to the organization, in an environment
// variable:
//
//	AZDO_ORG_URL=https://dev.azure.com/fabrikam AZDO_PAT=... go run ./examples/quickstart
//	go run ./examples/quickstart -org https://dev.azure.com/fabrikam -pat-env MY_PAT
//
// The variables of the Terraform provider for Azure DevOps,
// AZDO_ORG_SERVICE_URL and AZDO_PERSONAL_ACCESS_TOKEN, work too.
//
// or, as the reference integration stores it, the organization's ID (a
// GUID) or name, whose URL is looked up first with azdo.OrgURL:
//
//	AZDO_PAT=... go run ./examples/quickstart -account fabrikam
//
// The form (exactly json.Marshal of the fields, indented) goes to stdout; a
// summary goes to stderr, naming the account the credential acts as when
// Azure DevOps answered (azdo.Client.ConnectedAs). Exit status: 0 on success (and for -h); 1 on
// failure, including a degraded form — one whose status field is disabled
// because Azure DevOps could not be reached, refused the credentials or
// the permission, or gave no states — so that a script can tell; 2 on a
// usage error. Messages name where a setting came from (-org, -account,
// $AZDO_ORG_URL), and a bad URL is reported before a missing token.
package main

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"strconv"
	"strings"
	"sync/atomic"
	"time"
	"unicode"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"
	"github.com/Azure/azure-sdk-for-go/sdk/azidentity"

	"github.com/azdosync/azdosync/azdo"
	"github.com/azdosync/azdosync/azdo/azdotest"
	"github.com/azdosync/azdosync/features"
	"github.com/azdosync/azdosync/orgconfig"
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr, os.Getenv))
}

// quickstart is the whole program: where the organization is, how to sign
// in, then one Build and its output.
func quickstart(args []string, stdout, stderr io.Writer, getenv func(string) string) error {
	f, err := parseFlags(args, stderr)
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(context.Background(), f.timeout)
	defer cancel()
	var requests atomic.Int64 // every request that reaches the network
	hc := &http.Client{Transport: countingTransport{base: http.DefaultTransport, n: &requests}}

	org, err := findOrganization(ctx, f, getenv, hc) // a URL, or the built-in sample
	if err != nil {
		return err
	}
	defer org.close()
	cred, credSource, err := credential(f, org, getenv)
	if err != nil {
		return err
	}
	client, err := azdo.New(org.url, cred, azdo.WithHTTPClient(hc))
	switch {
	case errors.Is(err, azdo.ErrInvalidURL): // checked first: the URL is wrong whatever the token
		return usageError{msg: fmt.Sprintf("%s: %v", org.source, err)}
	case errors.Is(err, azdo.ErrInvalidCredential) && credSource != "-entra" && org.token == "":
		return usageError{msg: fmt.Sprintf("%s needs a personal access token in %s", org.source, credSource)}
	case err != nil:
		return usageError{msg: fmt.Sprintf("%s: %v", credSource, err)}
	}
	builder, err := orgconfig.NewBuilder(client, features.Static(f.feature), f.builderOptions()...)
	if err != nil {
		return usageError{msg: err.Error()}
	}

	start := time.Now()
	cfg, err := builder.Build(ctx, "quickstart") // your platform's organization, for the feature gate
	if err != nil {
		return err // only when ctx is done
	}
	if err := printForm(stdout, cfg); err != nil {
		return err
	}
	printSummary(ctx, stderr, org, client, cfg, requests.Load(), time.Since(start))
	if degraded(cfg.Reason) {
		return fmt.Errorf("the form is degraded (%s): %s", cfg.Reason, cfg.Reason.Text())
	}
	return nil
}

// flags are the command line.
type flags struct {
	org, account, locationService, patEnv string
	entra, feature, perProject            bool
	limit                                 int
	timeout                               time.Duration
	set                                   map[string]bool // the flags given
}

func parseFlags(args []string, stderr io.Writer) (*flags, error) {
	f := &flags{set: map[string]bool{}}
	fs := flag.NewFlagSet("quickstart", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&f.org, "org", "", "Azure DevOps organization URL, such as https://dev.azure.com/fabrikam (default $AZDO_ORG_URL or $AZDO_ORG_SERVICE_URL; with none of them nor -account, the built-in sample organization runs)")
	fs.StringVar(&f.account, "account", "", "Azure DevOps organization ID (a GUID) or name, instead of -org: its URL is looked up with the location service")
	fs.StringVar(&f.locationService, "location-service", "https://app.vssps.visualstudio.com", "where -account is looked up")
	fs.StringVar(&f.patEnv, "pat-env", "AZDO_PAT", "name of the environment variable holding the personal access token (by default $AZDO_PERSONAL_ACCESS_TOKEN is read too)")
	fs.BoolVar(&f.entra, "entra", false, "sign in with Microsoft Entra ID instead of a personal access token: azidentity's DefaultAzureCredential (AZURE_TENANT_ID, AZURE_CLIENT_ID, AZURE_CLIENT_SECRET, a workload or managed identity, or the Azure CLI)")
	fs.BoolVar(&f.feature, "feature", true, "whether your platform's organization has the issue-sync feature, as the feature gate answers (false shows the gated form)")
	fs.IntVar(&f.limit, "limit", 0, "offer states for the first N projects only, as the reference offered six (0 = all); states come one request per process, not per project, so this saves requests only where they come per project (Azure DevOps Server without the process API)")
	fs.DurationVar(&f.timeout, "timeout", 30*time.Second, "give up after this long")
	fs.BoolVar(&f.perProject, "per-project", false, "offer each project only its own states")
	fs.Usage = func() {
		fmt.Fprintln(fs.Output(), "usage: quickstart [flags]\n\nBuilds the Azure DevOps organization configuration form and prints it as JSON.\nFlags:")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil, err
		}
		return nil, usageError{msg: err.Error(), printed: true}
	}
	fs.Visit(func(fl *flag.Flag) { f.set[fl.Name] = true })
	switch {
	case fs.NArg() > 0:
		// Not repeated: it may be a token, which a CI log would keep.
		return nil, usageError{msg: fmt.Sprintf("unexpected arguments after the flags (%d): every value is a flag's, and the token goes in an environment variable (-pat-env)", fs.NArg())}
	case f.limit < 0:
		return nil, usageError{msg: "-limit must not be negative"}
	case f.timeout <= 0:
		return nil, usageError{msg: "-timeout must be positive"}
	case f.set["org"] && f.set["account"]:
		return nil, usageError{msg: "give -org or -account, not both"}
	}
	return f, nil
}

func (f *flags) builderOptions() []orgconfig.Option {
	opts := []orgconfig.Option{orgconfig.WithStateProjectLimit(f.limit)}
	if f.perProject {
		opts = append(opts, orgconfig.WithPerProjectChoices())
	}
	return opts
}

// organization is where the form is read from.
type organization struct {
	url       string
	source    string // the setting it came from, for messages: -org, -account, $AZDO_ORG_URL
	described string // for the summary
	token     string // the built-in sample's, else the one in the environment
	close     func()
}

const demoPAT = "quickstart-demo-pat"

// findOrganization takes the organization from a flag, else the
// environment, else starts the built-in sample; -account is looked up.
func findOrganization(ctx context.Context, f *flags, getenv func(string) string, hc *http.Client) (*organization, error) {
	org := &organization{close: func() {}}
	switch {
	case f.set["account"]:
		org.source = "-account"
	case f.set["org"]:
		org.url, org.source = f.org, "-org"
	default:
		for _, name := range []string{"AZDO_ORG_URL", "AZDO_ORG_SERVICE_URL"} {
			if v := getenv(name); v != "" {
				org.url, org.source = v, "$"+name
				break
			}
		}
	}
	switch {
	case org.source == "":
		if f.entra {
			return nil, usageError{msg: "-entra needs a real organization: -org, -account or $AZDO_ORG_URL"}
		}
		srv, err := azdotest.Start(azdotest.SampleOrg(), azdotest.WithPAT(demoPAT))
		if err != nil {
			return nil, err
		}
		org.url, org.token, org.close = srv.URL(), demoPAT, srv.Close
		org.described = "built-in sample organization (azdotest)"
	case org.source == "-account":
		if _, source := envToken(f, getenv); source != "" && !f.entra { // before the lookup asks anyone
			return nil, usageError{msg: "-account needs a personal access token in " + source}
		}
		found, err := azdo.OrgURL(ctx, f.account, azdo.WithLocationService(f.locationService), azdo.WithHTTPClient(hc))
		if errors.Is(err, azdo.ErrInvalidAccount) || errors.Is(err, azdo.ErrInvalidURL) {
			return nil, usageError{msg: fmt.Sprintf("-account %q: %v", f.account, err)}
		} else if err != nil {
			return nil, fmt.Errorf("-account %q: %w", f.account, err)
		}
		org.url, org.described = found, fmt.Sprintf("%s (from -account %s)", found, f.account)
	default:
		org.described = fmt.Sprintf("%s (from %s)", org.url, org.source)
	}
	return org, nil
}

// entraTransport, when set (by tests, to trust a fake Entra endpoint's
// certificate), carries -entra's token requests.
var entraTransport policy.Transporter

// envToken reads the personal access token from -pat-env's variable, or
// by default $AZDO_PERSONAL_ACCESS_TOKEN too. When there is none, missing
// names where it was looked for.
func envToken(f *flags, getenv func(string) string) (token, missing string) {
	names := []string{f.patEnv}
	if !f.set["pat-env"] {
		names = append(names, "AZDO_PERSONAL_ACCESS_TOKEN")
	}
	for _, name := range names {
		if token = getenv(name); token != "" {
			return token, ""
		}
	}
	shown := make([]string, len(names))
	for i, name := range names {
		shown[i] = envName(name)
	}
	return "", strings.Join(shown, " or ")
}

// envName names an environment variable in messages: $NAME, but not a
// name with a lower-case letter, which may be a token given to -pat-env
// by mistake (a CI log would keep it).
func envName(name string) string {
	if strings.ContainsFunc(name, unicode.IsLower) {
		return "the variable -pat-env names"
	}
	return "$" + name
}

// credential signs in with Entra ID (-entra) or a personal access token
// from the environment; source names it in messages.
func credential(f *flags, org *organization, getenv func(string) string) (cred azdo.Credential, source string, err error) {
	if f.entra {
		entra, err := azidentity.NewDefaultAzureCredential(&azidentity.DefaultAzureCredentialOptions{
			ClientOptions:            azcore.ClientOptions{Transport: entraTransport},
			DisableInstanceDiscovery: getenv("AZURE_AUTHORITY_HOST") != "",
		})
		if err != nil {
			return nil, "", usageError{msg: fmt.Sprintf("-entra: %v", err)}
		}
		return azdo.EntraID(entra), "-entra", nil
	}
	source = envName(f.patEnv)
	if org.token == "" {
		var missing string
		org.token, missing = envToken(f, getenv)
		source = cmp.Or(missing, source)
	}
	return azdo.PAT(org.token), source, nil
}

// usageError is a mistake in the command line or environment: exit 2.
// printed is set when the flag package has already said it.
type usageError struct {
	msg     string
	printed bool
}

func (e usageError) Error() string { return e.msg }

func run(args []string, stdout, stderr io.Writer, getenv func(string) string) int {
	err := quickstart(args, stdout, stderr, getenv)
	var usage usageError
	switch {
	case err == nil:
		return 0
	case errors.Is(err, flag.ErrHelp):
		return 0
	case errors.As(err, &usage):
		if !usage.printed {
			fmt.Fprintln(stderr, "quickstart:", terminalSafe(err.Error()))
		}
		return 2
	default:
		fmt.Fprintln(stderr, "quickstart:", terminalSafe(err.Error()))
		return 1
	}
}

// terminalSafe is s as printed to a terminal: quoted, with its control
// characters escaped, when it has any. What Azure DevOps says (a display
// name, an error's message) could otherwise hold escape sequences that
// retitle or clear the terminal, or rewrite the lines above.
func terminalSafe(s string) string {
	if strings.ContainsFunc(s, func(r rune) bool { return !unicode.IsGraphic(r) }) {
		return strconv.Quote(s)
	}
	return s
}

// printForm writes exactly json.Marshal(cfg.Fields), indented: what a
// platform's frontend renders.
func printForm(w io.Writer, cfg *orgconfig.Config) error {
	out, err := json.MarshalIndent(cfg.Fields, "", "  ")
	if err != nil {
		return err
	}
	_, err = w.Write(append(out, '\n'))
	return err
}

// printSummary says what the Build saw: the organization, who the
// credential acts as, how many projects and states, requests, problems.
func printSummary(ctx context.Context, w io.Writer, org *organization, client *azdo.Client, cfg *orgconfig.Config, requests int64, elapsed time.Duration) {
	distinct := map[string]bool{}
	for _, states := range cfg.States {
		for _, s := range states {
			distinct[s.Name] = true
		}
	}
	fmt.Fprintf(w, "organization: %s\n", org.described)
	if cfg.Reason == "" || cfg.Reason == orgconfig.ReasonNoStates {
		// Azure DevOps answered: say which account the credential acts as.
		if me, err := client.ConnectedAs(ctx); err == nil {
			fmt.Fprintf(w, "connected as: %s (%s)\n", terminalSafe(me.DisplayName), terminalSafe(me.ID))
		}
	}
	fmt.Fprintf(w, "projects: %d (states for %d), distinct states: %d\n", len(cfg.Projects), len(cfg.States), len(distinct))
	fmt.Fprintf(w, "requests: %d, elapsed: %v\n", requests, elapsed.Round(time.Millisecond))
	fmt.Fprintf(w, "problems: %d\n", len(cfg.Problems))
	for _, p := range cfg.Problems {
		fmt.Fprintf(w, "  - %s\n", terminalSafe(p.Error()))
	}
	if cfg.Reason == orgconfig.ReasonNoAccess {
		// Not a failure (the gate said no, as asked), but zero projects and
		// zero problems alone would read like an empty organization.
		fmt.Fprintf(w, "form: disabled (%s): %s (-feature=false)\n", cfg.Reason, cfg.Reason.Text())
	}
}

// degraded reports whether a form disabled for this reason is degraded:
// anything but usable ("") or gated on purpose (the gate said no).
func degraded(r orgconfig.Reason) bool {
	return r != "" && r != orgconfig.ReasonNoAccess
}

// countingTransport counts the requests that reach the network.
type countingTransport struct {
	base http.RoundTripper
	n    *atomic.Int64
}

func (t countingTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	t.n.Add(1)
	return t.base.RoundTrip(r)
}

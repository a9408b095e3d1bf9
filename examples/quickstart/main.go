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
// usage error. Messages name where a setting came from: -org, -account or
// $AZDO_ORG_URL.
package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"sync/atomic"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"
	"github.com/Azure/azure-sdk-for-go/sdk/azidentity"

	"github.com/azdosync/azdosync/azdo"
	"github.com/azdosync/azdosync/azdo/azdotest"
	"github.com/azdosync/azdosync/features"
	"github.com/azdosync/azdosync/orgconfig"
)

const demoPAT = "quickstart-demo-pat"

// entraTransport, when set (by tests, to trust a fake Entra endpoint's
// certificate), carries -entra's token requests.
var entraTransport policy.Transporter

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr, os.Getenv))
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
			fmt.Fprintln(stderr, "quickstart:", err)
		}
		return 2
	default:
		fmt.Fprintln(stderr, "quickstart:", err)
		return 1
	}
}

func quickstart(args []string, stdout, stderr io.Writer, getenv func(string) string) error {
	fs := flag.NewFlagSet("quickstart", flag.ContinueOnError)
	fs.SetOutput(stderr)
	orgURL := fs.String("org", "", "Azure DevOps organization URL, such as https://dev.azure.com/fabrikam (default $AZDO_ORG_URL; neither this, $AZDO_ORG_URL nor -account runs the built-in sample organization)")
	account := fs.String("account", "", "Azure DevOps organization ID (a GUID) or name, instead of -org: its URL is looked up with the location service")
	locationService := fs.String("location-service", "https://app.vssps.visualstudio.com", "where -account is looked up")
	patEnv := fs.String("pat-env", "AZDO_PAT", "name of the environment variable holding the personal access token")
	entra := fs.Bool("entra", false, "sign in with Microsoft Entra ID instead of a personal access token: azidentity's DefaultAzureCredential (AZURE_TENANT_ID, AZURE_CLIENT_ID, AZURE_CLIENT_SECRET, a workload or managed identity, or the Azure CLI)")
	feature := fs.Bool("feature", true, "whether your platform's organization has the issue-sync feature, as the feature gate answers (false shows the gated form)")
	limit := fs.Int("limit", 0, "fetch states for the first N projects only (0 = all)")
	timeout := fs.Duration("timeout", 30*time.Second, "give up after this long")
	perProject := fs.Bool("per-project", false, "offer each project only its own states")
	fs.Usage = func() {
		fmt.Fprintln(fs.Output(), "usage: quickstart [flags]\n\nBuilds the Azure DevOps organization configuration form and prints it as JSON.\nFlags:")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return err
		}
		return usageError{msg: err.Error(), printed: true}
	}
	if fs.NArg() > 0 {
		return usageError{msg: fmt.Sprintf("unexpected argument %q", fs.Arg(0))}
	}
	if *limit < 0 {
		return usageError{msg: "-limit must not be negative"}
	}
	if *timeout <= 0 {
		return usageError{msg: "-timeout must be positive"}
	}
	set := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { set[f.Name] = true })

	ctx, cancel := context.WithTimeout(context.Background(), *timeout)
	defer cancel()

	var requests atomic.Int64
	counting := &http.Client{Transport: countingTransport{base: http.DefaultTransport, n: &requests}}

	// Where the organization comes from: a flag, else the environment,
	// else the built-in sample. source names it in messages.
	var url, source string
	switch {
	case set["org"] && set["account"]:
		return usageError{msg: "give -org or -account, not both"}
	case set["account"]:
		source = "-account"
	case set["org"]:
		url, source = *orgURL, "-org"
	case getenv("AZDO_ORG_URL") != "":
		url, source = getenv("AZDO_ORG_URL"), "$AZDO_ORG_URL"
	}
	pat, described := "", ""
	switch {
	case source == "-account" && *account == "", source != "-account" && url == "":
		if source != "" {
			return usageError{msg: source + " is empty"}
		}
		if *entra {
			return usageError{msg: "-entra needs a real organization: -org, -account or $AZDO_ORG_URL"}
		}
		srv, err := azdotest.Start(azdotest.SampleOrg(), azdotest.WithPAT(demoPAT))
		if err != nil {
			return err
		}
		defer srv.Close()
		url, pat, described = srv.URL(), demoPAT, "built-in sample organization (azdotest)"
	default:
		if pat = getenv(*patEnv); pat == "" && !*entra {
			return usageError{msg: fmt.Sprintf("%s needs a personal access token in $%s", source, *patEnv)}
		}
		if source == "-account" {
			found, err := azdo.OrgURL(ctx, *account, azdo.WithLocationService(*locationService), azdo.WithHTTPClient(counting))
			if err != nil {
				// A malformed account or -location-service is a usage
				// error; the lookup failing is not.
				if errors.Is(err, azdo.ErrInvalidAccount) || errors.Is(err, azdo.ErrInvalidURL) {
					return usageError{msg: fmt.Sprintf("-account %q: %v", *account, err)}
				}
				return fmt.Errorf("-account %q: %w", *account, err)
			}
			url, described = found, fmt.Sprintf("%s (from -account %s)", found, *account)
		} else {
			described = fmt.Sprintf("%s (from %s)", url, source)
		}
	}

	cred, credSource := azdo.PAT(pat), "$"+*patEnv
	if *entra {
		entraCred, err := azidentity.NewDefaultAzureCredential(&azidentity.DefaultAzureCredentialOptions{
			ClientOptions:            azcore.ClientOptions{Transport: entraTransport},
			DisableInstanceDiscovery: getenv("AZURE_AUTHORITY_HOST") != "",
		})
		if err != nil {
			return usageError{msg: fmt.Sprintf("-entra: %v", err)}
		}
		cred, credSource = azdo.EntraID(entraCred), "-entra"
	}
	client, err := azdo.New(url, cred, azdo.WithHTTPClient(counting))
	if err != nil {
		if errors.Is(err, azdo.ErrInvalidCredential) { // name the setting at fault
			return usageError{msg: fmt.Sprintf("%s: %v", credSource, err)}
		}
		return usageError{msg: fmt.Sprintf("%s: %v", source, err)}
	}
	opts := []orgconfig.Option{orgconfig.WithStateProjectLimit(*limit)}
	if *perProject {
		opts = append(opts, orgconfig.WithPerProjectChoices())
	}
	builder, err := orgconfig.NewBuilder(client, features.Static(*feature), opts...)
	if err != nil {
		return usageError{msg: err.Error()}
	}

	start := time.Now()
	cfg, err := builder.Build(ctx, "quickstart")
	elapsed := time.Since(start)
	if err != nil {
		return err
	}
	var out bytes.Buffer
	raw, err := json.Marshal(cfg.Fields)
	if err != nil {
		return err
	}
	if err := json.Indent(&out, raw, "", "  "); err != nil {
		return err
	}
	out.WriteByte('\n')
	if _, err := stdout.Write(out.Bytes()); err != nil {
		return err
	}

	distinct := map[string]bool{}
	for _, states := range cfg.States {
		for _, s := range states {
			distinct[s.Name] = true
		}
	}
	buildRequests := requests.Load()
	fmt.Fprintf(stderr, "organization: %s\n", described)
	if cfg.Reason == "" || cfg.Reason == orgconfig.ReasonNoStates {
		// Azure DevOps answered: say which account the credential acts as.
		if me, err := client.ConnectedAs(ctx); err == nil {
			fmt.Fprintf(stderr, "connected as: %s (%s)\n", me.DisplayName, me.ID)
		}
	}
	fmt.Fprintf(stderr, "projects: %d (states for %d), distinct states: %d\n", len(cfg.Projects), len(cfg.States), len(distinct))
	fmt.Fprintf(stderr, "requests: %d, elapsed: %v\n", buildRequests, elapsed.Round(time.Millisecond))
	fmt.Fprintf(stderr, "problems: %d\n", len(cfg.Problems))
	for _, p := range cfg.Problems {
		fmt.Fprintf(stderr, "  - %v\n", p)
	}
	if cfg.Reason == orgconfig.ReasonNoAccess {
		// Not a failure (the gate said no, as asked), but zero projects and
		// zero problems alone would read like an empty organization.
		fmt.Fprintf(stderr, "form: disabled (%s): %s (-feature=false)\n", cfg.Reason, cfg.Reason.Text())
	}
	if degraded(cfg.Reason) {
		return fmt.Errorf("the form is degraded (%s): %s", cfg.Reason, cfg.Reason.Text())
	}
	return nil
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

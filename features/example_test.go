package features_test

import (
	"context"
	"fmt"
	"log"
	"time"

	"github.com/azdosync/azdosync/features"
	"github.com/azdosync/azdosync/orgconfig"
)

func ExampleStatic() {
	on, _ := features.Static(true).Enabled(context.Background(), "any-org", orgconfig.FeatureIssueSync)
	fmt.Println(on)
	// Output: true
}

func ExampleSet() {
	var gate features.Set
	gate.Enable("acme", orgconfig.FeatureIssueSync)
	ctx := context.Background()
	acme, _ := gate.Enabled(ctx, "acme", orgconfig.FeatureIssueSync)
	other, _ := gate.Enabled(ctx, "globex", orgconfig.FeatureIssueSync)
	fmt.Println(acme, other)
	// Output: true false
}

func ExampleFunc() {
	plans := map[string]string{"acme": "business", "globex": "team"}
	gate := features.Func(func(ctx context.Context, orgID, feature string) (bool, error) {
		plan, ok := plans[orgID]
		if !ok {
			return false, fmt.Errorf("no plan for organization %q", orgID)
		}
		return plan == "business", nil
	})
	ctx := context.Background()
	for _, org := range []string{"acme", "globex", "initech"} {
		on, err := gate.Enabled(ctx, org, orgconfig.FeatureIssueSync)
		fmt.Println(org, on, err)
	}
	// Output:
	// acme true <nil>
	// globex false <nil>
	// initech false no plan for organization "initech"
}

func ExampleCached() {
	asked := 0
	slow := features.Func(func(context.Context, string, string) (bool, error) {
		asked++
		return true, nil
	})
	gate, err := features.Cached(slow, time.Minute)
	if err != nil {
		log.Fatal(err)
	}
	for range 3 {
		_, _ = gate.Enabled(context.Background(), "acme", orgconfig.FeatureIssueSync)
	}
	fmt.Println("asked", asked, "time")
	// Output: asked 1 time
}

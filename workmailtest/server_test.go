package workmailtest_test

import (
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsmiddleware "github.com/aws/aws-sdk-go-v2/aws/middleware"
	"github.com/aws/aws-sdk-go-v2/service/workmail"
	"github.com/aws/smithy-go/middleware"

	"github.com/workmaild/workmaild/server"
	"github.com/workmaild/workmaild/workmailtest"
)

func TestClientUsesDefaultAccountAndRegion(t *testing.T) {
	srv := workmailtest.NewServer(t)
	id := createOrg(t, srv.Client(), "example-corp")
	arn, state, _ := describe(t, srv.Client(), id)
	if want := "arn:aws:workmail:us-east-1:123456789012:organization/" + id; arn != want || state != "Active" {
		t.Fatalf("ARN %s, state %s; want %s, Active", arn, state, want)
	}
}

func TestURLIsARealEndpoint(t *testing.T) {
	srv := workmailtest.NewServer(t)
	if !strings.HasPrefix(srv.URL, "http://127.0.0.1:") {
		t.Fatalf("URL %q is not a loopback endpoint", srv.URL)
	}
	// Any HTTP client reaches it, not only the ones the server hands out.
	resp, err := http.Get(srv.URL + server.HealthPath)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK || !strings.Contains(string(body), `"ok"`) {
		t.Fatalf("health: %d %s", resp.StatusCode, body)
	}
	// A client built by the user from Config talks to the same server.
	cfg := srv.Config()
	if aws.ToString(cfg.BaseEndpoint) != srv.URL {
		t.Fatalf("Config BaseEndpoint %v, want %s", cfg.BaseEndpoint, srv.URL)
	}
	own := workmail.NewFromConfig(cfg, func(o *workmail.Options) { o.AppID = "my-tool" })
	id := createOrg(t, own, "mine")
	if _, state, _ := describe(t, srv.Client(), id); state != "Active" {
		t.Fatalf("state %s", state)
	}
}

// A failed call is reported at once, never retried behind the test's back.
func TestClientDoesNotRetry(t *testing.T) {
	srv := workmailtest.NewServer(t)
	for _, cfg := range []aws.Config{srv.Config(), srv.ConfigFor("444455556666", "eu-west-1")} {
		if n := cfg.Retryer().MaxAttempts(); n != 1 {
			t.Fatalf("MaxAttempts %d, want 1", n)
		}
	}
}

// The clients must not depend on the machine: a developer's AWS
// environment or files must not redirect or re-sign a test's requests.
func TestClientIgnoresTheEnvironment(t *testing.T) {
	dir := t.TempDir()
	for k, v := range map[string]string{
		"AWS_ENDPOINT_URL":            "http://127.0.0.1:1",
		"AWS_ENDPOINT_URL_WORKMAIL":   "http://127.0.0.1:1",
		"AWS_CA_BUNDLE":               dir + "/missing.pem",
		"AWS_ACCESS_KEY_ID":           "999999999999",
		"AWS_SECRET_ACCESS_KEY":       "x",
		"AWS_REGION":                  "eu-west-1",
		"AWS_DEFAULT_REGION":          "eu-west-1",
		"AWS_PROFILE":                 "missing",
		"AWS_CONFIG_FILE":             dir + "/missing-config",
		"AWS_SHARED_CREDENTIALS_FILE": dir + "/missing-credentials",
	} {
		t.Setenv(k, v)
	}
	srv := workmailtest.NewServer(t)
	id := createOrg(t, srv.Client(), "env")
	if arn, _, _ := describe(t, srv.Client(), id); !strings.HasPrefix(arn, "arn:aws:workmail:us-east-1:123456789012:") {
		t.Fatalf("ARN %s: the client took its account or region from the environment", arn)
	}
}

func TestAccountsAndRegionsAreIsolated(t *testing.T) {
	srv := workmailtest.NewServer(t, workmailtest.WithAccount("111122223333"), workmailtest.WithRegion("eu-west-1"))
	id := createOrg(t, srv.Client(), "example-corp")
	if arn, _, _ := describe(t, srv.Client(), id); arn != "arn:aws:workmail:eu-west-1:111122223333:organization/"+id {
		t.Fatalf("ARN %s", arn)
	}
	for _, other := range []*workmail.Client{
		srv.ClientFor("444455556666", "eu-west-1"),
		srv.ClientFor("111122223333", "us-east-1"),
	} {
		_, err := other.DescribeOrganization(t.Context(), &workmail.DescribeOrganizationInput{OrganizationId: &id})
		wantAPIError(t, err, "OrganizationNotFoundException")
		// The same alias is free elsewhere.
		createOrg(t, other, "example-corp")
	}
	same := workmail.NewFromConfig(srv.ConfigFor("111122223333", "eu-west-1"))
	if _, state, _ := describe(t, same, id); state != "Active" {
		t.Fatalf("ConfigFor the default account: state %s", state)
	}
}

func TestFixedClock(t *testing.T) {
	start := time.Date(2026, 6, 1, 9, 0, 0, 0, time.UTC)
	clock := workmailtest.NewClock(start)
	srv := workmailtest.NewServer(t, workmailtest.WithClock(clock),
		workmailtest.WithOrganizationDelays(server.Lifecycle{CreateDelay: 10 * time.Minute}))
	if srv.Clock() != clock {
		t.Fatal("Clock is not the clock given to WithClock")
	}
	id := createOrg(t, srv.Client(), "slow")
	for _, step := range []struct {
		advance time.Duration
		state   string
	}{{0, "Requested"}, {5 * time.Minute, "Creating"}, {5 * time.Minute, "Active"}} {
		clock.Advance(step.advance)
		if _, state, _ := describe(t, srv.Client(), id); state != step.state {
			t.Fatalf("at %v: state %s, want %s", clock.Now(), state, step.state)
		}
	}
	if _, _, done := describe(t, srv.Client(), id); !done.Equal(start.Add(10 * time.Minute)) {
		t.Fatalf("CompletedDate %v, want %v", done, start.Add(10*time.Minute))
	}
	if !clock.Now().Equal(start.Add(10 * time.Minute)) {
		t.Fatalf("a fixed clock moved by itself: %v", clock.Now())
	}
}

func TestRealClockCanBeAdvanced(t *testing.T) {
	srv := workmailtest.NewServer(t, workmailtest.WithOrganizationDelays(server.Lifecycle{CreateDelay: time.Hour}))
	if d := time.Until(srv.Clock().Now()); d > time.Second || d < -time.Second {
		t.Fatalf("default clock is %v off the real time", d)
	}
	id := createOrg(t, srv.Client(), "slow")
	if _, state, _ := describe(t, srv.Client(), id); state != "Requested" {
		t.Fatalf("state %s", state)
	}
	srv.Clock().Advance(time.Hour)
	if _, state, _ := describe(t, srv.Client(), id); state != "Active" {
		t.Fatalf("after Advance: state %s", state)
	}
}

func TestSeedMakesIDsRepeatable(t *testing.T) {
	ids := func(opts ...workmailtest.Option) [2]string {
		srv := workmailtest.NewServer(t, opts...)
		return [2]string{createOrg(t, srv.Client(), "a"), createApp(t, srv.Client())}
	}
	first, again, other := ids(workmailtest.WithSeed(7)), ids(workmailtest.WithSeed(7)), ids(workmailtest.WithSeed(8))
	if first != again {
		t.Fatalf("same seed, different ids: %v and %v", first, again)
	}
	if first[0] == other[0] || first[1] == other[1] {
		t.Fatalf("different seeds, same ids: %v and %v", first, other)
	}
	if unseeded := ids(); unseeded == ids() {
		t.Fatalf("two unseeded servers made the same ids %v", unseeded)
	}
}

// Two servers with the same seed, sent the same calls, answer with the
// same request ids and the same NextTokens.
func TestSeedMakesRequestIDsAndNextTokensRepeatable(t *testing.T) {
	transcript := func(seed uint64) []string {
		start := time.Date(2026, 6, 1, 9, 0, 0, 0, time.UTC)
		srv := workmailtest.NewServer(t, workmailtest.WithSeed(seed), workmailtest.WithClock(workmailtest.NewClock(start)))
		c, ctx := srv.Client(), t.Context()
		var got []string
		for _, alias := range []string{"a", "b", "c"} {
			out, err := c.CreateOrganization(ctx, &workmail.CreateOrganizationInput{Alias: aws.String(alias)})
			if err != nil {
				t.Fatal(err)
			}
			got = append(got, "request "+requestID(t, out.ResultMetadata), "org "+aws.ToString(out.OrganizationId))
		}
		var token *string
		for page := 0; page == 0 || token != nil; page++ {
			out, err := c.ListOrganizations(ctx, &workmail.ListOrganizationsInput{MaxResults: aws.Int32(1), NextToken: token})
			if err != nil {
				t.Fatal(err)
			}
			token = out.NextToken
			got = append(got, "request "+requestID(t, out.ResultMetadata), "token "+aws.ToString(token))
		}
		if len(got) != 6+2*3 {
			t.Fatalf("%d lines, want 3 pages of one organization: %q", len(got), got)
		}
		return got
	}
	first, again, other := transcript(5), transcript(5), transcript(6)
	for i := range first {
		if first[i] != again[i] {
			t.Errorf("same seed: %q, then %q", first[i], again[i])
		}
		if strings.HasPrefix(first[i], "request ") && first[i] == other[i] {
			t.Errorf("different seeds, same %q", first[i])
		}
	}
	if first[7] == "token " {
		t.Fatalf("the first page has no NextToken: %q", first)
	}
}

// requestID is the x-amzn-RequestId of an SDK call's response.
func requestID(t *testing.T, md middleware.Metadata) string {
	t.Helper()
	id, ok := awsmiddleware.GetRequestIDMetadata(md)
	if !ok || id == "" {
		t.Fatal("the SDK found no request id in the response")
	}
	return id
}

func TestCreateActiveOrganization(t *testing.T) {
	start := time.Date(2026, 6, 1, 9, 0, 0, 0, time.UTC)
	srv := workmailtest.NewServer(t, workmailtest.WithClock(workmailtest.NewClock(start)),
		workmailtest.WithOrganizationDelays(server.Lifecycle{CreateDelay: time.Hour}))
	id := srv.CreateActiveOrganization("ready")
	if _, state, done := describe(t, srv.Client(), id); state != "Active" || !done.Equal(start) {
		t.Fatalf("state %s, completed %v; want Active, completed %v", state, done, start)
	}
	// Nothing else moved: the clock stands, other organizations still wait.
	if !srv.Clock().Now().Equal(start) {
		t.Fatalf("clock moved to %v", srv.Clock().Now())
	}
	if _, state, _ := describe(t, srv.Client(), createOrg(t, srv.Client(), "waiting")); state != "Requested" {
		t.Fatalf("an organization created after it is %s", state)
	}
	// It is Active for every operation.
	app := createApp(t, srv.Client())
	if _, err := srv.Client().PutIdentityProviderConfiguration(t.Context(), putConfig(id, app)); err != nil {
		t.Fatal(err)
	}
}

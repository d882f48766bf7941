// Package workmailtest runs a real workmaild inside a Go test, as
// net/http/httptest does for HTTP handlers: one call, no binary to install,
// no port to pick, everything gone when the test ends.
//
//	func TestProvisioning(t *testing.T) {
//		srv := workmailtest.NewServer(t)
//		client := srv.Client() // an aws-sdk-go-v2 *workmail.Client
//		out, err := client.CreateOrganization(t.Context(), &workmail.CreateOrganizationInput{Alias: aws.String("example-corp")})
//		...
//	}
//
// The server is the same stack as the workmaild binary: the awsJson1_1
// protocol, SigV4 parsing, model validation, the service and its store,
// behind a real HTTP listener on the loopback interface. Nothing is
// simplified for tests, so code that passes against it talks to workmaild
// over the network the same way.
//
// Each server has its own in-memory store (or its own database file with
// WithPersistentStore), so servers in parallel tests never see each other.
// Options fix the clock (WithClock), make generated ids repeatable
// (WithSeed), choose the default client's account and region (WithAccount,
// WithRegion) and slow organizations down (WithOrganizationDelays). Helpers
// create state that the API cannot make: an organization that is already
// Active (Server.CreateActiveOrganization) and personal access tokens
// (Server.IssuePersonalAccessToken, Server.CheckPersonalAccessToken).
package workmailtest

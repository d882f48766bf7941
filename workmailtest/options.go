package workmailtest

import (
	"fmt"

	"github.com/workmaild/workmaild/internal/auth"
	"github.com/workmaild/workmaild/server"
)

// Defaults of the default client.
const (
	DefaultAccount = "123456789012"
	DefaultRegion  = "us-east-1"
)

// config is what the options set.
type config struct {
	clock      *Clock
	seed       *uint64
	account    string
	region     string
	persistent bool
	lifecycle  server.Lifecycle
	// availabilityCalls: TestAvailabilityConfiguration may call out.
	availabilityCalls bool
}

func defaultConfig() config {
	return config{account: DefaultAccount, region: DefaultRegion}
}

// An Option configures a Server.
type Option func(*config)

// WithClock makes c the server's clock. Without it the server follows the
// real time, which Server.Clock can still move.
func WithClock(c *Clock) Option { return func(cfg *config) { cfg.clock = c } }

// WithSeed makes generated ids (organization ids, application ARNs, ...),
// request ids (x-amzn-RequestId) and NextTokens the same on every run: the
// server draws them from a ChaCha8 stream seeded with seed. Requests made
// in the same order get the same ids and tokens.
func WithSeed(seed uint64) Option { return func(cfg *config) { cfg.seed = &seed } }

// WithAccount sets the account (a 12-digit id) of Client and Config;
// DefaultAccount otherwise.
func WithAccount(account string) Option { return func(cfg *config) { cfg.account = account } }

// WithRegion sets the region of Client and Config; DefaultRegion otherwise.
func WithRegion(region string) Option { return func(cfg *config) { cfg.region = region } }

// WithPersistentStore keeps the state in the embedded database the
// workmaild binary uses, in a directory from t.TempDir, instead of in
// memory: the same store code and file format as a deployed server,
// without the fsync a test's temporary directory does not need. Slower
// than memory (a few milliseconds to open the database).
func WithPersistentStore() Option { return func(cfg *config) { cfg.persistent = true } }

// WithOrganizationDelays sets how long organizations take to change state,
// as the binary's --org-create-delay, --org-delete-delay and
// --org-deleted-retention flags do. The default makes a new organization
// Active before CreateOrganization returns. A DomainVerificationDelay of
// 0 in lc keeps the one WithDomainVerificationDelay set.
func WithOrganizationDelays(lc server.Lifecycle) Option {
	return func(cfg *config) {
		if lc.DomainVerificationDelay == 0 {
			lc.DomainVerificationDelay = cfg.lifecycle.DomainVerificationDelay
		}
		cfg.lifecycle = lc
	}
}

// WithAvailabilityTestCalls lets TestAvailabilityConfiguration call the
// EWS endpoint it tests (an httptest server, say), as the binary's
// --availability-test-calls flag does. Without it the server makes no
// outbound call and every test answers TestPassed false, saying why.
func WithAvailabilityTestCalls() Option { return func(cfg *config) { cfg.availabilityCalls = true } }

// validate reports the first option that cannot work.
func (cfg config) validate() error {
	if !auth.IsAccountID(cfg.account) {
		return &OptionError{Option: "WithAccount", Reason: fmt.Sprintf("%q is not a 12-digit account id", cfg.account)}
	}
	if cfg.region == "" {
		return &OptionError{Option: "WithRegion", Reason: "the region is empty"}
	}
	return nil
}

// OptionError is an option value that NewServer or ClientFor cannot use.
type OptionError struct {
	Option string
	Reason string
}

func (e *OptionError) Error() string { return "workmailtest: " + e.Option + ": " + e.Reason }

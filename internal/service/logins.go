package service

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/netip"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/workmaild/workmaild/internal/model"
	"github.com/workmaild/workmaild/internal/policy"
	"github.com/workmaild/workmaild/internal/store"
)

// LoginRequest is one mail-client login, as a mail server's password
// database sees it: a login name (an email address of the user, primary or
// alias, in any case), the secret typed as the password, the protocol (an
// access control action: IMAP or SMTP) and the client's address (invalid
// when the mail server does not know it).
type LoginRequest struct {
	Name     string
	Secret   string
	Protocol string
	IP       netip.Addr
}

// Login is an accepted login: who logged in, and with what.
type Login struct {
	Method         LoginMethod
	Account        string
	Region         string
	OrganizationID string
	UserID         string
	Email          string // the user's primary email
	TokenID        string // the personal access token used, for LoginToken
}

// LoginMethod says which secret a login presented.
type LoginMethod string

const (
	LoginToken    LoginMethod = "PersonalAccessToken"
	LoginPassword LoginMethod = "DirectoryPassword"
)

// LoginRefusal is why a login is refused; Login's refusals wrap one.
// A mail server maps them to its own results (docs/mail.md).
type LoginRefusal string

func (r LoginRefusal) Error() string { return string(r) }

const (
	// RefusedUnknownUser: no user has that address (or several
	// organizations do, which a login cannot tell apart).
	RefusedUnknownUser LoginRefusal = "UnknownUser"
	// RefusedWrongSecret: the secret is neither a token of the user nor
	// their directory password.
	RefusedWrongSecret LoginRefusal = "WrongSecret"
	// RefusedTokenExpired: a token of the user, past its ExpiresTime.
	RefusedTokenExpired LoginRefusal = "TokenExpired"
	// RefusedTokensInactive: the organization's personal access tokens are
	// INACTIVE, or it has no identity-provider configuration.
	RefusedTokensInactive LoginRefusal = "TokensInactive"
	// RefusedTokenScope: the token's scopes do not name the protocol.
	RefusedTokenScope LoginRefusal = "TokenScopeNotAllowed"
	// RefusedUserDisabled: the user is not ENABLED.
	RefusedUserDisabled LoginRefusal = "UserDisabled"
	// RefusedUserNotLinked: a token login by a user with no
	// IdentityProviderUserId.
	RefusedUserNotLinked LoginRefusal = "UserNotLinked"
	// RefusedDirectoryPassword: the directory password, in an
	// organization whose mode is IDENTITY_PROVIDER_ONLY.
	RefusedDirectoryPassword LoginRefusal = "DirectoryPasswordNotAllowed"
	// RefusedByRule: an access control rule denies the protocol from the
	// client's address.
	RefusedByRule LoginRefusal = "DeniedByRule"
	// RefusedTooManyFailures: too many recent failures for the login name
	// or the client's address (LoginLimits).
	RefusedTooManyFailures LoginRefusal = "TooManyFailures"
)

// ErrInvalidLogin wraps the reasons a login request cannot be decided.
var ErrInvalidLogin = errors.New("invalid login request")

// Bounds of a login request: an email address (the model's EmailAddress
// is at most 254), and a secret far longer than any token or password.
const (
	maxLoginName   = 254
	maxLoginSecret = 1024
)

// LoginLimits bound repeated failures (unknown names and wrong secrets):
// once a login name, or a client address, has failed PerName (PerIP) times
// within Window of its first failure, its logins are refused unchecked
// until the window ends. The counters are records of the Global
// partition, so every replica counts the same failures. A zero field
// takes its default.
type LoginLimits struct {
	PerName int
	PerIP   int
	Window  time.Duration
}

// Defaults of LoginLimits.
const (
	DefaultLoginFailuresPerName = 10
	DefaultLoginFailuresPerIP   = 100
	DefaultLoginFailureWindow   = 5 * time.Minute
)

func (l LoginLimits) withDefaults() LoginLimits {
	if l.PerName <= 0 {
		l.PerName = DefaultLoginFailuresPerName
	}
	if l.PerIP <= 0 {
		l.PerIP = DefaultLoginFailuresPerIP
	}
	if l.Window <= 0 {
		l.Window = DefaultLoginFailureWindow
	}
	return l
}

// Login decides a mail-client login as WorkMail's IMAP and SMTP endpoints
// would: the secret must be a usable personal access token of the user
// whose address is the login name, or their directory password where the
// organization's authentication mode allows it; then the organization's
// access control rules must allow the protocol from the client's address.
// A token login records DateLastUsed. Refusals wrap a LoginRefusal; only
// a caller holding the user's real secret learns more than
// RefusedWrongSecret. The secret is never logged.
func (s *Service) Login(ctx context.Context, q LoginRequest) (Login, error) {
	if err := checkLoginRequest(q); err != nil {
		return Login{}, err
	}
	name := strings.ToLower(q.Name)
	ip := q.IP.Unmap()
	if err := s.checkLoginLimits(ctx, name, ip); err != nil {
		return Login{}, err
	}
	login, err := s.login(ctx, name, ip, q)
	if errors.Is(err, RefusedUnknownUser) || errors.Is(err, RefusedWrongSecret) {
		if ferr := s.recordLoginFailure(ctx, name, ip); ferr != nil {
			return Login{}, ferr
		}
	}
	return login, err
}

func checkLoginRequest(q LoginRequest) error {
	switch {
	case q.Name == "" || len(q.Name) > maxLoginName || !utf8.ValidString(q.Name) || strings.ContainsAny(q.Name, "/\x00"):
		return fmt.Errorf("%w: the login name must be an email address of 1 to %d bytes", ErrInvalidLogin, maxLoginName)
	case len(q.Secret) > maxLoginSecret:
		return fmt.Errorf("%w: the secret is longer than %d bytes", ErrInvalidLogin, maxLoginSecret)
	case !policy.IsAccessAction(q.Protocol):
		return fmt.Errorf("%w: protocol %q is not one of %s", ErrInvalidLogin, q.Protocol, strings.Join(policy.AccessActions(), ", "))
	}
	return nil
}

// login resolves the name and checks the secret: first as a token, in a
// read and then, when it is one, in the write that records its use
// (checking again what the write is based on); otherwise as the password,
// whose slow hash is verified outside any transaction.
func (s *Service) login(ctx context.Context, name string, ip netip.Addr, q LoginRequest) (Login, error) {
	o, userID, err := s.loginAddress(ctx, name)
	if err != nil {
		return Login{}, err
	}
	login := Login{Account: o.Account, Region: o.Region, OrganizationID: o.ID, UserID: userID}
	var t *token
	err = s.viewIn(ctx, o.Partition, func(r store.Reader) error {
		var err error
		t, err = s.tokenLogin(r, o, userID, ip, q, &login)
		return err
	})
	if err != nil {
		return login, err
	}
	if t == nil {
		return s.passwordLogin(ctx, o, userID, ip, q, login)
	}
	err = s.updateIn(ctx, o.Partition, func(tx store.Tx) error {
		t, err := s.tokenLogin(tx, o, userID, ip, q, &login)
		if err != nil {
			return err
		}
		if t == nil {
			return fmt.Errorf("%w: the token was deleted", RefusedWrongSecret)
		}
		t.LastUsedAt = s.now()
		return personalAccessTokens.put(tx, o, t)
	})
	return login, err
}

// tokenLogin checks a login whose secret is one of the user's tokens. It
// returns a nil token, and no error, when the secret is not a token.
func (s *Service) tokenLogin(r store.Reader, o orgRef, userID string, ip netip.Addr, q LoginRequest, login *Login) (*token, error) {
	u, err := s.loginUser(r, o, userID)
	if err != nil {
		return nil, err
	}
	login.Email = u.Email
	t, err := matchSecret(r, o, u.ID, q.Secret)
	if errors.Is(err, ErrTokenUnknown) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	login.Method, login.TokenID = LoginToken, t.ID
	if err := s.tokenUsable(r, o, u, t); err != nil {
		return nil, tokenRefusal(err)
	}
	if !tokenAllows(t, q.Protocol) {
		return nil, fmt.Errorf("%w: token %s has scopes %s, not %s", RefusedTokenScope, t.ID, strings.Join(t.Scopes, ","), q.Protocol)
	}
	if err := s.loginAllowed(r, o, u.ID, q.Protocol, ip); err != nil {
		return nil, err
	}
	return t, nil
}

// passwordLogin checks the directory password of a user whose login
// presented no token.
func (s *Service) passwordLogin(ctx context.Context, o orgRef, userID string, ip netip.Addr, q LoginRequest, login Login) (Login, error) {
	var hash, state string
	var mode string
	var ruleErr error
	err := s.viewIn(ctx, o.Partition, func(r store.Reader) error {
		u, err := s.loginUser(r, o, userID)
		if err != nil {
			return err
		}
		hash, state, login.Email = u.PasswordHash, u.State, u.Email
		cfg, err := identityProviders.get(r, o, "")
		if err != nil {
			return err
		}
		mode = ""
		if cfg != nil {
			mode = cfg.AuthenticationMode
		}
		ruleErr = s.loginAllowed(r, o, u.ID, q.Protocol, ip)
		if errors.As(ruleErr, new(LoginRefusal)) {
			return nil // decided after the secret, so that it says nothing to a guesser
		}
		return ruleErr
	})
	if err != nil {
		return Login{}, err
	}
	ok, err := s.passwords.verify(ctx, hash, q.Secret)
	if err != nil {
		return Login{}, err
	}
	if !ok {
		return Login{}, fmt.Errorf("%w: the secret is neither a token nor the password of user %s", RefusedWrongSecret, userID)
	}
	login.Method = LoginPassword
	switch {
	case state != userEnabled:
		return Login{}, fmt.Errorf("%w: user %s is %s", RefusedUserDisabled, userID, state)
	case mode == string(model.IdentityProviderAuthenticationModeIdentityProviderOnly):
		return Login{}, fmt.Errorf("%w: organization %s signs in with its identity provider only", RefusedDirectoryPassword, o.ID)
	case ruleErr != nil:
		return Login{}, ruleErr
	}
	return login, nil
}

// loginAddress finds the organization and user of a login name.
func (s *Service) loginAddress(ctx context.Context, name string) (orgRef, string, error) {
	o, a, err := s.findAddress(ctx, name)
	switch {
	case errors.Is(err, ErrNoRoute):
		return orgRef{}, "", fmt.Errorf("%w: %v", RefusedUnknownUser, err)
	case err != nil:
		return orgRef{}, "", err
	case a.Kind != users.coll:
		return orgRef{}, "", fmt.Errorf("%w: %s is the address of a %s, not a user", RefusedUnknownUser, name, a.Kind)
	}
	return o, a.ID, nil
}

// loginUser reads the user of a login in an Active organization; anything
// else is an unknown user.
func (s *Service) loginUser(r store.Reader, o orgRef, userID string) (*user, error) {
	_, err := s.activeOrganization(r, o)
	var apiErr *model.Error
	if errors.As(err, &apiErr) {
		return nil, fmt.Errorf("%w: organization %s is not active", RefusedUnknownUser, o.ID)
	}
	if err != nil {
		return nil, err
	}
	u, err := users.get(r, o, userID)
	if err != nil {
		return nil, err
	}
	if u == nil {
		return nil, fmt.Errorf("%w: user %s does not exist", RefusedUnknownUser, userID)
	}
	return u, nil
}

// loginAllowed evaluates the organization's access control rules for the
// user's protocol from ip. An address the mail server did not give is in
// no IP range.
func (s *Service) loginAllowed(r store.Reader, o orgRef, userID, protocol string, ip netip.Addr) error {
	rules, err := loadAccessRules(r, o)
	if err != nil {
		return err
	}
	prules := make([]policy.AccessRule, len(rules))
	for i := range rules {
		prules[i] = rules[i].policy()
	}
	d := policy.EvaluateAccess(prules, policy.AccessRequest{IP: ip, Action: protocol, UserID: userID})
	if d.Effect != policy.AccessAllow {
		return fmt.Errorf("%w: %s from %s (rules: %s)", RefusedByRule, protocol, ipText(ip), strings.Join(d.MatchedRules, ", "))
	}
	return nil
}

func ipText(ip netip.Addr) string {
	if !ip.IsValid() {
		return "an unknown address"
	}
	return ip.String()
}

// tokenAllows is workmaild's reading of token scopes, which WorkMail
// leaves undocumented: a token may be used for a protocol its scopes name
// (IMAP, SMTP), in any case.
func tokenAllows(t *token, protocol string) bool {
	for _, sc := range t.Scopes {
		if strings.EqualFold(sc, protocol) {
			return true
		}
	}
	return false
}

// tokenRefusal maps tokenUsable's reasons to login refusals.
func tokenRefusal(err error) error {
	var code TokenErrorCode
	if !errors.As(err, &code) {
		return err
	}
	refusal := map[TokenErrorCode]LoginRefusal{
		ErrUserDisabled:  RefusedUserDisabled,
		ErrUserNotLinked: RefusedUserNotLinked,
		ErrTokenInactive: RefusedTokensInactive,
		ErrTokenExpired:  RefusedTokenExpired,
	}[code]
	if refusal == "" {
		return err
	}
	return fmt.Errorf("%w: %s", refusal, strings.TrimPrefix(err.Error(), string(code)+": "))
}

// Failure counters live in the Global partition under "name/<login>" and
// "ip/<address>", so that every replica refuses the same logins.
const collLoginFailures = "login-failure"

type loginFailures struct {
	Count int       `json:"count"`
	Since time.Time `json:"since"`
}

func loginFailureKeys(name string, ip netip.Addr) []string {
	keys := []string{"name/" + name}
	if ip.IsValid() {
		keys = append(keys, "ip/"+ip.String())
	}
	return keys
}

// checkLoginLimits is a RefusedTooManyFailures error when the name or the
// address has used up its failures.
func (s *Service) checkLoginLimits(ctx context.Context, name string, ip netip.Addr) error {
	var limited error
	now := s.now()
	err := s.store.View(ctx, store.Global, func(r store.Reader) error {
		limited = nil
		for _, key := range loginFailureKeys(name, ip) {
			f, err := getLoginFailures(r, key)
			if err != nil {
				return err
			}
			limit := s.loginLimits.PerName
			if strings.HasPrefix(key, "ip/") {
				limit = s.loginLimits.PerIP
			}
			if now.Sub(f.Since) < s.loginLimits.Window && f.Count >= limit {
				limited = fmt.Errorf("%w: %d failed logins for %s since %s", RefusedTooManyFailures, f.Count,
					strings.SplitN(key, "/", 2)[1], f.Since.UTC().Format(time.RFC3339))
				return nil
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	return limited
}

// recordLoginFailure counts a failure against the name and the address.
func (s *Service) recordLoginFailure(ctx context.Context, name string, ip netip.Addr) error {
	now := s.now()
	return s.store.Update(ctx, store.Global, func(tx store.Tx) error {
		for _, key := range loginFailureKeys(name, ip) {
			f, err := getLoginFailures(tx, key)
			if err != nil {
				return err
			}
			if now.Sub(f.Since) >= s.loginLimits.Window {
				f = loginFailures{Since: now}
			}
			f.Count++
			raw, err := json.Marshal(f)
			if err != nil {
				return err
			}
			if err := tx.Put(collLoginFailures, key, raw); err != nil {
				return err
			}
		}
		return nil
	})
}

func getLoginFailures(r store.Reader, key string) (loginFailures, error) {
	var f loginFailures
	raw, err := r.Get(collLoginFailures, key)
	if errors.Is(err, store.ErrNotFound) {
		return f, nil
	}
	if err != nil {
		return f, err
	}
	if err := json.Unmarshal(raw, &f); err != nil {
		return f, fmt.Errorf("service: corrupt %s record %q: %w", collLoginFailures, key, err)
	}
	return f, nil
}

// purgeLoginFailures removes the counters whose window has ended: it
// finds them in a read, and writes only when there are some, deleting
// each one that is still stale.
func (s *Service) purgeLoginFailures(ctx context.Context) error {
	now := s.now()
	stale := func(raw []byte) bool {
		var f loginFailures
		return json.Unmarshal(raw, &f) != nil || now.Sub(f.Since) >= s.loginLimits.Window
	}
	var keys []string
	err := s.store.View(ctx, store.Global, func(r store.Reader) error {
		keys = keys[:0]
		return r.Scan(collLoginFailures, "", "", 0, func(key string, raw []byte) (bool, error) {
			if stale(raw) {
				keys = append(keys, key)
			}
			return true, nil
		})
	})
	if err != nil || len(keys) == 0 {
		return err
	}
	return s.store.Update(ctx, store.Global, func(tx store.Tx) error {
		for _, key := range keys {
			raw, err := tx.Get(collLoginFailures, key)
			if errors.Is(err, store.ErrNotFound) {
				continue
			}
			if err != nil {
				return err
			}
			if stale(raw) {
				if err := tx.Delete(collLoginFailures, key); err != nil {
					return err
				}
			}
		}
		return nil
	})
}

// LogAttrs are the log attributes of a login decision, without the secret.
func (q LoginRequest) LogAttrs() []slog.Attr {
	return []slog.Attr{slog.String("login", q.Name), slog.String("protocol", q.Protocol), slog.String("ip", ipText(q.IP))}
}

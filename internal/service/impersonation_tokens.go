package service

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"strings"
	"time"

	"github.com/workmaild/workmaild/internal/model"
	"github.com/workmaild/workmaild/internal/record"
	"github.com/workmaild/workmaild/internal/store"
)

// ImpersonationTokenLifetime is how long a token from
// AssumeImpersonationRole can be used: WorkMail's 15 minutes.
const ImpersonationTokenLifetime = 15 * time.Minute

// ImpersonationTokenPrefix starts every impersonation token, so that a
// leaked one is easy to recognise (and this project's log tests look for
// it).
const ImpersonationTokenPrefix = "wmimp_"

// A token is ImpersonationTokenPrefix, the base64url of
// "account NUL region NUL organization id" (so that a bridge holding only
// the token finds where it belongs) and, after a dot, 256 random bits in
// base64url. Only the SHA-256 of the whole token is stored, as the
// record's id:
//
//	impersonation-token         org/sha256 hex           -> impersonationToken
//	impersonation-token-role    org/role id/sha256 hex   -> ""  (the role's tokens, dropped with it)
//	impersonation-token-expiry  org/expiry/sha256 hex    -> ""  (expired tokens, removed by the next Assume)
var impersonationTokens = &table[impersonationToken]{
	codec: record.For[impersonationToken](),
	coll:  "impersonation-token",
	id:    func(t *impersonationToken) string { return t.Hash },
	indexes: []indexOn[impersonationToken]{
		{roleTokens, func(t *impersonationToken) []string { return []string{t.RoleID} }},
		{tokenExpiries, func(t *impersonationToken) []string { return []string{deletedAtKey(t.ExpiresAt)} }},
	},
}

var (
	roleTokens    = &index{coll: "impersonation-token-role"}
	tokenExpiries = &index{coll: "impersonation-token-expiry"}
)

type impersonationToken struct {
	Hash      string    `json:"hash"`
	RoleID    string    `json:"roleId"`
	IssuedAt  time.Time `json:"issuedAt"`
	ExpiresAt time.Time `json:"expiresAt"`
}

func tokenHash(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}

// deleteRoleTokens removes every token of a role.
func deleteRoleTokens(tx store.Tx, o orgRef, roleID string) error {
	hashes, err := impersonationTokens.ids(tx, o, roleTokens, roleID)
	if err != nil {
		return err
	}
	for _, h := range hashes {
		if err := impersonationTokens.delete(tx, o, h); err != nil {
			return err
		}
	}
	return nil
}

// deleteExpiredTokens removes the organization's tokens that have
// expired by now, found in expiry order.
func deleteExpiredTokens(tx store.Tx, o orgRef, now time.Time) error {
	cutoff := deletedAtKey(now)
	prefix := o.prefix()
	var due []string
	err := tx.Scan(tokenExpiries.coll, prefix, "", 0, func(key string, _ []byte) (bool, error) {
		at, hash, _ := strings.Cut(key[len(prefix):], "/")
		if at > cutoff { // a token expires at ExpiresAt itself
			return false, nil
		}
		due = append(due, hash)
		return true, nil
	})
	if err != nil {
		return err
	}
	for _, h := range due {
		if err := impersonationTokens.delete(tx, o, h); err != nil {
			return err
		}
	}
	return nil
}

// AssumeImpersonationRole implements WorkMailService.AssumeImpersonationRole:
// a token for the role, valid for ImpersonationTokenLifetime, shown only
// in this answer (VerifyImpersonationToken checks it later).
func (s *Service) AssumeImpersonationRole(ctx context.Context, in *model.AssumeImpersonationRoleInput) (*model.AssumeImpersonationRoleOutput, error) {
	secret := make([]byte, secretBytes)
	if _, err := rand.Read(secret); err != nil {
		return nil, fmt.Errorf("service: impersonation token: %w", err)
	}
	var tok string
	err := s.update(ctx, func(p store.Partition, tx store.Tx) error {
		o := orgRef{p, str(in.OrganizationId)}
		if _, err := s.activeOrganization(tx, o); err != nil {
			return err
		}
		role, err := findRole(tx, o, str(in.ImpersonationRoleId))
		if err != nil {
			return err
		}
		now := s.now()
		if err := deleteExpiredTokens(tx, o, now); err != nil {
			return err
		}
		locator := base64.RawURLEncoding.EncodeToString([]byte(p.Account + "\x00" + p.Region + "\x00" + o.ID))
		tok = ImpersonationTokenPrefix + locator + "." + base64.RawURLEncoding.EncodeToString(secret)
		return impersonationTokens.insert(tx, o, &impersonationToken{Hash: tokenHash(tok), RoleID: role.ID,
			IssuedAt: now, ExpiresAt: now.Add(ImpersonationTokenLifetime)})
	})
	if err != nil {
		return nil, err
	}
	return &model.AssumeImpersonationRoleOutput{Token: &tok, ExpiresIn: ptr(int64(ImpersonationTokenLifetime / time.Second))}, nil
}

// Why an impersonation token is refused; VerifyImpersonationToken's errors
// wrap one of them, or are the *model.Error of an organization that is no
// longer Active.
const (
	// ErrImpersonationTokenUnknown: not a token this server issued, or
	// its role was deleted.
	ErrImpersonationTokenUnknown TokenErrorCode = "ImpersonationTokenUnknown"
	// ErrImpersonationTokenExpired: the token's 15 minutes have passed.
	ErrImpersonationTokenExpired TokenErrorCode = "ImpersonationTokenExpired"
)

// ImpersonationGrant is what a valid impersonation token allows: acting
// as the role, whose rules (GetImpersonationRoleEffect) say on whom.
type ImpersonationGrant struct {
	Account, Region, OrganizationID string
	RoleID, RoleName                string
	// RoleType is FULL_ACCESS or READ_ONLY, as the role is now.
	RoleType  string
	ExpiresAt time.Time
}

// VerifyImpersonationToken reports whether token came from
// AssumeImpersonationRole and may still be used, by the server's clock:
// for an EWS bridge that receives it as a bearer token. Only a holder of
// a real token learns why it is refused: anything else is
// ErrImpersonationTokenUnknown.
func (s *Service) VerifyImpersonationToken(ctx context.Context, token string) (ImpersonationGrant, error) {
	var g ImpersonationGrant
	unknown := fmt.Errorf("%w: not an impersonation token of this server", ErrImpersonationTokenUnknown)
	rest, ok := strings.CutPrefix(token, ImpersonationTokenPrefix)
	locator, _, ok2 := strings.Cut(rest, ".")
	raw, err := base64.RawURLEncoding.DecodeString(locator)
	parts := strings.Split(string(raw), "\x00")
	if !ok || !ok2 || err != nil || len(parts) != 3 || parts[2] == "" || checkPartition(parts[0], parts[1]) != nil {
		return g, unknown
	}
	o := orgRef{store.Partition{Account: parts[0], Region: parts[1]}, parts[2]}
	err = s.viewIn(ctx, o.Partition, func(r store.Reader) error {
		t, err := impersonationTokens.get(r, o, tokenHash(token))
		if err != nil || t == nil {
			if err == nil {
				err = unknown
			}
			return err
		}
		if !s.now().Before(t.ExpiresAt) {
			return fmt.Errorf("%w: the token expired at %s", ErrImpersonationTokenExpired, t.ExpiresAt.UTC().Format(time.RFC3339))
		}
		if _, err := s.activeOrganization(r, o); err != nil {
			return err
		}
		role, err := impersonationRoles.get(r, o, t.RoleID)
		if err != nil || role == nil {
			if err == nil {
				err = unknown
			}
			return err
		}
		g = ImpersonationGrant{Account: o.Account, Region: o.Region, OrganizationID: o.ID,
			RoleID: role.ID, RoleName: role.Name, RoleType: role.Type, ExpiresAt: t.ExpiresAt}
		return nil
	})
	return g, err
}

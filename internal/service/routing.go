package service

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/workmaild/workmaild/internal/model"
	"github.com/workmaild/workmaild/internal/store"
)

// Mail routing: what a mail server in front of workmaild asks to deliver
// and to accept mail (docs/mail.md). Mail is delivered to mailboxes named
// by ids that never change, so that renaming a user or changing its
// addresses keeps its mail:
//
//	<entity id>@<organization id>.<account>.<region>.workmaild.invalid
//
// (".invalid" can never be a real domain, so such an address cannot leak
// into the world's mail.)

// MailboxDomain ends the domain of every mailbox address.
const MailboxDomain = "workmaild.invalid"

// MailboxRef names one entity's mailbox.
type MailboxRef struct {
	Account, Region, OrganizationID, EntityID string
}

// Address is the mailbox's address.
func (m MailboxRef) Address() string {
	return m.EntityID + "@" + m.OrganizationID + "." + m.Account + "." + m.Region + "." + MailboxDomain
}

func (m MailboxRef) org() orgRef {
	return orgRef{store.Partition{Account: m.Account, Region: m.Region}, m.OrganizationID}
}

func mailboxOf(o orgRef, entityID string) MailboxRef {
	return MailboxRef{Account: o.Account, Region: o.Region, OrganizationID: o.ID, EntityID: entityID}
}

// ParseMailboxAddress reads a mailbox address, in any case.
func ParseMailboxAddress(address string) (MailboxRef, bool) {
	local, domain, ok := strings.Cut(strings.ToLower(address), "@")
	rest, isMailbox := strings.CutSuffix(domain, "."+MailboxDomain)
	if !ok || !isMailbox || local == "" {
		return MailboxRef{}, false
	}
	labels := strings.Split(rest, ".")
	if len(labels) != 3 || checkPartition(labels[1], labels[2]) != nil || labels[0] == "" {
		return MailboxRef{}, false
	}
	return MailboxRef{Account: labels[1], Region: labels[2], OrganizationID: labels[0], EntityID: local}, true
}

// ErrNoRoute is wrapped by the routing lookups when the address or domain
// receives no mail: unknown, not ENABLED, deleted, or held by several
// Active organizations.
var ErrNoRoute = errors.New("no such mail recipient")

// maxRouteAddress bounds an address or domain a lookup takes (the
// model's EmailAddress is at most 254).
const maxRouteAddress = 254

func checkRouteKey(key string) error {
	if key == "" || len(key) > maxRouteAddress || strings.ContainsAny(key, "/\x00") {
		return fmt.Errorf("%w: %q is not an address or domain", ErrNoRoute, key)
	}
	return nil
}

// ReceivesMailFor reports whether mail for domain is delivered here: the
// domain of mailbox addresses, or a mail domain of an Active organization
// (its test domain <alias>.awsapps.com, or a registered domain whose
// ownership is VERIFIED).
func (s *Service) ReceivesMailFor(ctx context.Context, domain string) (bool, error) {
	domain = strings.ToLower(domain)
	if checkRouteKey(domain) != nil {
		return false, nil
	}
	if domain == MailboxDomain || strings.HasSuffix(domain, "."+MailboxDomain) {
		return true, nil
	}
	parts, err := s.partitions(ctx)
	if err != nil {
		return false, err
	}
	for _, p := range parts {
		var found bool
		err := s.viewIn(ctx, p, func(r store.Reader) error {
			var err error
			found, err = s.domainHeldIn(r, p, domain)
			return err
		})
		if err != nil || found {
			return found, err
		}
	}
	return false, nil
}

// domainHeldIn reports whether an Active organization of partition p
// receives mail for domain.
func (s *Service) domainHeldIn(r store.Reader, p store.Partition, domain string) (bool, error) {
	var orgIDs []string
	if alias, ok := strings.CutSuffix(domain, ".awsapps.com"); ok {
		held, err := r.Get(orgAliases.coll, orgAliases.entryKey(orgRef{Partition: p}, alias, ""))
		if err != nil && !errors.Is(err, store.ErrNotFound) {
			return false, err
		}
		if err == nil {
			_, id := parseHolder(held)
			orgIDs = append(orgIDs, id)
		}
	}
	held, err := r.Get(mailDomainNames.coll, mailDomainNames.entryKey(orgRef{Partition: p}, domain, ""))
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		return false, err
	}
	if err == nil {
		_, id := parseHolder(held) // mail-domain/<org id>/<domain>
		orgID, _, _ := strings.Cut(id, "/")
		orgIDs = append(orgIDs, orgID)
	}
	for _, id := range orgIDs {
		o := orgRef{p, id}
		org, err := s.activeOrganization(r, o)
		var apiErr *model.Error
		if errors.As(err, &apiErr) {
			continue
		}
		if err != nil {
			return false, err
		}
		d, err := findMailDomain(r, o, org, domain)
		if err != nil {
			return false, err
		}
		if d != nil && d.Ownership == domainVerified {
			return true, nil
		}
	}
	return false, nil
}

// Recipients returns the mailboxes mail to address goes to: the mailbox
// of an ENABLED user or resource whose primary email or alias it is, or
// the ENABLED members of a group with that address (nested groups
// expanded, each mailbox once), in the order found. A mailbox address
// is its own recipient while its entity is ENABLED. ErrNoRoute when none.
func (s *Service) Recipients(ctx context.Context, address string) ([]MailboxRef, error) {
	return s.addressMailboxes(ctx, address, true, "reaches no enabled mailbox", enabledMailboxes)
}

// addressMailboxes resolves address and returns, each once, the mailboxes
// collect finds for the entity that holds it, in a read of its Active
// organization. A mailbox address is its own answer while its entity is
// ENABLED, when self allows it. ErrNoRoute, saying none, when there are
// none.
func (s *Service) addressMailboxes(ctx context.Context, address string, self bool, none string,
	collect func(r store.Reader, o orgRef, holder entityRef) ([]string, error)) ([]MailboxRef, error) {
	if err := checkRouteKey(address); err != nil {
		return nil, err
	}
	if m, ok := ParseMailboxAddress(address); ok {
		if !self {
			return nil, fmt.Errorf("%w: %s is a mailbox address", ErrNoRoute, address)
		}
		if _, err := s.Mailbox(ctx, m); err != nil {
			return nil, err
		}
		return []MailboxRef{m}, nil
	}
	o, a, err := s.findAddress(ctx, strings.ToLower(address))
	if err != nil {
		return nil, err
	}
	var out []MailboxRef
	err = s.viewIn(ctx, o.Partition, func(r store.Reader) error {
		out = nil
		if _, err := s.activeOrganization(r, o); err != nil {
			return err
		}
		ids, err := collect(r, o, entityRef{a.Kind, a.ID})
		seen := map[string]bool{}
		for _, id := range ids {
			if !seen[id] {
				seen[id] = true
				out = append(out, mailboxOf(o, id))
			}
		}
		return err
	})
	if err == nil && len(out) == 0 {
		err = fmt.Errorf("%w: %s %s", ErrNoRoute, address, none)
	}
	return out, routeError(err)
}

// enabledMailboxes returns the ids of the ENABLED mailboxes an entity's
// mail reaches: itself, or for a group its members, expanded.
func enabledMailboxes(r store.Reader, o orgRef, e entityRef) ([]string, error) {
	switch e.Kind {
	case users.coll:
		u, err := users.get(r, o, e.ID)
		if err != nil || u == nil || u.State != userEnabled {
			return nil, err
		}
		return []string{u.ID}, nil
	case resources.coll:
		res, err := resources.get(r, o, e.ID)
		if err != nil || res == nil || res.State != resourceEnabled {
			return nil, err
		}
		return []string{res.ID}, nil
	case groups.coll:
		return groupMailboxes(r, o, e.ID)
	}
	return nil, nil
}

// groupMailboxes expands an ENABLED group into its ENABLED users, through
// ENABLED nested groups, each once; a cycle cannot form (association
// refuses it), and a group seen twice is expanded once anyway.
func groupMailboxes(r store.Reader, o orgRef, groupID string) ([]string, error) {
	var out []string
	seenGroup, seenUser := map[string]bool{}, map[string]bool{}
	queue := []string{groupID}
	for len(queue) > 0 {
		id := queue[0]
		queue = queue[1:]
		if seenGroup[id] {
			continue
		}
		seenGroup[id] = true
		g, err := groups.get(r, o, id)
		if err != nil {
			return nil, err
		}
		if g == nil || g.State != userEnabled {
			continue
		}
		var members []*membership
		err = r.Scan(memberships.coll, memberships.key(o, id+"/"), "", 0, func(key string, raw []byte) (bool, error) {
			m, err := memberships.decode(key, raw)
			if err == nil {
				members = append(members, m)
			}
			return err == nil, err
		})
		if err != nil {
			return nil, err
		}
		for _, m := range members {
			switch {
			case m.MemberKind == groups.coll:
				queue = append(queue, m.MemberID)
			case m.MemberKind == users.coll && !seenUser[m.MemberID]:
				seenUser[m.MemberID] = true
				u, err := users.get(r, o, m.MemberID)
				if err != nil {
					return nil, err
				}
				if u != nil && u.State == userEnabled {
					out = append(out, u.ID)
				}
			}
		}
	}
	return out, nil
}

// MailboxInfo is what a mail server needs to know of a mailbox.
type MailboxInfo struct {
	MailboxRef
	Kind    string // USER or RESOURCE
	Email   string // the primary email
	QuotaMB int32  // users only; 0 for a resource
}

// Mailbox describes an ENABLED user's or resource's mailbox; ErrNoRoute
// for any other.
func (s *Service) Mailbox(ctx context.Context, m MailboxRef) (MailboxInfo, error) {
	info, err := s.mailbox(ctx, m, false)
	if errors.Is(err, ErrNoMailbox) {
		err = fmt.Errorf("%w: %s is not an enabled mailbox", ErrNoRoute, m.Address())
	}
	return info, routeError(err)
}

// mailbox describes, with its quota, the mailbox of m's user or resource:
// an ENABLED one, or one that has a mailbox at all when stored is set.
// ErrNoMailbox otherwise; an organization that is not Active is its API
// error.
func (s *Service) mailbox(ctx context.Context, m MailboxRef, stored bool) (MailboxInfo, error) {
	if checkPartition(m.Account, m.Region) != nil || m.OrganizationID == "" || m.EntityID == "" || strings.ContainsAny(m.EntityID+m.OrganizationID, "/\x00") {
		return MailboxInfo{MailboxRef: m}, fmt.Errorf("%w: %s", ErrNoMailbox, m.Address())
	}
	o := m.org()
	var info *MailboxInfo
	err := s.viewIn(ctx, o.Partition, func(r store.Reader) error {
		if _, err := s.activeOrganization(r, o); err != nil {
			return err
		}
		var err error
		info, err = mailboxIn(r, o, m.EntityID, stored)
		if err == nil && info != nil && info.Kind == string(model.EntityTypeUser) {
			info.QuotaMB, err = mailboxQuotaOf(r, o, m.EntityID)
		}
		return err
	})
	if err == nil && info == nil {
		err = fmt.Errorf("%w: %s", ErrNoMailbox, m.Address())
	}
	if err != nil {
		return MailboxInfo{MailboxRef: m}, err
	}
	return *info, nil
}

// mailboxIn describes the mailbox of user or resource id, without its
// quota: an ENABLED one, or one that has a mailbox at all (registered
// once, not deleted) when stored is set; nil for any other.
func mailboxIn(r store.Reader, o orgRef, id string, stored bool) (*MailboxInfo, error) {
	u, err := users.get(r, o, id)
	if err != nil {
		return nil, err
	}
	if u != nil && (u.State == userEnabled || stored && u.hasMailbox()) {
		return &MailboxInfo{MailboxRef: mailboxOf(o, id), Kind: string(model.EntityTypeUser), Email: u.Email}, nil
	}
	res, err := resources.get(r, o, id)
	if err != nil || res == nil || !(res.State == resourceEnabled || stored && res.hasMailbox()) {
		return nil, err
	}
	return &MailboxInfo{MailboxRef: mailboxOf(o, id), Kind: string(model.EntityTypeResource), Email: res.Email}, nil
}

// Senders returns the mailboxes whose users may send mail with address as
// the sender: the user whose address it is, and every user who holds
// SEND_AS on the entity (user, group or resource) whose address it is,
// directly or as an ENABLED member of a group holding it. ErrNoRoute when
// the address is no entity's, or nobody may.
func (s *Service) Senders(ctx context.Context, address string) ([]MailboxRef, error) {
	return s.sendersWith(ctx, address, model.PermissionTypeSendAs, true)
}

// OnBehalfSenders returns the mailboxes whose users hold SEND_ON_BEHALF on
// the entity whose address it is, directly or through ENABLED groups: they
// may name the address as the message's From when their own is its
// Sender. ErrNoRoute when nobody does.
func (s *Service) OnBehalfSenders(ctx context.Context, address string) ([]MailboxRef, error) {
	return s.sendersWith(ctx, address, model.PermissionTypeSendOnBehalf, false)
}

// sendersWith returns the ENABLED users holding perm on the entity of
// address (and that entity itself when it is a user and owner is set).
func (s *Service) sendersWith(ctx context.Context, address string, perm model.PermissionType, owner bool) ([]MailboxRef, error) {
	return s.addressMailboxes(ctx, address, owner, "may be sent as by nobody", func(r store.Reader, o orgRef, holder entityRef) ([]string, error) {
		var ids []string
		if owner && holder.Kind == users.coll {
			own, err := enabledMailboxes(r, o, holder)
			if err != nil {
				return nil, err
			}
			ids = append(ids, own...)
		}
		err := r.Scan(mailboxGrants.coll, mailboxGrants.key(o, holder.ID+"/"), "", 0, func(key string, raw []byte) (bool, error) {
			g, err := mailboxGrants.decode(key, raw)
			if err != nil {
				return false, err
			}
			if !slices.Contains(g.Permissions, string(perm)) {
				return true, nil
			}
			grantees, err := enabledMailboxes(r, o, entityRef{g.GranteeKind, g.GranteeID})
			ids = append(ids, grantees...)
			return err == nil, err
		})
		return ids, err
	})
}

// routeError turns a missing or inactive organization into ErrNoRoute.
func routeError(err error) error {
	var apiErr *model.Error
	if errors.As(err, &apiErr) {
		return fmt.Errorf("%w: %s", ErrNoRoute, apiErr.Message)
	}
	return err
}

// ErrNoMailbox is wrapped by StoredMailbox for an address that names no
// mailbox that exists.
var ErrNoMailbox = errors.New("no such mailbox")

// StoredMailbox describes a mailbox that exists, for the mail store that
// keeps it: a user's or resource's that was registered to WorkMail once
// and is not deleted. A deregistered entity keeps its mailbox (it receives
// and logs in no more: Mailbox and the login decide that), so that
// GetMailboxDetails can still report its size. ErrNoMailbox otherwise.
func (s *Service) StoredMailbox(ctx context.Context, m MailboxRef) (MailboxInfo, error) {
	info, err := s.mailbox(ctx, m, true)
	var apiErr *model.Error
	if errors.As(err, &apiErr) {
		err = fmt.Errorf("%w: %s", ErrNoMailbox, apiErr.Message)
	}
	return info, err
}

// FullAccess returns the mailboxes the ENABLED user of m may open besides
// its own: those of ENABLED users and resources on which it holds
// FULL_ACCESS, directly or as a member of ENABLED groups (nested groups
// included), in order of their email. A user that is not ENABLED opens
// none.
func (s *Service) FullAccess(ctx context.Context, m MailboxRef) ([]MailboxInfo, error) {
	if _, err := s.Mailbox(ctx, m); err != nil {
		if errors.Is(err, ErrNoRoute) {
			return nil, nil
		}
		return nil, err
	}
	o := m.org()
	var out []MailboxInfo
	err := s.viewIn(ctx, o.Partition, func(r store.Reader) error {
		out = nil
		holders, err := enabledHolders(r, o, m.EntityID)
		if err != nil {
			return err
		}
		seen := map[string]bool{m.EntityID: true}
		for _, h := range holders {
			grantIDs, err := mailboxGrants.ids(r, o, grantsHeld, h)
			if err != nil {
				return err
			}
			for _, gid := range grantIDs {
				g, err := mailboxGrants.get(r, o, gid)
				if err != nil {
					return err
				}
				if g == nil || seen[g.MailboxID] || !slices.Contains(g.Permissions, string(model.PermissionTypeFullAccess)) {
					continue
				}
				seen[g.MailboxID] = true
				info, err := mailboxIn(r, o, g.MailboxID, false)
				if err != nil {
					return err
				}
				if info != nil {
					out = append(out, *info)
				}
			}
		}
		return nil
	})
	slices.SortFunc(out, func(a, b MailboxInfo) int { return strings.Compare(a.Email, b.Email) })
	return out, err
}

// enabledHolders returns the user and the ENABLED groups it is in, nested
// ones included: everyone whose grants the user holds.
func enabledHolders(r store.Reader, o orgRef, userID string) ([]string, error) {
	out := []string{userID}
	seen := map[string]bool{userID: true}
	for i := 0; i < len(out); i++ {
		ids, err := memberships.ids(r, o, memberOf, out[i])
		if err != nil {
			return nil, err
		}
		for _, id := range ids {
			groupID, _, _ := strings.Cut(id, "/")
			if seen[groupID] {
				continue
			}
			seen[groupID] = true
			g, err := groups.get(r, o, groupID)
			if err != nil {
				return nil, err
			}
			if g != nil && g.State == userEnabled {
				out = append(out, groupID)
			}
		}
	}
	return out, nil
}

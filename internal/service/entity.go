package service

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"slices"
	"time"

	"github.com/workmaild/workmaild/internal/model"
	"github.com/workmaild/workmaild/internal/store"
)

// Users, groups and resources are kinds of one entity. Each kind has its
// own table, and every kind feeds the same two unique indexes, so that an
// organization has one namespace of names and one of addresses:
//
//	entity-name   org/lower(name)    -> kind/id, while the entity is not deleted
//	entity-email  org/lower(address) -> kind/id, primary addresses and aliases
//
// An address entry is mirrored in the global address index (below), in
// the same transaction, whenever it is claimed or released.
var (
	entityNames = &index{coll: "entity-name", fold: true, unique: true,
		conflict: func(orgID, name string) error {
			return model.ErrNameAvailability.Errorf("The name %s is already used by another user, group or resource in organization %s.", name, orgID)
		}}
	entityEmails = &index{coll: "entity-email", fold: true, unique: true, global: true,
		conflict: func(_, email string) error {
			return model.ErrEmailAddressInUse.Errorf("The email address %s is already used by another user, group or resource.", email)
		}}
)

// entityKind is one kind of entity, as the resolver knows it: the name
// its table writes into index entries and a lookup of an id. mail, the
// address operations' access to the entity, is nil for a kind whose
// record does not embed addresses.
type entityKind struct {
	name string
	has  func(r store.Reader, o orgRef, id string) (bool, error)
	mail *mailAccess
}

// mailKinds are the kinds of entity that have addresses, in the order
// identifiers are resolved: the kinds CreateAlias, DeleteAlias,
// ListAliases and UpdatePrimaryEmailAddress act on.
var mailKinds = []entityKind{userKind, groupKind, resourceKind}

// kindOf makes the entityKind of an entity table. A record type that
// embeds addresses (and so has the entityAddresses method) gets mail
// access: it must also have the fields State string and DeletedAt
// time.Time, as user does; kindOf panics, when the kind is declared,
// if it does not.
func kindOf[T any](t *table[T]) entityKind {
	k := entityKind{name: t.coll, has: t.has}
	if _, ok := any(new(T)).(addressed); ok {
		k.mail = mailAccessOf(t)
	}
	return k
}

// addressed is what a record gets from embedding addresses.
type addressed interface{ entityAddresses() *addresses }

func (a *addresses) entityAddresses() *addresses { return a }

// mailAccess reads and edits one kind's entities for the address
// operations, whatever the kind's record type.
type mailAccess struct {
	// get returns the entity's addresses and state, or nil when there is none.
	get func(r store.Reader, o orgRef, id string) (*mailEntity, error)
	// setAddresses replaces the entity's addresses, keeping its indexes
	// (a taken address answers EmailAddressInUseException).
	setAddresses func(tx store.Tx, o orgRef, id string, a addresses) error
}

// mailEntity is what the address operations see of an entity of any kind.
type mailEntity struct {
	Kind, ID string
	addresses
	State     string
	DeletedAt time.Time
}

func mailAccessOf[T any](t *table[T]) *mailAccess {
	rt := reflect.TypeFor[T]()
	state, okState := rt.FieldByName("State")
	deleted, okDeleted := rt.FieldByName("DeletedAt")
	if !okState || state.Type != reflect.TypeFor[string]() || !okDeleted || deleted.Type != reflect.TypeFor[time.Time]() {
		panic(fmt.Sprintf("service: entity kind %s embeds addresses but lacks the fields State string and DeletedAt time.Time", t.coll))
	}
	return &mailAccess{
		get: func(r store.Reader, o orgRef, id string) (*mailEntity, error) {
			rec, err := t.get(r, o, id)
			if err != nil || rec == nil {
				return nil, err
			}
			a := any(rec).(addressed).entityAddresses()
			v := reflect.ValueOf(rec).Elem()
			return &mailEntity{
				Kind: t.coll, ID: id,
				addresses: addresses{Email: a.Email, Aliases: slices.Clone(a.Aliases)},
				State:     v.FieldByIndex(state.Index).String(),
				DeletedAt: v.FieldByIndex(deleted.Index).Interface().(time.Time),
			}, nil
		},
		setAddresses: func(tx store.Tx, o orgRef, id string, a addresses) error {
			rec, err := t.get(tx, o, id)
			if err != nil {
				return err
			}
			if rec == nil {
				return fmt.Errorf("service: %s %s vanished inside its transaction", t.coll, id)
			}
			*any(rec).(addressed).entityAddresses() = a
			return t.put(tx, o, rec)
		},
	}
}

// entityRef is a resolved entity.
type entityRef struct{ Kind, ID string }

// resolveEntity finds the entity of one of kinds that an EntityIdentifier
// names: an id, else an email address, else a name (addresses and names
// without regard to case). It reports false when none does. Deleted
// entities hold no name or address, so they are found by id only.
func resolveEntity(r store.Reader, o orgRef, ident string, kinds ...entityKind) (entityRef, bool, error) {
	for _, k := range kinds {
		ok, err := k.has(r, o, ident)
		if err != nil || ok {
			return entityRef{k.name, ident}, ok, err
		}
	}
	for _, ix := range []*index{entityEmails, entityNames} {
		held, err := r.Get(ix.coll, ix.entryKey(o, ix.folded(ident), ""))
		if isNotFound(err) {
			continue
		}
		if err != nil {
			return entityRef{}, false, err
		}
		kind, id := parseHolder(held)
		for _, k := range kinds {
			if k.name == kind {
				return entityRef{kind, id}, true, nil
			}
		}
	}
	return entityRef{}, false, nil
}

// The global address index, in store.Global, lets a mail login find the
// entity an address belongs to without knowing the account:
//
//	address  lower(address)/account/region/org -> globalAddress
//
// An address is unique within an organization's partition, not across
// accounts (two accounts may each have an organization alias "acme"), so
// the index keeps one entry per (address, partition, organization) and a
// login reads every entry under "lower(address)/"; more than one is
// ambiguous. Addresses contain no "/".
const collGlobalAddresses = "address"

type globalAddress struct {
	Account        string `json:"account"`
	Region         string `json:"region"`
	OrganizationID string `json:"organizationId"`
	Kind           string `json:"kind"`
	ID             string `json:"id"`
}

func globalAddressKey(o orgRef, address string) string {
	return address + "/" + o.Account + "/" + o.Region + "/" + o.ID
}

// putGlobalAddress records that address (folded) belongs to entity id.
func putGlobalAddress(tx store.Tx, o orgRef, address, kind, id string) error {
	raw, err := json.Marshal(globalAddress{Account: o.Account, Region: o.Region, OrganizationID: o.ID, Kind: kind, ID: id})
	if err != nil {
		return err
	}
	return tx.Global().Put(collGlobalAddresses, globalAddressKey(o, address), raw)
}

func deleteGlobalAddress(tx store.Tx, o orgRef, address string) error {
	return tx.Global().Delete(collGlobalAddresses, globalAddressKey(o, address))
}

// maxAddressHolders bounds how many organizations' entries for one
// address findAddress reads.
const maxAddressHolders = 16

// findAddress finds who holds an address (folded) in the global address
// index. Entries of organizations that are not Active (deleted ones keep
// theirs until purged) do not count; an address of several Active
// organizations is ambiguous. Both, and no entry, are ErrNoRoute.
func (s *Service) findAddress(ctx context.Context, address string) (orgRef, globalAddress, error) {
	var found []globalAddress
	err := s.store.View(ctx, store.Global, func(r store.Reader) error {
		found = found[:0]
		return r.Scan(collGlobalAddresses, address+"/", "", maxAddressHolders, func(key string, raw []byte) (bool, error) {
			var a globalAddress
			if err := json.Unmarshal(raw, &a); err != nil {
				return false, fmt.Errorf("service: corrupt %s record %q: %w", collGlobalAddresses, key, err)
			}
			found = append(found, a)
			return true, nil
		})
	})
	if err != nil {
		return orgRef{}, globalAddress{}, err
	}
	var active []globalAddress
	for _, a := range found {
		o := orgRef{store.Partition{Account: a.Account, Region: a.Region}, a.OrganizationID}
		err := s.viewIn(ctx, o.Partition, func(r store.Reader) error {
			_, err := s.activeOrganization(r, o)
			return err
		})
		var apiErr *model.Error
		switch {
		case errors.As(err, &apiErr):
			continue
		case err != nil:
			return orgRef{}, globalAddress{}, err
		}
		active = append(active, a)
	}
	switch {
	case len(active) > 1:
		s.log.Warn("an address of several organizations is refused for mail", "address", address)
		return orgRef{}, globalAddress{}, fmt.Errorf("%w: %s is an address in more than one organization", ErrNoRoute, address)
	case len(active) == 0:
		return orgRef{}, globalAddress{}, fmt.Errorf("%w: no entity has the address %s", ErrNoRoute, address)
	}
	a := active[0]
	return orgRef{store.Partition{Account: a.Account, Region: a.Region}, a.OrganizationID}, a, nil
}

// identityStoreID is the Identity Store id of the organization's Identity
// Center instance, or "" when the organization has no identity-provider
// configuration. workmaild has no Identity Center to ask, so it derives a
// stable id of the documented form d-<10 hex> from the instance ARN.
func identityStoreID(r store.Reader, o orgRef) (string, error) {
	cfg, err := identityProviders.get(r, o, "")
	if err != nil || cfg == nil {
		return "", err
	}
	sum := sha256.Sum256([]byte(cfg.InstanceArn))
	return "d-" + hex.EncodeToString(sum[:])[:10], nil
}

// addresses are an entity's email addresses: its primary email (empty
// while it has none) and its aliases. Every entity kind embeds them and
// feeds all of them to entityEmails while the entity is not deleted.
type addresses struct {
	Email   string   `json:"email,omitempty"`
	Aliases []string `json:"aliases,omitempty"`
}

// all returns the primary email, if any, then the aliases.
func (a *addresses) all() []string {
	if a.Email == "" {
		return a.Aliases
	}
	return append([]string{a.Email}, a.Aliases...)
}

// gone reports whether an entity in state, deleted at deletedAt, has
// passed the retention of deleted entities: from then on it answers as if
// it never existed.
func (s *Service) gone(state string, deletedAt time.Time) bool {
	return state == userDeleted && !s.now().Before(deletedAt.Add(DeletedUserRetention))
}

// entityRemoved is called, in the deleting transaction, when an entity
// of any kind is deleted at now: every area that records something about
// an entity (memberships, delegations, mailbox permissions) drops it here,
// both what the entity holds and what is held on it. Its mailbox export
// jobs are kept as history; those still running fail.
func entityRemoved(tx store.Tx, o orgRef, ref entityRef, now time.Time) error {
	for _, drop := range []func(store.Tx, orgRef, entityRef) error{
		dropMailboxes,
		dropMemberships,
		dropDelegations,
		dropMobileOverrides,
	} {
		if err := drop(tx, o, ref); err != nil {
			return err
		}
	}
	return failExportJobs(tx, o, ref, now)
}

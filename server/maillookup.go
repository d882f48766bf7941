package server

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/workmaild/workmaild/internal/service"
	"github.com/workmaild/workmaild/internal/socketmap"
)

// Mail routing for Postfix: the lookup tables its socketmap client asks
// on every message (socketmap_table(5)), served by `workmaild serve
// --socketmap-addr` through internal/socketmap. Mail is delivered to
// mailbox addresses named by ids that never change
// (service.MailboxRef.Address), so renaming a user or changing its
// addresses keeps its mail; the Dovecot password database logs users in
// under the same address.

// The maps of MailLookup, as Postfix's main.cf names them
// (socketmap:inet:HOST:PORT:<map>).
const (
	// MapDomains (virtual_mailbox_domains): the domain itself when mail
	// for it is delivered here.
	MapDomains = "domains"
	// MapRecipients (virtual_alias_maps): the mailbox addresses mail to an
	// address reaches, comma-separated: a user's or resource's own, or a
	// group's ENABLED members, nested groups expanded, each once.
	MapRecipients = "recipients"
	// MapMailboxes (virtual_mailbox_maps): a mailbox address itself while
	// its user or resource is ENABLED.
	MapMailboxes = "mailboxes"
	// MapSenders (smtpd_sender_login_maps): the login names (mailbox
	// addresses) that may send with an address as the envelope sender:
	// its user, and the holders of SEND_AS on its entity.
	MapSenders = "senders"
)

// MailboxDomain ends the domain of every mailbox address.
const MailboxDomain = service.MailboxDomain

// MailLookup answers one lookup of Postfix's socketmap: the value of key in
// the named map, socketmap.ErrNotFound for an address or domain that gets
// no mail (unknown, not ENABLED, deleted), a *socketmap.PermanentError
// for a map it does not serve, or the store's error (a temporary failure).
func (s *Server) MailLookup(ctx context.Context, name, key string) (string, error) {
	var value string
	var err error
	switch name {
	case MapDomains:
		var ok bool
		ok, err = s.service.ReceivesMailFor(ctx, key)
		if err == nil && !ok {
			err = service.ErrNoRoute
		}
		value = strings.ToLower(key)
	case MapRecipients:
		value, err = addresses(s.service.Recipients(ctx, key))
	case MapMailboxes:
		m, ok := service.ParseMailboxAddress(key)
		if !ok {
			return "", socketmap.ErrNotFound
		}
		_, err = s.service.Mailbox(ctx, m)
		value = m.Address()
	case MapSenders:
		value, err = addresses(s.service.Senders(ctx, key))
	default:
		return "", &socketmap.PermanentError{Reason: fmt.Sprintf("no map %q (maps: %s, %s, %s, %s)", name, MapDomains, MapRecipients, MapMailboxes, MapSenders)}
	}
	if errors.Is(err, service.ErrNoRoute) {
		return "", socketmap.ErrNotFound
	}
	return value, err
}

func addresses(ms []service.MailboxRef, err error) (string, error) {
	if err != nil {
		return "", err
	}
	out := make([]string, len(ms))
	for i, m := range ms {
		out[i] = m.Address()
	}
	return strings.Join(out, ","), nil
}

// NewSocketmapServer is a socketmap server answering with MailLookup; its
// Serve takes the listeners.
func (s *Server) NewSocketmapServer() *socketmap.Server {
	return &socketmap.Server{Lookup: s.MailLookup, Log: s.log}
}

// MailboxInfo describes a mailbox that exists, for the mail store.
type MailboxInfo = service.MailboxInfo

// ErrNoMailbox is wrapped by StoredMailbox for an address that names no
// mailbox.
var ErrNoMailbox = service.ErrNoMailbox

// StoredMailbox describes the mailbox of a mailbox address for the mail
// store that keeps it (the Dovecot user database of docs/mail.md): a user
// or resource registered to WorkMail once and not deleted, with its quota.
// A deregistered one keeps its mailbox; it no longer receives or logs in.
func (s *Server) StoredMailbox(ctx context.Context, address string) (MailboxInfo, error) {
	m, ok := service.ParseMailboxAddress(address)
	if !ok {
		return MailboxInfo{}, fmt.Errorf("%w: %q is not a mailbox address", ErrNoMailbox, address)
	}
	return s.service.StoredMailbox(ctx, m)
}

// FullAccess returns the mailboxes the user of a mailbox address may open
// besides its own (FULL_ACCESS held directly or through ENABLED groups, on
// ENABLED users and resources), in order of their email; none for an
// address that is no ENABLED user's.
func (s *Server) FullAccess(ctx context.Context, address string) ([]MailboxInfo, error) {
	m, ok := service.ParseMailboxAddress(address)
	if !ok {
		return nil, nil
	}
	return s.service.FullAccess(ctx, m)
}

// MailboxesPath is the mailbox endpoint, for the mail store.
const MailboxesPath = InternalPrefix + "mailboxes"

// mailboxResponse is the answer of POST /_workmaild/mailboxes.
type mailboxResponse struct {
	Mailbox string
	Kind    string // USER or RESOURCE
	Email   string
	// QuotaMB is the user's mailbox quota in megabytes; 0 (a resource's)
	// is none.
	QuotaMB int32
	// FullAccess, when asked for, lists the other mailboxes the user may
	// open (see Server.FullAccess).
	FullAccess []sharedMailbox `json:",omitempty"`
}

type sharedMailbox struct{ Mailbox, Email string }

func (s *Server) handleMailbox(w http.ResponseWriter, r *http.Request) {
	var in struct {
		Mailbox    string
		FullAccess bool // also list the mailboxes the user may open
	}
	if !readInternal(w, r, &in) {
		return
	}
	info, err := s.StoredMailbox(r.Context(), in.Mailbox)
	var shared []MailboxInfo
	if err == nil && in.FullAccess {
		shared, err = s.FullAccess(r.Context(), in.Mailbox)
	}
	switch {
	case err == nil:
		out := mailboxResponse{Mailbox: info.Address(), Kind: info.Kind, Email: info.Email, QuotaMB: info.QuotaMB}
		for _, m := range shared {
			out.FullAccess = append(out.FullAccess, sharedMailbox{Mailbox: m.Address(), Email: m.Email})
		}
		writeInternal(w, http.StatusOK, out)
	case errors.Is(err, ErrNoMailbox):
		writeInternalError(w, http.StatusNotFound, "NoSuchMailbox", err.Error())
	default:
		s.log.Error("mailbox lookup failed", "mailbox", quoteShort(in.Mailbox), "error", err)
		writeInternalError(w, http.StatusInternalServerError, "InternalFailure", "The mailbox could not be looked up now; try again.")
	}
}

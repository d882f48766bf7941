package service

import (
	"crypto/sha256"
	"encoding/base32"
	"encoding/base64"
	"slices"
	"strings"
	"time"

	"github.com/workmaild/workmaild/internal/model"
	"github.com/workmaild/workmaild/internal/record"
	"github.com/workmaild/workmaild/internal/store"
)

// An organization's mail domains are its test domain <alias>.awsapps.com,
// which it has from its creation, always verified and never stored, and
// the domains registered to it (by RegisterMailDomain or given to
// CreateOrganization), one record each:
//
//	mail-domain       <org id>/<domain>  -> mailDomain
//	mail-domain-name  <domain>           -> mail-domain/<org id>/<domain>
//
// Both collections are partition-level (the table is used with the
// partition's orgRef), so that the unique name index spans every
// organization of the account and region: a domain belongs to one
// organization at a time (MailDomainInUseException), as in WorkMail, whose
// message says "in your account". Another account may register the same
// name: SES identities are per account and region, and so are these.
// Records still sort by organization, so one organization's domains are
// one prefix, in name order. Domain names are stored lower-cased.
//
// Organizations created before domains had records kept the domains given
// to CreateOrganization in the organization record (organization.Domains);
// they are still read from there, as verified domains, and are not in the
// name index.
var mailDomains = &table[mailDomain]{
	codec: record.For[mailDomain](),
	coll:  "mail-domain",
	id:    func(d *mailDomain) string { return d.OrganizationID + "/" + d.Name },
	indexes: []indexOn[mailDomain]{
		{mailDomainNames, func(d *mailDomain) []string { return []string{d.Name} }},
	},
}

var mailDomainNames = &index{coll: "mail-domain-name", fold: true, unique: true,
	conflict: func(_, domain string) error {
		return model.ErrMailDomainInUse.Errorf("The domain %s is in use by another organization in your account.", domain)
	}}

// mailDomain is a registered domain. Its verification statuses follow from
// RegisteredAt and the configured DomainVerificationDelay, unless the
// internal endpoint set them (Ownership, DKIM).
type mailDomain struct {
	OrganizationID string    `json:"organizationId"`
	Name           string    `json:"name"`
	RegisteredAt   time.Time `json:"registeredAt"`
	Ownership      string    `json:"ownership,omitempty"`
	DKIM           string    `json:"dkim,omitempty"`
}

// MaxMailDomains is how many domains an organization may register: the
// WorkMail quota, which cannot be raised.
const MaxMailDomains = 1000

// domainRefs are the keys of the mail-domain tables: the partition.
func domainRefs(o orgRef) orgRef { return orgRef{Partition: o.Partition} }

// Verification statuses, as GetMailDomain reports them.
const (
	domainPending  = string(model.DnsRecordVerificationStatusPending)
	domainVerified = string(model.DnsRecordVerificationStatusVerified)
	domainFailed   = string(model.DnsRecordVerificationStatusFailed)
)

// domainState is one mail domain of an organization as the operations see it.
type domainState struct {
	Name      string
	Test      bool        // the organization's <alias>.awsapps.com
	Legacy    bool        // kept in the organization record (see above)
	Record    *mailDomain // nil for the test domain and legacy ones
	Ownership string
	DKIM      string
}

// testDomain is the organization's test domain.
func (o *organization) testDomain() string { return strings.ToLower(o.Alias) + ".awsapps.com" }

// isDefault reports whether the domain is the organization's default.
func (d *domainState) isDefault(org *organization) bool {
	return strings.EqualFold(d.Name, org.DefaultMailDomain)
}

// status is a registered domain's verification status at org.readAt:
// what the internal endpoint set, else PENDING until the configured delay
// has passed since registration.
func (d *mailDomain) status(set string, org *organization) string {
	switch {
	case set != "":
		return set
	case org.domainDelay <= 0 || !org.readAt.Before(d.RegisteredAt.Add(org.domainDelay)):
		return domainVerified
	default:
		return domainPending
	}
}

// findMailDomain returns the organization's mail domain name (any case),
// or nil when it has none of that name.
func findMailDomain(r store.Reader, o orgRef, org *organization, name string) (*domainState, error) {
	name = strings.ToLower(name)
	if name == org.testDomain() {
		return &domainState{Name: name, Test: true, Ownership: domainVerified, DKIM: domainVerified}, nil
	}
	rec, err := mailDomains.get(r, domainRefs(o), o.ID+"/"+name)
	if err != nil {
		return nil, err
	}
	if rec != nil {
		return &domainState{Name: name, Record: rec, Ownership: rec.status(rec.Ownership, org), DKIM: rec.status(rec.DKIM, org)}, nil
	}
	if slices.ContainsFunc(org.Domains, func(d string) bool { return strings.EqualFold(d, name) }) {
		return &domainState{Name: name, Legacy: true, Ownership: domainVerified, DKIM: domainVerified}, nil
	}
	return nil, nil
}

// orgMailDomains returns every mail domain of the organization, by name.
func orgMailDomains(r store.Reader, o orgRef, org *organization) ([]*domainState, error) {
	all := []*domainState{{Name: org.testDomain(), Test: true, Ownership: domainVerified, DKIM: domainVerified}}
	seen := map[string]bool{org.testDomain(): true}
	err := r.Scan(mailDomains.coll, o.prefix(), "", 0, func(key string, raw []byte) (bool, error) {
		rec, err := mailDomains.decode(key, raw)
		if err != nil {
			return false, err
		}
		seen[rec.Name] = true
		all = append(all, &domainState{Name: rec.Name, Record: rec, Ownership: rec.status(rec.Ownership, org), DKIM: rec.status(rec.DKIM, org)})
		return true, nil
	})
	if err != nil {
		return nil, err
	}
	for _, d := range org.Domains {
		if d = strings.ToLower(d); !seen[d] {
			seen[d] = true
			all = append(all, &domainState{Name: d, Legacy: true, Ownership: domainVerified, DKIM: domainVerified})
		}
	}
	slices.SortFunc(all, func(a, b *domainState) int { return strings.Compare(a.Name, b.Name) })
	return all, nil
}

// checkMailDomain answers nil when email may be an address of an entity of
// the organization: its domain is a mail domain of the organization
// (MailDomainNotFoundException otherwise) whose ownership is verified
// (MailDomainStateException otherwise). Every operation that gives an
// entity an address (RegisterToWorkMail, CreateAlias,
// UpdatePrimaryEmailAddress) asks it, with the organization as
// activeOrganization returned it.
func checkMailDomain(r store.Reader, o orgRef, org *organization, email string) error {
	domain := email[strings.LastIndexByte(email, '@')+1:]
	d, err := findMailDomain(r, o, org, domain)
	switch {
	case err != nil:
		return err
	case d == nil:
		return model.ErrMailDomainNotFound.Errorf("The domain %s of %s is not found in organization %s.", domain, email, o.ID)
	case d.Ownership != domainVerified:
		return model.ErrMailDomainState.Errorf("The domain %s must be verified before it can be used; its ownership verification status is %s.", d.Name, d.Ownership)
	}
	return nil
}

// registerMailDomain adds a domain to the organization, PENDING from now.
// It is a no-op for a domain the organization has already.
func registerMailDomain(tx store.Tx, o orgRef, org *organization, name string, now time.Time) error {
	name = strings.ToLower(name)
	if d, err := findMailDomain(tx, o, org, name); err != nil || d != nil {
		return err
	}
	if strings.HasSuffix(name, ".awsapps.com") || name == "awsapps.com" {
		return model.ErrInvalidParameter.Errorf("The domain %s cannot be registered: awsapps.com domains are WorkMail's own (this organization's is %s).", name, org.testDomain())
	}
	n := 0
	err := tx.Scan(mailDomains.coll, o.prefix(), "", MaxMailDomains, func(string, []byte) (bool, error) {
		n++
		return true, nil
	})
	if err != nil {
		return err
	}
	if n+len(org.Domains) >= MaxMailDomains {
		return model.ErrLimitExceeded.Errorf("Organization %s has %d mail domains, the most it may have.", o.ID, MaxMailDomains)
	}
	return mailDomains.insert(tx, domainRefs(o), &mailDomain{OrganizationID: o.ID, Name: name, RegisteredAt: now})
}

// deleteMailDomains removes every registered domain of the organization,
// freeing their names.
func deleteMailDomains(tx store.Tx, o orgRef) error {
	var ids []string
	err := tx.Scan(mailDomains.coll, o.prefix(), "", 0, func(key string, _ []byte) (bool, error) {
		ids = append(ids, key)
		return true, nil
	})
	if err != nil {
		return err
	}
	for _, id := range ids {
		if err := mailDomains.delete(tx, domainRefs(o), id); err != nil {
			return err
		}
	}
	return nil
}

// domainInUse returns an address of the organization's entities on the
// domain, or "" when none is.
func domainInUse(r store.Reader, o orgRef, domain string) (string, error) {
	var used string
	suffix := "@" + strings.ToLower(domain)
	err := r.Scan(entityEmails.coll, o.prefix(), "", 0, func(key string, _ []byte) (bool, error) {
		if strings.HasSuffix(key, suffix) {
			used = key[len(o.prefix()):]
			return false, nil
		}
		return true, nil
	})
	return used, err
}

// dnsRecords are the records to publish for a registered domain, in the
// order WorkMail lists them. The tokens are derived from the partition,
// the organization and the domain, so they are stable.
func dnsRecords(o orgRef, domain string) []model.DnsRecord {
	sum := func(what string) []byte {
		h := sha256.Sum256([]byte(what + "\x00" + o.Account + "\x00" + o.Region + "\x00" + o.ID + "\x00" + domain))
		return h[:]
	}
	dkim := func(i byte) string {
		return strings.ToLower(base32.StdEncoding.EncodeToString(sum("dkim" + string('0'+i))[:20]))
	}
	rec := func(typ, host, value string) model.DnsRecord {
		return model.DnsRecord{Type: ptr(typ), Hostname: ptr(host), Value: ptr(value)}
	}
	d := domain + "."
	out := []model.DnsRecord{
		rec("MX", d, "10 inbound-smtp."+o.Region+".amazonaws.com."),
		rec("TXT", "_amazonses."+d, base64.StdEncoding.EncodeToString(sum("ownership"))),
		rec("CNAME", "autodiscover."+d, "autodiscover.mail."+o.Region+".awsapps.com."),
	}
	for i := range byte(3) {
		tok := dkim(i)
		out = append(out, rec("CNAME", tok+"._domainkey."+d, tok+".dkim.amazonses.com."))
	}
	return append(out,
		rec("TXT", d, "v=spf1 include:amazonses.com ~all"),
		rec("TXT", "_dmarc."+d, "v=DMARC1;p=quarantine;pct=100;fo=1"),
	)
}

package service

import (
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/workmaild/workmaild/internal/store"
)

// The layout of a partition's records has a version, kept in the
// partition at meta/schema. Version 1 had no version record: its unique
// index entries held a bare id, deleted users had no deletion index,
// addresses had no global entries and client tokens did not name their
// organization. Version 2 had no name, email and state indexes of users
// and groups of their own, no display-name index of users, and
// memberships did not carry the group's name nor have the index of a
// member's groups by name. Version 3 is this file's.
//
// The store cannot list its partitions, so a partition is migrated when
// it is first used: every write transaction migrates (in the same
// transaction) a partition whose version is older, and a read that finds
// an older version first runs that migration in a write transaction of
// its own. The version is checked inside the transaction, so two
// processes migrating at once cannot both apply it, and a retried
// transaction function simply migrates again. A partition that has never
// held an organization needs nothing and is stamped by its first write.
const (
	schemaVersion  = 3
	collMeta       = "meta"
	schemaRecordID = "schema"
)

// errSchemaOld is returned by checkSchema when the partition must be
// migrated before it can be read.
var errSchemaOld = errors.New("service: partition has an older record layout")

// partitionSchema returns the partition's version: 0 when it holds no
// record at all (nothing to migrate), 1 when it has records but no version.
func partitionSchema(r store.Reader) (int, error) {
	raw, err := r.Get(collMeta, schemaRecordID)
	if err == nil {
		v, err := strconv.Atoi(string(raw))
		if err != nil {
			return 0, fmt.Errorf("service: corrupt schema version %q", raw)
		}
		return v, nil
	}
	if !isNotFound(err) {
		return 0, err
	}
	empty := true
	for _, coll := range []string{organizations.coll, applications.coll, collClientTokens} {
		err := r.Scan(coll, "", "", 1, func(string, []byte) (bool, error) {
			empty = false
			return false, nil
		})
		if err != nil {
			return 0, err
		}
	}
	if empty {
		return 0, nil
	}
	return 1, nil
}

// checkSchema is nil when the partition can be read as it is.
func checkSchema(r store.Reader) error {
	v, err := partitionSchema(r)
	switch {
	case err != nil:
		return err
	case v > schemaVersion:
		return fmt.Errorf("service: partition has record layout %d, newer than this release's %d", v, schemaVersion)
	case v != 0 && v < schemaVersion:
		return errSchemaOld
	}
	return nil
}

// migrate brings the partition to the current schema. It is idempotent.
func migrate(tx store.Tx, p store.Partition) error {
	v, err := partitionSchema(tx)
	if err != nil {
		return err
	}
	switch {
	case v == schemaVersion:
		return nil
	case v > schemaVersion:
		return checkSchema(tx)
	}
	// Each step reads layout n and writes n+1; a partition older by
	// several takes them in turn.
	for n, step := range []func(store.Tx, store.Partition) error{1: migrateV1, 2: migrateV2} {
		if v == 0 || n < v { // v 0: a partition without records needs no step
			continue
		}
		if err := step(tx, p); err != nil {
			return fmt.Errorf("service: migrating partition %s/%s from layout %d: %w", p.Account, p.Region, n, err)
		}
	}
	return tx.Put(collMeta, schemaRecordID, []byte(strconv.Itoa(schemaVersion)))
}

// orgScoped are the tables whose records belong to an organization, for
// migrations and for purging an organization.
var orgScoped = []interface {
	reindexAll(tx store.Tx, o orgRef) error
	deleteAll(tx store.Tx, o orgRef) error
}{users, personalAccessTokens, identityProviders, mailboxQuotas, mailboxGrants, groups, memberships, resources, delegations,
	availabilityConfigs, exportJobs, accessControl, impersonationRoles, impersonationTokens,
	retentionPolicies, emailMonitoring, inboundDmarc, orgTags, mobileRules, mobileRuleSets, mobileOverrides}

func migrateV1(tx store.Tx, p store.Partition) error {
	// Unique entries named their holder by id alone; each index had one kind.
	for _, ix := range []struct{ coll, kind string }{
		{entityNames.coll, users.coll}, {entityEmails.coll, users.coll},
		{orgAliases.coll, organizations.coll}, {orgDirectories.coll, organizations.coll},
	} {
		err := tx.Scan(ix.coll, "", "", 0, func(key string, held []byte) (bool, error) {
			if strings.Contains(string(held), "/") {
				return true, nil
			}
			return true, tx.Put(ix.coll, key, []byte(ix.kind+"/"+string(held)))
		})
		if err != nil {
			return err
		}
	}
	// New index entries: deleted users by deletion time, global addresses.
	hasOrgs := false
	err := organizations.each(tx, orgRef{Partition: p}, func(org *organization) error {
		hasOrgs = true
		for _, t := range orgScoped {
			if err := t.reindexAll(tx, orgRef{p, org.ID}); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	if hasOrgs {
		if err := registerPartition(tx, p); err != nil {
			return err
		}
	}
	// Client tokens of organization operations returned the organization id.
	for _, op := range []string{"CreateOrganization", "DeleteOrganization"} {
		prefix := op + "\x00"
		err := tx.Scan(collClientTokens, prefix, "", 0, func(key string, raw []byte) (bool, error) {
			var rec clientTokenRecord
			if err := json.Unmarshal(raw, &rec); err != nil {
				return false, fmt.Errorf("corrupt %s record %q: %w", collClientTokens, key, err)
			}
			if rec.Org != "" {
				return true, nil
			}
			rec.Org = rec.Result
			return true, putClientToken(tx, key, rec)
		})
		if err != nil {
			return err
		}
	}
	return nil
}

// migrateV2 fills the indexes layout 3 added: users and groups by name,
// email and state, users by display name, and memberships by group name,
// which needs each membership to carry its group's name first.
func migrateV2(tx store.Tx, p store.Partition) error {
	return organizations.each(tx, orgRef{Partition: p}, func(org *organization) error {
		o := orgRef{p, org.ID}
		var named []*membership
		err := memberships.each(tx, o, func(m *membership) error {
			if m.GroupName != "" {
				return nil
			}
			g, err := groups.get(tx, o, m.GroupID)
			if err != nil || g == nil { // memberships go with their group: none is left without
				return err
			}
			m.GroupName = g.Name
			named = append(named, m)
			return nil
		})
		if err != nil {
			return err
		}
		for _, m := range named { // written after the scan, which must not see its own writes
			if err := memberships.put(tx, o, m); err != nil {
				return err
			}
		}
		for _, t := range []interface{ reindexAll(store.Tx, orgRef) error }{users, groups, memberships} {
			if err := t.reindexAll(tx, o); err != nil {
				return err
			}
		}
		return nil
	})
}

// reindexAll claims every index entry the organization's records hold.
func (t *table[T]) reindexAll(tx store.Tx, o orgRef) error {
	return t.each(tx, o, func(rec *T) error { return t.reindex(tx, o, rec) })
}

// Partitions that hold organizations are listed in the Global partition,
// so that Purge can visit them (the store cannot list its partitions):
//
//	partition  account\x00region -> {account, region}
const collPartitions = "partition"

func registerPartition(tx store.Tx, p store.Partition) error {
	raw, err := json.Marshal(p)
	if err != nil {
		return err
	}
	err = tx.Global().Insert(collPartitions, p.Account+"\x00"+p.Region, raw)
	if errors.Is(err, store.ErrExists) {
		return nil // registered before: the record is the same
	}
	return err
}

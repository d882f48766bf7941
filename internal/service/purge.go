package service

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/workmaild/workmaild/internal/store"
)

// Purge removes from the store what no answer can show any more:
// organizations whose DeletedRetention has passed and users, groups and resources
// deleted DeletedUserRetention ago, with every record under them (index entries,
// tokens, configuration, client tokens, global addresses), and mail-login
// failure counters whose window has ended. Answers never
// depend on it (they already treat such records as absent), so it may
// run at any time, any number of times, in several processes at once:
// each organization is purged in a transaction of its own that checks
// again what it removes.
func (s *Service) Purge(ctx context.Context) error {
	parts, err := s.partitions(ctx)
	if err != nil {
		return err
	}
	for _, p := range parts {
		if err := s.purgePartition(ctx, p); err != nil {
			return err
		}
	}
	return s.purgeLoginFailures(ctx)
}

// partitions lists the partitions that hold organizations.
func (s *Service) partitions(ctx context.Context) ([]store.Partition, error) {
	var parts []store.Partition
	err := s.store.View(ctx, store.Global, func(r store.Reader) error {
		parts = nil
		return r.Scan(collPartitions, "", "", 0, func(key string, raw []byte) (bool, error) {
			var p store.Partition
			if err := json.Unmarshal(raw, &p); err != nil {
				return false, fmt.Errorf("service: corrupt %s record %q: %w", collPartitions, key, err)
			}
			parts = append(parts, p)
			return true, nil
		})
	})
	return parts, err
}

// purgePartition finds, in a read, the organizations to purge and those
// with deleted entities to purge, then purges each in its own write.
func (s *Service) purgePartition(ctx context.Context, p store.Partition) error {
	now := s.now()
	var expired, withDeleted []string
	err := s.viewIn(ctx, p, func(r store.Reader) error {
		expired, withDeleted = nil, nil
		return organizations.each(r, orgRef{Partition: p}, func(org *organization) error {
			if org.expired(now, s.lifecycle) {
				expired = append(expired, org.ID)
				return nil
			}
			for _, k := range deletedKinds {
				due, err := dueDeleted(r, orgRef{p, org.ID}, k.deleted, now, 1)
				if err != nil {
					return err
				}
				if len(due) > 0 {
					withDeleted = append(withDeleted, org.ID)
					break
				}
			}
			return nil
		})
	})
	if err != nil {
		return err
	}
	for _, id := range expired {
		err := s.updateIn(ctx, p, func(tx store.Tx) error {
			org, err := organizations.get(tx, orgRef{Partition: p}, id)
			if err != nil || org == nil || !org.expired(now, s.lifecycle) {
				return err
			}
			return purgeOrganization(tx, orgRef{p, id})
		})
		if err != nil {
			return err
		}
	}
	for _, id := range withDeleted {
		err := s.updateIn(ctx, p, func(tx store.Tx) error {
			o := orgRef{p, id}
			for _, k := range deletedKinds {
				due, err := dueDeleted(tx, o, k.deleted, now, 0)
				if err != nil {
					return err
				}
				for _, entityID := range due {
					if err := k.purge(tx, o, entityID); err != nil {
						return err
					}
				}
			}
			return nil
		})
		if err != nil {
			return err
		}
	}
	return nil
}

// purgeOrganization removes the organization and everything under it.
func purgeOrganization(tx store.Tx, o orgRef) error {
	for _, t := range orgScoped {
		if err := t.deleteAll(tx, o); err != nil {
			return err
		}
	}
	if err := deleteClientTokens(tx, o.ID); err != nil {
		return err
	}
	if err := deleteMailDomains(tx, o); err != nil {
		return err
	}
	return organizations.delete(tx, orgRef{Partition: o.Partition}, o.ID)
}

// purgeUser removes a user and everything under it.
func purgeUser(tx store.Tx, o orgRef, userID string) error {
	if err := deleteUserTokens(tx, o, userID); err != nil {
		return err
	}
	return users.delete(tx, o, userID)
}

// deletedKinds are the entity kinds whose deleted records Purge removes
// DeletedUserRetention after their deletion: the index listing them by
// deletion time (org/deletion time/id), and how to purge one.
var deletedKinds = []struct {
	deleted *index
	purge   func(tx store.Tx, o orgRef, id string) error
}{
	{deletedUsers, purgeUser},
	{deletedGroups, purgeGroup},
	{deletedResources, purgeResource},
}

// dueDeleted returns the ids of the organization's entities in index
// deleted (deleted users, groups, ...) deleted at least
// DeletedUserRetention before now, at most limit (0: all) of them.
func dueDeleted(r store.Reader, o orgRef, deleted *index, now time.Time, limit int) ([]string, error) {
	cutoff := deletedAtKey(now.Add(-DeletedUserRetention))
	prefix := o.prefix()
	var ids []string
	err := r.Scan(deleted.coll, prefix, "", 0, func(key string, _ []byte) (bool, error) {
		at, id := key[len(prefix):len(prefix)+len(cutoff)], key[len(prefix)+len(cutoff)+1:]
		if at > cutoff {
			return false, nil
		}
		ids = append(ids, id)
		return limit == 0 || len(ids) < limit, nil
	})
	return ids, err
}

// deletedAtKey spells a deletion time so that keys sort by time.
func deletedAtKey(t time.Time) string { return t.UTC().Format("20060102T150405.000000000Z") }

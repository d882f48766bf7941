package service

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/workmaild/workmaild/internal/store"
)

// Purge removes from the store what no answer can show any more:
// organizations whose DeletedRetention has passed and users deleted
// DeletedUserRetention ago, with every record under them (index entries,
// tokens, configuration, client tokens, global addresses). Answers never
// depend on it (they already treat such records as absent), so it may
// run at any time, any number of times, in several processes at once:
// each organization is purged in a transaction of its own that checks
// again what it removes.
func (s *Service) Purge(ctx context.Context) error {
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
	if err != nil {
		return err
	}
	for _, p := range parts {
		if err := s.purgePartition(ctx, p); err != nil {
			return err
		}
	}
	return nil
}

// purgePartition finds, in a read, the organizations to purge and those
// with users to purge, then purges each in its own write.
func (s *Service) purgePartition(ctx context.Context, p store.Partition) error {
	now := s.now()
	var expired, withUsers []string
	err := s.viewIn(ctx, p, func(r store.Reader) error {
		expired, withUsers = nil, nil
		return organizations.each(r, orgRef{Partition: p}, func(org *organization) error {
			if org.expired(now, s.lifecycle) {
				expired = append(expired, org.ID)
				return nil
			}
			due, err := dueUsers(r, orgRef{p, org.ID}, now, 1)
			if err == nil && len(due) > 0 {
				withUsers = append(withUsers, org.ID)
			}
			return err
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
	for _, id := range withUsers {
		err := s.updateIn(ctx, p, func(tx store.Tx) error {
			o := orgRef{p, id}
			due, err := dueUsers(tx, o, now, 0)
			if err != nil {
				return err
			}
			for _, userID := range due {
				if err := purgeUser(tx, o, userID); err != nil {
					return err
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

// dueUsers returns the ids of the organization's users deleted at least
// DeletedUserRetention before now, at most limit (0: all) of them.
func dueUsers(r store.Reader, o orgRef, now time.Time, limit int) ([]string, error) {
	cutoff := deletedAtKey(now.Add(-DeletedUserRetention))
	prefix := o.prefix()
	var ids []string
	err := r.Scan(deletedUsers.coll, prefix, "", 0, func(key string, _ []byte) (bool, error) {
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

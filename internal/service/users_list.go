package service

import (
	"context"
	"strings"

	"github.com/workmaild/workmaild/internal/model"
	"github.com/workmaild/workmaild/internal/store"
)

// userSource is where one ListUsers request reads: the user records in id
// order, or an index in the order of the value it filters on. Either way a
// page reads only as far as it needs.
type userSource struct {
	collection string
	prefix     string                         // scanned prefix of the collection
	userID     func(key, value []byte) string // the user an index entry names
}

// ListUsers implements WorkMailService.ListUsers. As AWS documents, one
// filter at most; prefixes match without regard to case. Without a filter
// users come in id order, and with State in id order among those of the
// state; with a name, display-name, email or identity-provider prefix in
// that value's order. NextTokens carry the last key returned, bound to
// the organization and filter.
func (s *Service) ListUsers(ctx context.Context, in *model.ListUsersInput) (*model.ListUsersOutput, error) {
	f := in.Filters
	if f == nil {
		f = &model.ListUsersFilters{}
	}
	if n := countFilters(f); n > 1 {
		return nil, model.ErrInvalidParameter.Errorf("ListUsers takes one filter per request; %d were given.", n)
	}
	var out *model.ListUsersOutput
	err := s.view(ctx, func(p store.Partition, r store.Reader) error {
		o := orgRef{p, str(in.OrganizationId)}
		if _, err := s.activeOrganization(r, o); err != nil {
			return err
		}
		pg, err := s.newPager("ListUsers", p, in.NextToken, in.MaxResults, o.ID, given(f.UsernamePrefix), given(f.DisplayNamePrefix),
			given(f.PrimaryEmailPrefix), given(f.State), given(f.IdentityProviderUserIdPrefix))
		if err != nil {
			return err
		}
		storeID, err := identityStoreID(r, o)
		if err != nil {
			return err
		}
		src := usersSource(o, f)
		list, next, err := page(r, pg, src.collection, src.prefix, func(key string, value []byte) (model.User, bool, error) {
			u, err := src.read(r, o, key, value)
			if err != nil || u == nil || !s.listed(u, f) {
				return model.User{}, false, err
			}
			return userSummary(u, storeID), true, nil
		})
		out = &model.ListUsersOutput{Users: list, NextToken: next}
		return err
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// read returns the user a scanned record stands for, or nil when an index
// entry has no user behind it.
func (src userSource) read(r store.Reader, o orgRef, key string, value []byte) (*user, error) {
	if src.userID == nil {
		return users.decode(key, value)
	}
	return users.get(r, o, src.userID([]byte(key), value))
}

// usersSource picks the collection a ListUsers request reads: for a
// filter, an index of users only (users.go).
func usersSource(o orgRef, f *model.ListUsersFilters) userSource {
	byEntryID := func(key, _ []byte) string { return entryID(string(key)) }
	switch {
	case f.UsernamePrefix != nil:
		return userSource{userNames.coll, o.prefix() + userNames.folded(*f.UsernamePrefix), byEntryID}
	case f.PrimaryEmailPrefix != nil:
		return userSource{userEmails.coll, o.prefix() + userEmails.folded(*f.PrimaryEmailPrefix), byEntryID}
	case f.IdentityProviderUserIdPrefix != nil:
		return userSource{userIdPs.coll, o.prefix() + userIdPs.folded(*f.IdentityProviderUserIdPrefix), byLastSegment}
	case f.DisplayNamePrefix != nil:
		return userSource{userDisplayNames.coll, o.prefix() + userDisplayNames.folded(*f.DisplayNamePrefix), byEntryID}
	case f.State != nil:
		return userSource{userStates.coll, userStates.entryKey(o, string(*f.State), ""), byLastSegment}
	}
	return userSource{collection: users.coll, prefix: o.prefix()}
}

// byLastSegment is the user of a multi-value entry "org/value/user id".
func byLastSegment(key, _ []byte) string {
	return string(key[strings.LastIndexByte(string(key), '/')+1:])
}

// listed reports whether ListUsers shows u under filter f: deleted users
// until their retention ends (their entries wait for Purge). The index a
// filter reads holds only the users it matches; State and
// DisplayNamePrefix are checked on the record as well, as they always were.
func (s *Service) listed(u *user, f *model.ListUsersFilters) bool {
	if u.State == userDeleted && !s.now().Before(u.DeletedAt.Add(DeletedUserRetention)) {
		return false
	}
	if f.State != nil && string(*f.State) != u.State {
		return false
	}
	if f.DisplayNamePrefix != nil && !hasPrefixFold(u.DisplayName, *f.DisplayNamePrefix) {
		return false
	}
	return true
}

func userSummary(u *user, storeID string) model.User {
	out := model.User{
		Id:                     ptr(u.ID),
		Email:                  optional(u.Email),
		Name:                   ptr(u.Name),
		DisplayName:            optional(u.DisplayName),
		State:                  ptr(model.EntityState(u.State)),
		UserRole:               ptr(model.UserRole(u.Role)),
		EnabledDate:            timestamp(u.EnabledAt),
		DisabledDate:           timestamp(u.DisabledAt),
		IdentityProviderUserId: optional(u.IdPUserID),
	}
	if u.IdPUserID != "" {
		out.IdentityProviderIdentityStoreId = optional(storeID)
	}
	return out
}

func countFilters(f *model.ListUsersFilters) int {
	n := 0
	for _, set := range []bool{f.UsernamePrefix != nil, f.DisplayNamePrefix != nil, f.PrimaryEmailPrefix != nil,
		f.State != nil, f.IdentityProviderUserIdPrefix != nil} {
		if set {
			n++
		}
	}
	return n
}

func hasPrefixFold(s, prefix string) bool {
	return strings.HasPrefix(strings.ToLower(s), strings.ToLower(prefix))
}

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
// users come in id order; with a name, email or identity-provider prefix
// in that value's order. NextTokens carry the last key returned, bound to
// the organization and filter.
func (s *Service) ListUsers(ctx context.Context, in *model.ListUsersInput) (*model.ListUsersOutput, error) {
	f := in.Filters
	if f == nil {
		f = &model.ListUsersFilters{}
	}
	if n := countFilters(f); n > 1 {
		return nil, model.ErrInvalidParameter.Errorf("ListUsers takes one filter per request; %d were given.", n)
	}
	out := &model.ListUsersOutput{Users: []model.User{}}
	err := s.view(ctx, func(p store.Partition, r store.Reader) error {
		orgID := str(in.OrganizationId)
		if _, err := s.activeOrganization(r, orgID); err != nil {
			return err
		}
		scope := listScope("ListUsers", p, orgID, given(f.UsernamePrefix), given(f.DisplayNamePrefix),
			given(f.PrimaryEmailPrefix), given(f.State), given(f.IdentityProviderUserIdPrefix))
		after, err := s.decodeNextToken(scope, in.NextToken)
		if err != nil {
			return err
		}
		storeID, err := identityStoreID(r, orgID)
		if err != nil {
			return err
		}
		src := usersSource(orgID, f)
		limit := pageSize(in.MaxResults, defaultListPage)
		return r.Scan(src.collection, src.prefix, after, 0, func(key string, value []byte) (bool, error) {
			u, err := src.read(r, orgID, key, value)
			if err != nil || u == nil || !s.listed(u, f) {
				return err == nil, err
			}
			if len(out.Users) == limit {
				out.NextToken = ptr(s.paging.Encode(scope, after))
				return false, nil
			}
			out.Users = append(out.Users, userSummary(u, storeID))
			after = key
			return true, nil
		})
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// read returns the user a scanned record stands for, or nil when an index
// entry has no user behind it.
func (src userSource) read(r store.Reader, orgID, key string, value []byte) (*user, error) {
	var u user
	if src.collection == collUsers {
		return &u, decodeRecord(collUsers, key, value, &u)
	}
	found, err := getRecord(r, collUsers, userKey(orgID, src.userID([]byte(key), value)), &u)
	if err != nil || !found {
		return nil, err
	}
	return &u, nil
}

// usersSource picks the collection a ListUsers request reads.
func usersSource(orgID string, f *model.ListUsersFilters) userSource {
	byIndex := func(key, value []byte) string { return string(value) }
	switch {
	case f.UsernamePrefix != nil:
		return userSource{collEntityNames, indexKey(orgID, *f.UsernamePrefix), byIndex}
	case f.PrimaryEmailPrefix != nil:
		return userSource{collEntityEmail, indexKey(orgID, *f.PrimaryEmailPrefix), byIndex}
	case f.IdentityProviderUserIdPrefix != nil:
		return userSource{collUserIdP, indexKey(orgID, *f.IdentityProviderUserIdPrefix), func(key, _ []byte) string {
			return string(key[strings.LastIndexByte(string(key), '/')+1:])
		}}
	}
	return userSource{collection: collUsers, prefix: orgID + "/"}
}

// listed reports whether ListUsers shows u under filter f: deleted users
// until their retention ends, and only those matching the scan-time filters.
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

// given spells an optional filter for a list scope, telling an absent
// filter from an empty one (they read different collections).
func given[T ~string](p *T) string {
	if p == nil {
		return "-"
	}
	return "=" + string(*p)
}

package service

import (
	"context"
	"errors"
	"time"

	"github.com/workmaild/workmaild/internal/model"
	"github.com/workmaild/workmaild/internal/record"
	"github.com/workmaild/workmaild/internal/store"
)

// users is the table of the user kind of entity. Records live under
// "<organization id>/<user id>", so that one organization's users are one
// ordered prefix: ListUsers pages through it without reading the rest.
// While a user is not deleted its name and addresses are in the shared
// entity indexes (entity.go), which keep them unique. ListUsers reads
// indexes of users only, so that each filter pages through exactly the
// users it shows: while not deleted, its name, primary email and
// identity-provider user id; always, its state and display name. A
// deleted user is in user-deleted, by deletion time, until Purge:
//
//	user-name     org/lower(name) NUL user id, while not deleted
//	user-email    org/lower(primary email) NUL user id, while not deleted
//	user-idp      org/lower(identity-provider user id)/user id, while not deleted
//	user-state    org/state/user id
//	user-display  org/lower(display name) NUL user id
//	user-deleted  org/deletion time/user id, while deleted
var users = &table[user]{
	codec: record.For[user](),
	coll:  "user",
	id:    func(u *user) string { return u.ID },
	indexes: []indexOn[user]{
		{entityNames, func(u *user) []string { return whileUndeleted(u, u.Name) }},
		{entityEmails, func(u *user) []string {
			if u.State == userDeleted {
				return nil
			}
			return u.all()
		}},
		{userIdPs, func(u *user) []string { return whileUndeleted(u, u.IdPUserID) }},
		{userNames, func(u *user) []string { return whileUndeleted(u, u.Name) }},
		{userEmails, func(u *user) []string { return whileUndeleted(u, u.Email) }},
		{userStates, func(u *user) []string { return []string{u.State} }},
		{userDisplayNames, func(u *user) []string { return []string{u.DisplayName} }},
		{deletedUsers, func(u *user) []string {
			if u.State != userDeleted {
				return nil
			}
			return []string{deletedAtKey(u.DeletedAt)}
		}},
	},
}

var (
	userIdPs         = &index{coll: "user-idp", fold: true}
	userNames        = &index{coll: "user-name", fold: true, byValue: true}
	userEmails       = &index{coll: "user-email", fold: true, byValue: true}
	userStates       = &index{coll: "user-state"}
	userDisplayNames = &index{coll: "user-display", fold: true, byValue: true}
	deletedUsers     = &index{coll: "user-deleted"}
	userKind         = kindOf(users)
)

func whileUndeleted(u *user, v string) []string {
	if v == "" || u.State == userDeleted {
		return nil
	}
	return []string{v}
}

// DeletedUserRetention is how long a deleted user stays describable and
// listed with State DELETED: WorkMail keeps a deleted user's mailbox 30 days.
const DeletedUserRetention = 30 * 24 * time.Hour

// user is the stored record. Timestamps are zero until the event happens.
type user struct {
	ID          string `json:"id"`
	Name        string `json:"name"`
	DisplayName string `json:"displayName"`
	addresses
	Role  string `json:"role"`
	State string `json:"state"`
	// PasswordHash is an argon2id PHC string; the password itself is never kept.
	PasswordHash string `json:"passwordHash,omitempty"`
	IdPUserID    string `json:"idpUserId,omitempty"`
	Hidden       bool   `json:"hidden,omitempty"`
	attributes

	CreatedAt              time.Time `json:"createdAt"`
	EnabledAt              time.Time `json:"enabledAt,omitzero"`
	DisabledAt             time.Time `json:"disabledAt,omitzero"`
	MailboxProvisionedAt   time.Time `json:"mailboxProvisionedAt,omitzero"`
	MailboxDeprovisionedAt time.Time `json:"mailboxDeprovisionedAt,omitzero"`
	DeletedAt              time.Time `json:"deletedAt,omitzero"`
}

// attributes are the free-text members only UpdateUser sets.
type attributes struct {
	FirstName  string `json:"firstName,omitempty"`
	LastName   string `json:"lastName,omitempty"`
	Initials   string `json:"initials,omitempty"`
	Telephone  string `json:"telephone,omitempty"`
	Street     string `json:"street,omitempty"`
	JobTitle   string `json:"jobTitle,omitempty"`
	City       string `json:"city,omitempty"`
	Company    string `json:"company,omitempty"`
	ZipCode    string `json:"zipCode,omitempty"`
	Department string `json:"department,omitempty"`
	Country    string `json:"country,omitempty"`
	Office     string `json:"office,omitempty"`
}

// Entity states, as DescribeUser and ListUsers report them.
const (
	userEnabled  = string(model.EntityStateEnabled)
	userDisabled = string(model.EntityStateDisabled)
	userDeleted  = string(model.EntityStateDeleted)
)

// resolveUser finds the user an EntityIdentifier names (see
// resolveEntity). A deleted user answers by id only, until
// DeletedUserRetention ends; then, like an identifier that never existed,
// it is EntityNotFoundException.
func (s *Service) resolveUser(r store.Reader, o orgRef, ident string) (*user, error) {
	ref, found, err := resolveEntity(r, o, ident, userKind)
	if err != nil {
		return nil, err
	}
	var u *user
	if found {
		if u, err = users.get(r, o, ref.ID); err != nil {
			return nil, err
		}
	}
	if u == nil || (u.State == userDeleted && !s.now().Before(u.DeletedAt.Add(DeletedUserRetention))) {
		return nil, model.ErrEntityNotFound.Errorf("User %s does not exist in organization %s.", ident, o.ID)
	}
	return u, nil
}

// undeletedUser resolves a user of an Active organization for operations
// that change it: a deleted user is EntityStateException.
func (s *Service) undeletedUser(r store.Reader, o orgRef, identifier string) (*user, error) {
	if _, err := s.activeOrganization(r, o); err != nil {
		return nil, err
	}
	u, err := s.resolveUser(r, o, identifier)
	if err != nil {
		return nil, err
	}
	if u.State == userDeleted {
		return nil, model.ErrEntityState.Errorf("User %s is deleted.", u.ID)
	}
	return u, nil
}

// CreateUser implements WorkMailService.CreateUser. The user starts
// DISABLED, as in WorkMail: RegisterToWorkMail enables it.
func (s *Service) CreateUser(ctx context.Context, in *model.CreateUserInput) (*model.CreateUserOutput, error) {
	role := model.UserRoleUser
	if in.Role != nil {
		role = *in.Role
	}
	if role == model.UserRoleSystemUser || role == model.UserRoleResource {
		return nil, model.ErrInvalidParameter.Errorf("Role %s cannot be set by CreateUser.", role)
	}
	var hash string
	if in.Password != nil {
		var err error
		if hash, err = s.passwords.hash(ctx, *in.Password); err != nil {
			return nil, err
		}
	}
	u := &user{
		ID:           s.ids.UUID(),
		Name:         str(in.Name),
		DisplayName:  str(in.DisplayName),
		Role:         string(role),
		State:        userDisabled,
		PasswordHash: hash,
		IdPUserID:    str(in.IdentityProviderUserId),
		Hidden:       in.HiddenFromGlobalAddressList != nil && *in.HiddenFromGlobalAddressList,
		attributes:   attributes{FirstName: str(in.FirstName), LastName: str(in.LastName)},
		CreatedAt:    s.now(),
	}
	err := s.update(ctx, func(p store.Partition, tx store.Tx) error {
		o := orgRef{p, str(in.OrganizationId)}
		if _, err := s.activeOrganization(tx, o); err != nil {
			return err
		}
		return users.insert(tx, o, u)
	})
	if err != nil {
		return nil, err
	}
	return &model.CreateUserOutput{UserId: &u.ID}, nil
}

// DescribeUser implements WorkMailService.DescribeUser.
func (s *Service) DescribeUser(ctx context.Context, in *model.DescribeUserInput) (*model.DescribeUserOutput, error) {
	var out *model.DescribeUserOutput
	err := s.view(ctx, func(p store.Partition, r store.Reader) error {
		o := orgRef{p, str(in.OrganizationId)}
		if _, err := s.activeOrganization(r, o); err != nil {
			return err
		}
		u, err := s.resolveUser(r, o, str(in.UserId))
		if err != nil {
			return err
		}
		storeID, err := identityStoreID(r, o)
		if err != nil {
			return err
		}
		out = describeUser(u, storeID)
		return nil
	})
	return out, err
}

func describeUser(u *user, storeID string) *model.DescribeUserOutput {
	out := &model.DescribeUserOutput{
		UserId:                      ptr(u.ID),
		Name:                        ptr(u.Name),
		Email:                       optional(u.Email),
		DisplayName:                 optional(u.DisplayName),
		State:                       ptr(model.EntityState(u.State)),
		UserRole:                    ptr(model.UserRole(u.Role)),
		EnabledDate:                 timestamp(u.EnabledAt),
		DisabledDate:                timestamp(u.DisabledAt),
		MailboxProvisionedDate:      timestamp(u.MailboxProvisionedAt),
		MailboxDeprovisionedDate:    timestamp(u.MailboxDeprovisionedAt),
		HiddenFromGlobalAddressList: ptr(u.Hidden),
		FirstName:                   optional(u.FirstName),
		LastName:                    optional(u.LastName),
		Initials:                    optional(u.Initials),
		Telephone:                   optional(u.Telephone),
		Street:                      optional(u.Street),
		JobTitle:                    optional(u.JobTitle),
		City:                        optional(u.City),
		Company:                     optional(u.Company),
		ZipCode:                     optional(u.ZipCode),
		Department:                  optional(u.Department),
		Country:                     optional(u.Country),
		Office:                      optional(u.Office),
		IdentityProviderUserId:      optional(u.IdPUserID),
	}
	if u.IdPUserID != "" {
		out.IdentityProviderIdentityStoreId = optional(storeID)
	}
	return out
}

// timestamp is nil for the zero time, so that events that did not happen
// are omitted.
func timestamp(t time.Time) *model.Timestamp {
	if t.IsZero() {
		return nil
	}
	return model.NewTimestamp(t)
}

// UpdateUser implements WorkMailService.UpdateUser: members that are
// present replace the stored ones; IdentityProviderUserId "" unlinks.
func (s *Service) UpdateUser(ctx context.Context, in *model.UpdateUserInput) (*model.UpdateUserOutput, error) {
	if in.Role != nil && (*in.Role == model.UserRoleSystemUser || *in.Role == model.UserRoleResource) {
		return nil, model.ErrInvalidParameter.Errorf("Role %s cannot be set by UpdateUser.", *in.Role)
	}
	err := s.update(ctx, func(p store.Partition, tx store.Tx) error {
		o := orgRef{p, str(in.OrganizationId)}
		u, err := s.undeletedUser(tx, o, str(in.UserId))
		if err != nil {
			return err
		}
		if in.IdentityProviderUserId != nil {
			u.IdPUserID = *in.IdentityProviderUserId
		}
		applyUpdate(u, in)
		return users.put(tx, o, u)
	})
	if err != nil {
		return nil, err
	}
	return &model.UpdateUserOutput{}, nil
}

func applyUpdate(u *user, in *model.UpdateUserInput) {
	set := func(dst *string, src *string) {
		if src != nil {
			*dst = *src
		}
	}
	if in.Role != nil {
		u.Role = string(*in.Role)
	}
	if in.HiddenFromGlobalAddressList != nil {
		u.Hidden = *in.HiddenFromGlobalAddressList
	}
	set(&u.DisplayName, in.DisplayName)
	a := &u.attributes
	for _, m := range []struct{ dst, src *string }{
		{&a.FirstName, in.FirstName}, {&a.LastName, in.LastName}, {&a.Initials, in.Initials},
		{&a.Telephone, in.Telephone}, {&a.Street, in.Street}, {&a.JobTitle, in.JobTitle},
		{&a.City, in.City}, {&a.Company, in.Company}, {&a.ZipCode, in.ZipCode},
		{&a.Department, in.Department}, {&a.Country, in.Country}, {&a.Office, in.Office},
	} {
		set(m.dst, m.src)
	}
}

// DeleteUser implements WorkMailService.DeleteUser. Only a DISABLED user
// can be deleted; an unknown or already deleted one succeeds (the model
// declares no EntityNotFoundException). The user's name and email become
// free, its tokens are removed, and the record stays describable by id with
// State DELETED for DeletedUserRetention.
func (s *Service) DeleteUser(ctx context.Context, in *model.DeleteUserInput) (*model.DeleteUserOutput, error) {
	err := s.update(ctx, func(p store.Partition, tx store.Tx) error {
		o := orgRef{p, str(in.OrganizationId)}
		if _, err := s.activeOrganization(tx, o); err != nil {
			return err
		}
		u, err := s.resolveUser(tx, o, str(in.UserId))
		if errors.Is(err, model.ErrEntityNotFound) || (err == nil && u.State == userDeleted) {
			return nil
		}
		if err != nil {
			return err
		}
		if u.State != userDisabled {
			return model.ErrEntityState.Errorf("User %s is %s: deregister it from WorkMail before deleting it.", u.ID, u.State)
		}
		if err := deleteUserTokens(tx, o, u.ID); err != nil {
			return err
		}
		if err := entityRemoved(tx, o, entityRef{userKind.name, u.ID}, s.now()); err != nil {
			return err
		}
		u.State, u.DeletedAt, u.PasswordHash = userDeleted, s.now(), ""
		return users.put(tx, o, u)
	})
	if err != nil {
		return nil, err
	}
	return &model.DeleteUserOutput{}, nil
}

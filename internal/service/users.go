package service

import (
	"context"
	"errors"
	"strings"
	"time"

	"github.com/workmaild/workmaild/internal/model"
	"github.com/workmaild/workmaild/internal/store"
)

// User records live under "<organization id>/<user id>", so that one
// organization's users are one ordered prefix: ListUsers pages through it
// without reading the rest. Names and emails are indexed in lower case
// (they are matched without regard to case) and point to the user id.
const (
	collUsers       = "user"         // org/user id -> user
	collEntityNames = "entity-name"  // org/lower(name) -> user id, while not deleted
	collEntityEmail = "entity-email" // org/lower(email) -> user id, while not deleted
	collUserIdP     = "user-idp"     // org/lower(identity-provider user id)/user id -> ""
)

// DeletedUserRetention is how long a deleted user stays describable and
// listed with State DELETED: WorkMail keeps a deleted user's mailbox 30 days.
const DeletedUserRetention = 30 * 24 * time.Hour

// user is the stored record. Timestamps are zero until the event happens.
type user struct {
	ID          string `json:"id"`
	Name        string `json:"name"`
	DisplayName string `json:"displayName"`
	Email       string `json:"email,omitempty"`
	Role        string `json:"role"`
	State       string `json:"state"`
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

func userKey(orgID, userID string) string       { return orgID + "/" + userID }
func indexKey(orgID, value string) string       { return orgID + "/" + strings.ToLower(value) }
func idpKey(orgID, idpID, userID string) string { return indexKey(orgID, idpID) + "/" + userID }

// putUser writes the record and its identity-provider index entry.
// Callers that change the IdP id remove the old entry first (unlinkIdP).
func putUser(tx store.Tx, orgID string, u *user) error {
	if u.IdPUserID != "" && u.State != userDeleted {
		if err := tx.Put(collUserIdP, idpKey(orgID, u.IdPUserID, u.ID), nil); err != nil {
			return err
		}
	}
	return putRecord(tx, collUsers, userKey(orgID, u.ID), u)
}

func unlinkIdP(tx store.Tx, orgID string, u *user) error {
	if u.IdPUserID == "" {
		return nil
	}
	return tx.Delete(collUserIdP, idpKey(orgID, u.IdPUserID, u.ID))
}

// claimName reserves name for userID in the organization, or answers
// NameAvailabilityException when another entity holds it.
func claimName(tx store.Tx, orgID, name, userID string) error {
	if held, err := tx.Get(collEntityNames, indexKey(orgID, name)); err == nil {
		if string(held) != userID {
			return model.ErrNameAvailability.Errorf("The name %s is already used by another user, group or resource in organization %s.", name, orgID)
		}
		return nil
	} else if !isNotFound(err) {
		return err
	}
	return tx.Put(collEntityNames, indexKey(orgID, name), []byte(userID))
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
	err := s.update(ctx, func(_ store.Partition, tx store.Tx) error {
		orgID := str(in.OrganizationId)
		if _, err := s.activeOrganization(tx, orgID); err != nil {
			return err
		}
		if err := claimName(tx, orgID, u.Name, u.ID); err != nil {
			return err
		}
		return putUser(tx, orgID, u)
	})
	if err != nil {
		return nil, err
	}
	return &model.CreateUserOutput{UserId: &u.ID}, nil
}

// DescribeUser implements WorkMailService.DescribeUser.
func (s *Service) DescribeUser(ctx context.Context, in *model.DescribeUserInput) (*model.DescribeUserOutput, error) {
	var out *model.DescribeUserOutput
	err := s.view(ctx, func(_ store.Partition, r store.Reader) error {
		orgID := str(in.OrganizationId)
		if _, err := s.activeOrganization(r, orgID); err != nil {
			return err
		}
		u, err := s.resolveUser(r, orgID, str(in.UserId))
		if err != nil {
			return err
		}
		storeID, err := identityStoreID(r, orgID)
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
	err := s.update(ctx, func(_ store.Partition, tx store.Tx) error {
		orgID := str(in.OrganizationId)
		u, err := s.undeletedUser(tx, orgID, str(in.UserId))
		if err != nil {
			return err
		}
		if in.IdentityProviderUserId != nil {
			if err := unlinkIdP(tx, orgID, u); err != nil {
				return err
			}
			u.IdPUserID = *in.IdentityProviderUserId
		}
		applyUpdate(u, in)
		return putUser(tx, orgID, u)
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
	err := s.update(ctx, func(_ store.Partition, tx store.Tx) error {
		orgID := str(in.OrganizationId)
		if _, err := s.activeOrganization(tx, orgID); err != nil {
			return err
		}
		u, err := s.resolveUser(tx, orgID, str(in.UserId))
		if errors.Is(err, model.ErrEntityNotFound) || (err == nil && u.State == userDeleted) {
			return nil
		}
		if err != nil {
			return err
		}
		if u.State != userDisabled {
			return model.ErrEntityState.Errorf("User %s is %s: deregister it from WorkMail before deleting it.", u.ID, u.State)
		}
		for coll, key := range map[string]string{collEntityNames: indexKey(orgID, u.Name), collEntityEmail: indexKey(orgID, u.Email)} {
			if err := releaseIndex(tx, coll, key, u.ID); err != nil {
				return err
			}
		}
		if err := unlinkIdP(tx, orgID, u); err != nil {
			return err
		}
		if err := deleteUserTokens(tx, orgID, u.ID); err != nil {
			return err
		}
		u.State, u.DeletedAt, u.PasswordHash = userDeleted, s.now(), ""
		return putUser(tx, orgID, u)
	})
	if err != nil {
		return nil, err
	}
	return &model.DeleteUserOutput{}, nil
}

// releaseIndex removes a name or email index entry if it points to userID.
func releaseIndex(tx store.Tx, collection, key, userID string) error {
	held, err := tx.Get(collection, key)
	if isNotFound(err) {
		return nil
	}
	if err != nil {
		return err
	}
	if string(held) != userID {
		return nil
	}
	return tx.Delete(collection, key)
}

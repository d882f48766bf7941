package service

import (
	"context"
	"time"

	"github.com/workmaild/workmaild/internal/model"
	"github.com/workmaild/workmaild/internal/record"
	"github.com/workmaild/workmaild/internal/store"
)

// personalAccessTokens live under "<organization id>/<token id>"; the
// multi-value index pat-user, "<organization id>/<user id>/<token id>",
// lists one user's tokens.
var personalAccessTokens = &table[token]{
	codec:   record.For[token](),
	coll:    "pat",
	id:      func(t *token) string { return t.ID },
	indexes: []indexOn[token]{{userTokens, func(t *token) []string { return []string{t.UserID} }}},
}

var userTokens = &index{coll: "pat-user"}

// token is the stored record. Only the SHA-256 of the secret is kept.
type token struct {
	ID         string    `json:"id"`
	UserID     string    `json:"userId"`
	Name       string    `json:"name"`
	Scopes     []string  `json:"scopes"`
	SecretHash []byte    `json:"secretHash"`
	CreatedAt  time.Time `json:"createdAt"`
	ExpiresAt  time.Time `json:"expiresAt"`
	LastUsedAt time.Time `json:"lastUsedAt,omitzero"`
}

// deleteUserTokens removes every token of a user.
func deleteUserTokens(tx store.Tx, o orgRef, userID string) error {
	ids, err := personalAccessTokens.ids(tx, o, userTokens, userID)
	if err != nil {
		return err
	}
	for _, id := range ids {
		if err := personalAccessTokens.delete(tx, o, id); err != nil {
			return err
		}
	}
	return nil
}

// ListPersonalAccessTokens implements
// WorkMailService.ListPersonalAccessTokens: the organization's tokens in id
// order, or one user's. Expired tokens are listed until deleted; neither
// the identity-provider configuration nor its token status matters here.
func (s *Service) ListPersonalAccessTokens(ctx context.Context, in *model.ListPersonalAccessTokensInput) (*model.ListPersonalAccessTokensOutput, error) {
	var out *model.ListPersonalAccessTokensOutput
	err := s.view(ctx, func(p store.Partition, r store.Reader) error {
		o := orgRef{p, str(in.OrganizationId)}
		if _, err := s.activeOrganization(r, o); err != nil {
			return err
		}
		coll, prefix := personalAccessTokens.coll, o.prefix()
		if in.UserId != nil {
			u, err := s.resolveUser(r, o, *in.UserId)
			if err != nil {
				return err
			}
			if u.State != userEnabled {
				return model.ErrEntityState.Errorf("User %s is %s.", u.ID, u.State)
			}
			coll, prefix = userTokens.coll, userTokens.entryKey(o, u.ID, "")
		}
		// The scope binds the resolved list, not the spelling of UserId, so
		// a token stays valid whichever identifier names the user.
		pg, err := s.newPager("ListPersonalAccessTokens", p, in.NextToken, in.MaxResults, coll, prefix)
		if err != nil {
			return err
		}
		list, next, err := page(r, pg, coll, prefix, func(key string, raw []byte) (model.PersonalAccessTokenSummary, bool, error) {
			var t *token
			var err error
			if coll == personalAccessTokens.coll {
				t, err = personalAccessTokens.decode(key, raw)
			} else {
				t, err = personalAccessTokens.get(r, o, key[len(prefix):])
			}
			if err != nil || t == nil {
				return model.PersonalAccessTokenSummary{}, false, err
			}
			return tokenSummary(t), true, nil
		})
		out = &model.ListPersonalAccessTokensOutput{PersonalAccessTokenSummaries: list, NextToken: next}
		return err
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

func tokenSummary(t *token) model.PersonalAccessTokenSummary {
	return model.PersonalAccessTokenSummary{
		PersonalAccessTokenId: ptr(t.ID),
		UserId:                ptr(t.UserID),
		Name:                  ptr(t.Name),
		DateCreated:           model.NewTimestamp(t.CreatedAt),
		DateLastUsed:          timestamp(t.LastUsedAt),
		ExpiresTime:           model.NewTimestamp(t.ExpiresAt),
		Scopes:                t.Scopes,
	}
}

// GetPersonalAccessTokenMetadata implements
// WorkMailService.GetPersonalAccessTokenMetadata.
func (s *Service) GetPersonalAccessTokenMetadata(ctx context.Context, in *model.GetPersonalAccessTokenMetadataInput) (*model.GetPersonalAccessTokenMetadataOutput, error) {
	var out *model.GetPersonalAccessTokenMetadataOutput
	err := s.view(ctx, func(p store.Partition, r store.Reader) error {
		o, id := orgRef{p, str(in.OrganizationId)}, str(in.PersonalAccessTokenId)
		if _, err := s.activeOrganization(r, o); err != nil {
			return err
		}
		t, err := personalAccessTokens.get(r, o, id)
		if err != nil {
			return err
		}
		if t == nil {
			return model.ErrResourceNotFound.Errorf("Personal access token %s does not exist in organization %s.", id, o.ID)
		}
		sum := tokenSummary(t)
		out = &model.GetPersonalAccessTokenMetadataOutput{
			PersonalAccessTokenId: sum.PersonalAccessTokenId,
			UserId:                sum.UserId,
			Name:                  sum.Name,
			DateCreated:           sum.DateCreated,
			DateLastUsed:          sum.DateLastUsed,
			ExpiresTime:           sum.ExpiresTime,
			Scopes:                sum.Scopes,
		}
		return nil
	})
	return out, err
}

// DeletePersonalAccessToken implements
// WorkMailService.DeletePersonalAccessToken; an unknown id succeeds.
func (s *Service) DeletePersonalAccessToken(ctx context.Context, in *model.DeletePersonalAccessTokenInput) (*model.DeletePersonalAccessTokenOutput, error) {
	err := s.update(ctx, func(p store.Partition, tx store.Tx) error {
		o := orgRef{p, str(in.OrganizationId)}
		if _, err := s.activeOrganization(tx, o); err != nil {
			return err
		}
		return personalAccessTokens.delete(tx, o, str(in.PersonalAccessTokenId))
	})
	if err != nil {
		return nil, err
	}
	return &model.DeletePersonalAccessTokenOutput{}, nil
}

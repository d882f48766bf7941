package service

import (
	"context"
	"time"

	"github.com/workmaild/workmaild/internal/model"
	"github.com/workmaild/workmaild/internal/store"
)

// Personal access tokens live under "<organization id>/<token id>"; a
// second index under "<organization id>/<user id>/<token id>" lists one
// user's tokens and lets DeleteUser remove them.
const (
	collTokens     = "pat"      // org/token id -> token
	collUserTokens = "pat-user" // org/user id/token id -> ""
)

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

func tokenKey(orgID, tokenID string) string             { return orgID + "/" + tokenID }
func userTokenKey(orgID, userID, tokenID string) string { return orgID + "/" + userID + "/" + tokenID }

func putToken(tx store.Tx, orgID string, t *token) error {
	if err := tx.Put(collUserTokens, userTokenKey(orgID, t.UserID, t.ID), nil); err != nil {
		return err
	}
	return putRecord(tx, collTokens, tokenKey(orgID, t.ID), t)
}

func deleteToken(tx store.Tx, orgID string, t *token) error {
	if err := tx.Delete(collUserTokens, userTokenKey(orgID, t.UserID, t.ID)); err != nil {
		return err
	}
	return tx.Delete(collTokens, tokenKey(orgID, t.ID))
}

// deleteUserTokens removes every token of a user.
func deleteUserTokens(tx store.Tx, orgID, userID string) error {
	var ids []string
	prefix := userTokenKey(orgID, userID, "")
	err := tx.Scan(collUserTokens, prefix, "", 0, func(key string, _ []byte) (bool, error) {
		ids = append(ids, key[len(prefix):])
		return true, nil
	})
	if err != nil {
		return err
	}
	for _, id := range ids {
		if err := deleteToken(tx, orgID, &token{ID: id, UserID: userID}); err != nil {
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
	out := &model.ListPersonalAccessTokensOutput{PersonalAccessTokenSummaries: []model.PersonalAccessTokenSummary{}}
	err := s.view(ctx, func(p store.Partition, r store.Reader) error {
		orgID := str(in.OrganizationId)
		if _, err := s.activeOrganization(r, orgID); err != nil {
			return err
		}
		coll, prefix := collTokens, orgID+"/"
		if in.UserId != nil {
			u, err := s.resolveUser(r, orgID, *in.UserId)
			if err != nil {
				return err
			}
			if u.State != userEnabled {
				return model.ErrEntityState.Errorf("User %s is %s.", u.ID, u.State)
			}
			coll, prefix = collUserTokens, userTokenKey(orgID, u.ID, "")
		}
		// The scope binds the resolved list, not the spelling of UserId, so
		// a token stays valid whichever identifier names the user.
		scope := listScope("ListPersonalAccessTokens", p, coll, prefix)
		after, err := s.decodeNextToken(scope, in.NextToken)
		if err != nil {
			return err
		}
		limit := pageSize(in.MaxResults, defaultListPage)
		return r.Scan(coll, prefix, after, 0, func(key string, raw []byte) (bool, error) {
			var t token
			if coll == collTokens {
				if err := decodeRecord(coll, key, raw, &t); err != nil {
					return false, err
				}
			} else if found, err := getRecord(r, collTokens, tokenKey(orgID, key[len(prefix):]), &t); err != nil || !found {
				return err == nil, err
			}
			if len(out.PersonalAccessTokenSummaries) == limit {
				out.NextToken = ptr(s.paging.Encode(scope, after))
				return false, nil
			}
			out.PersonalAccessTokenSummaries = append(out.PersonalAccessTokenSummaries, tokenSummary(&t))
			after = key
			return true, nil
		})
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
	err := s.view(ctx, func(_ store.Partition, r store.Reader) error {
		orgID, id := str(in.OrganizationId), str(in.PersonalAccessTokenId)
		if _, err := s.activeOrganization(r, orgID); err != nil {
			return err
		}
		var t token
		found, err := getRecord(r, collTokens, tokenKey(orgID, id), &t)
		if err != nil {
			return err
		}
		if !found {
			return model.ErrResourceNotFound.Errorf("Personal access token %s does not exist in organization %s.", id, orgID)
		}
		sum := tokenSummary(&t)
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
	err := s.update(ctx, func(_ store.Partition, tx store.Tx) error {
		orgID, id := str(in.OrganizationId), str(in.PersonalAccessTokenId)
		if _, err := s.activeOrganization(tx, orgID); err != nil {
			return err
		}
		var t token
		found, err := getRecord(tx, collTokens, tokenKey(orgID, id), &t)
		if err != nil || !found {
			return err
		}
		return deleteToken(tx, orgID, &t)
	})
	if err != nil {
		return nil, err
	}
	return &model.DeletePersonalAccessTokenOutput{}, nil
}

package server

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/workmaild/workmaild/internal/model"
)

// maxLifetimeDays is the longest token lifetime WorkMail allows
// (PersonalAccessTokenLifetimeInDays), which also keeps days*24h in range.
const maxLifetimeDays = 3653

// maxInternalBody bounds the body of an internal token request.
const maxInternalBody = 64 << 10

// issueTokenRequest is the body of POST /_workmaild/tokens.
type issueTokenRequest struct {
	Account        string
	Region         string
	OrganizationId string
	User           string
	Name           string
	Scopes         []string
	// ExpiresIn is a Go duration ("720h") or a number of days ("30d");
	// empty means the organization's configured lifetime.
	ExpiresIn string
}

type issueTokenResponse struct {
	PersonalAccessTokenId string
	Secret                string
	DateCreated           model.Timestamp
	ExpiresTime           model.Timestamp
}

// checkTokenRequest is the body of POST /_workmaild/tokens/check.
type checkTokenRequest struct {
	Account        string
	Region         string
	OrganizationId string
	User           string
	Secret         string
}

type checkTokenResponse struct {
	Valid                 bool
	PersonalAccessTokenId string
	UserId                string
	Name                  string
	Scopes                []string
	DateCreated           model.Timestamp
	ExpiresTime           model.Timestamp
	DateLastUsed          model.Timestamp
}

func (s *Server) handleIssueToken(w http.ResponseWriter, r *http.Request) {
	var in issueTokenRequest
	if !readInternal(w, r, &in) {
		return
	}
	expiresIn, err := ParseLifetime(in.ExpiresIn)
	if err != nil {
		writeInternalError(w, http.StatusBadRequest, string(ErrInvalidTokenRequest), err.Error())
		return
	}
	tok, err := s.IssueToken(r.Context(), TokenRequest{
		Account: in.Account, Region: in.Region, OrganizationID: in.OrganizationId,
		User: in.User, Name: in.Name, Scopes: in.Scopes, ExpiresIn: expiresIn,
	})
	if err != nil {
		s.writeTokenError(w, http.StatusBadRequest, err)
		return
	}
	s.log.Info("personal access token issued", "account", in.Account, "region", in.Region,
		"organization", in.OrganizationId, "token_id", tok.ID)
	writeInternal(w, http.StatusOK, issueTokenResponse{
		PersonalAccessTokenId: tok.ID, Secret: tok.Secret,
		DateCreated: model.Timestamp{Time: tok.DateCreated}, ExpiresTime: model.Timestamp{Time: tok.ExpiresTime},
	})
}

func (s *Server) handleCheckToken(w http.ResponseWriter, r *http.Request) {
	var in checkTokenRequest
	if !readInternal(w, r, &in) {
		return
	}
	info, err := s.CheckToken(r.Context(), TokenCheck{
		Account: in.Account, Region: in.Region, OrganizationID: in.OrganizationId, User: in.User, Secret: in.Secret,
	})
	if err != nil {
		s.writeTokenError(w, http.StatusUnauthorized, err)
		return
	}
	writeInternal(w, http.StatusOK, checkTokenResponse{
		Valid: true, PersonalAccessTokenId: info.ID, UserId: info.UserID, Name: info.Name, Scopes: info.Scopes,
		DateCreated:  model.Timestamp{Time: info.DateCreated},
		ExpiresTime:  model.Timestamp{Time: info.ExpiresTime},
		DateLastUsed: model.Timestamp{Time: info.DateLastUsed},
	})
}

// readInternal decodes a JSON body into v, answering 400 when it cannot.
func readInternal(w http.ResponseWriter, r *http.Request, v any) bool {
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, maxInternalBody))
	if err := dec.Decode(v); err != nil {
		writeInternalError(w, http.StatusBadRequest, string(model.ErrSerialization), "Request body is not a valid JSON object: "+err.Error())
		return false
	}
	return true
}

// writeTokenError answers a token error with its code. status is used for
// the reasons a token is refused; bad requests and unknown organizations
// or users are 400, anything else is a logged 500.
func (s *Server) writeTokenError(w http.ResponseWriter, status int, err error) {
	var code TokenErrorCode
	var apiErr *model.Error
	switch {
	case errors.As(err, &code) && code == ErrInvalidTokenRequest:
		writeInternalError(w, http.StatusBadRequest, string(code), err.Error())
	case errors.As(err, &code):
		writeInternalError(w, status, string(code), err.Error())
	case errors.As(err, &apiErr):
		writeInternalError(w, http.StatusBadRequest, string(apiErr.Code), apiErr.Message)
	default:
		s.log.Error("token endpoint failed", "error", err)
		writeInternalError(w, http.StatusInternalServerError, string(model.ErrInternalFailure), "An internal error occurred.")
	}
}

// ParseLifetime reads a token lifetime: "" (0, the organization's
// lifetime), a Go duration ("720h") or whole days ("30d").
func ParseLifetime(s string) (time.Duration, error) {
	if s == "" {
		return 0, nil
	}
	if days, ok := strings.CutSuffix(s, "d"); ok {
		n, err := strconv.Atoi(days)
		if err != nil || n < 0 || n > maxLifetimeDays {
			return 0, fmt.Errorf("%w: ExpiresIn %q is not a number of days", ErrInvalidTokenRequest, s)
		}
		return time.Duration(n) * 24 * time.Hour, nil
	}
	d, err := time.ParseDuration(s)
	if err != nil {
		return 0, fmt.Errorf("%w: ExpiresIn %q is not a duration such as 720h or 30d", ErrInvalidTokenRequest, s)
	}
	return d, nil
}

package server

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"time"

	"github.com/workmaild/workmaild/internal/model"
	"github.com/workmaild/workmaild/internal/service"
	"github.com/workmaild/workmaild/internal/store"
)

// internalRoutes serves workmaild's own endpoints under InternalPrefix.
func (s *Server) internalRoutes() *http.ServeMux {
	mux := http.NewServeMux()
	mux.HandleFunc("GET "+HealthPath, s.handleHealth)
	mux.HandleFunc("POST "+InternalPrefix+"reset", func(w http.ResponseWriter, r *http.Request) {
		if err := s.reset(r.Context()); err != nil {
			s.log.Error("reset failed", "error", err)
			writeInternalError(w, http.StatusInternalServerError, "InternalFailure", "reset failed")
			return
		}
		writeInternal(w, http.StatusOK, map[string]string{"status": "reset"})
	})
	// Personal access tokens: workmaild's own extension (WorkMail has no
	// API to create them). Strict authentication must guard these.
	mux.HandleFunc("POST "+InternalPrefix+"tokens", s.handleIssueToken)
	mux.HandleFunc("POST "+InternalPrefix+"tokens/check", s.handleCheckToken)
	// Mail-client logins, for a mail server's password database.
	mux.HandleFunc("POST "+LoginsPath, s.handleLogin)
	mux.HandleFunc("POST "+MailboxesPath, s.handleMailbox)
	// Mail-domain verification: workmaild cannot look at DNS.
	mux.HandleFunc("POST "+InternalPrefix+"mail-domains/verification", s.handleDomainVerification)
	mux.HandleFunc(InternalPrefix, func(w http.ResponseWriter, r *http.Request) {
		writeInternalError(w, http.StatusNotFound, "NotFound", "no internal endpoint "+r.Method+" "+r.URL.Path)
	})
	return mux
}

// healthTimeout bounds the store check of a health request, so that a
// load balancer's probe gets an answer while the database hangs.
const healthTimeout = 2 * time.Second

// handleHealth answers 200 when the server can serve requests: for a store
// that can be down (PostgreSQL), after a round trip to it; 503, naming the
// store as not ready, when that fails. The error goes to the log only: the
// endpoint needs no token, and the error may name hosts.
func (s *Server) handleHealth(w http.ResponseWriter, r *http.Request) {
	if p, ok := s.store.(store.Pinger); ok {
		ctx, cancel := context.WithTimeout(r.Context(), healthTimeout)
		err := p.Ping(ctx)
		cancel()
		if err != nil {
			s.log.Warn("health: the store does not answer", "store", s.StoreName(), "error", err)
			writeInternal(w, http.StatusServiceUnavailable, map[string]string{"status": "unavailable", "store": "not ready"})
			return
		}
	}
	writeInternal(w, http.StatusOK, map[string]string{"status": "ok", "store": "ready"})
}

func writeInternal(w http.ResponseWriter, status int, v any) {
	payload, _ := json.Marshal(v)
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, _ = w.Write(payload)
}

// writeInternalError answers in the same envelope as the API's errors.
func writeInternalError(w http.ResponseWriter, status int, code, message string) {
	writeInternal(w, status, map[string]string{"__type": code, "Message": message})
}

// reset removes every record, then stores the paging key again so that the
// server goes on signing NextTokens with the key it has in memory.
func (s *Server) reset(ctx context.Context) error {
	if err := s.store.Reset(ctx); err != nil {
		return err
	}
	return s.store.Update(ctx, systemPartition, func(tx store.Tx) error {
		return tx.Put(metaCollection, pagingKeyID, s.pagingKey)
	})
}

// DomainVerification sets what WorkMail's DNS checks found for a
// registered mail domain (workmaild cannot look at DNS): Account, Region,
// OrganizationID and DomainName select it; Ownership and DKIM are PENDING,
// VERIFIED or FAILED, and an empty one is left as it is. A status set
// stays: the domain verification delay no longer applies to it.
type DomainVerification = service.DomainVerification

// DomainStatus is a domain's verification statuses after a change.
type DomainStatus = service.DomainStatus

// SetDomainVerification sets a registered domain's verification statuses,
// as GetMailDomain then reports them; only a domain whose ownership is
// VERIFIED can hold addresses or be the default. Errors are *model.Error
// values with WorkMail's codes: InvalidParameterException (a bad request,
// or the test domain, always verified), OrganizationNotFoundException,
// OrganizationStateException, MailDomainNotFoundException.
func (s *Server) SetDomainVerification(ctx context.Context, v DomainVerification) (DomainStatus, error) {
	return s.service.SetDomainVerification(ctx, v)
}

// domainVerificationBody is the body of POST /_workmaild/mail-domains/verification,
// and (without the selectors) its answer.
type domainVerificationBody struct {
	Account                     string `json:",omitempty"`
	Region                      string `json:",omitempty"`
	OrganizationId              string `json:",omitempty"`
	DomainName                  string `json:",omitempty"`
	OwnershipVerificationStatus string
	DkimVerificationStatus      string
}

func (s *Server) handleDomainVerification(w http.ResponseWriter, r *http.Request) {
	var in domainVerificationBody
	if !readInternal(w, r, &in) {
		return
	}
	st, err := s.SetDomainVerification(r.Context(), DomainVerification{
		Account: in.Account, Region: in.Region, OrganizationID: in.OrganizationId, DomainName: in.DomainName,
		Ownership: in.OwnershipVerificationStatus, DKIM: in.DkimVerificationStatus,
	})
	var apiErr *model.Error
	switch {
	case errors.As(err, &apiErr):
		writeInternalError(w, http.StatusBadRequest, string(apiErr.Code), apiErr.Message)
	case err != nil:
		s.log.Error("mail-domain verification endpoint failed", "error", err)
		writeInternalError(w, http.StatusInternalServerError, string(model.ErrInternalFailure), "An internal error occurred.")
	default:
		s.log.Info("mail-domain verification set", "account", in.Account, "region", in.Region,
			"organization", in.OrganizationId, "domain", in.DomainName,
			"ownership", st.Ownership, "dkim", st.DKIM)
		writeInternal(w, http.StatusOK, domainVerificationBody{OwnershipVerificationStatus: st.Ownership, DkimVerificationStatus: st.DKIM})
	}
}

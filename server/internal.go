package server

import (
	"context"
	"encoding/json"
	"net/http"

	"github.com/workmaild/workmaild/internal/store"
)

// internalRoutes serves workmaild's own endpoints under InternalPrefix.
func (s *Server) internalRoutes() *http.ServeMux {
	mux := http.NewServeMux()
	mux.HandleFunc("GET "+HealthPath, func(w http.ResponseWriter, r *http.Request) {
		writeInternal(w, http.StatusOK, map[string]string{"status": "ok"})
	})
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
	mux.HandleFunc(InternalPrefix, func(w http.ResponseWriter, r *http.Request) {
		writeInternalError(w, http.StatusNotFound, "NotFound", "no internal endpoint "+r.Method+" "+r.URL.Path)
	})
	return mux
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

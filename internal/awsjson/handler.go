// Package awsjson is the awsJson1_1 protocol layer: it turns an HTTP
// request into (principal, operation, body), runs the operation on the
// service through model.Invoke, and writes the result or the error
// exactly as AWS JSON services do. Everything protocol-shaped lives here
// once, so handlers only see typed values.
package awsjson

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"runtime/debug"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/workmaild/workmaild/internal/auth"
	"github.com/workmaild/workmaild/internal/ids"
	"github.com/workmaild/workmaild/internal/model"
)

const (
	// TargetPrefix is the X-Amz-Target prefix of every WorkMail operation.
	TargetPrefix = "WorkMailService."
	// ContentType is what WorkMail requests and responses carry.
	ContentType = "application/x-amz-json-1.1"
	// DefaultMaxBodyBytes bounds a request body. WorkMail's largest inputs
	// (policies, rules, many attributes) are far below it.
	DefaultMaxBodyBytes = 1 << 20
	// maxPrealloc bounds the buffer allocated from an announced
	// Content-Length before any byte arrives: a client announcing the
	// limit and sending nothing must not cost the server the limit.
	maxPrealloc = 64 << 10
)

// Handler serves the WorkMail API on POST /. It authenticates the
// request, then runs the operation on Service with the principal in the
// context (auth.FromContext).
type Handler struct {
	Auth    auth.Authenticator
	Service model.Handlers
	Log     *slog.Logger
	// RequestIDs makes the X-Amzn-Requestid of each response; nil means
	// random ones (crypto/rand).
	RequestIDs   *ids.Generator
	MaxBodyBytes int64 // 0 means DefaultMaxBodyBytes
}

// exchange is one request's progress, for the access log.
type exchange struct {
	requestID string
	operation string
	principal auth.Principal
	status    int
	code      model.ErrorCode
}

// ServeHTTP implements http.Handler.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	start := time.Now()
	ex := &exchange{requestID: h.newRequestID()}
	w.Header().Set("X-Amzn-Requestid", ex.requestID)
	defer func() {
		if v := recover(); v != nil {
			h.Log.Error("panic serving request", "request_id", ex.requestID, "operation", ex.operation, "panic", fmt.Sprint(v), "stack", string(debug.Stack()))
			h.writeError(w, ex, model.ErrInternalFailure.Errorf("An internal error occurred. Request id %s.", ex.requestID))
		}
		// Send the response before logging: net/http would only flush it
		// once the handler returns, keeping the client waiting for the
		// access line.
		if f, ok := w.(http.Flusher); ok {
			f.Flush()
		}
		h.logRequest(r.Context(), ex, time.Since(start))
	}()
	out, err := h.serve(r, ex)
	if err != nil {
		h.writeError(w, ex, err)
		return
	}
	h.writeOutput(w, ex, out)
}

func (h *Handler) newRequestID() string {
	if h.RequestIDs == nil {
		// A generator of its own per request: crypto/rand needs no
		// shared state, and one shared Generator would be a lock every
		// request takes.
		return ids.New(nil).UUID()
	}
	return h.RequestIDs.UUID()
}

func (h *Handler) serve(r *http.Request, ex *exchange) (any, error) {
	if r.Method != http.MethodPost {
		return nil, errMethod(r.Method)
	}
	body, err := h.readBody(r)
	if err != nil {
		return nil, err
	}
	principal, err := h.Auth.Authenticate(r, body)
	if err != nil {
		return nil, err
	}
	ex.principal = principal
	operation, err := parseTarget(r.Header.Get("X-Amz-Target"))
	if err != nil {
		return nil, err
	}
	ex.operation = operation
	if err := checkContentType(r.Header.Get("Content-Type")); err != nil {
		return nil, err
	}
	if err := checkDepth(body, MaxJSONDepth); err != nil {
		return nil, err
	}
	out, err := model.Invoke(auth.NewContext(r.Context(), principal), h.Service, operation, body)
	var apiErr *model.Error
	if errors.As(err, &apiErr) && model.IsModeled(apiErr.Code) && !apiErr.FromValidation() && !slices.Contains(model.DeclaredErrors(operation), apiErr.Code) {
		// Clients only know how to parse the errors the model declares for
		// an operation: sending another one is a workmaild bug (a request
		// the model's validation refused aside: see FromValidation).
		h.Log.Error("operation returned an error its model does not declare", "request_id", ex.requestID, "operation", operation, "error", apiErr.Code)
	}
	return out, err
}

// methodError is a request that is not a POST; it is answered 405 with
// an AWS-shaped body.
type methodError struct{ method string }

func (e methodError) Error() string { return "method " + e.method + " not allowed" }

func errMethod(m string) error { return methodError{method: m} }

func (h *Handler) readBody(r *http.Request) ([]byte, error) {
	limit := h.MaxBodyBytes
	if limit <= 0 {
		limit = DefaultMaxBodyBytes
	}
	tooLarge := func() error { // formatted only when needed: this runs on every request
		return model.ErrRequestEntityTooLarge.Errorf("Request body is larger than the %d bytes this server accepts.", limit)
	}
	if r.ContentLength > limit {
		return nil, tooLarge()
	}
	size := min(r.ContentLength, maxPrealloc)
	if size < 0 {
		size = 512
	}
	buf := make([]byte, 0, size+1)
	body, err := readAll(&io.LimitedReader{R: r.Body, N: limit + 1}, buf)
	if err != nil {
		return nil, model.ErrSerialization.Errorf("Could not read the request body: %v", err)
	}
	if int64(len(body)) > limit {
		return nil, tooLarge()
	}
	return body, nil
}

// readAll is io.ReadAll into a caller-sized buffer, so that a body whose
// length is announced is read with a single allocation. The reader is
// concrete because through io.Reader the limiter would escape to the heap.
func readAll(r *io.LimitedReader, b []byte) ([]byte, error) {
	for {
		n, err := r.Read(b[len(b):cap(b)])
		b = b[:len(b)+n]
		if err != nil {
			if errors.Is(err, io.EOF) {
				return b, nil
			}
			return b, err
		}
		if len(b) == cap(b) {
			b = append(b, 0)[:len(b)]
		}
	}
}

// parseTarget returns the operation of "WorkMailService.<Operation>".
func parseTarget(target string) (string, error) {
	op, ok := strings.CutPrefix(target, TargetPrefix)
	if target == "" {
		return "", model.ErrUnknownOperation.Errorf("Missing X-Amz-Target header; expected %s<Operation>.", TargetPrefix)
	}
	if !ok || op == "" {
		return "", model.ErrUnknownOperation.Errorf("Operation %q is not supported: X-Amz-Target must be %s<Operation>.", target, TargetPrefix)
	}
	return op, nil
}

// checkContentType accepts the JSON content types AWS JSON services accept
// and an absent one (the body is parsed as JSON either way).
func checkContentType(ct string) error {
	if ct == "" || ct == ContentType {
		return nil
	}
	mediaType, _, _ := strings.Cut(ct, ";")
	switch strings.ToLower(strings.TrimSpace(mediaType)) {
	case ContentType, "application/x-amz-json-1.0", "application/json":
		return nil
	}
	return model.ErrSerialization.Errorf("Unsupported Content-Type %q: send %s.", ct, ContentType)
}

func (h *Handler) writeOutput(w http.ResponseWriter, ex *exchange, out any) {
	payload, err := model.AppendOutput(nil, out)
	if err != nil {
		h.Log.Error("encoding output", "request_id", ex.requestID, "operation", ex.operation, "error", err)
		h.writeError(w, ex, model.ErrInternalFailure.Errorf("An internal error occurred. Request id %s.", ex.requestID))
		return
	}
	ex.status = http.StatusOK
	writeJSON(w, http.StatusOK, payload)
}

// errorBody is the awsJson1_1 error envelope.
type errorBody struct {
	Type    model.ErrorCode `json:"__type"`
	Message string          `json:"Message"`
}

func (h *Handler) writeError(w http.ResponseWriter, ex *exchange, err error) {
	var apiErr *model.Error
	var method methodError
	status := 0
	switch {
	case errors.As(err, &method):
		apiErr = model.ErrUnknownOperation.Errorf("Method %s is not supported: WorkMail requests are POST / with an X-Amz-Target header.", method.method)
		status = http.StatusMethodNotAllowed
		w.Header().Set("Allow", http.MethodPost)
	case errors.As(err, &apiErr):
		status = apiErr.Code.HTTPStatus()
	default:
		// A Go error that is not an API error is a bug: never leak its text.
		h.Log.Error("internal error", "request_id", ex.requestID, "operation", ex.operation, "error", err)
		apiErr = model.ErrInternalFailure.Errorf("An internal error occurred. Request id %s.", ex.requestID)
		status = apiErr.Code.HTTPStatus()
	}
	payload, _ := json.Marshal(errorBody{Type: apiErr.Code, Message: apiErr.Message}) // cannot fail: two strings
	ex.status, ex.code = status, apiErr.Code
	w.Header().Set("X-Amzn-Errortype", string(apiErr.Code))
	writeJSON(w, status, payload)
}

func writeJSON(w http.ResponseWriter, status int, payload []byte) {
	hdr := w.Header()
	hdr.Set("Content-Type", ContentType)
	hdr.Set("Content-Length", strconv.Itoa(len(payload)))
	w.WriteHeader(status)
	_, _ = w.Write(payload) // a client that went away is not our error
}

func (h *Handler) logRequest(ctx context.Context, ex *exchange, took time.Duration) {
	attrs := []slog.Attr{
		slog.String("request_id", ex.requestID),
		slog.String("operation", ex.operation),
		slog.Int("status", ex.status),
		slog.String("account", ex.principal.Account),
		slog.String("region", ex.principal.Region),
		slog.Duration("duration", took),
	}
	if ex.code != "" {
		attrs = append(attrs, slog.String("error", string(ex.code)))
	}
	h.Log.LogAttrs(ctx, slog.LevelInfo, "request", attrs...)
}

// Package awsjson is the awsJson1_1 protocol layer: it turns an HTTP
// request into (principal, operation, body), calls the service, and writes
// the result or the error exactly as AWS JSON services do. Everything
// protocol-shaped lives here once, so handlers only see typed values.
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
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/workmaild/workmaild/internal/auth"
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

// Invoker calls the operation named by the target, for the authenticated
// principal, with the raw JSON body. Operations that need the principal
// from their context get it from auth.NewContext, which the Invoker
// applies.
type Invoker func(ctx context.Context, principal auth.Principal, operation string, body []byte) (any, error)

// Handler serves the WorkMail API on POST /.
type Handler struct {
	Auth         auth.Authenticator
	Invoke       Invoker
	Log          *slog.Logger
	MaxBodyBytes int64 // 0 means DefaultMaxBodyBytes

	outputBuffers sync.Pool // of *[]byte, encoded outputs already written
}

// exchange is one request's progress, for the access log.
type exchange struct {
	requestID string
	operation string
	principal auth.Principal
	status    int
	code      model.ErrorCode
	// headerValues holds the values of the headers every response
	// carries, so that they cost one allocation rather than one each.
	headerValues *responseHeaderValues
}

// responseHeaderValues are the X-Amzn-Requestid, Content-Type and
// Content-Length values of a response.
type responseHeaderValues [3]string

// ServeHTTP implements http.Handler.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	start := time.Now()
	ex := &exchange{requestID: newRequestID(), headerValues: new(responseHeaderValues)}
	ex.headerValues[0] = ex.requestID
	// Keys are assigned in canonical form, skipping Header.Set's work.
	w.Header()["X-Amzn-Requestid"] = ex.headerValues[0:1:1]
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
	operation, err := parseTarget(header(r, "X-Amz-Target"))
	if err != nil {
		return nil, err
	}
	ex.operation = operation
	if err := checkContentType(header(r, "Content-Type")); err != nil {
		return nil, err
	}
	if err := checkDepth(body, MaxJSONDepth); err != nil {
		return nil, err
	}
	return h.Invoke(r.Context(), principal, operation, body)
}

// header is r.Header.Get for a key already in canonical form, without
// canonicalising it again on every request.
func header(r *http.Request, canonicalKey string) string {
	if v := r.Header[canonicalKey]; len(v) > 0 {
		return v[0]
	}
	return ""
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

// outputBufferSize is the initial capacity of an output's buffer: room for
// most outputs (Describe's is about 300 bytes) in one allocation; larger
// ones grow it.
const outputBufferSize = 512

// maxPooledOutput bounds the output buffers kept for reuse, so that one
// large list page does not stay allocated for good.
const maxPooledOutput = 64 << 10

func (h *Handler) writeOutput(w http.ResponseWriter, ex *exchange, out any) {
	buf, _ := h.outputBuffers.Get().(*[]byte)
	if buf == nil {
		buf = new([]byte)
	}
	payload, err := model.AppendOutput((*buf)[:0], out)
	if err != nil {
		h.Log.Error("encoding output", "request_id", ex.requestID, "operation", ex.operation, "error", err)
		h.writeError(w, ex, model.ErrInternalFailure.Errorf("An internal error occurred. Request id %s.", ex.requestID))
		return
	}
	ex.status = http.StatusOK
	writeJSON(w, ex, http.StatusOK, payload, strconv.Itoa(len(payload)))
	if cap(payload) <= maxPooledOutput { // Write does not keep the bytes: reuse them
		*buf = payload
		h.outputBuffers.Put(buf)
	}
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
	writeJSON(w, ex, status, payload, strconv.Itoa(len(payload)))
}

func writeJSON(w http.ResponseWriter, ex *exchange, status int, payload []byte, contentLength string) {
	hdr := w.Header()
	ex.headerValues[1], ex.headerValues[2] = ContentType, contentLength
	hdr["Content-Type"] = ex.headerValues[1:2:2]
	hdr["Content-Length"] = ex.headerValues[2:3:3]
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

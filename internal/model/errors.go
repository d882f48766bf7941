package model

import (
	"fmt"
	"net/http"
)

// ErrorCode is the wire name of an error, sent as __type (and
// X-Amzn-ErrorType). It is an error itself so that handlers can return a
// bare code and callers can compare with errors.Is.
type ErrorCode string

func (c ErrorCode) Error() string { return string(c) }

// Errorf returns an *Error with code c and a formatted message.
func (c ErrorCode) Errorf(format string, args ...any) *Error {
	return &Error{Code: c, Message: fmt.Sprintf(format, args...)}
}

// HTTPStatus is the status code a response carrying c has: 400 for every
// modeled error and for client faults, as WorkMail sends them.
func (c ErrorCode) HTTPStatus() int {
	switch c {
	case ErrInternalFailure:
		return http.StatusInternalServerError
	case ErrNotImplemented:
		return http.StatusNotImplemented
	case ErrRequestEntityTooLarge:
		return http.StatusRequestEntityTooLarge
	}
	return http.StatusBadRequest
}

// Protocol-level error codes: not in the WorkMail model, sent by the AWS
// JSON protocol layer as other AWS JSON services send them.
const (
	ErrUnknownOperation           ErrorCode = "UnknownOperationException"
	ErrSerialization              ErrorCode = "SerializationException"
	ErrMissingAuthenticationToken ErrorCode = "MissingAuthenticationTokenException"
	ErrIncompleteSignature        ErrorCode = "IncompleteSignatureException"
	ErrUnrecognizedClient         ErrorCode = "UnrecognizedClientException"
	ErrInvalidSignature           ErrorCode = "InvalidSignatureException"
	ErrInternalFailure            ErrorCode = "InternalFailure"
	ErrNotImplemented             ErrorCode = "NotImplemented"
	ErrRequestEntityTooLarge      ErrorCode = "RequestEntityTooLargeException"
)

// Error is an error with a code and the message sent with it.
type Error struct {
	Code    ErrorCode
	Message string
	// validation: the model's validation refused the request before its
	// operation ran.
	validation bool
}

// FromValidation reports whether the model's validation refused the
// request. Every operation answers a request that breaks the model's
// constraints with InvalidParameterException, also the few whose model
// does not declare it (nothing else could say what is wrong).
func (e *Error) FromValidation() bool { return e.validation }

func (e *Error) Error() string { return string(e.Code) + ": " + e.Message }

// Is makes errors.Is(err, SomeErrorCode) true for an *Error with that code.
func (e *Error) Is(target error) bool {
	c, ok := target.(ErrorCode)
	return ok && c == e.Code
}

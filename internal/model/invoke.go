package model

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"reflect"
	"strings"
	"unicode/utf8"
)

// input is implemented by every operation input: a generated validator
// and a generated fast-path decoder (decode.go).
type input[I any] interface {
	*I
	Validate() error
	decodeBody(body []byte) bool
}

// invoke is the one adapter behind every operation in Invoke: decode the
// body into the operation's input, validate it, call the handler. Decoding
// and validation errors are *Error; handler errors are returned as they are.
func invoke[I, O any, PI input[I]](ctx context.Context, body []byte, handler func(context.Context, *I) (*O, error)) (any, error) {
	in := PI(new(I))
	if err := decode(body, in); err != nil {
		return nil, err
	}
	if err := in.Validate(); err != nil {
		return nil, err
	}
	out, err := handler(ctx, in)
	if err != nil {
		return nil, err
	}
	if out == nil {
		out = new(O) // "nothing to say" is {} on the wire, never null
	}
	return out, nil
}

// decode reads a request body into in, which points to a zero input
// struct. The generated fast path (decode.go) reads the plain form of a
// body; on anything else it declines, and unmarshal reads the body into a
// fresh value, so that odd bodies and error messages behave as they always
// have.
func decode[I any, PI input[I]](body []byte, in PI) error {
	if in.decodeBody(body) {
		return nil
	}
	var zero I
	*in = zero // the fast path may have set members before it declined
	return unmarshal(body, in)
}

// unmarshal reads a request body into in with encoding/json. An empty body
// means {}. Every failure is an ErrSerialization *Error, as AWS JSON
// services answer a body they cannot read.
func unmarshal(body []byte, in any) error {
	trimmed := bytes.TrimLeft(body, " \t\r\n")
	if len(trimmed) == 0 {
		return nil
	}
	// encoding/json would quietly turn invalid UTF-8 into U+FFFD, and the
	// handler would then store a value the client never sent.
	if !utf8.Valid(body) {
		return ErrSerialization.Errorf("Request body is not valid UTF-8.")
	}
	err := json.Unmarshal(body, in)
	if err == nil && trimmed[0] == '{' {
		return nil // before the error targets, which cost an allocation each
	}
	var syntaxErr *json.SyntaxError
	var typeErr *json.UnmarshalTypeError
	switch {
	case errors.As(err, &syntaxErr):
		return ErrSerialization.Errorf("Request body is not valid JSON: %s (at byte %d).", syntaxErr, syntaxErr.Offset)
	case errors.As(err, &typeErr) && typeErr.Field == "":
		return ErrSerialization.Errorf("Request body must be a JSON object, not %s.", article(typeErr.Value))
	case errors.As(err, &typeErr):
		return ErrSerialization.Errorf("Member '%s' must be %s, not %s.", typeErr.Field, describe(typeErr.Type), article(typeErr.Value))
	case err != nil:
		return ErrSerialization.Errorf("Request body cannot be read: %s.", err)
	case trimmed[0] != '{': // null decodes without complaint
		return ErrSerialization.Errorf("Request body must be a JSON object, not %s.", article(jsonType(trimmed[0])))
	}
	return nil
}

// describe says in words what JSON a Go type of package model reads.
func describe(t reflect.Type) string {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	switch {
	case t == reflect.TypeFor[Timestamp]():
		return "a number of epoch seconds"
	case t.Kind() == reflect.String:
		return "a string"
	case t.Kind() == reflect.Bool:
		return "a boolean"
	case t.Kind() == reflect.Int32:
		return "an integer from -2147483648 to 2147483647"
	case t.Kind() == reflect.Int64:
		return "an integer from -9223372036854775808 to 9223372036854775807"
	case t.Kind() == reflect.Float64:
		return "a number"
	case t.Kind() == reflect.Slice:
		return "an array"
	}
	return "an object"
}

// article puts "a"/"an"/"the" before an UnmarshalTypeError value
// ("string", "number", "number 1.5", ...).
func article(value string) string {
	switch {
	case strings.HasPrefix(value, "number "):
		return "the " + value
	case value == "array" || value == "object":
		return "an " + value
	case value == "bool":
		return "a boolean"
	case value == "null":
		return value
	}
	return "a " + value
}

// jsonType names a JSON value's type from its first byte, in the words of
// json.UnmarshalTypeError.Value.
func jsonType(first byte) string {
	switch first {
	case '"':
		return "string"
	case '{':
		return "object"
	case '[':
		return "array"
	case 't', 'f':
		return "bool"
	case 'n':
		return "null"
	}
	return "number"
}

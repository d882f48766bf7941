package model

import (
	"bytes"
	"encoding/json"
	"errors"
	"reflect"
	"strings"
	"unicode/utf8"
)

// decode reads a request body into in, a pointer to a zero input struct,
// with encoding/json: the one JSON decoder of requests. An empty body
// means {}. What encoding/json accepts is accepted: unknown members are
// ignored, member names match case-insensitively, a repeated member's last
// value wins and null leaves a member absent; the generated validation
// then checks the decoded value. Every failure is an ErrSerialization
// *Error, as AWS JSON services answer a body they cannot read.
func decode(body []byte, in any) error {
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

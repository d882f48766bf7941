package model

import (
	"encoding/json"
	"math"
	"strconv"
	"unicode/utf8"
)

// Output encoding. encoding/json finds out the layout of every output by
// reflection on each call; encode_gen.go spells it out instead, as one
// appendJSON method per structure an output can hold. The helpers below
// write scalars exactly as json.Marshal does, so that the bytes on the wire
// do not change; a differential test holds them to that.

// jsonAppender is implemented by every structure an operation output can
// hold (encode_gen.go).
type jsonAppender interface {
	// appendJSON appends what json.Marshal writes for the value.
	appendJSON(b []byte) ([]byte, error)
}

// AppendOutput appends the JSON encoding of an operation output to b,
// byte for byte what json.Marshal(out) returns, and fails when it fails.
// The model's outputs take the generated path; any other value goes
// through json.Marshal.
func AppendOutput(b []byte, out any) ([]byte, error) {
	if a, ok := out.(jsonAppender); ok {
		return a.appendJSON(b)
	}
	encoded, err := json.Marshal(out)
	if err != nil {
		return nil, err
	}
	return append(b, encoded...), nil
}

// closeObject finishes an object whose members were appended from start
// on, each after a comma: the first comma becomes the opening brace, so
// that members need not track whether another came before them.
func closeObject(b []byte, start int) []byte {
	if len(b) == start {
		return append(b, '{', '}')
	}
	b[start] = '{'
	return append(b, '}')
}

const hexDigits = "0123456789abcdef"

// appendString appends s as a JSON string as encoding/json writes it by
// default: besides what JSON requires, it escapes <, > and & (as \u003c,
// \u003e, \u0026) and U+2028 and U+2029, and writes each byte of invalid
// UTF-8 as \ufffd.
func appendString(b []byte, s string) []byte {
	b = append(b, '"')
	plain := 0 // s[plain:i] needs no escaping and is copied in one go
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if !escapedInJSON(c) {
				i++
				continue
			}
			b = append(b, s[plain:i]...)
			b = appendEscapedByte(b, c)
			i++
			plain = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			b = append(b, s[plain:i]...)
			b = append(b, `\ufffd`...)
		case r == '\u2028' || r == '\u2029':
			b = append(b, s[plain:i]...)
			b = append(b, `\u202`...)
			b = append(b, hexDigits[r&0xf])
		default:
			i += size
			continue
		}
		i += size
		plain = i
	}
	b = append(b, s[plain:]...)
	return append(b, '"')
}

// escapedInJSON reports whether encoding/json escapes the ASCII byte c.
func escapedInJSON(c byte) bool {
	return c < 0x20 || c == '"' || c == '\\' || c == '<' || c == '>' || c == '&'
}

// appendEscapedByte appends the escape of an ASCII byte escapedInJSON
// reports, in encoding/json's form: the short escapes where JSON has one,
// \u00XX otherwise.
func appendEscapedByte(b []byte, c byte) []byte {
	switch c {
	case '"', '\\':
		return append(b, '\\', c)
	case '\b':
		return append(b, '\\', 'b')
	case '\f':
		return append(b, '\\', 'f')
	case '\n':
		return append(b, '\\', 'n')
	case '\r':
		return append(b, '\\', 'r')
	case '\t':
		return append(b, '\\', 't')
	}
	return append(b, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xf])
}

// appendFloat appends f as encoding/json writes a float64: the shortest
// decimal that reads back as f, with an exponent (and no zero padding in
// it) below 1e-6 and from 1e21 on. NaN and infinities are not JSON, and
// fail with the error json.Marshal gives for them.
func appendFloat(b []byte, f float64) ([]byte, error) {
	if math.IsNaN(f) || math.IsInf(f, 0) {
		_, err := json.Marshal(f)
		return nil, err
	}
	format := byte('f')
	if abs := math.Abs(f); abs != 0 && (abs < 1e-6 || abs >= 1e21) {
		format = 'e'
	}
	b = strconv.AppendFloat(b, f, format, -1, 64)
	if n := len(b); format == 'e' && b[n-4] == 'e' && b[n-3] == '-' && b[n-2] == '0' {
		b[n-2] = b[n-1] // e-07 -> e-7
		b = b[:n-1]
	}
	return b, nil
}

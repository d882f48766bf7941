package model

import (
	"math"
	"time"
	"unicode/utf16"
	"unicode/utf8"
)

// The runtime half of decode_gen.go: the fast path of decode.
//
// encoding/json finds its way through an input by reflection on every
// request. The generated decodeBody and decodeJSON methods read the plain
// form of an input instead, the form SDKs send: exact member names, each
// once, values of the member's JSON type. On anything else (an unknown or
// differently-cased key, a repeated key, a wrong type, a number out of
// range or with a fraction, invalid UTF-8, a syntax error) they decline,
// and decode reads the body again with encoding/json. So the fast path
// never has to explain a failure, and every error message and every odd
// but valid body keeps encoding/json's behaviour; where it accepts, it
// must produce exactly what encoding/json would.

// jsonDecoder reads one JSON document for the generated decodeJSON methods.
type jsonDecoder struct {
	data []byte
	pos  int
	// key is the key of the member being read: set by openObject and
	// nextMember when they return true. It aliases data.
	key []byte
	// declined is set when openObject, nextMember, openArray or
	// nextElement meet anything but the syntax they expect, as their false
	// also means "no more members" or "no more elements".
	declined bool
}

// next skips white space and returns the next byte, or 0 at the end (a
// NUL byte outside a string is a syntax error anyway).
func (d *jsonDecoder) next() byte {
	for ; d.pos < len(d.data); d.pos++ {
		switch c := d.data[d.pos]; c {
		case ' ', '\t', '\n', '\r':
		default:
			return c
		}
	}
	return 0
}

// end reports whether nothing but white space is left.
func (d *jsonDecoder) end() bool {
	d.next()
	return d.pos == len(d.data)
}

// literal reads word (null, true or false) if it comes next.
func (d *jsonDecoder) literal(word string) bool {
	d.next()
	if end := d.pos + len(word); end <= len(d.data) && string(d.data[d.pos:end]) == word {
		d.pos = end
		return true
	}
	return false
}

// null reads null if it comes next.
func (d *jsonDecoder) null() bool { return d.literal("null") }

// openObject reads '{' and then the first key (true), or the '}' of an
// empty object (false).
func (d *jsonDecoder) openObject() bool {
	if d.next() != '{' {
		d.declined = true
		return false
	}
	d.pos++
	if d.next() == '}' {
		d.pos++
		return false
	}
	return d.readKey()
}

// nextMember reads what follows a member's value: ',' and the next key
// (true), or '}' (false).
func (d *jsonDecoder) nextMember() bool {
	switch d.next() {
	case ',':
		d.pos++
		return d.readKey()
	case '}':
		d.pos++
		return false
	}
	d.declined = true
	return false
}

// readKey reads a key and its colon into d.key. A key with an escape or a
// non-ASCII byte is declined: no member name needs either.
func (d *jsonDecoder) readKey() bool {
	if d.next() == '"' {
		start := d.pos + 1
		for i := start; i < len(d.data); i++ {
			c := d.data[i]
			if c == '"' {
				d.key, d.pos = d.data[start:i], i+1
				if d.next() == ':' {
					d.pos++
					return true
				}
				break
			}
			if c == '\\' || c < ' ' || c >= utf8.RuneSelf {
				break
			}
		}
	}
	d.declined = true
	return false
}

// openArray reads '[' and reports whether an element follows (false for
// the ']' of an empty array).
func (d *jsonDecoder) openArray() bool {
	if d.next() != '[' {
		d.declined = true
		return false
	}
	d.pos++
	if d.next() == ']' {
		d.pos++
		return false
	}
	return true
}

// nextElement reads what follows an element: ',' (true) or ']' (false).
func (d *jsonDecoder) nextElement() bool {
	switch d.next() {
	case ',':
		d.pos++
		return true
	case ']':
		d.pos++
		return false
	}
	d.declined = true
	return false
}

// string reads a string value: one allocation when it has no escapes.
// Escapes are decoded as encoding/json decodes them, a lone surrogate
// included (it becomes U+FFFD); invalid UTF-8, which encoding/json would
// quietly replace, is declined.
func (d *jsonDecoder) string() (string, bool) {
	if d.next() != '"' {
		return "", false
	}
	start := d.pos + 1
	for i := start; i < len(d.data); {
		switch c := d.data[i]; {
		case c == '"':
			d.pos = i + 1
			return string(d.data[start:i]), true
		case c == '\\':
			return d.unescape(start, i)
		case c < ' ':
			return "", false
		case c < utf8.RuneSelf:
			i++
		default:
			r, size := utf8.DecodeRune(d.data[i:])
			if r == utf8.RuneError && size == 1 {
				return "", false
			}
			i += size
		}
	}
	return "", false
}

// unescape finishes string for a string starting at start whose first
// escape is at i. It follows encoding/json's unquoteBytes.
func (d *jsonDecoder) unescape(start, i int) (string, bool) {
	buf := make([]byte, 0, 2*(i-start)+16)
	buf = append(buf, d.data[start:i]...)
	for i < len(d.data) {
		c := d.data[i]
		switch {
		case c == '"':
			d.pos = i + 1
			return string(buf), true
		case c == '\\':
			if i+1 == len(d.data) {
				return "", false
			}
			if e := unescaped(d.data[i+1]); e != 0 {
				buf = append(buf, e)
				i += 2
				continue
			}
			r, ok := hex4(d.data, i)
			if !ok {
				return "", false
			}
			i += 6
			if utf16.IsSurrogate(r) {
				// A valid pair is one rune; anything else is U+FFFD, and
				// what follows is read on its own.
				r2, _ := hex4(d.data, i)
				if pair := utf16.DecodeRune(r, r2); pair != utf8.RuneError {
					r = pair
					i += 6
				} else {
					r = utf8.RuneError
				}
			}
			buf = utf8.AppendRune(buf, r)
		case c < ' ':
			return "", false
		case c < utf8.RuneSelf:
			buf = append(buf, c)
			i++
		default:
			r, size := utf8.DecodeRune(d.data[i:])
			if r == utf8.RuneError && size == 1 {
				return "", false
			}
			buf = append(buf, d.data[i:i+size]...)
			i += size
		}
	}
	return "", false
}

// unescaped is the byte a one-letter escape \e stands for, or 0.
func unescaped(e byte) byte {
	switch e {
	case '"', '\\', '/':
		return e
	case 'b':
		return '\b'
	case 'f':
		return '\f'
	case 'n':
		return '\n'
	case 'r':
		return '\r'
	case 't':
		return '\t'
	}
	return 0
}

// hex4 reads the escape \uXXXX at data[i:]; -1 and false if there is none.
func hex4(data []byte, i int) (rune, bool) {
	if i+6 > len(data) || data[i] != '\\' || data[i+1] != 'u' {
		return -1, false
	}
	var r rune
	for _, c := range data[i+2 : i+6] {
		switch {
		case '0' <= c && c <= '9':
			c -= '0'
		case 'a' <= c && c <= 'f':
			c -= 'a' - 10
		case 'A' <= c && c <= 'F':
			c -= 'A' - 10
		default:
			return -1, false
		}
		r = r*16 + rune(c)
	}
	return r, true
}

// integer reads a number in plain integer syntax, -?(0|[1-9][0-9]*), from
// lo to hi. A fraction or an exponent declines: encoding/json refuses them
// for an integer, even 1.0.
func (d *jsonDecoder) integer(lo, hi int64) (int64, bool) {
	d.next()
	i := d.pos
	neg := i < len(d.data) && d.data[i] == '-'
	if neg {
		i++
	}
	first := i
	var n uint64
	for ; i < len(d.data) && isDigit(d.data[i]); i++ {
		if i-first == 19 {
			return 0, false // 20 digits or more: beyond any int64
		}
		n = n*10 + uint64(d.data[i]-'0')
	}
	switch {
	case i == first, i-first > 1 && d.data[first] == '0':
		return 0, false
	case i < len(d.data) && (d.data[i] == '.' || d.data[i] == 'e' || d.data[i] == 'E'):
		return 0, false
	case neg && n > 1<<63, !neg && n > math.MaxInt64:
		return 0, false
	}
	v := int64(n)
	if neg {
		v = int64(-n) // two's complement: exact up to -1<<63
	}
	if v < lo || v > hi {
		return 0, false
	}
	d.pos = i
	return v, true
}

// number reads a number in JSON syntax,
// -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?, and returns its text.
func (d *jsonDecoder) number() ([]byte, bool) {
	d.next()
	start, i := d.pos, d.pos
	digits := func() int {
		from := i
		for i < len(d.data) && isDigit(d.data[i]) {
			i++
		}
		return i - from
	}
	if i < len(d.data) && d.data[i] == '-' {
		i++
	}
	if n := digits(); n == 0 || n > 1 && d.data[i-n] == '0' {
		return nil, false
	}
	if i < len(d.data) && d.data[i] == '.' {
		i++
		if digits() == 0 {
			return nil, false
		}
	}
	if i < len(d.data) && (d.data[i] == 'e' || d.data[i] == 'E') {
		i++
		if i < len(d.data) && (d.data[i] == '+' || d.data[i] == '-') {
			i++
		}
		if digits() == 0 {
			return nil, false
		}
	}
	d.pos = i
	return d.data[start:i], true
}

func isDigit(c byte) bool { return '0' <= c && c <= '9' }

// The readers below read one value into *p and report whether it was in
// the plain form; decode_gen.go calls them for list elements. None accepts
// null.

// readString reads a string, or an enum, which accepts any string as
// encoding/json does (validation checks the value set).
func readString[S ~string](d *jsonDecoder, p *S) bool {
	s, ok := d.string()
	*p = S(s)
	return ok
}

func readInt32(d *jsonDecoder, p *int32) bool {
	v, ok := d.integer(math.MinInt32, math.MaxInt32)
	*p = int32(v)
	return ok
}

func readInt64(d *jsonDecoder, p *int64) bool {
	v, ok := d.integer(math.MinInt64, math.MaxInt64)
	*p = v
	return ok
}

func readBool(d *jsonDecoder, p *bool) bool {
	switch {
	case d.literal("true"):
		*p = true
	case d.literal("false"):
		*p = false
	default:
		return false
	}
	return true
}

// readTimestamp reads epoch seconds as (*Timestamp).UnmarshalJSON does.
func readTimestamp(d *jsonDecoder, p *Timestamp) bool {
	num, ok := d.number()
	if !ok {
		return false
	}
	sec, nsec, ok := parseEpoch(string(num))
	p.Time = time.Unix(sec, nsec)
	return ok
}

// The member readers below read a member's value into a pointer field,
// which is nil until the member is read; decode_gen.go does the same for
// structure and list members. null leaves the field nil, as encoding/json
// sets it to nil. A field already set was named twice: encoding/json would
// overwrite or merge it, so the fast path declines rather than mimic that.
// (An earlier null left it nil, and letting the later value win is what
// encoding/json does too.)
//
// They are not one generic function taking a reader: a call through a
// function value makes d escape, and a decoder on the heap is an
// allocation per request.

func readStringMember[S ~string](d *jsonDecoder, p **S) bool {
	if *p != nil {
		return false
	}
	if d.null() {
		return true
	}
	*p = new(S)
	return readString(d, *p)
}

func readInt32Member(d *jsonDecoder, p **int32) bool {
	if *p != nil {
		return false
	}
	if d.null() {
		return true
	}
	*p = new(int32)
	return readInt32(d, *p)
}

func readInt64Member(d *jsonDecoder, p **int64) bool {
	if *p != nil {
		return false
	}
	if d.null() {
		return true
	}
	*p = new(int64)
	return readInt64(d, *p)
}

func readBoolMember(d *jsonDecoder, p **bool) bool {
	if *p != nil {
		return false
	}
	if d.null() {
		return true
	}
	*p = new(bool)
	return readBool(d, *p)
}

func readTimestampMember(d *jsonDecoder, p **Timestamp) bool {
	if *p != nil {
		return false
	}
	if d.null() {
		return true
	}
	*p = new(Timestamp)
	return readTimestamp(d, *p)
}

// Package record encodes the service's stored records in a compact binary
// form. Records are read on every request, many of them per list page, and
// decoding them as JSON was the largest cost of a realistic request mix
// (BENCHMARKS.md); this form decodes in a fraction of the time with one
// allocation for all of a record's strings.
//
// The form is self-describing enough to evolve like JSON: every field is
// written under its JSON name (the `json` tag, embedded structs
// flattened), fields a reader does not know are skipped, and fields a
// record lacks stay zero. A record starts with the byte Version; what
// starts with '{' is a JSON record written by an earlier release, which
// Decode reads with encoding/json, so a data file never needs rewriting.
//
//	record = Version field*
//	field  = uvarint(len(name)) name uvarint(len(value)) value
//
// Values: a string or []byte is its bytes; a bool is written only when
// true, as 1; integers are varints (zig-zag for signed); a time.Time is
// varint(Unix seconds) uvarint(nanoseconds) and reads back in UTC; a
// slice is its elements, each as uvarint(len) bytes (a nil slice is not
// written, an empty one is, so the two stay apart as in JSON); a struct
// is a record without the Version byte. Zero values are not written.
package record

import (
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"time"
)

// Version is the first byte of every binary record.
const Version byte = 1

// ErrCorrupt is returned (wrapped) for a record that does not decode.
var ErrCorrupt = errors.New("record: corrupt record")

// A Codec encodes and decodes records of type T. Make one with For, once
// per type; it is immutable and safe for concurrent use.
type Codec[T any] struct{ plan *structPlan }

// For returns the codec of T, a struct type. It panics when T has a field
// of a kind the form does not support: the record types are fixed at
// compile time, so this is a programming error found by any test.
func For[T any]() Codec[T] {
	t := reflect.TypeFor[T]()
	if t.Kind() != reflect.Struct {
		panic(fmt.Sprintf("record: %s is not a struct", t))
	}
	return Codec[T]{plan: planStruct(t)}
}

// Append appends the encoding of v to dst.
func (c Codec[T]) Append(dst []byte, v *T) []byte {
	c.check()
	dst = append(dst, Version)
	return c.plan.append(dst, reflect.ValueOf(v).Elem())
}

// Decode decodes raw into v, which should be zero. raw may be a binary
// record or a JSON one.
func (c Codec[T]) Decode(raw []byte, v *T) error {
	c.check()
	if len(raw) > 0 && raw[0] == '{' {
		return json.Unmarshal(raw, v)
	}
	if len(raw) == 0 || raw[0] != Version {
		return fmt.Errorf("%w: unknown version", ErrCorrupt)
	}
	return c.plan.decode(&decoder{s: string(raw[1:])}, reflect.ValueOf(v).Elem())
}

func (c Codec[T]) check() {
	if c.plan == nil {
		panic(fmt.Sprintf("record: the zero Codec[%s] was used; make it with For", reflect.TypeFor[T]()))
	}
}

// structPlan is how one struct type is encoded: its fields in order.
type structPlan struct {
	fields []fieldPlan
	byName map[string]int
}

type fieldPlan struct {
	name  string
	index []int // reflect field index path, through embedded structs
	kind  valueKind
	elem  *structPlan // for structs and slices of structs
}

type valueKind int

const (
	kindString valueKind = iota
	kindBytes
	kindBool
	kindInt
	kindUint
	kindTime
	kindStrings
	kindStruct
	kindStructs
)

var timeType = reflect.TypeFor[time.Time]()

func planStruct(t reflect.Type) *structPlan {
	p := &structPlan{byName: map[string]int{}}
	p.add(t, nil)
	return p
}

func (p *structPlan) add(t reflect.Type, parent []int) {
	for i := range t.NumField() {
		f := t.Field(i)
		index := append(append([]int(nil), parent...), i)
		tag := f.Tag.Get("json")
		if tag == "-" {
			continue
		}
		name, _, _ := strings.Cut(tag, ",")
		if f.Anonymous && name == "" && f.Type.Kind() == reflect.Struct {
			p.add(f.Type, index)
			continue
		}
		if !f.IsExported() {
			continue
		}
		if name == "" {
			name = f.Name
		}
		fp := fieldPlan{name: name, index: index, kind: kindFor(f.Type)}
		switch fp.kind {
		case kindStruct:
			fp.elem = planStruct(f.Type)
		case kindStructs:
			fp.elem = planStruct(f.Type.Elem())
		}
		if _, dup := p.byName[name]; dup {
			panic(fmt.Sprintf("record: two fields named %q in %s", name, t))
		}
		p.byName[name] = len(p.fields)
		p.fields = append(p.fields, fp)
	}
}

func kindFor(t reflect.Type) valueKind {
	switch {
	case t == timeType:
		return kindTime
	case t.Kind() == reflect.String:
		return kindString
	case t.Kind() == reflect.Bool:
		return kindBool
	case t.Kind() >= reflect.Int && t.Kind() <= reflect.Int64:
		return kindInt
	case t.Kind() >= reflect.Uint && t.Kind() <= reflect.Uint64:
		return kindUint
	case t.Kind() == reflect.Slice && t.Elem().Kind() == reflect.Uint8:
		return kindBytes
	case t.Kind() == reflect.Slice && t.Elem().Kind() == reflect.String:
		return kindStrings
	case t.Kind() == reflect.Slice && t.Elem().Kind() == reflect.Struct && t.Elem() != timeType:
		return kindStructs
	case t.Kind() == reflect.Struct:
		return kindStruct
	}
	panic(fmt.Sprintf("record: unsupported field type %s", t))
}

func (p *structPlan) append(dst []byte, v reflect.Value) []byte {
	var scratch []byte
	for i := range p.fields {
		f := &p.fields[i]
		fv := v.FieldByIndex(f.index)
		if !f.present(fv) {
			continue
		}
		scratch = f.appendValue(scratch[:0], fv)
		dst = appendBytes(dst, f.name)
		dst = appendBytes(dst, scratch)
	}
	return dst
}

// present reports whether the field is written: zero values are not,
// except empty (non-nil) slices.
func (f *fieldPlan) present(v reflect.Value) bool {
	switch f.kind {
	case kindBytes, kindStrings, kindStructs:
		return !v.IsNil()
	case kindTime:
		return !v.Addr().Interface().(*time.Time).IsZero()
	case kindStruct:
		return !v.IsZero()
	}
	return !v.IsZero()
}

func (f *fieldPlan) appendValue(dst []byte, v reflect.Value) []byte {
	switch f.kind {
	case kindString:
		return append(dst, v.String()...)
	case kindBytes:
		return append(dst, v.Bytes()...)
	case kindBool:
		return append(dst, 1)
	case kindInt:
		return binary.AppendVarint(dst, v.Int())
	case kindUint:
		return binary.AppendUvarint(dst, v.Uint())
	case kindTime:
		t := v.Addr().Interface().(*time.Time)
		dst = binary.AppendVarint(dst, t.Unix())
		return binary.AppendUvarint(dst, uint64(t.Nanosecond()))
	case kindStrings:
		for i := range v.Len() {
			dst = appendBytes(dst, v.Index(i).String())
		}
		return dst
	case kindStruct:
		return f.elem.append(dst, v)
	case kindStructs:
		for i := range v.Len() {
			dst = appendBytes(dst, f.elem.append(nil, v.Index(i)))
		}
		return dst
	}
	panic("record: unreachable")
}

func appendBytes[S string | []byte](dst []byte, s S) []byte {
	dst = binary.AppendUvarint(dst, uint64(len(s)))
	return append(dst, s...)
}

// decoder reads a record from s, the record's bytes as one string: every
// decoded string is a substring of it, so a record costs one allocation.
type decoder struct {
	s   string
	pos int
}

func (d *decoder) more() bool { return d.pos < len(d.s) }

// uvarint reads an unsigned varint of s at i, returning it and its width
// (0 when s ends first or the varint overflows).
func uvarint(s string, i int) (uint64, int) {
	var x uint64
	for shift, j := 0, i; j < len(s) && shift < 64; shift, j = shift+7, j+1 {
		b := s[j]
		if b < 0x80 {
			if shift == 63 && b > 1 {
				return 0, 0
			}
			return x | uint64(b)<<shift, j - i + 1
		}
		x |= uint64(b&0x7f) << shift
	}
	return 0, 0
}

func varint(s string, i int) (int64, int) {
	ux, w := uvarint(s, i)
	x := int64(ux >> 1)
	if ux&1 != 0 {
		x = ^x
	}
	return x, w
}

// next reads one length-prefixed item and returns it.
func (d *decoder) next() (string, error) {
	n, w := uvarint(d.s, d.pos)
	if w == 0 || n > uint64(len(d.s)-d.pos-w) {
		return "", fmt.Errorf("%w: truncated", ErrCorrupt)
	}
	start := d.pos + w
	d.pos = start + int(n)
	return d.s[start:d.pos], nil
}

func (p *structPlan) decode(d *decoder, v reflect.Value) error {
	expect := 0 // fields arrive in plan order: try the next one first
	for d.more() {
		name, err := d.next()
		if err != nil {
			return err
		}
		value, err := d.next()
		if err != nil {
			return err
		}
		i := -1
		if expect < len(p.fields) && p.fields[expect].name == name {
			i = expect
		} else {
			var ok bool
			if i, ok = p.byName[name]; !ok {
				continue // a field of a newer release
			}
		}
		expect = i + 1
		f := &p.fields[i]
		if err := f.decodeValue(value, v.FieldByIndex(f.index)); err != nil {
			return fmt.Errorf("%w (field %s)", err, f.name)
		}
	}
	return nil
}

func (f *fieldPlan) decodeValue(s string, v reflect.Value) error {
	switch f.kind {
	case kindString:
		v.SetString(s)
	case kindBytes:
		v.SetBytes([]byte(s))
	case kindBool:
		if s != "\x01" {
			return fmt.Errorf("%w: bad bool", ErrCorrupt)
		}
		v.SetBool(true)
	case kindInt:
		n, w := varint(s, 0)
		if w == 0 || w != len(s) || v.OverflowInt(n) {
			return fmt.Errorf("%w: bad integer", ErrCorrupt)
		}
		v.SetInt(n)
	case kindUint:
		n, w := uvarint(s, 0)
		if w == 0 || w != len(s) || v.OverflowUint(n) {
			return fmt.Errorf("%w: bad integer", ErrCorrupt)
		}
		v.SetUint(n)
	case kindTime:
		sec, w := varint(s, 0)
		ns, w2 := uvarint(s, w)
		if w == 0 || w2 == 0 || w+w2 != len(s) || ns >= 1e9 {
			return fmt.Errorf("%w: bad time", ErrCorrupt)
		}
		*v.Addr().Interface().(*time.Time) = time.Unix(sec, int64(ns)).UTC()
	case kindStrings:
		sub := decoder{s: s}
		n := 0
		for ; sub.more(); n++ {
			if _, err := sub.next(); err != nil {
				return err
			}
		}
		out := reflect.MakeSlice(v.Type(), n, n)
		sub = decoder{s: s}
		for i := range n {
			item, _ := sub.next()
			out.Index(i).SetString(item)
		}
		v.Set(out)
	case kindStruct:
		return f.elem.decode(&decoder{s: s}, v)
	case kindStructs:
		sub := decoder{s: s}
		out := reflect.MakeSlice(v.Type(), 0, 0)
		for sub.more() {
			item, err := sub.next()
			if err != nil {
				return err
			}
			elem := reflect.New(v.Type().Elem()).Elem()
			if err := f.elem.decode(&decoder{s: item}, elem); err != nil {
				return err
			}
			out = reflect.Append(out, elem)
		}
		v.Set(out)
	}
	return nil
}

package model

import (
	"bytes"
	"encoding/json"
	"math"
	"math/rand/v2"
	"reflect"
	"strings"
	"testing"
	"time"
)

// outputTypes are the output types of every operation (*XOutput), read
// from the Handlers interface so that a new operation is covered at once.
func outputTypes() []reflect.Type {
	h := reflect.TypeFor[Handlers]()
	types := make([]reflect.Type, h.NumMethod())
	for i := range types {
		types[i] = h.Method(i).Type.Out(0)
	}
	return types
}

func TestEveryOutputHasAGeneratedEncoder(t *testing.T) {
	appender := reflect.TypeFor[jsonAppender]()
	for _, typ := range outputTypes() {
		if !typ.Implements(appender) {
			t.Errorf("%v has no appendJSON method: AppendOutput would fall back to json.Marshal", typ)
		}
	}
}

// TestAppendOutputMatchesMarshal fills every output type with random
// values and requires AppendOutput to write what json.Marshal writes, or
// to fail when it fails.
func TestAppendOutputMatchesMarshal(t *testing.T) {
	const valuesPerType = 300
	f := newFiller(7)
	for _, typ := range outputTypes() {
		checkAppendOutput(t, reflect.Zero(typ).Interface()) // a nil *XOutput is null
		for range valuesPerType {
			v := reflect.New(typ.Elem())
			f.fill(t, v.Elem(), 0)
			checkAppendOutput(t, v.Interface())
		}
	}
}

func TestAppendOutputFallsBackToMarshal(t *testing.T) {
	checkAppendOutput(t, map[string]any{"b": 1, "a": []string{"<&>"}, "c": nil})
	checkAppendOutput(t, struct{ X *Timestamp }{NewTimestamp(time.UnixMilli(-1500))})
	if _, err := AppendOutput(nil, make(chan int)); err == nil {
		t.Error("AppendOutput(chan) succeeded; json.Marshal fails")
	}
}

// checkAppendOutput compares AppendOutput after a prefix with json.Marshal.
func checkAppendOutput(t *testing.T, out any) {
	t.Helper()
	want, wantErr := json.Marshal(out)
	const prefix = "prefix:"
	got, err := AppendOutput([]byte(prefix), out)
	switch {
	case wantErr != nil || err != nil:
		if wantErr == nil || err == nil || err.Error() != wantErr.Error() {
			t.Fatalf("%T: AppendOutput error %v, json.Marshal error %v", out, err, wantErr)
		}
	case !bytes.HasPrefix(got, []byte(prefix)):
		t.Fatalf("%T: AppendOutput lost what the buffer held: %q", out, got)
	case !bytes.Equal(got[len(prefix):], want):
		t.Fatalf("%T: AppendOutput wrote\n%s\njson.Marshal wrote\n%s", out, got[len(prefix):], want)
	}
}

// filler sets random values, biased towards what encoders get wrong: nil
// against empty, escapes, invalid UTF-8, number edge cases.
type filler struct {
	rnd    *rand.Rand
	pieces []string // test strings are concatenations of these
}

func newFiller(seed uint64) *filler {
	return &filler{rnd: rand.New(rand.NewPCG(seed, seed)), pieces: []string{
		"", "a", "user@example.com", "arn:aws:sso:::instance/ssoins-1234567890abcdef", "m-0123456789abcdef0123456789abcdef",
		"<", ">", "&", "<script>", `"`, `\`, "/", "'", " ", "\x00", "\x01", "\b", "\f", "\n", "\r", "\t", "\x1f", "\x7f",
		"\u2028", "\u2029", "\u2027", "\u202a", "é", "日本語", "😀", "\ufffd", "\ufeff",
		"\xff", "\xc3", "\xe2\x80", "\xed\xa0\x80", "\xf0\x9f\x98", "\xc0\xaf", "\xf8\x88\x80\x80\x80",
	}}
}

// maxFillDepth stops recursive shapes, should a model have any.
const maxFillDepth = 8

func (f *filler) fill(t *testing.T, v reflect.Value, depth int) {
	t.Helper()
	switch v.Kind() {
	case reflect.Pointer:
		if f.rnd.IntN(4) == 0 || depth > maxFillDepth {
			return // nil
		}
		v.Set(reflect.New(v.Type().Elem()))
		f.fill(t, v.Elem(), depth+1)
	case reflect.Struct:
		if v.Type() == reflect.TypeFor[Timestamp]() {
			v.Set(reflect.ValueOf(Timestamp{f.time()}))
			return
		}
		for i := range v.NumField() {
			f.fill(t, v.Field(i), depth+1)
		}
	case reflect.Slice:
		switch n := f.rnd.IntN(8); {
		case n < 2 || depth > maxFillDepth:
			// nil
		case n == 2:
			v.Set(reflect.MakeSlice(v.Type(), 0, 0)) // empty, not nil: []
		default:
			v.Set(reflect.MakeSlice(v.Type(), n-2, n-2))
			for i := range v.Len() {
				f.fill(t, v.Index(i), depth+1)
			}
		}
	case reflect.String:
		v.SetString(f.string())
	case reflect.Bool:
		v.SetBool(f.rnd.IntN(2) == 0)
	case reflect.Int32, reflect.Int64:
		v.SetInt(f.int(v.Type().Bits()))
	case reflect.Float64:
		v.SetFloat(f.float())
	default:
		t.Fatalf("the filler cannot fill a %v: teach it, so the encoders are tested with it", v.Type())
	}
}

func (f *filler) string() string {
	var b strings.Builder
	for range f.rnd.IntN(6) {
		if f.rnd.IntN(8) == 0 {
			b.WriteByte(byte(f.rnd.IntN(256))) // any byte at all
			continue
		}
		b.WriteString(f.pieces[f.rnd.IntN(len(f.pieces))])
	}
	return b.String()
}

func (f *filler) int(bits int) int64 {
	limit := int64(1)<<(bits-1) - 1
	switch f.rnd.IntN(6) {
	case 0:
		return limit
	case 1:
		return -limit - 1
	case 2:
		return int64(f.rnd.IntN(3)) - 1 // -1, 0, 1
	}
	return f.rnd.Int64N(limit) - f.rnd.Int64N(limit)
}

func (f *filler) float() float64 {
	special := []float64{
		0, math.Copysign(0, -1), 1, -1, 0.1, 1e-6, 1e-7, 9.99e-7, 1e20, 1e21, -1e21, 123456789012345678901234.0,
		math.MaxFloat64, math.SmallestNonzeroFloat64, -math.SmallestNonzeroFloat64, 1e-100, 1e100,
		math.NaN(), math.Inf(1), math.Inf(-1),
	}
	switch f.rnd.IntN(4) {
	case 0:
		return special[f.rnd.IntN(len(special))]
	case 1:
		return math.Float64frombits(f.rnd.Uint64()) // any bit pattern, NaNs included
	case 2:
		return float64(f.rnd.IntN(1 << 30)) // a mailbox size in bytes
	}
	return f.rnd.NormFloat64() * math.Pow(10, float64(f.rnd.IntN(50)-25))
}

func (f *filler) time() time.Time {
	switch f.rnd.IntN(5) {
	case 0:
		return time.Unix(f.rnd.Int64N(4e9), 0) // whole seconds
	case 1:
		return time.UnixMilli(-f.rnd.Int64N(4e12)) // before 1970
	case 2:
		return time.Unix(f.rnd.Int64N(4e9), f.rnd.Int64N(1e9)) // below a millisecond: truncated
	case 3:
		return time.UnixMilli(f.rnd.Int64()) // far away, either side
	}
	return time.UnixMilli(1_700_000_000_000 + f.rnd.Int64N(1e11))
}

func TestAppendStringMatchesMarshal(t *testing.T) {
	var inputs []string
	for c := range 256 {
		inputs = append(inputs, string([]byte{byte(c)}), "a"+string([]byte{byte(c)})+"z")
	}
	for _, r := range []rune{0x7f, 0x80, 0x7ff, 0x800, 0x2027, 0x2028, 0x2029, 0x202a, 0xd7ff, 0xe000, 0xfffd, 0xffff, 0x10000, 0x10ffff} {
		inputs = append(inputs, string(r), "<"+string(r)+">")
	}
	f := newFiller(3)
	for range 5000 {
		inputs = append(inputs, f.string())
	}
	for _, s := range inputs {
		want, _ := json.Marshal(s)
		if got := appendString(nil, s); !bytes.Equal(got, want) {
			t.Fatalf("appendString(%q) = %s, json.Marshal = %s", s, got, want)
		}
	}
}

func TestAppendFloatMatchesMarshal(t *testing.T) {
	f := newFiller(13)
	for range 20000 {
		x := f.float()
		want, wantErr := json.Marshal(x)
		got, err := appendFloat(nil, x)
		if (err != nil) != (wantErr != nil) || (err != nil && err.Error() != wantErr.Error()) || !bytes.Equal(got, want) {
			t.Fatalf("appendFloat(%v) = %s, %v; json.Marshal = %s, %v", x, got, err, want, wantErr)
		}
	}
}

// FuzzAppendOutput compares AppendOutput with json.Marshal on outputs
// carrying fuzzed strings, integers, floats and timestamps.
func FuzzAppendOutput(f *testing.F) {
	f.Add("plain", int64(30), 1024.0, int64(1522693605468))
	f.Add("<a href=\"x\">&amp;</a>\\", int64(math.MinInt64), 1e-7, int64(-1500))
	f.Add("\x00\x1f\x7f\u2028\u2029\xff\xc3(日本)", int64(math.MaxInt64), 1e21, int64(math.MinInt64))
	f.Fuzz(func(t *testing.T, s string, n int64, x float64, ms int64) {
		state, role := EntityState(s), UserRole(s)
		quota := int32(n)
		ts := NewTimestamp(time.UnixMilli(ms))
		outputs := []any{
			&ListUsersOutput{
				Users:     []User{{Id: &s, Email: &s, State: &state, UserRole: &role, EnabledDate: ts}, {}},
				NextToken: &s,
			},
			&GetMailboxDetailsOutput{MailboxQuota: &quota, MailboxSize: &x},
			&AssumeImpersonationRoleOutput{Token: &s, ExpiresIn: &n},
			&ListAccessControlRulesOutput{Rules: []AccessControlRule{{Name: &s, IpRanges: []string{s, s}, Actions: []string{}, DateCreated: ts}}},
		}
		for _, out := range outputs {
			checkAppendOutput(t, out)
		}
	})
}

package model

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"math/rand/v2"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
	"unicode/utf16"
)

// The fast path (decode.go, decode_gen.go) is checked against the
// reference it stands in for, unmarshal (encoding/json): wherever it
// accepts a body, unmarshal must accept it too and produce a deeply equal
// value; and it must accept the plain form of every input, or it would
// quietly never run.

// fastDecode runs only the fast path of decode, into a new value of type
// t (an input struct type).
func fastDecode(t reflect.Type, body []byte) (reflect.Value, bool) {
	v := reflect.New(t)
	ok := v.Interface().(interface{ decodeBody([]byte) bool }).decodeBody(body)
	return v, ok
}

// checkAgainstUnmarshal fails when the fast path accepts body as a t where
// unmarshal refuses it or reads something else.
func checkAgainstUnmarshal(t *testing.T, typ reflect.Type, body []byte) (accepted bool) {
	t.Helper()
	fast, ok := fastDecode(typ, body)
	if !ok {
		return false
	}
	ref := reflect.New(typ)
	if err := unmarshal(body, ref.Interface()); err != nil {
		t.Fatalf("%s: the fast path accepts %q, which unmarshal refuses: %v", typ.Name(), body, err)
	}
	if !reflect.DeepEqual(fast.Interface(), ref.Interface()) {
		t.Fatalf("%s: %q\nfast path: %s\nunmarshal: %s", typ.Name(), body, dump(fast), dump(ref))
	}
	return true
}

// dump shows a decoded value in full, pointers followed.
func dump(v reflect.Value) string {
	b, err := json.Marshal(v.Interface())
	if err != nil {
		return err.Error()
	}
	return fmt.Sprintf("%s %#v", b, v.Elem().Interface())
}

// inputTypes lists every operation input type, from the Handlers interface.
func inputTypes(t *testing.T) []reflect.Type {
	h := reflect.TypeFor[Handlers]()
	var types []reflect.Type
	for i := range h.NumMethod() {
		types = append(types, h.Method(i).Type.In(1).Elem())
	}
	if len(types) != len(OperationNames()) {
		t.Fatalf("found %d input types for %d operations", len(types), len(OperationNames()))
	}
	return types
}

func TestFastDecodeDifferential(t *testing.T) {
	const valuesPerType = 40
	var accepted, variants int
	for i, typ := range inputTypes(t) {
		r := rand.New(rand.NewPCG(1, uint64(i)))
		for range valuesPerType {
			v := reflect.New(typ)
			fill(r, v.Elem())
			canonical, err := json.Marshal(v.Interface())
			if err != nil {
				t.Fatal(err)
			}
			if !checkAgainstUnmarshal(t, typ, canonical) {
				t.Fatalf("%s: the fast path declines json.Marshal's %s", typ.Name(), canonical)
			}
			doc := parseJSON(t, canonical)
			// White space and escapes change nothing a client meant:
			// still the plain form.
			plain := doc.encode(r, false)
			if !checkAgainstUnmarshal(t, typ, plain) {
				t.Fatalf("%s: the fast path declines %s (%s with white space and escapes)", typ.Name(), plain, canonical)
			}
			for range 12 {
				variants++
				if checkAgainstUnmarshal(t, typ, mutate(r, doc)) {
					accepted++
				}
			}
		}
	}
	// Most variants are declined by design; some (a null or a missing
	// member, an odd value of the right type) are accepted, and checked.
	t.Logf("fast path accepted %d of %d mutated bodies", accepted, variants)
	if accepted == 0 || accepted == variants {
		t.Errorf("fast path accepted %d of %d mutated bodies: the mutations test nothing", accepted, variants)
	}
}

// TestFastDecodeCases pins down what the fast path accepts and declines in
// the forms a mutation rarely produces. Whatever it accepts is also checked
// against unmarshal.
func TestFastDecodeCases(t *testing.T) {
	put := reflect.TypeFor[PutIdentityProviderConfigurationInput]()
	tag := reflect.TypeFor[TagResourceInput]()
	list := reflect.TypeFor[ListUsersInput]()
	tests := []struct {
		typ    reflect.Type
		body   string
		accept bool
	}{
		{list, `{}`, true},
		{list, " \t\r\n{ \t\r\n} \t\r\n", true},
		{list, `{"OrganizationId":"m-1","MaxResults":5}`, true},
		{list, `{"OrganizationId":null,"MaxResults":null}`, true},
		{list, `{"OrganizationId":null,"OrganizationId":"m-1"}`, true}, // the later value wins, as in encoding/json
		{list, `{"OrganizationId":"m-1","OrganizationId":null}`, false},
		{list, `{"OrganizationId":"m-1","OrganizationId":"m-2"}`, false},
		{list, `{"organizationId":"m-1"}`, false},
		{list, `{"Organization\u0049d":"m-1"}`, false},
		{list, `{"Unknown":1}`, false},
		{list, `{"MaxResults":-0}`, true},
		{list, `{"MaxResults":2147483647}`, true},
		{list, `{"MaxResults":-2147483648}`, true},
		{list, `{"MaxResults":2147483648}`, false},
		{list, `{"MaxResults":-2147483649}`, false},
		{list, `{"MaxResults":5.0}`, false},
		{list, `{"MaxResults":5e0}`, false},
		{list, `{"MaxResults":05}`, false},
		{list, `{"MaxResults":"5"}`, false},
		{list, `{"OrganizationId":5}`, false},
		{list, `{"OrganizationId":"m-1",}`, false},
		{list, `{,"OrganizationId":"m-1"}`, false},
		{list, `{"OrganizationId":"m-1"}x`, false},
		{list, `{"OrganizationId":"m-1"}{}`, false},
		{list, `{"OrganizationId":"m-1"`, false},
		{list, `null`, false},
		{list, `[]`, false},
		{list, ``, false}, // unmarshal takes it as {}
		{list, "{\"OrganizationId\":\"m-\xff\"}", false},
		{list, "{\"OrganizationId\":\"a\tb\"}", false},
		{list, "{\"OrganizationId\":\"\u00e9\u4e2d\U0001F600\"}", true},
		{list, `{"OrganizationId":"\u00e9\u4E2D\ud83d\ude00 \"\\\/\b\f\n\r\t"}`, true},
		{list, `{"OrganizationId":"\ud800"}`, true},        // a lone surrogate is U+FFFD
		{list, `{"OrganizationId":"\udc00\ud800x"}`, true}, // two of them
		{list, `{"OrganizationId":"\ud800\u0041"}`, true},  // U+FFFD, then A
		{list, `{"OrganizationId":"\ud800\ud800\udc00"}`, true},
		{list, `{"OrganizationId":"\ud800\uDC0"}`, false},
		{list, `{"OrganizationId":"\'"}`, false},
		{list, `{"OrganizationId":"\x41"}`, false},
		{list, `{"OrganizationId":"\u004"}`, false},
		{list, `{"OrganizationId":"\`, false},
		{tag, `{"Tags":[]}`, true},
		{tag, `{"Tags":null}`, true},
		{tag, `{"Tags":[{"Key":"k","Value":"v"},{}]}`, true},
		{tag, `{"Tags":[null]}`, false},
		{tag, `{"Tags":[{}],"Tags":[]}`, false},
		{tag, `{"Tags":[{},]}`, false},
		{tag, `{"Tags":[,{}]}`, false},
		{tag, `{"Tags":[{}}`, false},
		{tag, `{"Tags":{}}`, false},
		{put, `{"IdentityCenterConfiguration":{"InstanceArn":"i","ApplicationArn":"a"},"PersonalAccessTokenConfiguration":{"Status":"ACTIVE","LifetimeInDays":30}}`, true},
		{put, `{"IdentityCenterConfiguration":{},"PersonalAccessTokenConfiguration":null}`, true},
		{put, `{"IdentityCenterConfiguration":{"InstanceArn":"i","InstanceArn":"j"}}`, false},
		{put, `{"IdentityCenterConfiguration":{},"IdentityCenterConfiguration":{}}`, false},
		{put, `{"IdentityCenterConfiguration":[]}`, false},
		{put, `{"AuthenticationMode":"NOT_A_MODE"}`, true}, // validation's business, not decoding's
	}
	for _, tc := range tests {
		if got := checkAgainstUnmarshal(t, tc.typ, []byte(tc.body)); got != tc.accept {
			t.Errorf("%s %s: fast path accepts = %v, want %v", tc.typ.Name(), tc.body, got, tc.accept)
		}
	}
}

// TestFastDecodeScalars checks the readers no input uses yet (int64,
// Timestamp) along with the others, against encoding/json decoding into
// the same Go type.
func TestFastDecodeScalars(t *testing.T) {
	numbers := []string{
		"0", "-0", "7", "-7", "1.5", "-1.5", "1e2", "1E+2", "1e-2", "-1.25e1", "0.001", "1522693605.468",
		"2147483647", "2147483648", "-2147483648", "-2147483649",
		"9223372036854775807", "9223372036854775808", "-9223372036854775808", "-9223372036854775809",
		"18446744073709551616", "99999999999999999999", "1e12", "1e13", "0.0000000001", "1e-400", "1e400",
		"01", "-01", "1.", ".5", "-", "+1", "1e", "1e+", "0x10", "1.5.5", "- 1", " 7 ", "7 8", "null", `"7"`, "true", "",
	}
	strs := []string{`""`, `"a"`, `"\u0000"`, `"\uFFFD"`, `"\ud83d\ude00"`, `"\ude00\ud83d"`, "\"\x7f\"", `"a`, `"`, `'a'`, "null"}
	bools := []string{"true", "false", "tru", "falsey", "True", "1", "null"}
	for _, s := range numbers {
		checkScalar(t, s, readInt32Member)
		checkScalar(t, s, readInt64Member)
		checkScalar(t, s, readTimestampMember)
	}
	for _, s := range strs {
		checkScalar(t, s, readStringMember[string])
		checkScalar(t, s, readStringMember[UserRole])
	}
	for _, s := range bools {
		checkScalar(t, s, readBoolMember)
	}
	mustAccept := map[string]any{
		"-9223372036854775808": int64(math.MinInt64),
		"9223372036854775807":  int64(math.MaxInt64),
		"-2147483648":          int32(math.MinInt32),
		"1522693605.468":       Timestamp{time.Unix(1522693605, 468_000_000)},
		"-1.25e1":              Timestamp{time.Unix(-12, -500_000_000)},
		"1e-400":               Timestamp{time.Unix(0, 0)},
	}
	for s, want := range mustAccept {
		var got any
		var ok bool
		d := jsonDecoder{data: []byte(s)}
		switch want.(type) {
		case int64:
			var v int64
			ok, got = readInt64(&d, &v), v
		case int32:
			var v int32
			ok, got = readInt32(&d, &v), v
		case Timestamp:
			var v Timestamp
			ok, got = readTimestamp(&d, &v), v
		}
		if !ok || !d.end() || !reflect.DeepEqual(got, want) {
			t.Errorf("reading %s: %v, %v; want %v", s, got, ok, want)
		}
	}
}

// checkScalar reads s as a member value with a member reader, as the
// generated code does, and compares with encoding/json.
func checkScalar[T any](t *testing.T, s string, readMember func(*jsonDecoder, **T) bool) {
	t.Helper()
	var fast *T
	d := jsonDecoder{data: []byte(s)}
	if !readMember(&d, &fast) || !d.end() {
		return
	}
	var ref *T
	if err := json.Unmarshal([]byte(s), &ref); err != nil {
		t.Errorf("the fast path reads %s as a %T, which encoding/json refuses: %v", s, ref, err)
	} else if !reflect.DeepEqual(fast, ref) {
		t.Errorf("%s as %T: fast path %v, encoding/json %v", s, ref, fast, ref)
	}
}

// FuzzDecodeInput feeds arbitrary bodies to the fast path of a few inputs,
// nested and list-bearing ones among them: whatever it accepts, unmarshal
// must accept with a deeply equal value.
func FuzzDecodeInput(f *testing.F) {
	f.Add([]byte(`{"OrganizationId":"` + orgID + `","AuthenticationMode":"IDENTITY_PROVIDER_ONLY",` +
		`"IdentityCenterConfiguration":{"InstanceArn":"` + instanceArn + `","ApplicationArn":"` + appArn + `"},` +
		`"PersonalAccessTokenConfiguration":{"Status":"ACTIVE","LifetimeInDays":30}}`))
	f.Add([]byte(`{"OrganizationId":"` + orgID + `","Name":"jdoe","DisplayName":"J. Doe \u00e9","Password":"pw",` +
		`"Role":"USER","FirstName":"J","LastName":"D","HiddenFromGlobalAddressList":true,"IdentityProviderUserId":"u-1"}`))
	f.Add([]byte(`{"ResourceARN":"arn:x","Tags":[{"Key":"k","Value":"v"},{"Key":"\ud83d\ude00","Value":""}]}`))
	f.Add([]byte(`{"OrganizationId":"` + orgID + `","Name":"r","Type":"FULL_ACCESS","Rules":[{"Name":"n","Effect":"ALLOW",` +
		`"TargetUsers":["a","b"],"NotTargetUsers":[]}]}`))
	f.Add([]byte(` {"OrganizationId" : null , "MaxResults" : -0 } `))
	types := []reflect.Type{
		reflect.TypeFor[PutIdentityProviderConfigurationInput](),
		reflect.TypeFor[CreateUserInput](),
		reflect.TypeFor[TagResourceInput](),
		reflect.TypeFor[CreateImpersonationRoleInput](),
		reflect.TypeFor[ListUsersInput](),
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		for _, typ := range types {
			checkAgainstUnmarshal(t, typ, body)
		}
	})
}

// TestDecodeFallsBack checks that decode, fast path first, answers exactly
// as unmarshal alone does, error messages included, for bodies the fast
// path declines after setting members.
func TestDecodeFallsBack(t *testing.T) {
	bodies := []string{
		`{"OrganizationId":"m-1","MaxResults":"5"}`,
		`{"OrganizationId":"m-1","organizationId":null}`,
		`{"OrganizationId":"m-1","MaxResults":5,"Unknown":true}`,
		`{"OrganizationId":"m-1"} x`,
		"{\"OrganizationId\":\"m-1\",\"NextToken\":\"\xff\"}",
		`{"OrganizationId":"m-1","MaxResults":1.5}`,
		`{"OrganizationId":"m-1","Filters":{"State":"ENABLED","State":7}}`,
	}
	for _, body := range bodies {
		got := new(ListUsersInput)
		gotErr := decode([]byte(body), got)
		want := new(ListUsersInput)
		wantErr := unmarshal([]byte(body), want)
		if fmt.Sprint(gotErr) != fmt.Sprint(wantErr) || !reflect.DeepEqual(got, want) {
			t.Errorf("%s: decode = %v, %s; unmarshal = %v, %s", body, gotErr, dump(reflect.ValueOf(got)), wantErr, dump(reflect.ValueOf(want)))
		}
	}
}

// TestDecodeTakesFastPath checks that decode runs the fast path first:
// the only outward sign is that it allocates less than encoding/json.
func TestDecodeTakesFastPath(t *testing.T) {
	body := []byte(`{"OrganizationId":"` + orgID + `"}`)
	fast := testing.AllocsPerRun(100, func() {
		if err := decode(body, new(DescribeIdentityProviderConfigurationInput)); err != nil {
			t.Fatal(err)
		}
	})
	slow := testing.AllocsPerRun(100, func() {
		if err := unmarshal(body, new(DescribeIdentityProviderConfigurationInput)); err != nil {
			t.Fatal(err)
		}
	})
	if fast >= slow {
		t.Errorf("decode allocates %v times, unmarshal %v: decode does not take the fast path", fast, slow)
	}
}

// fill sets v to a random value: members absent or present, lists nil,
// empty or not, strings that need escaping or not, numbers at the edges of
// their range.
func fill(r *rand.Rand, v reflect.Value) {
	switch v.Kind() {
	case reflect.Pointer:
		if r.IntN(4) == 0 {
			return
		}
		v.Set(reflect.New(v.Type().Elem()))
		fill(r, v.Elem())
	case reflect.Slice:
		switch r.IntN(4) {
		case 0:
			return
		case 1:
			v.Set(reflect.MakeSlice(v.Type(), 0, 0))
			return
		}
		n := 1 + r.IntN(3)
		v.Set(reflect.MakeSlice(v.Type(), n, n))
		for i := range n {
			fill(r, v.Index(i))
		}
	case reflect.Struct:
		if v.Type() == reflect.TypeFor[Timestamp]() {
			v.Set(reflect.ValueOf(Timestamp{time.UnixMilli(r.Int64N(1e14) - 5e13)}))
			return
		}
		for i := range v.NumField() {
			fill(r, v.Field(i))
		}
	case reflect.String:
		var b strings.Builder
		for range r.IntN(4) {
			b.WriteString(stringPieces[r.IntN(len(stringPieces))])
		}
		v.SetString(b.String())
	case reflect.Bool:
		v.SetBool(r.IntN(2) == 0)
	case reflect.Int32, reflect.Int64:
		lo, hi := int64(math.MinInt32), int64(math.MaxInt32)
		if v.Kind() == reflect.Int64 {
			lo, hi = math.MinInt64, math.MaxInt64
		}
		v.SetInt([]int64{lo, hi, 0, -1, 1, 30, r.Int64N(1000) - 500, int64(r.Uint64())}[r.IntN(8)])
	default:
		panic("fill: no random values of type " + v.Type().String())
	}
}

// stringPieces make up random strings: plain text, and what JSON or
// json.Marshal escapes.
var stringPieces = []string{
	"a", "Zz9", orgID, " ", "\"", "\\", "/", "<>&", "\t\n", "\x00\x1f", "\x7f",
	"\u00e9", "\u4e2d\u6587", "\U0001F600", "\u2028", "\ufffd",
}

// jsonNode is a JSON document as a tree that keeps member order and
// repeated keys, so that tests can rewrite it and write it out in other
// forms.
type jsonNode struct {
	kind  byte        // '{', '[', '"' (string), '0' (number), 'l' (true, false, null) or 'r' (raw text)
	text  string      // a string's value, or the text of the other scalars
	keys  []string    // an object's keys, one per element
	elems []*jsonNode // an object's member values, or an array's elements
}

func parseJSON(t *testing.T, b []byte) *jsonNode {
	t.Helper()
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	token := func() json.Token {
		tok, err := dec.Token()
		if err != nil {
			t.Fatalf("parsing %s: %v", b, err)
		}
		return tok
	}
	var read func() *jsonNode
	read = func() *jsonNode {
		switch tok := token().(type) {
		case json.Delim:
			n := &jsonNode{kind: byte(tok)}
			for dec.More() {
				if n.kind == '{' {
					n.keys = append(n.keys, token().(string))
				}
				n.elems = append(n.elems, read())
			}
			token()
			return n
		case string:
			return &jsonNode{kind: '"', text: tok}
		case json.Number:
			return &jsonNode{kind: '0', text: tok.String()}
		case bool:
			return &jsonNode{kind: 'l', text: strconv.FormatBool(tok)}
		default:
			return &jsonNode{kind: 'l', text: "null"}
		}
	}
	return read()
}

func (n *jsonNode) clone() *jsonNode {
	c := *n
	c.keys = append([]string(nil), n.keys...)
	c.elems = make([]*jsonNode, len(n.elems))
	for i, e := range n.elems {
		c.elems[i] = e.clone()
	}
	return &c
}

// collect lists every value slot below n and every object, n included.
func (n *jsonNode) collect(slots *[]**jsonNode, objects *[]*jsonNode) {
	if n.kind == '{' {
		*objects = append(*objects, n)
	}
	for i := range n.elems {
		*slots = append(*slots, &n.elems[i])
		n.elems[i].collect(slots, objects)
	}
}

// encode writes n with random white space, and random escapes in string
// values, and in keys too if keyEscapes.
func (n *jsonNode) encode(r *rand.Rand, keyEscapes bool) []byte {
	var b bytes.Buffer
	n.write(&b, r, keyEscapes)
	space(&b, r)
	return b.Bytes()
}

func (n *jsonNode) write(b *bytes.Buffer, r *rand.Rand, keyEscapes bool) {
	space(b, r)
	switch n.kind {
	case '{', '[':
		b.WriteByte(n.kind)
		for i, e := range n.elems {
			if i > 0 {
				space(b, r)
				b.WriteByte(',')
			}
			if n.kind == '{' {
				space(b, r)
				writeString(b, r, n.keys[i], keyEscapes)
				space(b, r)
				b.WriteByte(':')
			}
			e.write(b, r, keyEscapes)
		}
		space(b, r)
		b.WriteByte(n.kind + 2) // '}' or ']'
	case '"':
		writeString(b, r, n.text, true)
	default:
		b.WriteString(n.text)
	}
}

func space(b *bytes.Buffer, r *rand.Rand) {
	if r.IntN(4) == 0 {
		for range 1 + r.IntN(2) {
			b.WriteByte(" \t\r\n"[r.IntN(4)])
		}
	}
}

// writeString writes s as a JSON string, escaping what must be and, if
// escapes, a random share of the rest in one of the forms JSON allows.
func writeString(b *bytes.Buffer, r *rand.Rand, s string, escapes bool) {
	b.WriteByte('"')
	for _, c := range s {
		must := c == '"' || c == '\\' || c < ' '
		if !must && (!escapes || r.IntN(4) != 0) {
			b.WriteRune(c)
			continue
		}
		if short := strings.IndexRune("\"\\/\b\f\n\r\t", c); short >= 0 && r.IntN(2) == 0 {
			b.WriteByte('\\')
			b.WriteByte("\"\\/bfnrt"[short])
			continue
		}
		hex := "\\u%04x"
		if r.IntN(2) == 0 {
			hex = "\\u%04X"
		}
		if c > 0xffff {
			hi, lo := utf16.EncodeRune(c)
			fmt.Fprintf(b, hex+hex, hi, lo)
		} else {
			fmt.Fprintf(b, hex, c)
		}
	}
	b.WriteByte('"')
}

// oddValues replace values in mutated documents: wrong types, numbers in
// forms and ranges the fast path declines, escapes it must decode exactly.
var oddValues = []string{
	`"s"`, `""`, `0`, `-0`, `7`, `1.5`, `1e3`, `5.0`, `2147483648`, `-2147483649`, `9223372036854775808`,
	`true`, `false`, `null`, `{}`, `[]`, `[null]`, `[{}]`, `["a"]`, `[1]`, `{"Key":"k"}`, `{"Unknown":[]}`,
	`"\ud800"`, `"\udc00\ud800"`, `"\ud83d\ude00"`, `"\ud800\u0041"`, `"\u00e9\/\b"`, `"\'"`, `"\x41"`, `"\u12"`,
}

// mutate returns doc changed in one random way, written out with random
// white space and escapes.
func mutate(r *rand.Rand, doc *jsonNode) []byte {
	root := doc.clone()
	slots := []**jsonNode{&root}
	var objects []*jsonNode
	root.collect(&slots, &objects)
	slot := slots[r.IntN(len(slots))]
	odd := &jsonNode{kind: 'r', text: oddValues[r.IntN(len(oddValues))]}
	obj := objects[r.IntN(len(objects))]
	member := -1
	if len(obj.keys) > 0 {
		member = r.IntN(len(obj.keys))
	}
	kind := r.IntN(10)
	if member < 0 && kind < 3 {
		kind = 3 // no member to rename, repeat or remove
	}
	switch kind {
	case 0: // a key in another case, or with a character that folds to ASCII
		k := obj.keys[member]
		obj.keys[member] = []string{
			strings.ToLower(k), strings.ToUpper(k), strings.ToLower(k[:1]) + k[1:],
			strings.NewReplacer("k", "\u212a", "K", "\u212a", "s", "\u017f", "S", "\u017f").Replace(k),
		}[r.IntN(4)]
	case 1: // a repeated key, with the same value, null or another
		v := []*jsonNode{obj.elems[member], {kind: 'l', text: "null"}, odd}[r.IntN(3)]
		at := r.IntN(len(obj.keys) + 1)
		obj.keys = slices.Insert(obj.keys, at, obj.keys[member])
		obj.elems = slices.Insert(obj.elems, at, v)
	case 2: // a member left out
		obj.keys = slices.Delete(obj.keys, member, member+1)
		obj.elems = slices.Delete(obj.elems, member, member+1)
	case 3: // an unknown member
		at := r.IntN(len(obj.keys) + 1)
		obj.keys = slices.Insert(obj.keys, at, []string{"Unknown", "", "OrganizationID"}[r.IntN(3)])
		obj.elems = slices.Insert(obj.elems, at, odd)
	case 4, 5: // null, or an odd value
		*slot = []*jsonNode{{kind: 'l', text: "null"}, odd}[r.IntN(2)]
	default: // damage to the text itself
		b := root.encode(r, r.IntN(8) == 0)
		junk := []byte{0, 0x1f, '"', '\\', '{', '}', '[', ']', ',', ':', 0x80, 0xff, 0xc3, 'a', '1', '-', '.', 'e', ' '}
		at := r.IntN(len(b) + 1)
		switch kind {
		case 6:
			return b[:at]
		case 7:
			return append(b, []string{"x", "}", "{}", ",", "]", "null", "\x00", " 1"}[r.IntN(8)]...)
		case 8:
			return slices.Insert(b, at, junk[r.IntN(len(junk))])
		default:
			if at == len(b) {
				at--
			}
			b[at] = junk[r.IntN(len(junk))]
			return b
		}
	}
	return root.encode(r, r.IntN(8) == 0)
}

package model

import (
	"encoding/json"
	"math"
	"reflect"
	"testing"
	"time"
)

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

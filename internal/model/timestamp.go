package model

import (
	"bytes"
	"encoding/json"
	"reflect"
	"strconv"
	"strings"
	"time"
)

// Timestamp is a point in time as awsJson1_1 sends it: a JSON number of
// seconds since the Unix epoch, with a fraction when needed
// (1522693605.468). It has millisecond precision on the wire.
type Timestamp struct{ time.Time }

// NewTimestamp returns t as a *Timestamp, ready for an output field.
func NewTimestamp(t time.Time) *Timestamp { return &Timestamp{t} }

// MarshalJSON writes epoch seconds with up to three decimals and no
// trailing zeros, the form AWS services send.
func (t Timestamp) MarshalJSON() ([]byte, error) {
	return t.appendEpochSeconds(nil), nil
}

// appendEpochSeconds appends what MarshalJSON writes; the generated
// output encoders call it directly.
func (t Timestamp) appendEpochSeconds(b []byte) []byte {
	ms := t.UnixMilli()
	abs := uint64(ms) // as unsigned, -ms cannot overflow for math.MinInt64
	if ms < 0 {
		b, abs = append(b, '-'), -abs
	}
	b = strconv.AppendUint(b, abs/1000, 10)
	frac := abs % 1000
	if frac == 0 {
		return b
	}
	b = append(b, '.', byte('0'+frac/100), byte('0'+frac/10%10), byte('0'+frac%10))
	return bytes.TrimRight(b, "0") // stops within the decimals: frac is not 0
}

// UnmarshalJSON reads any JSON number of epoch seconds, fraction and
// exponent allowed, exactly to the nanosecond (a float64 would turn
// 1522693605.468 into ...467999). Anything else is an
// *json.UnmarshalTypeError, which encoding/json annotates with the member.
func (t *Timestamp) UnmarshalJSON(b []byte) error {
	s := string(b)
	if s == "null" {
		return nil // as encoding/json does for other types: leave t alone
	}
	sec, nsec, ok := parseEpoch(s)
	if !ok {
		what := jsonType(s[0]) // b is never empty: encoding/json passes a whole value
		if what == "number" {
			what += " " + s
		}
		return &json.UnmarshalTypeError{Value: what, Type: reflect.TypeFor[Timestamp]()}
	}
	t.Time = time.Unix(sec, nsec)
	return nil
}

// maxEpochDigits bounds the integer part of an epoch: 12 digits is ±31,000
// years, far beyond anything meaningful, and keeps parsing cheap whatever
// exponent a request carries.
const maxEpochDigits = 12

// parseEpoch splits a JSON number into whole seconds and nanoseconds (both
// negative for a negative number), truncating beyond nanoseconds.
func parseEpoch(s string) (sec, nsec int64, ok bool) {
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	mantissa, exp := s, 0
	if i := strings.IndexAny(s, "eE"); i >= 0 {
		e, err := strconv.Atoi(strings.TrimPrefix(s[i+1:], "+"))
		if err != nil {
			return 0, 0, false
		}
		// Clamp so that arithmetic on the exponent cannot overflow; beyond
		// these bounds the value is out of range or zero anyway.
		mantissa, exp = s[:i], min(max(e, -1<<40), 1<<40)
	}
	whole, frac, _ := strings.Cut(mantissa, ".")
	if !isDigits(whole) || whole == "" || !isDigits(frac) {
		return 0, 0, false
	}
	// digits * 10^(point-len(digits)) is the value; move the point by exp.
	digits := strings.TrimLeft(whole+frac, "0")
	point := len(whole) + exp - (len(whole+frac) - len(digits))
	switch {
	case digits == "":
		return 0, 0, true
	case point > maxEpochDigits:
		return 0, 0, false
	case point < -9:
		return 0, 0, true // below a nanosecond
	case point < 0:
		digits, point = strings.Repeat("0", -point)+digits, 0
	}
	digits += strings.Repeat("0", max(0, point+9-len(digits)))
	sec, _ = strconv.ParseInt("0"+digits[:point], 10, 64)
	nsec, _ = strconv.ParseInt(digits[point:point+9], 10, 64)
	if neg {
		sec, nsec = -sec, -nsec
	}
	return sec, nsec, true
}

func isDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

package model

import (
	"encoding/json"
	"fmt"
	"math"
	"math/rand/v2"
	"strconv"
	"strings"
	"testing"
	"time"
)

func TestTimestampMarshal(t *testing.T) {
	tests := []struct {
		t    time.Time
		want string
	}{
		{time.UnixMilli(1522693605468), "1522693605.468"},
		{time.Unix(1522693605, 0), "1522693605"},
		{time.UnixMilli(1522693605400), "1522693605.4"},
		{time.UnixMilli(1522693605050), "1522693605.05"},
		{time.Unix(1522693605, 468999999), "1522693605.468"}, // truncated to ms
		{time.Unix(0, 0), "0"},
		{time.UnixMilli(-1500), "-1.5"},
		{time.UnixMilli(-500), "-0.5"},
	}
	for _, tc := range tests {
		b, err := json.Marshal(struct {
			T *Timestamp `json:"T"`
		}{NewTimestamp(tc.t)})
		if err != nil {
			t.Fatal(err)
		}
		if got, want := string(b), `{"T":`+tc.want+`}`; got != want {
			t.Errorf("Marshal(%v) = %s, want %s", tc.t, got, want)
		}
	}
}

func TestTimestampUnmarshal(t *testing.T) {
	tests := []struct {
		in   string
		want time.Time
	}{
		{"1522693605.468", time.UnixMilli(1522693605468)},
		{"1522693605", time.Unix(1522693605, 0)},
		{"1522693605.123456789123", time.Unix(1522693605, 123456789)},
		{"1.522693605468e9", time.UnixMilli(1522693605468)},
		{"1522693605468E-3", time.UnixMilli(1522693605468)},
		{"0.000001", time.Unix(0, 1000)},
		{"-1.5", time.UnixMilli(-1500)},
		{"0", time.Unix(0, 0)},
		{"1e-99999", time.Unix(0, 0)},
	}
	for _, tc := range tests {
		var ts Timestamp
		if err := json.Unmarshal([]byte(tc.in), &ts); err != nil {
			t.Errorf("Unmarshal(%s): %v", tc.in, err)
			continue
		}
		if !ts.Equal(tc.want) {
			t.Errorf("Unmarshal(%s) = %v, want %v", tc.in, ts.Time, tc.want)
		}
	}
	for _, bad := range []string{`"2018-04-02T18:26:45Z"`, `true`, `{}`, `[]`, `1e99999`, `1e13`} {
		var ts Timestamp
		err := json.Unmarshal([]byte(bad), &ts)
		if _, ok := err.(*json.UnmarshalTypeError); !ok {
			t.Errorf("Unmarshal(%s) = %v, want a *json.UnmarshalTypeError", bad, err)
		}
	}
}

func TestTimestampRoundTrip(t *testing.T) {
	in := NewTimestamp(time.UnixMilli(1700000000123))
	b, _ := json.Marshal(in)
	var out Timestamp
	if err := json.Unmarshal(b, &out); err != nil || !out.Equal(in.Time) {
		t.Errorf("round trip of %s: %v, %v", b, out.Time, err)
	}
}

// TestTimestampMarshalMatchesFormat compares the hand-rolled epoch
// formatting with the plain formatting it replaced.
func TestTimestampMarshalMatchesFormat(t *testing.T) {
	reference := func(ms int64) string {
		s := ""
		if ms < 0 {
			s, ms = "-", -ms
		}
		s += strconv.FormatInt(ms/1000, 10)
		if frac := ms % 1000; frac != 0 {
			s += strings.TrimRight(fmt.Sprintf(".%03d", frac), "0")
		}
		return s
	}
	rnd := rand.New(rand.NewPCG(1, 2))
	values := []int64{0, 1, -1, 999, -999, 1000, -1000, 1001, 10, 100, 110, math.MaxInt64, math.MinInt64 + 1}
	for range 20000 {
		values = append(values, rnd.Int64()>>rnd.IntN(64), -rnd.Int64N(1e13))
	}
	for _, ms := range values {
		got, _ := NewTimestamp(time.UnixMilli(ms)).MarshalJSON()
		if want := reference(ms); string(got) != want {
			t.Fatalf("MarshalJSON(%d ms) = %s, want %s", ms, got, want)
		}
	}
	// The reference overflows here; the marshaller must not.
	got, _ := NewTimestamp(time.UnixMilli(math.MinInt64)).MarshalJSON()
	if want := "-9223372036854775.808"; string(got) != want {
		t.Errorf("MarshalJSON(MinInt64 ms) = %s, want %s", got, want)
	}
}

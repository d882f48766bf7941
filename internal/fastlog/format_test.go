package fastlog

import (
	"bytes"
	"context"
	"log/slog"
	"math"
	"math/rand/v2"
	"testing"
	"time"
)

// A stamp formats times as time.Format does, whether the time before was
// in the same second and location or not.
func TestStampMatchesTimeFormat(t *testing.T) {
	zones := []*time.Location{time.UTC, time.Local,
		time.FixedZone("east", 5*3600+30*60), time.FixedZone("west", -(9*3600 + 30*60)),
		time.FixedZone("odd", -(3600 + 59)), time.FixedZone("tiny", 1), time.FixedZone("far", -(100*3600 + 60))}
	if ny, err := time.LoadLocation("America/New_York"); err == nil {
		zones = append(zones, ny)
	}
	rng := rand.New(rand.NewPCG(1, 2))
	times := []time.Time{
		time.Unix(0, 0), time.Date(9999, 12, 31, 23, 59, 59, 999999999, time.UTC),
		time.Date(0, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(-1, 1, 1, 0, 0, 0, 0, time.UTC),
		time.Date(10000, 1, 1, 0, 0, 0, 1e6, time.UTC), time.Date(2026, 11, 26, 21, 30, 5, 999999, time.UTC),
		time.Date(2026, 3, 8, 6, 59, 59, 999e6, time.UTC), time.Date(2026, 3, 8, 7, 0, 0, 0, time.UTC),
	}
	for range 10000 { // in no order: each second a new one
		times = append(times, time.Unix(rng.Int64N(1<<37)-1<<36, rng.Int64N(1e9)))
	}
	for range 200 { // in order: many in one second
		tm := time.Unix(rng.Int64N(1<<37)-1<<36, rng.Int64N(1e9))
		for range 50 {
			tm = tm.Add(time.Duration(rng.Int64N(int64(300 * time.Millisecond))))
			times = append(times, tm)
		}
	}
	var st stamp
	for i, tm := range times {
		for _, z := range [][]*time.Location{zones, {zones[i%len(zones)]}}[i%2] {
			tz := tm.In(z)
			got := string(st.appendText([]byte("x"), tz))
			want := string(appendRFC3339MillisSlow([]byte("x"), tz))
			if got != want {
				t.Fatalf("%v: got %s, want %s", tz, got, want)
			}
			gotJSON, ok := st.appendJSON([]byte("x"), tz)
			if year := tz.Year(); year < 0 || year > 9999 {
				if ok {
					t.Fatalf("%v: appendJSON reports true", tz)
				}
				continue
			}
			if want := "x\"" + tz.Format(time.RFC3339Nano) + "\""; !ok || string(gotJSON) != want {
				t.Fatalf("%v: got %s, %v, want %s", tz, gotJSON, ok, want)
			}
		}
	}
}

func TestAppendDurationMatchesString(t *testing.T) {
	ds := []time.Duration{0, 1, -1, 999, 1000, 1001, 1500, 999999, 1e6, 1e9, -1e9, 59e9, 60e9, 61e9,
		3599e9, 3600e9, 3601e9, 3600e9 + 1, math.MaxInt64, math.MinInt64, math.MinInt64 + 1, 1234567, 90 * time.Minute}
	rng := rand.New(rand.NewPCG(3, 4))
	for range 100000 {
		d := time.Duration(rng.Int64() >> rng.IntN(64))
		if rng.IntN(2) == 0 {
			d = -d
		}
		ds = append(ds, d)
	}
	for _, d := range ds {
		if got, want := string(appendDuration([]byte("x"), d)), "x"+d.String(); got != want {
			t.Fatalf("%d: got %s, want %s", int64(d), got, want)
		}
	}
}

// Every byte, alone and inside a word, is quoted exactly when slog
// quotes it.
func TestEveryByteQuotedAsSlogDoes(t *testing.T) {
	var got, want bytes.Buffer
	fast, std := NewTextHandler(&got, nil), slog.NewTextHandler(&want, nil)
	at := time.Date(2026, 11, 26, 12, 0, 0, 0, time.UTC)
	for c := range 256 {
		for _, v := range []string{string(rune(c)), string([]byte{byte(c)}), "a" + string([]byte{byte(c)}) + "b", "é" + string([]byte{byte(c)})} {
			got.Reset()
			want.Reset()
			r := slog.NewRecord(at, slog.LevelInfo, "m", 0)
			r.AddAttrs(slog.String("k", v))
			_ = fast.Handle(context.Background(), r)
			_ = std.Handle(context.Background(), r)
			if got.String() != want.String() {
				t.Fatalf("%q: got %s, want %s", v, got.String(), want.String())
			}
		}
	}
}

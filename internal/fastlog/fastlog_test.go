package fastlog

import (
	"bytes"
	"context"
	"errors"
	"io"
	"log/slog"
	"testing"
	"time"
)

var tricky = []string{
	"", "plain", "with space", "a=b", `quote"d`, `back\slash`, "tab\there", "new\nline",
	"ctl\x01\x1f\x7f", "héllo", "non\u00a0breaking", "line\u2028sep\u2029", "bad\xffutf8", "<html>&amp;",
	"emoji 🙂", "\u200b zero width",
}

// positioned are strings with a byte or rune that may need quoting or
// escaping at every position of a word, and in tails shorter than one.
func positioned() []string {
	const letters = "abcdefghijklmnopqrs"
	var ss []string
	for _, in := range []string{" ", "=", `"`, `\`, "\x00", "\n", "\x1f", "\x7f", "é", "\xff", "\xe2\x80", "\u2028", "\u00a0"} {
		for i := range len(letters) + 1 {
			ss = append(ss, letters[:i]+in+letters[i:], letters[:i]+in)
		}
	}
	return ss
}

// times are lines' times in the order they are logged: in one second and
// across seconds, in zones whose offsets are not whole hours, and with
// years outside 0-9999, which RFC 3339 cannot hold.
func times() []time.Time {
	at := time.Date(2026, 11, 26, 21, 30, 5, 123456789, time.UTC)
	sec := at.Truncate(time.Second)
	east, west := time.FixedZone("east", 5*3600+30*60), time.FixedZone("west", -(9*3600+30*60))
	ts := []time.Time{
		at, at, at.Add(1), sec, sec.Add(100 * time.Millisecond), sec.Add(time.Second - 1), sec.Add(time.Second),
		at.Add(time.Second), at.Add(-time.Second), at.Add(time.Minute),
		at.In(east), at.In(west), at.In(east), at.Add(time.Hour).In(east), at.Add(time.Hour).In(west),
		at.In(time.FixedZone("odd", -(3600 + 59))), at.In(time.FixedZone("tiny", 1)), at.In(time.FixedZone("east", 0)),
		at.In(time.Local), time.Now(), time.Now().Add(time.Second),
		time.Unix(-1, 5e8), time.Unix(0, 0), time.Unix(0, 0).In(west),
		time.Date(-1, 12, 31, 23, 59, 59, 5, time.UTC), time.Date(0, 1, 1, 0, 0, 0, 0, time.UTC),
		time.Date(0, 1, 1, 0, 0, 0, 0, east), time.Date(0, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(-1, 12, 31, 23, 59, 59, 5, time.UTC),
		time.Date(9999, 12, 31, 23, 59, 59, 999999999, time.UTC), time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC),
		time.Date(9999, 12, 31, 23, 59, 59, 999999999, west), time.Date(10000, 1, 1, 0, 0, 0, 1e6, east), at,
	}
	if ny, err := time.LoadLocation("America/New_York"); err == nil {
		dst := time.Date(2026, 3, 8, 6, 59, 59, 999e6, time.UTC) // 02:00 EST becomes 03:00 EDT
		ts = append(ts, dst.In(ny), dst.Add(time.Millisecond).In(ny), dst.Add(time.Millisecond), at.In(ny))
	}
	return ts
}

// records exercises every path: simple kinds, fallbacks, levels, times.
func records() []slog.Record {
	at := time.Date(2026, 11, 26, 21, 30, 5, 123456789, time.UTC)
	var rs []slog.Record
	for _, s := range append(tricky, positioned()...) {
		r := slog.NewRecord(at, slog.LevelInfo, s, 0)
		r.AddAttrs(slog.String(s+"k", s), slog.String("v", s))
		rs = append(rs, r)
	}
	for _, t := range times() {
		r := slog.NewRecord(t, slog.LevelInfo, "at", 0)
		r.AddAttrs(slog.String("k", "v"))
		rs = append(rs, r)
	}
	r := slog.NewRecord(at, slog.LevelWarn+2, "kinds", 0)
	r.AddAttrs(slog.Int("int", -42), slog.Uint64("uint", 1<<63), slog.Bool("bool", true),
		slog.Duration("dur", 1234567*time.Nanosecond), slog.Duration("zero", 0), slog.Int64("i64", 1<<62))
	rs = append(rs, r)
	r = slog.NewRecord(at.Add(-at.Sub(at.Truncate(time.Second))), slog.LevelDebug, "whole second", 0)
	rs = append(rs, r)
	r = slog.NewRecord(time.Time{}, slog.LevelError, "no time", 0)
	r.AddAttrs(slog.String("a", "b"))
	rs = append(rs, r)
	for _, a := range []slog.Attr{
		slog.Float64("float", 1.5), slog.Time("t", at), slog.Any("err", errors.New("boom")),
		slog.Any("map", map[string]int{"x": 1}), slog.Group("g", slog.String("in", "side")), {},
	} {
		r := slog.NewRecord(at, slog.LevelInfo, "fallback", 0)
		r.AddAttrs(slog.String("before", "x"), a, slog.String("after", "y"))
		rs = append(rs, r)
	}
	return rs
}

type constructor func(io.Writer, *slog.HandlerOptions) slog.Handler

func compare(t *testing.T, name string, fast, std constructor, opts *slog.HandlerOptions, derive func(slog.Handler) slog.Handler) {
	t.Helper()
	var got, want bytes.Buffer
	fh, sh := derive(fast(&got, opts)), derive(std(&want, opts))
	ctx := context.Background()
	for _, r := range records() {
		if fh.Enabled(ctx, r.Level) != sh.Enabled(ctx, r.Level) {
			t.Fatalf("%s: Enabled(%v) differs", name, r.Level)
		}
		if !sh.Enabled(ctx, r.Level) {
			continue
		}
		got.Reset()
		want.Reset()
		if err := fh.Handle(ctx, r.Clone()); err != nil {
			t.Fatal(err)
		}
		if err := sh.Handle(ctx, r.Clone()); err != nil {
			t.Fatal(err)
		}
		if got.String() != want.String() {
			t.Errorf("%s, record %q:\n got %s\nwant %s", name, r.Message, got.String(), want.String())
		}
	}
}

// handlerPairs are this package's constructors beside slog's.
func handlerPairs() map[string][2]constructor {
	return map[string][2]constructor{
		"text": {NewTextHandler, func(w io.Writer, o *slog.HandlerOptions) slog.Handler { return slog.NewTextHandler(w, o) }},
		"json": {NewJSONHandler, func(w io.Writer, o *slog.HandlerOptions) slog.Handler { return slog.NewJSONHandler(w, o) }},
	}
}

// derivations derive handlers with attributes and groups.
func derivations() map[string]func(slog.Handler) slog.Handler {
	return map[string]func(slog.Handler) slog.Handler{
		"plain": func(h slog.Handler) slog.Handler { return h },
		"with attrs": func(h slog.Handler) slog.Handler {
			return h.WithAttrs([]slog.Attr{slog.String("svc", "a b"), slog.Int("n", 1)})
		},
		"with attrs x2": func(h slog.Handler) slog.Handler {
			return h.WithAttrs([]slog.Attr{slog.String("x", "1")}).WithAttrs([]slog.Attr{slog.Bool("y", false)})
		},
		"with any attr": func(h slog.Handler) slog.Handler { return h.WithAttrs([]slog.Attr{slog.Any("e", errors.New("e"))}) },
		"with group": func(h slog.Handler) slog.Handler {
			return h.WithGroup("req").WithAttrs([]slog.Attr{slog.String("id", "1")})
		},
		"attrs, group": func(h slog.Handler) slog.Handler {
			return h.WithAttrs([]slog.Attr{slog.String("id", "1")}).WithGroup("g")
		},
		"empty attrs": func(h slog.Handler) slog.Handler { return h.WithAttrs(nil) },
	}
}

func TestSameOutputAsSlog(t *testing.T) {
	handlers, derivations := handlerPairs(), derivations()
	options := map[string]*slog.HandlerOptions{
		"nil":         nil,
		"debug":       {Level: slog.LevelDebug},
		"warn":        {Level: slog.LevelWarn},
		"replaceAttr": {ReplaceAttr: func(_ []string, a slog.Attr) slog.Attr { a.Key += "!"; return a }},
		"addSource":   {AddSource: true},
	}
	for hn, hs := range handlers {
		for dn, d := range derivations {
			for on, o := range options {
				compare(t, hn+"/"+dn+"/"+on, hs[0], hs[1], o, d)
			}
		}
	}
}

// BenchmarkAccessRecord is the access line as the protocol layer logs
// it: a record built without a caller's position, handed to the handler.
func BenchmarkAccessRecord(b *testing.B) {
	for name, h := range map[string]slog.Handler{
		"slog":    slog.NewTextHandler(io.Discard, nil),
		"fastlog": NewTextHandler(io.Discard, nil),
	} {
		b.Run(name, func(b *testing.B) {
			ctx := context.Background()
			b.ReportAllocs()
			for b.Loop() {
				r := slog.NewRecord(time.Now(), slog.LevelInfo, "request", 0)
				r.AddAttrs(
					slog.String("request_id", "8c2f6e0a-3d41-4b6e-9f7a-2b5d1c0e4a77"),
					slog.String("operation", "DescribeIdentityProviderConfiguration"),
					slog.Int("status", 200), slog.String("account", "111122223333"),
					slog.String("region", "us-east-1"), slog.Duration("duration", 1234567))
				_ = h.Handle(ctx, r)
			}
		})
	}
}

func BenchmarkAccessLine(b *testing.B) {
	for name, h := range map[string]slog.Handler{
		"slog":    slog.NewTextHandler(io.Discard, nil),
		"fastlog": NewTextHandler(io.Discard, nil),
	} {
		b.Run(name, func(b *testing.B) {
			log := slog.New(h)
			ctx := context.Background()
			b.ReportAllocs()
			for b.Loop() {
				log.LogAttrs(ctx, slog.LevelInfo, "request",
					slog.String("request_id", "8c2f6e0a-3d41-4b6e-9f7a-2b5d1c0e4a77"),
					slog.String("operation", "DescribeIdentityProviderConfiguration"),
					slog.Int("status", 200), slog.String("account", "111122223333"),
					slog.String("region", "us-east-1"), slog.Duration("duration", 1234567))
			}
		})
	}
}

// HandleAttrs writes what slog writes for the same record, whichever
// handler it is called on.
func TestHandleAttrsSameAsSlog(t *testing.T) {
	ctx := context.Background()
	checked := map[string]bool{}
	for cn, c := range handlerPairs() {
		for dn, d := range derivations() {
			var got, want bytes.Buffer
			fh, sh := d(c[0](&got, nil)), d(c[1](&want, nil))
			fast, ok := fh.(*Handler)
			if !ok {
				continue // a group or an attribute only slog formats: slog's own handler
			}
			for _, r := range records() {
				var attrs []slog.Attr
				r.Attrs(func(a slog.Attr) bool { attrs = append(attrs, a); return true })
				got.Reset()
				want.Reset()
				if err := fast.HandleAttrs(ctx, r.Time, r.Level, r.Message, attrs...); err != nil {
					t.Fatal(err)
				}
				if err := sh.Handle(ctx, r.Clone()); err != nil {
					t.Fatal(err)
				}
				if got.String() != want.String() {
					t.Errorf("%s/%s, record %q:\n got %s\nwant %s", cn, dn, r.Message, got.String(), want.String())
				}
				checked[dn] = true
			}
		}
	}
	for _, dn := range []string{"plain", "with attrs", "with attrs x2", "empty attrs"} {
		if !checked[dn] {
			t.Errorf("%s: not a *Handler, so HandleAttrs was not compared", dn)
		}
	}
}

// BenchmarkHandleAttrs is the access line as the protocol layer writes
// it: six attributes from an array on the stack, through HandleAttrs.
func BenchmarkHandleAttrs(b *testing.B) {
	for _, name := range []string{"text", "json"} {
		b.Run(name, func(b *testing.B) {
			h := handlerPairs()[name][0](io.Discard, nil).(*Handler)
			ctx := context.Background()
			b.ReportAllocs()
			for b.Loop() {
				attrs := [...]slog.Attr{
					slog.String("request_id", "8c2f6e0a-3d41-4b6e-9f7a-2b5d1c0e4a77"),
					slog.String("operation", "DescribeIdentityProviderConfiguration"),
					slog.Int("status", 200), slog.String("account", "111122223333"),
					slog.String("region", "us-east-1"), slog.Duration("duration", 1234567),
				}
				_ = h.HandleAttrs(ctx, time.Now(), slog.LevelInfo, "request", attrs[:]...)
			}
		})
	}
}

// slog's own keys and the names of levels are written as they are, which
// appendPlainKey and appendPlain take for granted.
func TestKeysAndLevelsArePlain(t *testing.T) {
	plain := []string{slog.TimeKey, slog.LevelKey, slog.MessageKey}
	for l := slog.LevelDebug - 10; l <= slog.LevelError+10; l++ {
		plain = append(plain, l.String())
	}
	for _, s := range plain {
		if needsQuoting(s) {
			t.Errorf("%q is quoted in text", s)
		}
		if got := string(appendJSONString(nil, s)); got != `"`+s+`"` {
			t.Errorf("%q is %s in JSON", s, got)
		}
	}
}

// FuzzSameAsSlog compares lines with a string as message, key and value,
// logged at a time in a zone of a given offset, then again a step later
// in the same zone or another, through Handle and HandleAttrs.
func FuzzSameAsSlog(f *testing.F) {
	f.Add("plain", int64(1795728605), int64(123456789), int32(0), int64(1), int32(0), false)
	f.Add("a b=\"c\"\n", int64(1795728605), int64(999999999), int32(19800), int64(1), int32(0), false)
	f.Add("héllo\u2028\xff", int64(-1), int64(5e8), int32(-3659), int64(4e8), int32(1), true)
	f.Add("year", int64(253402300799), int64(999999999), int32(-34200), int64(1), int32(34200), true)
	f.Add("year", int64(-62167219201), int64(0), int32(3600), int64(1e9), int32(-3600), false)
	f.Fuzz(func(t *testing.T, s string, sec, nsec int64, offset int32, step int64, otherOffset int32, otherZone bool) {
		first := time.Unix(sec, nsec).In(time.FixedZone("first", int(offset)))
		zone := first.Location()
		if otherZone {
			zone = time.FixedZone("second", int(otherOffset))
		}
		times := []time.Time{first, first.Add(time.Duration(step)).In(zone)}
		ctx := context.Background()
		for name, c := range handlerPairs() {
			var got, want bytes.Buffer
			fast, std := c[0](&got, nil).(*Handler), c[1](&want, nil)
			for _, at := range times {
				attrs := []slog.Attr{slog.String(s, s), slog.String("v", s), slog.Duration("d", time.Duration(step))}
				r := slog.NewRecord(at, slog.LevelInfo, s, 0)
				r.AddAttrs(attrs...)
				want.Reset()
				_ = std.Handle(ctx, r)
				for _, handle := range []func() error{
					func() error { return fast.Handle(ctx, r) },
					func() error { return fast.HandleAttrs(ctx, at, slog.LevelInfo, s, attrs...) },
				} {
					got.Reset()
					_ = handle()
					if got.String() != want.String() {
						t.Fatalf("%s at %v:\n got %s\nwant %s", name, at, got.String(), want.String())
					}
				}
			}
		}
	})
}

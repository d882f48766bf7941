// Package fastlog is a slog.Handler that writes exactly what slog's own
// TextHandler and JSONHandler write, formatting the common attribute
// kinds (strings, integers, booleans, durations) directly instead of
// through slog's general machinery. workmaild logs one line per request,
// so this is on every request's path. Anything else (groups, other
// kinds, ReplaceAttr, AddSource) is passed to slog's own handler, so the
// output never differs.
package fastlog

import (
	"context"
	"io"
	"log/slog"
	"strconv"
	"sync"
	"time"
)

// NewTextHandler is slog.NewTextHandler, faster.
func NewTextHandler(w io.Writer, opts *slog.HandlerOptions) slog.Handler {
	return newHandler(w, opts, false)
}

// NewJSONHandler is slog.NewJSONHandler, faster.
func NewJSONHandler(w io.Writer, opts *slog.HandlerOptions) slog.Handler {
	return newHandler(w, opts, true)
}

// Handler formats records itself when every attribute is of a simple
// kind, and hands the others to std, which writes to the same writer.
type Handler struct {
	shared *shared
	json   bool
	level  slog.Leveler
	prefix []byte       // attributes from WithAttrs, formatted
	std    slog.Handler // slog's handler with the same attributes
}

// shared is what a handler and those derived from it share.
type shared struct {
	mu   sync.Mutex // serialises writes, as slog's handlers do
	w    io.Writer
	bufs sync.Pool
}

func (s *shared) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.w.Write(p)
}

func newHandler(w io.Writer, opts *slog.HandlerOptions, json bool) slog.Handler {
	if opts == nil {
		opts = &slog.HandlerOptions{}
	}
	s := &shared{w: w}
	s.bufs.New = func() any { b := make([]byte, 0, 512); return &b }
	var std slog.Handler
	if json {
		std = slog.NewJSONHandler(s, opts)
	} else {
		std = slog.NewTextHandler(s, opts)
	}
	if opts.ReplaceAttr != nil || opts.AddSource {
		return std
	}
	level := opts.Level
	if level == nil {
		level = slog.LevelInfo
	}
	return &Handler{shared: s, json: json, level: level, std: std}
}

func (h *Handler) Enabled(_ context.Context, l slog.Level) bool { return l >= h.level.Level() }

func (h *Handler) WithAttrs(attrs []slog.Attr) slog.Handler {
	prefix := h.prefix
	for _, a := range attrs {
		if !simple(a) {
			return h.std.WithAttrs(attrs) // slog's handler from here on
		}
		prefix = h.appendAttr(prefix[:len(prefix):len(prefix)], a)
	}
	return &Handler{shared: h.shared, json: h.json, level: h.level, prefix: prefix, std: h.std.WithAttrs(attrs)}
}

func (h *Handler) WithGroup(name string) slog.Handler { return h.std.WithGroup(name) }

func (h *Handler) Handle(ctx context.Context, r slog.Record) error {
	fast := true
	r.Attrs(func(a slog.Attr) bool {
		fast = simple(a)
		return fast
	})
	if !fast || h.timeForSlog(r.Time) {
		return h.std.Handle(ctx, r)
	}
	bp := h.shared.bufs.Get().(*[]byte)
	defer h.shared.bufs.Put(bp)
	b := h.appendRecord((*bp)[:0], r)
	*bp = b
	_, err := h.shared.Write(b)
	return err
}

// simple reports whether a is formatted here: a non-empty key and a
// value of a kind whose text and JSON forms are plain.
func simple(a slog.Attr) bool {
	if a.Key == "" {
		return false
	}
	switch a.Value.Kind() {
	case slog.KindString, slog.KindInt64, slog.KindUint64, slog.KindBool, slog.KindDuration:
		return true
	}
	return false
}

// timeForSlog reports whether t is a time only slog's handler writes as
// slog does: in JSON, slog marks a year outside 0-9999 as an error.
func (h *Handler) timeForSlog(t time.Time) bool {
	if !h.json || t.IsZero() {
		return false
	}
	year := t.Year()
	return year < 0 || year > 9999
}

// HandleAttrs writes exactly what Handle writes for a record of t, level,
// msg and attrs, without the record: for callers on a hot path that hold
// a *Handler (attrs does not escape, so a caller's array stays on its
// stack). The caller checks Enabled first, as slog.Logger does.
func (h *Handler) HandleAttrs(ctx context.Context, t time.Time, level slog.Level, msg string, attrs ...slog.Attr) error {
	fast := !h.timeForSlog(t)
	for _, a := range attrs {
		fast = fast && simple(a)
	}
	if !fast {
		r := slog.NewRecord(t, level, msg, 0)
		r.AddAttrs(attrs...)
		return h.std.Handle(ctx, r)
	}
	bp := h.shared.bufs.Get().(*[]byte)
	defer h.shared.bufs.Put(bp)
	b := h.appendHeader((*bp)[:0], t, level, msg)
	for _, a := range attrs {
		b = h.appendAttr(b, a)
	}
	b = h.appendEnd(b)
	*bp = b
	_, err := h.shared.Write(b)
	return err
}

func (h *Handler) appendRecord(b []byte, r slog.Record) []byte {
	b = h.appendHeader(b, r.Time, r.Level, r.Message)
	r.Attrs(func(a slog.Attr) bool {
		b = h.appendAttr(b, a)
		return true
	})
	return h.appendEnd(b)
}

// appendHeader appends a line's time, level, message and the handler's
// own attributes.
func (h *Handler) appendHeader(b []byte, t time.Time, level slog.Level, msg string) []byte {
	if h.json {
		b = append(b, '{')
	}
	first := true
	if !t.IsZero() {
		b = h.appendKey(b, slog.TimeKey, first)
		first = false
		if h.json {
			b = append(b, '"')
			b = t.Round(0).AppendFormat(b, time.RFC3339Nano)
			b = append(b, '"')
		} else {
			b = appendRFC3339Millis(b, t.Round(0))
		}
	}
	b = h.appendKey(b, slog.LevelKey, first)
	b = h.appendString(b, level.String())
	b = h.appendKey(b, slog.MessageKey, false)
	b = h.appendString(b, msg)
	return append(b, h.prefix...)
}

func (h *Handler) appendEnd(b []byte) []byte {
	if h.json {
		b = append(b, '}')
	}
	return append(b, '\n')
}

// appendAttr appends a simple attribute after at least one other.
func (h *Handler) appendAttr(b []byte, a slog.Attr) []byte {
	b = h.appendKey(b, a.Key, false)
	v := a.Value
	switch v.Kind() {
	case slog.KindString:
		return h.appendString(b, v.String())
	case slog.KindInt64:
		return strconv.AppendInt(b, v.Int64(), 10)
	case slog.KindUint64:
		return strconv.AppendUint(b, v.Uint64(), 10)
	case slog.KindBool:
		return strconv.AppendBool(b, v.Bool())
	case slog.KindDuration:
		if h.json {
			return strconv.AppendInt(b, int64(v.Duration()), 10)
		}
		return appendDuration(b, v.Duration())
	}
	return h.appendString(b, v.String()) // unreachable: simple admits only the kinds above
}

func (h *Handler) appendKey(b []byte, key string, first bool) []byte {
	if h.json {
		if !first {
			b = append(b, ',')
		}
		b = appendJSONString(b, key)
		return append(b, ':')
	}
	if !first {
		b = append(b, ' ')
	}
	b = appendTextString(b, key)
	return append(b, '=')
}

func (h *Handler) appendString(b []byte, s string) []byte {
	if h.json {
		return appendJSONString(b, s)
	}
	return appendTextString(b, s)
}

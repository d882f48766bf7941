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
	mu    sync.Mutex // serialises writes, as slog's handlers do
	w     io.Writer
	lines sync.Pool // of *line
}

// line is a pooled line buffer, with the stamp of the last time written
// into it. A line has one user at a time, so the stamp needs no lock.
type line struct {
	buf   []byte
	stamp stamp
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
	s.lines.New = func() any { return &line{buf: make([]byte, 0, 512)} }
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
		var ok bool
		if prefix, ok = h.appendAttr(prefix[:len(prefix):len(prefix)], a); !ok {
			return h.std.WithAttrs(attrs) // slog's handler from here on
		}
	}
	return &Handler{shared: h.shared, json: h.json, level: h.level, prefix: prefix, std: h.std.WithAttrs(attrs)}
}

func (h *Handler) WithGroup(name string) slog.Handler { return h.std.WithGroup(name) }

func (h *Handler) Handle(ctx context.Context, r slog.Record) error {
	l := h.shared.lines.Get().(*line)
	defer h.shared.lines.Put(l)
	b, ok := h.appendHeader(l.buf[:0], &l.stamp, r.Time, r.Level, r.Message)
	if ok {
		r.Attrs(func(a slog.Attr) bool {
			b, ok = h.appendAttr(b, a)
			return ok
		})
	}
	if !ok {
		return h.std.Handle(ctx, r)
	}
	b = h.appendEnd(b)
	l.buf = b
	_, err := h.shared.Write(b)
	return err
}

// HandleAttrs writes exactly what Handle writes for a record of t, level,
// msg and attrs, without the record: for callers on a hot path that hold
// a *Handler (attrs does not escape, so a caller's array stays on its
// stack). The caller checks Enabled first, as slog.Logger does.
func (h *Handler) HandleAttrs(ctx context.Context, t time.Time, level slog.Level, msg string, attrs ...slog.Attr) error {
	l := h.shared.lines.Get().(*line)
	defer h.shared.lines.Put(l)
	b, ok := h.appendHeader(l.buf[:0], &l.stamp, t, level, msg)
	for i := 0; ok && i < len(attrs); i++ {
		b, ok = h.appendAttr(b, attrs[i])
	}
	if !ok {
		r := slog.NewRecord(t, level, msg, 0)
		r.AddAttrs(attrs...)
		return h.std.Handle(ctx, r)
	}
	b = h.appendEnd(b)
	l.buf = b
	_, err := h.shared.Write(b)
	return err
}

// appendHeader appends a line's time, level, message and the handler's
// own attributes; st is the stamp of the pooled line b belongs to. It
// reports false for a time only slog's handler writes as slog does.
func (h *Handler) appendHeader(b []byte, st *stamp, t time.Time, level slog.Level, msg string) ([]byte, bool) {
	if h.json {
		b = append(b, '{')
	}
	first := true
	if !t.IsZero() {
		b = h.appendPlainKey(b, slog.TimeKey, first)
		first = false
		// slog strips the monotonic reading, which no format shows.
		if h.json {
			var ok bool
			if b, ok = st.appendJSON(b, t); !ok {
				return b, false
			}
		} else {
			b = st.appendText(b, t)
		}
	}
	b = h.appendPlainKey(b, slog.LevelKey, first)
	b = h.appendPlain(b, level.String())
	b = h.appendPlainKey(b, slog.MessageKey, false)
	b = h.appendString(b, msg)
	return append(b, h.prefix...), true
}

func (h *Handler) appendEnd(b []byte) []byte {
	if h.json {
		b = append(b, '}')
	}
	return append(b, '\n')
}

// appendAttr appends an attribute after at least one other. It reports
// false, and b is to be dropped, for one not formatted here: one with an
// empty key, or a value of a kind whose text and JSON forms are not plain.
func (h *Handler) appendAttr(b []byte, a slog.Attr) ([]byte, bool) {
	if a.Key == "" {
		return b, false
	}
	v := a.Value
	kind := v.Kind()
	switch kind {
	case slog.KindString, slog.KindInt64, slog.KindUint64, slog.KindBool, slog.KindDuration:
	default:
		return b, false
	}
	b = h.appendKey(b, a.Key, false)
	switch kind {
	case slog.KindString:
		b = h.appendString(b, v.String())
	case slog.KindInt64:
		b = strconv.AppendInt(b, v.Int64(), 10)
	case slog.KindUint64:
		b = strconv.AppendUint(b, v.Uint64(), 10)
	case slog.KindBool:
		b = strconv.AppendBool(b, v.Bool())
	case slog.KindDuration:
		if h.json {
			b = strconv.AppendInt(b, int64(v.Duration()), 10)
		} else {
			b = appendDuration(b, v.Duration())
		}
	}
	return b, true
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

// appendPlainKey is appendKey for a key that needs no quoting or
// escaping, such as slog's own.
func (h *Handler) appendPlainKey(b []byte, key string, first bool) []byte {
	if h.json {
		if !first {
			b = append(b, ',')
		}
		b = h.appendPlain(b, key)
		return append(b, ':')
	}
	if !first {
		b = append(b, ' ')
	}
	b = append(b, key...)
	return append(b, '=')
}

// appendPlain is appendString for a string that needs no quoting or
// escaping, such as a level's name.
func (h *Handler) appendPlain(b []byte, s string) []byte {
	if h.json {
		b = append(b, '"')
		b = append(b, s...)
		return append(b, '"')
	}
	return append(b, s...)
}

func (h *Handler) appendString(b []byte, s string) []byte {
	if h.json {
		return appendJSONString(b, s)
	}
	return appendTextString(b, s)
}

package workmailtest

import (
	"context"
	"log/slog"
	"strings"
	"testing"
)

// failOnError is the server's log: it fails the test on every record at
// Error level (internal failures, panics, undeclared error codes) and
// drops the rest, so a test cannot pass on a response workmaild got wrong.
type failOnError struct {
	t     testing.TB
	attrs []slog.Attr
}

func (h failOnError) Enabled(_ context.Context, l slog.Level) bool { return l >= slog.LevelError }

func (h failOnError) Handle(_ context.Context, r slog.Record) error {
	var b strings.Builder
	b.WriteString(r.Message)
	for _, a := range h.attrs {
		b.WriteString(" " + a.String())
	}
	r.Attrs(func(a slog.Attr) bool {
		b.WriteString(" " + a.String())
		return true
	})
	h.t.Errorf("workmailtest: the server logged an error: %s", b.String())
	return nil
}

func (h failOnError) WithAttrs(as []slog.Attr) slog.Handler {
	return failOnError{t: h.t, attrs: append(h.attrs[:len(h.attrs):len(h.attrs)], as...)}
}

func (h failOnError) WithGroup(string) slog.Handler { return h }

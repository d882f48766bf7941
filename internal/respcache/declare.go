package respcache

import (
	"context"
	"time"
)

// Window is the span of time over which an answer stays true if nothing
// is written: From inclusive, Until exclusive; a zero bound is open.
type Window struct {
	From, Until time.Time
}

// Contains reports whether t is inside w.
func (w Window) Contains(t time.Time) bool {
	return (w.From.IsZero() || !t.Before(w.From)) && (w.Until.IsZero() || t.Before(w.Until))
}

// intersect narrows w to the span both w and o cover.
func (w Window) intersect(o Window) Window {
	if !o.From.IsZero() && (w.From.IsZero() || o.From.After(w.From)) {
		w.From = o.From
	}
	if !o.Until.IsZero() && (w.Until.IsZero() || o.Until.Before(w.Until)) {
		w.Until = o.Until
	}
	return w
}

// Declaration collects what an operation declares about its answer.
type Declaration struct {
	declared bool
	window   Window
}

// Cacheable reports whether the operation declared its answer cacheable,
// and over which window.
func (d *Declaration) Cacheable() (Window, bool) { return d.window, d.declared }

type declarationKey struct{}

// WithDeclaration returns a context in which Declare records into d.
func WithDeclaration(ctx context.Context) (context.Context, *Declaration) {
	d := &Declaration{}
	return context.WithValue(ctx, declarationKey{}, d), d
}

// Declare is called by a read operation whose answer depends only on
// stored state and on the clock within w: the same request, with no write
// in between and the clock inside w, gets the same answer. Several
// declarations narrow the window. Outside a WithDeclaration context it does
// nothing.
func Declare(ctx context.Context, w Window) {
	d, ok := ctx.Value(declarationKey{}).(*Declaration)
	if !ok {
		return
	}
	if d.declared {
		w = d.window.intersect(w)
	}
	d.declared, d.window = true, w
}

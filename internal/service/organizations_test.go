package service

import (
	"testing"
	"time"
)

// stable must return, for any instant, the largest span around it over
// which the organization's state and expiry do not change: answers cached
// for that span are then exactly what a fresh read would give.
func TestOrganizationStableWindow(t *testing.T) {
	t0 := time.Date(2026, 11, 26, 12, 0, 0, 0, time.UTC)
	lc := Lifecycle{CreateDelay: 10 * time.Second, DeleteDelay: 4 * time.Second, DeletedRetention: time.Minute}
	orgs := map[string]organization{
		"live":          {CreatedAt: t0},
		"deleted":       {CreatedAt: t0, DeleteRequestedAt: t0.Add(20 * time.Second)},
		"instant":       {CreatedAt: t0}, // with the zero lifecycle below
		"deleted-early": {CreatedAt: t0, DeleteRequestedAt: t0.Add(time.Second)},
	}
	type view struct {
		state   string
		expired bool
	}
	for name, o := range orgs {
		lc := lc
		if name == "instant" {
			lc = Lifecycle{}
		}
		at := func(now time.Time) view { return view{o.state(now, lc), o.expired(now, lc)} }
		for step := -20; step <= 200; step++ {
			now := t0.Add(time.Duration(step) * 500 * time.Millisecond)
			w := o.stable(now, lc)
			if !w.Contains(now) {
				t.Fatalf("%s at %v: window %+v does not contain now", name, now, w)
			}
			want := at(now)
			for _, x := range []time.Time{w.From, w.Until.Add(-time.Nanosecond)} {
				if x.IsZero() || x.Equal(time.Time{}.Add(-time.Nanosecond)) {
					continue // open end
				}
				if got := at(x); got != want {
					t.Fatalf("%s at %v: window %+v, but at %v the organization is %+v, not %+v", name, now, w, x, got, want)
				}
			}
			if !w.Until.IsZero() && at(w.Until) == want {
				t.Fatalf("%s at %v: window %+v ends before anything changes", name, now, w)
			}
			if !w.From.IsZero() && at(w.From.Add(-time.Nanosecond)) == want {
				t.Fatalf("%s at %v: window %+v starts after the state began", name, now, w)
			}
		}
	}
}

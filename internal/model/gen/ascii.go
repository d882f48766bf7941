package main

import (
	"regexp/syntax"
	"strings"
)

// Most model patterns are a row of ASCII characters and classes, each
// repeated a fixed or bounded number of times: ^m-[0-9a-f]{32}$,
// [a-zA-Z0-9_-]+. For those the generator emits the row itself, which
// package model matches with a loop over the value's bytes, without the
// regexp engine. The regexp stays the answer everywhere else.

// asciiRun is one step of such a row: between min and max bytes (max < 0:
// any number) from an ASCII set.
type asciiRun struct {
	set      [128]bool
	min, max int
}

// ranges spells the set as pairs of bytes, "09af" for [0-9a-f], the form
// package model reads.
func (r asciiRun) ranges() string {
	var b strings.Builder
	for lo := 0; lo < len(r.set); lo++ {
		if !r.set[lo] {
			continue
		}
		hi := lo
		for hi+1 < len(r.set) && r.set[hi+1] {
			hi++
		}
		b.WriteByte(byte(lo))
		b.WriteByte(byte(hi))
		lo = hi
	}
	return b.String()
}

func (r asciiRun) overlaps(o asciiRun) bool {
	for c := range r.set {
		if r.set[c] && o.set[c] {
			return true
		}
	}
	return false
}

// asciiRuns reports whether the RE2 expression expr, matched as a whole,
// is such a row, and one a greedy scan decides exactly; if so it returns
// the row.
func asciiRuns(expr string) ([]asciiRun, bool) {
	re, err := syntax.Parse(`^(?:`+expr+`)$`, syntax.Perl)
	if err != nil {
		return nil, false
	}
	nodes := flattenConcat(re, nil)
	for len(nodes) > 0 && nodes[0].Op == syntax.OpBeginText {
		nodes = nodes[1:]
	}
	for len(nodes) > 0 && nodes[len(nodes)-1].Op == syntax.OpEndText {
		nodes = nodes[:len(nodes)-1]
	}
	var runs []asciiRun
	for _, n := range nodes {
		var ok bool
		if runs, ok = appendRuns(runs, n); !ok {
			return nil, false
		}
	}
	return runs, greedyIsExact(runs)
}

func flattenConcat(re *syntax.Regexp, out []*syntax.Regexp) []*syntax.Regexp {
	if re.Op != syntax.OpConcat {
		return append(out, re)
	}
	for _, sub := range re.Sub {
		out = flattenConcat(sub, out)
	}
	return out
}

func appendRuns(runs []asciiRun, n *syntax.Regexp) ([]asciiRun, bool) {
	if n.Flags&syntax.FoldCase != 0 {
		return nil, false
	}
	switch n.Op {
	case syntax.OpEmptyMatch:
		return runs, true
	case syntax.OpLiteral:
		for _, r := range n.Rune {
			if r >= 0x80 {
				return nil, false
			}
			run := asciiRun{min: 1, max: 1}
			run.set[r] = true
			runs = append(runs, run)
		}
		return runs, true
	case syntax.OpCharClass:
		run, ok := oneASCII(n)
		return append(runs, run), ok
	case syntax.OpStar, syntax.OpPlus, syntax.OpQuest, syntax.OpRepeat:
		run, ok := oneASCII(n.Sub[0])
		switch n.Op {
		case syntax.OpStar:
			run.min, run.max = 0, -1
		case syntax.OpPlus:
			run.min, run.max = 1, -1
		case syntax.OpQuest:
			run.min, run.max = 0, 1
		default:
			run.min, run.max = n.Min, n.Max
		}
		return append(runs, run), ok
	}
	return nil, false
}

// oneASCII is the set of a node that matches one ASCII character.
func oneASCII(n *syntax.Regexp) (asciiRun, bool) {
	run := asciiRun{min: 1, max: 1}
	if n.Flags&syntax.FoldCase != 0 {
		return run, false
	}
	switch {
	case n.Op == syntax.OpLiteral && len(n.Rune) == 1 && n.Rune[0] < 0x80:
		run.set[n.Rune[0]] = true
		return run, true
	case n.Op == syntax.OpCharClass:
		for i := 0; i < len(n.Rune); i += 2 {
			if n.Rune[i+1] >= 0x80 {
				return run, false
			}
			for c := n.Rune[i]; c <= n.Rune[i+1]; c++ {
				run.set[c] = true
			}
		}
		return run, true
	}
	return run, false
}

// greedyIsExact reports whether taking as many bytes as each run allows,
// never giving any back, finds every match. It does when no byte a run of
// varying length could take could instead start what follows it: the runs
// up to and including the next one that must take a byte.
func greedyIsExact(runs []asciiRun) bool {
	for i, r := range runs {
		if r.min == r.max {
			continue
		}
		for _, next := range runs[i+1:] {
			if r.overlaps(next) {
				return false
			}
			if next.min > 0 {
				break
			}
		}
	}
	return true
}

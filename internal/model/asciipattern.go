package model

// asciiRun is one step of a pattern the generator found to be a row of
// ASCII characters and classes (see gen/ascii.go): between min and max
// bytes (max < 0: any number) from the set spelled by ranges, pairs of
// bytes such as "09af" for [0-9a-f].
type asciiRun struct {
	ranges   string
	min, max int
}

// asciiStep is an asciiRun ready to match: the set as a 128-bit mask.
type asciiStep struct {
	set      [2]uint64
	min, max int
}

func (s *asciiStep) has(b byte) bool {
	return b < 0x80 && s.set[b>>6]&(1<<(b&63)) != 0
}

// asciiPattern builds the matcher of such a pattern. expr is the same
// pattern as a regexp, kept so tests can check the two agree.
func asciiPattern(expr string, runs []asciiRun) pattern {
	steps := make([]asciiStep, len(runs))
	for i, r := range runs {
		steps[i].min, steps[i].max = r.min, r.max
		for j := 0; j+1 < len(r.ranges); j += 2 {
			for c := r.ranges[j]; c <= r.ranges[j+1] && c < 0x80; c++ {
				steps[i].set[c>>6] |= 1 << (c & 63)
			}
		}
	}
	return pattern{ascii: steps, expr: expr}
}

// matchASCII matches s as a whole. Each step takes as many bytes as it
// may and never gives any back: the generator only emits rows for which
// that finds every match. A byte of a multi-byte UTF-8 sequence is never
// in an ASCII set, just as its character is not in the regexp's class.
func matchASCII(steps []asciiStep, s string) bool {
	i := 0
	for k := range steps {
		st := &steps[k]
		n := 0
		for n != st.max && i < len(s) && st.has(s[i]) {
			i++
			n++
		}
		if n < st.min {
			return false
		}
	}
	return i == len(s)
}

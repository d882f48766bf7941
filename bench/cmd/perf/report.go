package main

import (
	"fmt"
	"io"
	"slices"
	"strings"
	"text/tabwriter"
	"time"
)

// row is one line of the report: a figure for each measured binary, what
// it is compared with (when anything), the ratios and the target.
type row struct {
	figure   string
	values   []string // one per measured binary, in order
	baseline string
	ratios   []string // one per measured binary, or none
	target   string
}

func printReport(w io.Writer, names []string, rows []row) {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	head := append([]string{"figure"}, names...)
	head = append(head, "baseline")
	if len(names) == 1 {
		head = append(head, "ratio")
	} else {
		for _, n := range names {
			head = append(head, "ratio "+n)
		}
	}
	head = append(head, "target")
	fmt.Fprintln(tw, strings.Join(head, "\t"))
	for _, r := range rows {
		cells := []string{r.figure}
		for i := range names {
			cells = append(cells, dash(at(r.values, i)))
		}
		cells = append(cells, dash(r.baseline))
		for i := range names {
			cells = append(cells, dash(at(r.ratios, i)))
		}
		cells = append(cells, r.target)
		fmt.Fprintln(tw, strings.Join(cells, "\t"))
	}
	tw.Flush()
}

func at(xs []string, i int) string {
	if i < len(xs) {
		return xs[i]
	}
	return ""
}

func dash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

// each formats one figure of every measured binary.
func each[T any](xs []T, f func(T) string) []string {
	out := make([]string, len(xs))
	for i, x := range xs {
		out[i] = f(x)
	}
	return out
}

// ratios is a/b for each a.
func ratios(as []float64, b float64) []string {
	return each(as, func(a float64) string { return ratio(a, b) })
}

func ratio(a, b float64) string { return fmt.Sprintf("%.2f", a/b) }

func ms(d time.Duration) string { return fmt.Sprintf("%.1f ms", float64(d)/float64(time.Millisecond)) }

func us(d time.Duration) string { return fmt.Sprintf("%.1f µs", float64(d)/float64(time.Microsecond)) }

func mb(b int64) string { return fmt.Sprintf("%.1f MB", float64(b)/(1<<20)) }

func perSecond(v float64) string { return fmt.Sprintf("%.0f/s", v) }

// median of a non-empty list.
func median[T int64 | float64 | time.Duration](xs []T) T {
	s := slices.Clone(xs)
	slices.Sort(s)
	return s[len(s)/2]
}

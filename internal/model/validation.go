package model

import (
	"encoding/json"
	"fmt"
	"reflect"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/dlclark/regexp2"
)

// The runtime half of validate_gen.go: how violations are collected and
// worded. The wording follows the Coral-style messages AWS services send,
// e.g. "1 validation error detected: Value 'abc' at 'organizationId' failed
// to satisfy constraint: Member must satisfy regular expression pattern:
// ^m-[0-9a-f]{32}$".

// maxListedViolations bounds how many violations a message lists. Without
// it, a 1 MiB body breaking a constraint in each of 300,000 list elements
// got a 32 MB message, and cost the server as much to build.
const maxListedViolations = 100

// violations collects every constraint a request breaks, in model order;
// it keeps the wording of the first maxListedViolations and counts the
// rest.
type violations struct {
	listed []string
	total  int
}

func (vs *violations) add(path, shown, constraint string) {
	vs.total++
	if len(vs.listed) < maxListedViolations {
		vs.listed = append(vs.listed, "Value "+shown+" at '"+path+"' failed to satisfy constraint: "+constraint)
	}
}

// null records a required member that is missing (or JSON null).
func (vs *violations) null(path string) { vs.add(path, "null", "Member must not be null") }

func (vs violations) err() error {
	var e *Error
	switch vs.total {
	case 0:
		return nil
	case 1:
		e = ErrInvalidParameter.Errorf("1 validation error detected: %s", vs.listed[0])
	default:
		msg := strings.Join(vs.listed, "; ")
		if more := vs.total - len(vs.listed); more > 0 {
			msg += fmt.Sprintf("; and %d more", more)
		}
		e = ErrInvalidParameter.Errorf("%d validation errors detected: %s", vs.total, msg)
	}
	e.validation = true
	return e
}

// listElement is the message path of element i of the list at path.
func listElement(path string, i int) string {
	return path + "." + strconv.Itoa(i+1) + ".member"
}

// redacted stands in for the value of a member the model marks sensitive.
const redacted = "'*** Sensitive Data Redacted ***'"

func showString(s string) string { return "'" + s + "'" }

// Numbers are quoted too: AWS writes "Value '0' at 'maxResults'".
func showInt[T int32 | int64](v T) string { return "'" + strconv.FormatInt(int64(v), 10) + "'" }

func showFloat(v float64) string { return "'" + strconv.FormatFloat(v, 'g', -1, 64) + "'" }

// showList prints a list the way Java prints one, "[a, b]"; structures in
// it are printed as JSON.
func showList[T any](list []T) string {
	parts := make([]string, len(list))
	for i, e := range list {
		if reflect.ValueOf(e).Kind() == reflect.Struct {
			b, _ := json.Marshal(e)
			parts[i] = string(b)
		} else {
			parts[i] = fmt.Sprint(e)
		}
	}
	return "'[" + strings.Join(parts, ", ") + "]'"
}

// pattern is a compiled model pattern, run by whichever engine the
// generator chose for it (see gen/regex.go and gen/ascii.go).
type pattern struct {
	ascii []asciiStep // non-nil for a row of ASCII runs
	expr  string      // the row as an RE2 expression, for tests
	re2   *regexp.Regexp
	ecma  *regexp2.Regexp
}

// Model patterns are searches in ECMA-262, but a value must match one as a
// whole, so both constructors anchor the expression at both ends. ECMA's $
// (and regexp2's in ECMAScript mode) only matches at the very end, unlike
// Perl's, so "abc\n" does not pass for "abc".

func re2Pattern(expr string) pattern {
	return pattern{re2: regexp.MustCompile(`^(?:` + expr + `)$`)}
}

func ecmaPattern(expr string) pattern {
	re := regexp2.MustCompile(`^(?:`+expr+`)$`, regexp2.ECMAScript)
	// A backtracking engine can take exponential time on a hostile value;
	// none of today's patterns can, but a timeout keeps a future one from
	// tying up the server. A timed-out match counts as a mismatch.
	re.MatchTimeout = time.Second
	return pattern{ecma: re}
}

func (p pattern) match(s string) bool {
	if p.ascii != nil {
		return matchASCII(p.ascii, s)
	}
	if p.re2 != nil {
		return p.re2.MatchString(s)
	}
	ok, err := p.ecma.MatchString(s)
	return ok && err == nil
}

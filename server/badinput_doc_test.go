package server_test

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"
)

// The generated table sits between these lines of docs/bad-input.md.
const (
	badInputDoc   = "bad-input.md"
	badInputBegin = "<!-- begin table: generated from server/badinput_test.go by TestBadInputDoc; do not edit -->\n"
	badInputEnd   = "<!-- end table -->\n"
)

// TestBadInputDoc fails when the table in docs/bad-input.md is not the one
// rendered from badInputs, so the document always says what TestBadInput
// checks. WORKMAILD_UPDATE_DOCS=1 rewrites the table instead.
func TestBadInputDoc(t *testing.T) {
	path := filepath.Join("..", "docs", badInputDoc)
	doc, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	before, rest, ok1 := bytes.Cut(doc, []byte(badInputBegin))
	_, after, ok2 := bytes.Cut(rest, []byte(badInputEnd))
	if !ok1 || !ok2 {
		t.Fatalf("%s lacks the table markers %q and %q", path, badInputBegin, badInputEnd)
	}
	table, err := renderBadInputs(badInputs())
	if err != nil {
		t.Fatal(err)
	}
	fresh := slices.Concat(before, []byte(badInputBegin), table, []byte(badInputEnd), after)
	if os.Getenv("WORKMAILD_UPDATE_DOCS") != "" {
		if err := os.WriteFile(path, fresh, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	if !bytes.Equal(doc, fresh) {
		t.Fatalf("the table in docs/%s is stale: run WORKMAILD_UPDATE_DOCS=1 go test ./server -run TestBadInputDoc", badInputDoc)
	}
}

func renderBadInputs(cases []badInput) ([]byte, error) {
	var b bytes.Buffer
	b.WriteString("| mode | input | request | answer |\n| --- | --- | --- | --- |\n")
	for _, tc := range cases {
		req, err := tc.describeRequest()
		if err != nil {
			return nil, fmt.Errorf("%s: %w", tc.name, err)
		}
		mode := "lenient"
		if tc.strict {
			mode = "strict"
		}
		fmt.Fprintf(&b, "| %s | %s | %s | %s |\n", mode, cell(tc.name), req, tc.describeAnswer())
	}
	return b.Bytes(), nil
}

// describeRequest says how the row's request differs from a well-formed,
// signed POST.
func (tc badInput) describeRequest() (string, error) {
	var parts []string
	if tc.method != "" {
		parts = append(parts, code(tc.method))
	}
	switch {
	case tc.target == "-":
		parts = append(parts, "no `X-Amz-Target`")
	case tc.target != "":
		parts = append(parts, "`X-Amz-Target: "+cell(tc.target)+"`")
	default:
		parts = append(parts, code(tc.op))
	}
	for _, name := range sortedKeys(tc.headers) {
		if v := tc.headers[name]; v == "" {
			parts = append(parts, "no `"+name+"`")
		} else {
			parts = append(parts, "`"+name+": "+cell(v)+"`")
		}
	}
	if tc.accessKey != "" {
		parts = append(parts, "signed by access key "+code(tc.accessKey))
	}
	if tc.secret != "" {
		parts = append(parts, "signed with a secret that is not the key's")
	}
	switch {
	case tc.skew < 0:
		parts = append(parts, fmt.Sprintf("signed %v before the server's clock", -tc.skew))
	case tc.skew > 0:
		parts = append(parts, fmt.Sprintf("signed %v after the server's clock", tc.skew))
	}
	if tc.signedBody != "" {
		parts = append(parts, "signed for body "+code(tc.signedBody))
	}
	switch {
	case tc.shown != "":
		parts = append(parts, "body "+cell(tc.shown))
	case tc.body == "":
		parts = append(parts, "empty body")
	case !printable(tc.body) || len(tc.body) > 120:
		return "", fmt.Errorf("body %.40q… needs a shown description", tc.body)
	default:
		parts = append(parts, "body "+code(tc.body))
	}
	return strings.Join(parts, ", "), nil
}

func (tc badInput) describeAnswer() string {
	answer := fmt.Sprint(tc.status)
	if tc.code != "" {
		answer = fmt.Sprintf("%d `%s`: %s", tc.status, tc.code, code(tc.message))
	}
	for _, name := range sortedKeys(tc.answerHeaders) {
		answer += ", `" + name + ": " + cell(tc.answerHeaders[name]) + "`"
	}
	return answer
}

func code(s string) string { return "`" + cell(s) + "`" }

// cell escapes what would end a table cell.
func cell(s string) string { return strings.ReplaceAll(s, "|", `\|`) }

func printable(s string) bool {
	return utf8.ValidString(s) && !strings.ContainsFunc(s, func(r rune) bool { return !unicode.IsPrint(r) || r == '`' })
}

func sortedKeys(m map[string]string) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

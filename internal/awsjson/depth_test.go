package awsjson

import (
	"errors"
	"strings"
	"testing"

	"github.com/workmaild/workmaild/internal/model"
)

func nested(depth int) string {
	return strings.Repeat(`{"a":[`, depth/2) + strings.Repeat(`]}`, depth/2)
}

func TestCheckDepth(t *testing.T) {
	for _, tc := range []struct {
		name string
		body string
		ok   bool
	}{
		{"empty", ``, true},
		{"flat", `{"Alias":"x"}`, true},
		{"at the limit", nested(MaxJSONDepth), true},
		{"siblings do not add up", "[" + nested(MaxJSONDepth-2) + "," + nested(MaxJSONDepth-2) + "]", true},
		{"over the limit", nested(MaxJSONDepth + 2), false},
		{"unclosed brackets", strings.Repeat("[", MaxJSONDepth+1), false},
		{"brackets inside a string", `{"a":"` + strings.Repeat("[{", 1000) + `"}`, true},
		{"escaped quote does not end the string", `{"a":"\"` + strings.Repeat("[", 1000) + `"}`, true},
		{"escaped backslash ends before the quote", `{"a":"\\"}` + strings.Repeat("[", MaxJSONDepth+1), false},
		{"closing brackets only", strings.Repeat("]", 1000), true},
	} {
		err := checkDepth([]byte(tc.body), MaxJSONDepth)
		if tc.ok != (err == nil) {
			t.Errorf("%s: got %v", tc.name, err)
		}
		if err != nil && !errors.Is(err, model.ErrSerialization) {
			t.Errorf("%s: %v is not a SerializationException", tc.name, err)
		}
	}
}

func FuzzCheckDepth(f *testing.F) {
	f.Add([]byte(nested(10)), 5)
	f.Add([]byte(`{"a":"\"[[["}`), 1)
	f.Fuzz(func(t *testing.T, body []byte, max int) {
		if max < 0 || max > 1000 {
			return
		}
		// Never deeper than the number of opening brackets.
		if err := checkDepth(body, max); err != nil && strings.Count(string(body), "[")+strings.Count(string(body), "{") <= max {
			t.Fatalf("refused %q at %d with only that many brackets: %v", body, max, err)
		}
	})
}

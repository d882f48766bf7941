package awsjson

import (
	"bytes"

	"github.com/workmaild/workmaild/internal/model"
)

// MaxJSONDepth is the deepest nesting of objects and arrays a request body
// may have: far deeper than any WorkMail input, shallow enough that no
// body can make the decoder recurse for long.
const MaxJSONDepth = 64

// checkDepth refuses a body nesting objects and arrays deeper than max.
// It counts brackets outside strings in one pass, without allocating, so
// that the decoder never sees such a body. Malformed JSON passes: the
// decoder reports it better.
func checkDepth(body []byte, max int) error {
	// No nesting can be deeper than the number of opening brackets, which
	// bytes.Count finds with vector instructions: most bodies stop here.
	if bytes.Count(body, []byte{'{'})+bytes.Count(body, []byte{'['}) <= max {
		return nil
	}
	depth := 0
	inString := false
	for i := 0; i < len(body); i++ {
		c := body[i]
		if inString {
			switch c {
			case '\\':
				i++ // the escaped byte cannot end the string
			case '"':
				inString = false
			}
			continue
		}
		switch c {
		case '"':
			inString = true
		case '{', '[':
			depth++
			if depth > max {
				return model.ErrSerialization.Errorf("Request body nests objects and arrays deeper than %d levels.", max)
			}
		case '}', ']':
			depth--
		}
	}
	return nil
}

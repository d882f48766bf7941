package paging

import (
	"encoding/base64"
	"errors"
	"testing"
)

func TestRoundTripAndTamper(t *testing.T) {
	c := NewCodec([]byte("0123456789abcdef0123456789abcdef"))
	tok := c.Encode("ListUsers|000000000000|us-east-1|m-1", "user-42")
	after, err := c.Decode("ListUsers|000000000000|us-east-1|m-1", tok)
	if err != nil || after != "user-42" {
		t.Fatalf("round trip: %q, %v", after, err)
	}
	raw, _ := base64.StdEncoding.DecodeString(tok)
	raw[len(raw)-1] ^= 1
	bad := []string{
		base64.StdEncoding.EncodeToString(raw), // edited position
		tok[:len(tok)-4],                       // truncated
		"not base64!!",
		"",
		"AAAA",
	}
	for _, b := range bad {
		if _, err := c.Decode("ListUsers|000000000000|us-east-1|m-1", b); !errors.Is(err, ErrInvalidToken) {
			t.Errorf("token %q accepted: %v", b, err)
		}
	}
	if _, err := c.Decode("ListUsers|111111111111|us-east-1|m-1", tok); !errors.Is(err, ErrInvalidToken) {
		t.Error("token accepted for another account")
	}
	if _, err := NewCodec([]byte("another key, another server....")).Decode("ListUsers|000000000000|us-east-1|m-1", tok); !errors.Is(err, ErrInvalidToken) {
		t.Error("token accepted under another key")
	}
}

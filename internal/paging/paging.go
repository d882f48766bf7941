// Package paging makes opaque, tamper-evident NextTokens. A token carries
// the position to resume after and a MAC that binds it to the list it came
// from (operation, account, region and filters), so a token that was
// edited, truncated or taken from another list is refused instead of
// silently restarting at page one.
package paging

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"errors"
)

// macSize is the number of MAC bytes kept: 128 bits is ample against forgery.
const macSize = 16

// ErrInvalidToken is returned for any token Decode does not accept.
var ErrInvalidToken = errors.New("paging: invalid NextToken")

// Codec encodes and decodes tokens with one secret key.
type Codec struct{ key []byte }

// NewCodec returns a Codec using key (at least 16 random bytes; keep it
// across restarts so tokens stay valid).
func NewCodec(key []byte) Codec { return Codec{key: append([]byte(nil), key...)} }

// Encode returns a token resuming after position `after` within the list
// identified by scope.
func (c Codec) Encode(scope, after string) string {
	buf := make([]byte, 0, macSize+len(after))
	buf = append(buf, c.mac(scope, after)...)
	buf = append(buf, after...)
	return base64.StdEncoding.EncodeToString(buf)
}

// Decode returns the position carried by token, or ErrInvalidToken when the
// token was not made by Encode for this scope.
func (c Codec) Decode(scope, token string) (string, error) {
	raw, err := base64.StdEncoding.DecodeString(token)
	if err != nil || len(raw) < macSize {
		return "", ErrInvalidToken
	}
	after := string(raw[macSize:])
	if !hmac.Equal(raw[:macSize], c.mac(scope, after)) {
		return "", ErrInvalidToken
	}
	return after, nil
}

func (c Codec) mac(scope, after string) []byte {
	m := hmac.New(sha256.New, c.key)
	// Length-prefix the scope so that (scope, after) pairs cannot collide.
	var n [4]byte
	n[0], n[1], n[2], n[3] = byte(len(scope)>>24), byte(len(scope)>>16), byte(len(scope)>>8), byte(len(scope))
	m.Write(n[:])
	m.Write([]byte(scope))
	m.Write([]byte(after))
	return m.Sum(nil)[:macSize]
}

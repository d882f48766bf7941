package service

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"

	"github.com/workmaild/workmaild/internal/model"
	"github.com/workmaild/workmaild/internal/store"
)

// collClientTokens remembers, per operation and ClientToken, which input
// was sent and what it produced, so a retry returns the same result.
const collClientTokens = "client-token"

type clientTokenRecord struct {
	Digest string `json:"digest"` // of the input without the token
	Result string `json:"result"` // the id or ARN the first call returned
}

// inputDigest hashes the input with the named member left out, so that the
// same token with a different input can be told from a retry.
func inputDigest(in any, without string) (string, error) {
	raw, err := json.Marshal(in)
	if err != nil {
		return "", fmt.Errorf("service: digesting input: %w", err)
	}
	var members map[string]json.RawMessage
	if err := json.Unmarshal(raw, &members); err != nil {
		return "", fmt.Errorf("service: digesting input: %w", err)
	}
	delete(members, without)
	canonical, err := json.Marshal(members) // map keys marshal sorted
	if err != nil {
		return "", fmt.Errorf("service: digesting input: %w", err)
	}
	sum := sha256.Sum256(canonical)
	return hex.EncodeToString(sum[:]), nil
}

// checkClientToken returns the result of an earlier call with the same
// token and input, "" when the token is new or empty, and
// InvalidParameterException when the token was used with another input.
func checkClientToken(r store.Reader, operation, token, digest string) (string, error) {
	if token == "" {
		return "", nil
	}
	var rec clientTokenRecord
	found, err := getRecord(r, collClientTokens, operation+"\x00"+token, &rec)
	if err != nil || !found {
		return "", err
	}
	if rec.Digest != digest {
		return "", model.ErrInvalidParameter.Errorf("ClientToken %s was already used for %s with different parameters.", token, operation)
	}
	return rec.Result, nil
}

// rememberClientToken records the result of a call made with token.
func rememberClientToken(tx store.Tx, operation, token, digest, result string) error {
	if token == "" {
		return nil
	}
	return putRecord(tx, collClientTokens, operation+"\x00"+token, clientTokenRecord{Digest: digest, Result: result})
}

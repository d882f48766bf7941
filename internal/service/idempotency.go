package service

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"

	"github.com/workmaild/workmaild/internal/model"
	"github.com/workmaild/workmaild/internal/store"
)

// Client tokens remember, per operation and ClientToken, which input was
// sent and what it produced, so that a retry returns the same result.
// Tokens are per partition: operation + NUL + token. A token whose result
// belongs to an organization is also listed under it, so that purging the
// organization removes it:
//
//	client-token      op\x00token            -> clientTokenRecord
//	client-token-org  org/op\x00token        -> ""
const (
	collClientTokens    = "client-token"
	collClientTokenOrgs = "client-token-org"
)

type clientTokenRecord struct {
	Digest string `json:"digest"`        // of the input without the token
	Result string `json:"result"`        // the id or ARN the first call returned
	Org    string `json:"org,omitempty"` // the organization the result belongs to
}

// created is what an idempotent operation's first call made.
type created struct {
	Result string // returned again to retries
	Org    string // the organization it belongs to, if any
}

// idempotent runs create, unless the operation was called with the same
// ClientToken before: then it returns that call's result without calling
// create, or InvalidParameterException when the input was different. A
// call without a token always creates.
func idempotent(tx store.Tx, operation string, in any, token *string, create func() (created, error)) (string, error) {
	if token == nil || *token == "" {
		c, err := create()
		return c.Result, err
	}
	digest, err := inputDigest(in, "ClientToken")
	if err != nil {
		return "", err
	}
	key := operation + "\x00" + *token
	raw, err := tx.Get(collClientTokens, key)
	switch {
	case err == nil:
		var rec clientTokenRecord
		if err := json.Unmarshal(raw, &rec); err != nil {
			return "", fmt.Errorf("service: corrupt %s record %q: %w", collClientTokens, key, err)
		}
		if rec.Digest != digest {
			return "", model.ErrInvalidParameter.Errorf("ClientToken %s was already used for %s with different parameters.", *token, operation)
		}
		return rec.Result, nil
	case !isNotFound(err):
		return "", err
	}
	c, err := create()
	if err != nil {
		return "", err
	}
	if err := putClientToken(tx, key, clientTokenRecord{Digest: digest, Result: c.Result, Org: c.Org}); err != nil {
		return "", err
	}
	return c.Result, nil
}

func putClientToken(tx store.Tx, key string, rec clientTokenRecord) error {
	raw, err := json.Marshal(rec)
	if err != nil {
		return err
	}
	if rec.Org != "" {
		if err := tx.Put(collClientTokenOrgs, rec.Org+"/"+key, nil); err != nil {
			return err
		}
	}
	return tx.Put(collClientTokens, key, raw)
}

// deleteClientTokens removes the tokens whose results belong to the
// organization.
func deleteClientTokens(tx store.Tx, orgID string) error {
	prefix := orgID + "/"
	err := tx.Scan(collClientTokenOrgs, prefix, "", 0, func(key string, _ []byte) (bool, error) {
		return true, tx.Delete(collClientTokens, key[len(prefix):])
	})
	if err != nil {
		return err
	}
	_, err = tx.DeletePrefix(collClientTokenOrgs, prefix)
	return err
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

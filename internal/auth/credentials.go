package auth

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"strings"
)

// Credential is one access key that strict mode accepts: the key id, the
// secret it signs with, and the account its requests act in.
type Credential struct {
	AccessKeyID     string `json:"AccessKeyId"`
	SecretAccessKey string `json:"SecretAccessKey"`
	Account         string `json:"Account"`
}

// ErrInvalidCredentials wraps every problem found in a credentials file or
// list, so that callers can tell configuration mistakes from I/O errors.
var ErrInvalidCredentials = errors.New("invalid credentials")

// Keyring is an immutable set of credentials indexed by access key id.
type Keyring struct {
	byKey map[string]Credential
}

// NewKeyring checks every credential and indexes them. An access key id
// must be non-empty and free of '/', ',', ':' and white space (it travels
// inside the SigV4 credential scope); the secret must be non-empty; the
// account must be a 12-digit id; no key may appear twice.
func NewKeyring(creds []Credential) (Keyring, error) {
	k := Keyring{byKey: make(map[string]Credential, len(creds))}
	for i, c := range creds {
		if err := c.check(); err != nil {
			return Keyring{}, fmt.Errorf("%w: credential %d: %s", ErrInvalidCredentials, i+1, err)
		}
		if _, dup := k.byKey[c.AccessKeyID]; dup {
			return Keyring{}, fmt.Errorf("%w: credential %d: access key %q appears twice", ErrInvalidCredentials, i+1, c.AccessKeyID)
		}
		k.byKey[c.AccessKeyID] = c
	}
	return k, nil
}

func (c Credential) check() error {
	switch {
	case c.AccessKeyID == "":
		return errors.New("AccessKeyId is empty")
	case strings.ContainsAny(c.AccessKeyID, "/,: \t\r\n"):
		return fmt.Errorf("AccessKeyId %q contains '/', ',', ':' or white space", c.AccessKeyID)
	case c.SecretAccessKey == "":
		return fmt.Errorf("SecretAccessKey of %q is empty", c.AccessKeyID)
	case !IsAccountID(c.Account):
		return fmt.Errorf("Account of %q is %q, not a 12-digit account id", c.AccessKeyID, c.Account)
	}
	return nil
}

// Len is the number of credentials.
func (k Keyring) Len() int { return len(k.byKey) }

// Lookup returns the credential of an access key id.
func (k Keyring) Lookup(accessKeyID string) (Credential, bool) {
	c, ok := k.byKey[accessKeyID]
	return c, ok
}

// credentialsFile is the JSON document read by ParseCredentialsFile.
type credentialsFile struct {
	Credentials []Credential `json:"Credentials"`
}

// ParseCredentialsFile reads the JSON credentials format:
//
//	{"Credentials": [
//	  {"AccessKeyId": "AKIAEXAMPLE", "SecretAccessKey": "...", "Account": "111122223333"}
//	]}
//
// Unknown members are an error, so that a misspelt member is not silently
// ignored.
func ParseCredentialsFile(data []byte) ([]Credential, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	var f credentialsFile
	if err := dec.Decode(&f); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrInvalidCredentials, err)
	}
	if dec.More() {
		return nil, fmt.Errorf("%w: data after the JSON document", ErrInvalidCredentials)
	}
	return f.Credentials, nil
}

// LoadCredentialsFile reads and parses a credentials file.
func LoadCredentialsFile(path string) ([]Credential, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	creds, err := ParseCredentialsFile(data)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return creds, nil
}

// ParseCredentialsList reads the compact form used in the environment:
// comma-separated "ACCESS_KEY_ID:SECRET_ACCESS_KEY:ACCOUNT" entries. The
// key id ends at the first ':' and the account starts after the last, so
// a secret may itself contain ':'. Empty entries are skipped.
func ParseCredentialsList(s string) ([]Credential, error) {
	var creds []Credential
	for i, entry := range strings.Split(s, ",") {
		entry = strings.TrimSpace(entry)
		if entry == "" {
			continue
		}
		key, rest, ok1 := strings.Cut(entry, ":")
		last := strings.LastIndexByte(rest, ':')
		if !ok1 || last < 0 {
			// Never echo the entry: it holds a secret.
			return nil, fmt.Errorf("%w: entry %d is not ACCESS_KEY_ID:SECRET_ACCESS_KEY:ACCOUNT", ErrInvalidCredentials, i+1)
		}
		creds = append(creds, Credential{AccessKeyID: key, SecretAccessKey: rest[:last], Account: rest[last+1:]})
	}
	return creds, nil
}

package service

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"fmt"
	"runtime"
	"strings"
	"unicode"

	"golang.org/x/crypto/argon2"

	"github.com/workmaild/workmaild/internal/model"
)

// Argon2id parameters: OWASP's recommended minimum (19 MiB, 2 passes, 1
// lane). Each hash holds its memory while it runs, hence passwordHasher's
// bound on concurrent hashes.
const (
	argonMemoryKiB = 19 * 1024
	argonTime      = 2
	argonThreads   = 1
	argonKeyLen    = 32
	argonSaltLen   = 16
)

// MinPasswordLength is the shortest password CreateUser and ResetPassword
// accept.
const MinPasswordLength = 8

// passwordHasher hashes passwords with argon2id, at most one per CPU at a
// time so that a burst of CreateUser calls cannot exhaust memory.
type passwordHasher struct{ slots chan struct{} }

func newPasswordHasher() passwordHasher {
	return passwordHasher{slots: make(chan struct{}, runtime.GOMAXPROCS(0))}
}

// hash checks the password policy and returns an argon2id PHC string, or
// InvalidPasswordException. The password is never logged or echoed.
func (h passwordHasher) hash(ctx context.Context, password string) (string, error) {
	if err := checkPasswordPolicy(password); err != nil {
		return "", err
	}
	select {
	case h.slots <- struct{}{}:
		defer func() { <-h.slots }()
	case <-ctx.Done():
		return "", ctx.Err()
	}
	salt := make([]byte, argonSaltLen)
	if _, err := rand.Read(salt); err != nil {
		return "", fmt.Errorf("service: password salt: %w", err)
	}
	key := argon2.IDKey([]byte(password), salt, argonTime, argonMemoryKiB, argonThreads, argonKeyLen)
	b64 := base64.RawStdEncoding
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s", argon2.Version, argonMemoryKiB, argonTime, argonThreads,
		b64.EncodeToString(salt), b64.EncodeToString(key)), nil
}

// verify reports whether password matches a PHC string made by hash,
// taking a slot like hash does: a login verifies as slowly as it hashed.
func (h passwordHasher) verify(ctx context.Context, phc, password string) (bool, error) {
	if phc == "" || password == "" {
		return false, nil
	}
	select {
	case h.slots <- struct{}{}:
		defer func() { <-h.slots }()
	case <-ctx.Done():
		return false, ctx.Err()
	}
	return verifyPassword(phc, password), nil
}

// verifyPassword reports whether password matches a PHC string made by
// hash, comparing in constant time.
func verifyPassword(phc, password string) bool {
	var version int
	var memory, passes uint32
	var threads uint8
	parts := strings.Split(phc, "$")
	if len(parts) != 6 || parts[1] != "argon2id" {
		return false
	}
	if _, err := fmt.Sscanf(parts[2]+" "+parts[3], "v=%d m=%d,t=%d,p=%d", &version, &memory, &passes, &threads); err != nil || version != argon2.Version {
		return false
	}
	b64 := base64.RawStdEncoding
	salt, err1 := b64.DecodeString(parts[4])
	want, err2 := b64.DecodeString(parts[5])
	if err1 != nil || err2 != nil || len(want) == 0 {
		return false
	}
	got := argon2.IDKey([]byte(password), salt, passes, memory, threads, uint32(len(want)))
	return subtle.ConstantTimeCompare(got, want) == 1
}

// checkPasswordPolicy is workmaild's password policy: at least
// MinPasswordLength characters from at least three of four classes
// (upper case, lower case, digits, others).
func checkPasswordPolicy(password string) error {
	var upper, lower, digit, other, n int
	for _, r := range password {
		n++
		switch {
		case unicode.IsUpper(r):
			upper = 1
		case unicode.IsLower(r):
			lower = 1
		case unicode.IsDigit(r):
			digit = 1
		default:
			other = 1
		}
	}
	if n < MinPasswordLength || upper+lower+digit+other < 3 {
		return model.ErrInvalidPassword.Errorf("The password must have at least %d characters and contain three of: upper-case letters, lower-case letters, digits, other characters.", MinPasswordLength)
	}
	return nil
}

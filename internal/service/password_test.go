package service

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/workmaild/workmaild/internal/model"
)

func TestPasswordHash(t *testing.T) {
	h := newPasswordHasher()
	phc, err := h.hash(context.Background(), "Correct-Horse-9")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(phc, "$argon2id$v=19$m=19456,t=2,p=1$") || strings.Contains(phc, "Correct-Horse-9") {
		t.Fatalf("hash %q", phc)
	}
	if !verifyPassword(phc, "Correct-Horse-9") {
		t.Fatal("the password does not verify against its own hash")
	}
	for _, wrong := range []string{"Correct-Horse-8", "", "correct-horse-9"} {
		if verifyPassword(phc, wrong) {
			t.Fatalf("%q verifies", wrong)
		}
	}
	again, _ := h.hash(context.Background(), "Correct-Horse-9")
	if again == phc {
		t.Fatal("two hashes of one password are equal: no salt")
	}
	for _, bad := range []string{"", "$argon2id$", "$bcrypt$v=19$m=1,t=1,p=1$AA$AA", phc[:len(phc)-4] + "!!!!"} {
		if verifyPassword(bad, "Correct-Horse-9") {
			t.Fatalf("malformed hash %q verifies", bad)
		}
	}
}

func TestPasswordPolicy(t *testing.T) {
	for pw, ok := range map[string]bool{
		"Abcdef1!":  true,  // four classes
		"abcdef12":  false, // two classes
		"Abcdefgh":  false, // two classes
		"Abcdefg1":  true,  // three classes
		"Ab1!":      false, // too short
		"ÉCOLE-été": true,  // letters of both cases, and others
	} {
		err := checkPasswordPolicy(pw)
		if ok != (err == nil) {
			t.Errorf("%q: %v", pw, err)
		}
		if err != nil && !errors.Is(err, model.ErrInvalidPassword) {
			t.Errorf("%q: %v is not InvalidPasswordException", pw, err)
		}
	}
}

func TestPasswordHashHonoursCancellation(t *testing.T) {
	h := passwordHasher{slots: make(chan struct{})} // no free slot
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := h.hash(ctx, "Correct-Horse-9"); !errors.Is(err, context.Canceled) {
		t.Fatalf("got %v, want context.Canceled", err)
	}
}

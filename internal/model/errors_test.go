package model

import (
	"errors"
	"fmt"
	"testing"
)

func TestErrorIs(t *testing.T) {
	err := fmt.Errorf("wrapped: %w", ErrOrganizationNotFound.Errorf("Organization %s not found.", orgID))
	if !errors.Is(err, ErrOrganizationNotFound) {
		t.Error("errors.Is(err, ErrOrganizationNotFound) = false")
	}
	if errors.Is(err, ErrEntityNotFound) {
		t.Error("errors.Is(err, ErrEntityNotFound) = true")
	}
	var e *Error
	if !errors.As(err, &e) || e.Error() != "OrganizationNotFoundException: Organization "+orgID+" not found." {
		t.Errorf("errors.As: %v", e)
	}
	if !errors.Is(ErrEntityNotFound, ErrEntityNotFound) || ErrEntityNotFound.Error() != "EntityNotFoundException" {
		t.Error("a bare ErrorCode is not its own error")
	}
}

func TestHTTPStatus(t *testing.T) {
	for c, want := range map[ErrorCode]int{
		ErrInvalidParameter:           400,
		ErrOrganizationNotFound:       400,
		ErrLimitExceeded:              400,
		ErrUnknownOperation:           400,
		ErrSerialization:              400,
		ErrMissingAuthenticationToken: 400,
		ErrInvalidSignature:           400,
		ErrInternalFailure:            500,
		ErrNotImplemented:             501,
		ErrRequestEntityTooLarge:      413,
	} {
		if got := c.HTTPStatus(); got != want {
			t.Errorf("%s.HTTPStatus() = %d, want %d", c, got, want)
		}
	}
}

func TestModeledErrors(t *testing.T) {
	if !IsModeled(ErrDirectoryServiceAuthenticationFailed) || !IsModeled(ErrResourceNotFound) {
		t.Error("a modeled exception is not IsModeled")
	}
	if IsModeled(ErrSerialization) || IsModeled(ErrInternalFailure) {
		t.Error("a protocol error is IsModeled")
	}
	got := DeclaredErrors("PutIdentityProviderConfiguration")
	want := []ErrorCode{ErrInvalidParameter, ErrOrganizationNotFound, ErrOrganizationState, ErrResourceNotFound}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("DeclaredErrors(PutIdentityProviderConfiguration) = %v, want %v", got, want)
	}
	if DeclaredErrors("Nope") != nil {
		t.Error("DeclaredErrors of an unknown operation is not nil")
	}
	for _, op := range OperationNames() {
		for _, c := range DeclaredErrors(op) {
			if !IsModeled(c) {
				t.Errorf("%s declares %s, which is not IsModeled", op, c)
			}
		}
	}
}

// A refusal of the model's validation says so; an operation's own error,
// even InvalidParameterException, does not.
func TestFromValidation(t *testing.T) {
	var e *Error
	err := (&PutInboundDmarcSettingsInput{OrganizationId: ptr(orgID)}).Validate()
	if !errors.As(err, &e) || e.Code != ErrInvalidParameter || !e.FromValidation() {
		t.Fatalf("a missing required member: %v (from validation: %v)", err, e != nil && e.FromValidation())
	}
	if ErrInvalidParameter.Errorf("Tag key is reserved.").FromValidation() {
		t.Error("an operation's own InvalidParameterException claims to come from validation")
	}
}

package model

import (
	"encoding/json"
	"testing"
)

// BenchmarkDecodeValidateDescribe is the input side of the hottest read,
// DescribeIdentityProviderConfiguration.
func BenchmarkDecodeValidateDescribe(b *testing.B) {
	body := []byte(`{"OrganizationId":"` + orgID + `"}`)
	b.ReportAllocs()
	for b.Loop() {
		in := new(DescribeIdentityProviderConfigurationInput)
		if err := decode(body, in); err != nil {
			b.Fatal(err)
		}
		if err := in.Validate(); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkEncodeDescribeOutput is the output side of the same read, as
// the protocol layer encodes it.
func BenchmarkEncodeDescribeOutput(b *testing.B) {
	mode, status, days := IdentityProviderAuthenticationMode("IDENTITY_PROVIDER_ONLY"), PersonalAccessTokenConfigurationStatus("ACTIVE"), int32(30)
	instance, app := instanceArn, appArn
	out := &DescribeIdentityProviderConfigurationOutput{
		AuthenticationMode:               &mode,
		IdentityCenterConfiguration:      &IdentityCenterConfiguration{InstanceArn: &instance, ApplicationArn: &app},
		PersonalAccessTokenConfiguration: &PersonalAccessTokenConfiguration{Status: &status, LifetimeInDays: &days},
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := json.Marshal(out); err != nil {
			b.Fatal(err)
		}
	}
}

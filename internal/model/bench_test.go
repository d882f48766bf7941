package model

import (
	"encoding/json"
	"fmt"
	"testing"
	"time"
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

// BenchmarkEncodeDescribeOutput is the output side of the same read:
// json.Marshal, as the protocol layer encoded it before, against the
// generated encoder. AppendOutput reuses its buffer here, so it reports
// the encoding alone; the protocol layer allocates one buffer a request.
func BenchmarkEncodeDescribeOutput(b *testing.B) {
	mode, status, days := IdentityProviderAuthenticationMode("IDENTITY_PROVIDER_ONLY"), PersonalAccessTokenConfigurationStatus("ACTIVE"), int32(30)
	instance, app := instanceArn, appArn
	benchmarkEncode(b, &DescribeIdentityProviderConfigurationOutput{
		AuthenticationMode:               &mode,
		IdentityCenterConfiguration:      &IdentityCenterConfiguration{InstanceArn: &instance, ApplicationArn: &app},
		PersonalAccessTokenConfiguration: &PersonalAccessTokenConfiguration{Status: &status, LifetimeInDays: &days},
	})
}

// BenchmarkEncodeListUsersOutput is a full 100-user page.
func BenchmarkEncodeListUsersOutput(b *testing.B) {
	out := &ListUsersOutput{Users: make([]User, 100)}
	state, role := EntityStateEnabled, UserRoleUser
	enabled := NewTimestamp(time.UnixMilli(1700000000123))
	for i := range out.Users {
		id, email, name := fmt.Sprintf("%08x-0000-4000-8000-%012x", i, i), fmt.Sprintf("user%d@example.com", i), fmt.Sprintf("user%d", i)
		out.Users[i] = User{Id: &id, Email: &email, Name: &name, DisplayName: &name, State: &state, UserRole: &role, EnabledDate: enabled}
	}
	token := "AQICAHh0ZXN0LXRva2VuLW9mLWEtdHlwaWNhbC1sZW5ndGg="
	out.NextToken = &token
	benchmarkEncode(b, out)
}

func benchmarkEncode(b *testing.B, out any) {
	b.Run("json.Marshal", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := json.Marshal(out); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("AppendOutput", func(b *testing.B) {
		b.ReportAllocs()
		var buf []byte
		for b.Loop() {
			var err error
			if buf, err = AppendOutput(buf[:0], out); err != nil {
				b.Fatal(err)
			}
		}
	})
}

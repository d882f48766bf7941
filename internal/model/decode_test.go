package model

import (
	"encoding/json"
	"reflect"
	"testing"
)

// Requests have one JSON decoder, encoding/json (decode.go). These cases
// pin down what it accepts and what it reads, in the forms clients are
// known to send and in odd ones whose handling users can observe; the
// error messages are checked in TestDecode.
func TestDecodeAccepts(t *testing.T) {
	str := func(s string) *string { return &s }
	tests := []struct {
		name string
		body string
		in   any // a new zero input of the operation
		want any
	}{
		{"plain", `{"OrganizationId":"m-1","MaxResults":5}`, new(ListUsersInput),
			&ListUsersInput{OrganizationId: str("m-1"), MaxResults: ptr(int32(5))}},
		{"white space", " \t\r\n{ \t\r\n\"OrganizationId\" : \"m-1\" } \t\r\n", new(ListUsersInput),
			&ListUsersInput{OrganizationId: str("m-1")}},
		{"nulls are absent", `{"OrganizationId":null,"MaxResults":null}`, new(ListUsersInput), &ListUsersInput{}},
		{"the later of two values wins", `{"OrganizationId":"m-1","OrganizationId":"m-2"}`, new(ListUsersInput),
			&ListUsersInput{OrganizationId: str("m-2")}},
		{"a later null clears", `{"OrganizationId":"m-1","OrganizationId":null}`, new(ListUsersInput), &ListUsersInput{}},
		{"member names match case-insensitively", `{"organizationid":"m-1"}`, new(ListUsersInput),
			&ListUsersInput{OrganizationId: str("m-1")}},
		{"escaped member name", `{"Organization\u0049d":"m-1"}`, new(ListUsersInput),
			&ListUsersInput{OrganizationId: str("m-1")}},
		{"unknown members are ignored", `{"Unknown":{"a":[1]},"OrganizationId":"m-1"}`, new(ListUsersInput),
			&ListUsersInput{OrganizationId: str("m-1")}},
		{"-0 is 0", `{"MaxResults":-0}`, new(ListUsersInput), &ListUsersInput{MaxResults: ptr(int32(0))}},
		{"escapes", `{"OrganizationId":"\u00e9\u4E2D\ud83d\ude00 \"\\\/\b\f\n\r\t"}`, new(ListUsersInput),
			&ListUsersInput{OrganizationId: str("\u00e9\u4e2d\U0001F600 \"\\/\b\f\n\r\t")}},
		{"a lone surrogate is U+FFFD", `{"OrganizationId":"\ud800\u0041"}`, new(ListUsersInput),
			&ListUsersInput{OrganizationId: str("\uFFFDA")}},
		{"empty list", `{"Tags":[]}`, new(TagResourceInput), &TagResourceInput{Tags: []Tag{}}},
		{"null list", `{"Tags":null}`, new(TagResourceInput), &TagResourceInput{}},
		{"list of structures", `{"Tags":[{"Key":"k","Value":"v"},{}]}`, new(TagResourceInput),
			&TagResourceInput{Tags: []Tag{{Key: str("k"), Value: str("v")}, {}}}},
		{"a null element is a zero structure", `{"Tags":[null]}`, new(TagResourceInput), &TagResourceInput{Tags: []Tag{{}}}},
		{"nested structure", `{"IdentityCenterConfiguration":{"InstanceArn":"i","ApplicationArn":"a"}}`,
			new(PutIdentityProviderConfigurationInput),
			&PutIdentityProviderConfigurationInput{IdentityCenterConfiguration: &IdentityCenterConfiguration{InstanceArn: str("i"), ApplicationArn: str("a")}}},
		{"repeated structures merge", `{"IdentityCenterConfiguration":{"InstanceArn":"i"},"IdentityCenterConfiguration":{"ApplicationArn":"a"}}`,
			new(PutIdentityProviderConfigurationInput),
			&PutIdentityProviderConfigurationInput{IdentityCenterConfiguration: &IdentityCenterConfiguration{InstanceArn: str("i"), ApplicationArn: str("a")}}},
		{"any string for an enum: validation checks it", `{"AuthenticationMode":"NOT_A_MODE"}`,
			new(PutIdentityProviderConfigurationInput),
			&PutIdentityProviderConfigurationInput{AuthenticationMode: ptr(IdentityProviderAuthenticationMode("NOT_A_MODE"))}},
	}
	for _, tc := range tests {
		if err := decode([]byte(tc.body), tc.in); err != nil {
			t.Errorf("%s: decode(%s) = %v", tc.name, tc.body, err)
			continue
		}
		if !reflect.DeepEqual(tc.in, tc.want) {
			got, _ := json.Marshal(tc.in)
			want, _ := json.Marshal(tc.want)
			t.Errorf("%s: decode(%s) = %s, want %s", tc.name, tc.body, got, want)
		}
	}
}

// TestDecodeRefuses lists bodies that are not an input, each answered with
// a SerializationException (the messages are checked in TestDecode).
func TestDecodeRefuses(t *testing.T) {
	bodies := []string{
		`{"MaxResults":2147483648}`, `{"MaxResults":-2147483649}`, `{"MaxResults":5.0}`, `{"MaxResults":5e0}`,
		`{"MaxResults":05}`, `{"MaxResults":"5"}`, `{"OrganizationId":5}`, `{"OrganizationId":"m-1",}`,
		`{,"OrganizationId":"m-1"}`, `{"OrganizationId":"m-1"}x`, `{"OrganizationId":"m-1"}{}`, `{"OrganizationId":"m-1"`,
		`null`, `[]`, "{\"OrganizationId\":\"m-\xff\"}", "{\"OrganizationId\":\"a\tb\"}", `{"OrganizationId":"\'"}`,
		`{"OrganizationId":"\x41"}`, `{"OrganizationId":"\u004"}`, `{"OrganizationId":"\`,
		`{"Filters":{"State":7}}`,
	}
	for _, body := range bodies {
		err := decode([]byte(body), new(ListUsersInput))
		if e, ok := err.(*Error); !ok || e.Code != ErrSerialization {
			t.Errorf("decode(%q) = %v, want a SerializationException", body, err)
		}
	}
	for _, body := range []string{`{"Tags":{}}`, `{"Tags":[{},]}`, `{"Tags":[,{}]}`, `{"Tags":[{}}`} {
		err := decode([]byte(body), new(TagResourceInput))
		if e, ok := err.(*Error); !ok || e.Code != ErrSerialization {
			t.Errorf("decode(%q) = %v, want a SerializationException", body, err)
		}
	}
}

// FuzzDecode feeds arbitrary bodies to decode for a few inputs, nested and
// list-bearing ones among them: nothing may panic, every failure is a
// SerializationException, and whatever decodes re-encodes and decodes to
// the same value.
func FuzzDecode(f *testing.F) {
	f.Add([]byte(`{"OrganizationId":"` + orgID + `","AuthenticationMode":"IDENTITY_PROVIDER_ONLY",` +
		`"IdentityCenterConfiguration":{"InstanceArn":"` + instanceArn + `","ApplicationArn":"` + appArn + `"},` +
		`"PersonalAccessTokenConfiguration":{"Status":"ACTIVE","LifetimeInDays":30}}`))
	f.Add([]byte(`{"ResourceARN":"arn:x","Tags":[{"Key":"k","Value":"v"},{"Key":"\ud83d\ude00","Value":""}]}`))
	f.Add([]byte(` {"OrganizationId" : null , "MaxResults" : -0 } `))
	types := []reflect.Type{
		reflect.TypeFor[PutIdentityProviderConfigurationInput](),
		reflect.TypeFor[CreateUserInput](),
		reflect.TypeFor[TagResourceInput](),
		reflect.TypeFor[CreateImpersonationRoleInput](),
		reflect.TypeFor[ListUsersInput](),
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		for _, typ := range types {
			v := reflect.New(typ)
			err := decode(body, v.Interface())
			if err != nil {
				if e, ok := err.(*Error); !ok || e.Code != ErrSerialization {
					t.Fatalf("%s: decode(%q) = %v, want a SerializationException", typ.Name(), body, err)
				}
				continue
			}
			again, err := json.Marshal(v.Interface())
			if err != nil {
				t.Fatal(err)
			}
			w := reflect.New(typ)
			if err := decode(again, w.Interface()); err != nil || !reflect.DeepEqual(v.Interface(), w.Interface()) {
				t.Fatalf("%s: %q decodes, but its encoding %s does not decode to the same value (%v)", typ.Name(), body, again, err)
			}
		}
	})
}

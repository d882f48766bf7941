package model

import (
	"errors"
	"go/ast"
	"go/parser"
	"go/token"
	"strings"
	"testing"
)

func ptr[T any](v T) *T { return &v }

const (
	orgID       = "m-0123456789abcdef0123456789abcdef"
	instanceArn = "arn:aws:sso:::instance/ssoins-1234567890abcdef"
	kmsKey      = "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"
	appArn      = "arn:aws:sso::123456789012:application/ssoins-1234567890abcdef/apl-1234567890abcdef"
)

// validPutIdentityProvider is a complete, valid request; cases change one thing.
func validPutIdentityProvider() *PutIdentityProviderConfigurationInput {
	return &PutIdentityProviderConfigurationInput{
		OrganizationId:     ptr(orgID),
		AuthenticationMode: ptr(IdentityProviderAuthenticationModeIdentityProviderOnly),
		IdentityCenterConfiguration: &IdentityCenterConfiguration{
			InstanceArn:    ptr(instanceArn),
			ApplicationArn: ptr(appArn),
		},
		PersonalAccessTokenConfiguration: &PersonalAccessTokenConfiguration{
			Status:         ptr(PersonalAccessTokenConfigurationStatusActive),
			LifetimeInDays: ptr(int32(30)),
		},
	}
}

func impersonationRole(rules ...ImpersonationRule) *CreateImpersonationRoleInput {
	return &CreateImpersonationRoleInput{
		OrganizationId: ptr(orgID),
		Name:           ptr("role"),
		Type:           ptr(ImpersonationRoleTypeFullAccess),
		Rules:          rules,
	}
}

func TestValidate(t *testing.T) {
	const prefix1 = "1 validation error detected: "
	tests := []struct {
		name string
		in   interface{ Validate() error }
		want string // the whole message, "" for valid
	}{
		{"organization id valid", &DescribeOrganizationInput{OrganizationId: ptr(orgID)}, ""},
		{
			"organization id pattern",
			&DescribeOrganizationInput{OrganizationId: ptr("m-0123456789ABCDEF0123456789ABCDEF")},
			prefix1 + "Value 'm-0123456789ABCDEF0123456789ABCDEF' at 'organizationId' failed to satisfy constraint: " +
				"Member must satisfy regular expression pattern: ^m-[0-9a-f]{32}$",
		},
		{
			"organization id length and pattern",
			&DescribeOrganizationInput{OrganizationId: ptr("abc")},
			"2 validation errors detected: " +
				"Value 'abc' at 'organizationId' failed to satisfy constraint: Member must have length greater than or equal to 34; " +
				"Value 'abc' at 'organizationId' failed to satisfy constraint: Member must satisfy regular expression pattern: ^m-[0-9a-f]{32}$",
		},
		{
			"required missing",
			&DescribeOrganizationInput{},
			prefix1 + "Value null at 'organizationId' failed to satisfy constraint: Member must not be null",
		},
		// OrganizationName's negative look-ahead runs on regexp2.
		{"organization name with hyphen", &CreateOrganizationInput{Alias: ptr("foo-bar")}, ""},
		{"organization name starting D- (case matters)", &CreateOrganizationInput{Alias: ptr("D-foo")}, ""},
		{
			"organization name starting d-",
			&CreateOrganizationInput{Alias: ptr("d-foo")},
			prefix1 + "Value 'd-foo' at 'alias' failed to satisfy constraint: " +
				"Member must satisfy regular expression pattern: ^(?!d-)([\\da-zA-Z]+)([-][\\da-zA-Z]+)*",
		},
		{
			"organization name with double hyphen",
			&CreateOrganizationInput{Alias: ptr("foo--bar")},
			prefix1 + "Value 'foo--bar' at 'alias' failed to satisfy constraint: " +
				"Member must satisfy regular expression pattern: ^(?!d-)([\\da-zA-Z]+)([-][\\da-zA-Z]+)*",
		},
		{"put identity provider valid", validPutIdentityProvider(), ""},
		{
			"nested required",
			func() *PutIdentityProviderConfigurationInput {
				in := validPutIdentityProvider()
				in.IdentityCenterConfiguration.InstanceArn = nil
				return in
			}(),
			prefix1 + "Value null at 'identityCenterConfiguration.instanceArn' failed to satisfy constraint: Member must not be null",
		},
		{
			"enum",
			func() *PutIdentityProviderConfigurationInput {
				in := validPutIdentityProvider()
				in.AuthenticationMode = ptr(IdentityProviderAuthenticationMode("IDENTITY_PROVIDER"))
				return in
			}(),
			prefix1 + "Value 'IDENTITY_PROVIDER' at 'authenticationMode' failed to satisfy constraint: " +
				"Member must satisfy enum value set: [IDENTITY_PROVIDER_ONLY, IDENTITY_PROVIDER_AND_DIRECTORY]",
		},
		{
			"nested range",
			func() *PutIdentityProviderConfigurationInput {
				in := validPutIdentityProvider()
				in.PersonalAccessTokenConfiguration.LifetimeInDays = ptr(int32(3654))
				return in
			}(),
			prefix1 + "Value '3654' at 'personalAccessTokenConfiguration.lifetimeInDays' failed to satisfy constraint: " +
				"Member must have value less than or equal to 3653",
		},
		{"max results in range", &ListUsersInput{OrganizationId: ptr(orgID), MaxResults: ptr(int32(100))}, ""},
		{
			"max results 0",
			&ListUsersInput{OrganizationId: ptr(orgID), MaxResults: ptr(int32(0))},
			prefix1 + "Value '0' at 'maxResults' failed to satisfy constraint: Member must have value greater than or equal to 1",
		},
		{
			"max results 101",
			&ListUsersInput{OrganizationId: ptr(orgID), MaxResults: ptr(int32(101))},
			prefix1 + "Value '101' at 'maxResults' failed to satisfy constraint: Member must have value less than or equal to 100",
		},
		{
			"several violations, in model order",
			&ListUsersInput{MaxResults: ptr(int32(0)), NextToken: ptr("")},
			"3 validation errors detected: " +
				"Value null at 'organizationId' failed to satisfy constraint: Member must not be null; " +
				"Value '' at 'nextToken' failed to satisfy constraint: Member must have length greater than or equal to 1; " +
				"Value '0' at 'maxResults' failed to satisfy constraint: Member must have value greater than or equal to 1",
		},
		// [\u0020-\u00FF]+ accepts Latin-1 and nothing above it.
		{"latin-1 group name", &CreateGroupInput{OrganizationId: ptr(orgID), Name: ptr("Grüße ÿ")}, ""},
		{
			"group name above U+00FF",
			&CreateGroupInput{OrganizationId: ptr(orgID), Name: ptr("Āb")},
			prefix1 + "Value 'Āb' at 'name' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\u0020-\\u00FF]+",
		},
		{
			"sensitive value redacted",
			&CreateUserInput{OrganizationId: ptr(orgID), Name: ptr("jane"), DisplayName: ptr("Jane"), Password: ptr("pässwörd€")},
			prefix1 + "Value '*** Sensitive Data Redacted ***' at 'password' failed to satisfy constraint: " +
				"Member must satisfy regular expression pattern: [\\u0020-\\u00FF]+",
		},
		{
			// Length counts code points: 256 two-byte characters fit.
			"length in code points",
			&CreateUserInput{OrganizationId: ptr(orgID), Name: ptr("jane"), DisplayName: ptr("Jane"), Password: ptr(strings.Repeat("é", 256))},
			"",
		},
		{
			"list element pattern and nested list path",
			impersonationRole(ImpersonationRule{
				ImpersonationRuleId: ptr("rule1"),
				Effect:              ptr(AccessEffectAllow),
				TargetUsers:         []string{"jane", "bad user"},
			}),
			prefix1 + "Value 'bad user' at 'rules.1.member.targetUsers.2.member' failed to satisfy constraint: " +
				"Member must satisfy regular expression pattern: [a-zA-Z0-9._%+@-]+",
		},
		{
			"list too short",
			impersonationRole(ImpersonationRule{
				ImpersonationRuleId: ptr("rule1"),
				Effect:              ptr(AccessEffectAllow),
				TargetUsers:         []string{},
			}),
			prefix1 + "Value '[]' at 'rules.1.member.targetUsers' failed to satisfy constraint: Member must have length greater than or equal to 1",
		},
		{
			"list too long",
			impersonationRole(ImpersonationRule{
				ImpersonationRuleId: ptr("rule1"),
				Effect:              ptr(AccessEffectDeny),
				TargetUsers:         strings.Split("a b c d e f g h i j k", " "),
			}),
			prefix1 + "Value '[a, b, c, d, e, f, g, h, i, j, k]' at 'rules.1.member.targetUsers' failed to satisfy constraint: " +
				"Member must have length less than or equal to 10",
		},
		{
			"required inside a list element",
			&TagResourceInput{
				ResourceARN: ptr("arn:aws:workmail:us-east-1:123456789012:organization/" + orgID),
				Tags:        []Tag{{Key: ptr("k"), Value: ptr("v")}, {Key: ptr("k2")}},
			},
			prefix1 + "Value null at 'tags.2.member.value' failed to satisfy constraint: Member must not be null",
		},
		{
			// KmsKeyArn's {0,1023} is beyond RE2's repeat limit: regexp2 runs it.
			"regexp2 pattern with a large repeat",
			&CreateOrganizationInput{Alias: ptr("foo"), KmsKeyArn: ptr(kmsKey)},
			"",
		},
		{
			"regexp2 pattern mismatch",
			&CreateOrganizationInput{Alias: ptr("foo"), KmsKeyArn: ptr(kmsKey + " ")},
			prefix1 + "Value '" + kmsKey + " ' at 'kmsKeyArn' failed to satisfy constraint: " +
				"Member must satisfy regular expression pattern: arn:aws:kms:[a-z0-9-]*:[a-z0-9-]+:[A-Za-z0-9][A-Za-z0-9:_/+=,@.-]{0,1023}",
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.in.Validate()
			if tc.want == "" {
				if err != nil {
					t.Fatalf("Validate() = %v, want nil", err)
				}
				return
			}
			var e *Error
			if !errors.As(err, &e) {
				t.Fatalf("Validate() = %v, want an *Error", err)
			}
			if e.Code != ErrInvalidParameter || e.Message != tc.want {
				t.Errorf("Validate() =\n  %s: %s\nwant\n  %s: %s", e.Code, e.Message, ErrInvalidParameter, tc.want)
			}
		})
	}
}

func TestShowList(t *testing.T) {
	if got, want := showList([]string{"a", "b"}), "'[a, b]'"; got != want {
		t.Errorf("showList(strings) = %s, want %s", got, want)
	}
	if got, want := showList([]PermissionType{PermissionTypeSendAs}), "'[SEND_AS]'"; got != want {
		t.Errorf("showList(enums) = %s, want %s", got, want)
	}
	if got, want := showList([]Tag{{Key: ptr("k"), Value: ptr("v")}}), `'[{"Key":"k","Value":"v"}]'`; got != want {
		t.Errorf("showList(structures) = %s, want %s", got, want)
	}
}

// Model patterns are ECMA-262 and must match a value as a whole; these
// probe the compiled patterns directly, on both engines.
func TestPatterns(t *testing.T) {
	long := func(n int) string { return "arn:aws:iam::123456789012:r" + strings.Repeat("x", n-1) }
	tests := []struct {
		name  string
		p     pattern
		value string
		want  bool
	}{
		{"OrganizationId", patternOrganizationId, orgID, true},
		{"OrganizationId trailing newline", patternOrganizationId, orgID + "\n", false},
		{"OrganizationName", patternOrganizationName, "foo-bar", true},
		{"OrganizationName d-", patternOrganizationName, "d-foo", false},
		{"OrganizationName d", patternOrganizationName, "d", true},
		{"OrganizationName --", patternOrganizationName, "foo--bar", false},
		{"OrganizationName trailing hyphen", patternOrganizationName, "foo-", false},
		{"OrganizationName trailing newline", patternOrganizationName, "foo\n", false},
		{"GroupName Latin-1", patternGroupName, "ÿ", true},
		{"GroupName U+0100", patternGroupName, "Ā", false},
		{"GroupName control", patternGroupName, "a\x1f", false},
		{"Description anything", patternDescription, "\n\u2028😀\x00", true},
		{"Description empty", patternDescription, "", true},
		{"PolicyDescription anything", patternPolicyDescription, "<\x00>\u2028", true},
		{"Url", patternUrl, "https://example.com:8443/a b", true},
		{"Url CR", patternUrl, "https://example.com/a\rb", false},
		{"Url U+2028", patternUrl, "https://example.com/\u2028", false},
		{"Url NEL", patternUrl, "https://example.com/\u0085", true},
		{"Url prefix only", patternUrl, "xhttps://example.com/", false},
		{"ResourceName ASCII word", patternResourceName, "room-1.a@example.com", true},
		{"ResourceName non-ASCII", patternResourceName, "réunion", false},
		{"RoleArn 1024", patternRoleArn, long(1024), true},
		{"RoleArn 1025", patternRoleArn, long(1025), false},
		{"NextToken anything", patternNextToken, "\n\t😀", true},
		{"IdentityProviderUserIdForUpdate empty", patternIdentityProviderUserIdForUpdate, "", true},
	}
	for _, tc := range tests {
		if got := tc.p.match(tc.value); got != tc.want {
			t.Errorf("%s: match(%q) = %v, want %v", tc.name, tc.value, got, tc.want)
		}
	}
}

// Outputs are never validated: no method of validate_gen.go may have an
// output receiver, and the output-only IdentityProviderIdentityStoreId
// pattern (which no real value matches) must not be compiled at all.
func TestOutputsAreNotValidated(t *testing.T) {
	f, err := parser.ParseFile(token.NewFileSet(), "validate_gen.go", nil, 0)
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range f.Decls {
		fn, ok := d.(*ast.FuncDecl)
		if !ok || fn.Recv == nil {
			continue
		}
		recv := fn.Recv.List[0].Type.(*ast.StarExpr).X.(*ast.Ident).Name
		if strings.HasSuffix(recv, "Output") {
			t.Errorf("validate_gen.go declares %s.%s", recv, fn.Name.Name)
		}
	}
	ast.Inspect(f, func(n ast.Node) bool {
		if id, ok := n.(*ast.Ident); ok && strings.Contains(id.Name, "IdentityProviderIdentityStoreId") {
			t.Errorf("validate_gen.go refers to %s", id.Name)
		}
		return true
	})
	var out any = &GetPersonalAccessTokenMetadataOutput{}
	if _, ok := out.(interface{ Validate() error }); ok {
		t.Error("an output type has a Validate method")
	}
}

func TestValidationMessageIsBounded(t *testing.T) {
	in := &CreateOrganizationInput{Alias: ptr("bounded"), Domains: make([]Domain, 100000)}
	var apiErr *Error
	if err := in.Validate(); !errors.As(err, &apiErr) || apiErr.Code != ErrInvalidParameter {
		t.Fatalf("got %v", err)
	}
	// One for the list's length, one per element.
	if !strings.HasPrefix(apiErr.Message, "100001 validation errors detected: ") ||
		!strings.HasSuffix(apiErr.Message, "'domains.99.member.domainName' failed to satisfy constraint: Member must not be null; and 99901 more") {
		t.Fatalf("message %.200q ... %q", apiErr.Message, apiErr.Message[max(0, len(apiErr.Message)-100):])
	}
	if n := strings.Count(apiErr.Message, "failed to satisfy constraint"); n != maxListedViolations {
		t.Fatalf("%d violations listed, want %d", n, maxListedViolations)
	}
}

package model

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"
)

func TestOperationNames(t *testing.T) {
	names := OperationNames()
	if len(names) != 92 {
		t.Fatalf("len(OperationNames()) = %d, want 92", len(names))
	}
	if !slices.IsSorted(names) || len(slices.Compact(slices.Clone(names))) != len(names) {
		t.Error("OperationNames() is not sorted and unique")
	}
	for _, op := range names {
		_, err := Invoke(context.Background(), UnimplementedHandlers{}, op, nil)
		if errors.Is(err, ErrUnknownOperation) {
			t.Errorf("Invoke(%s) does not dispatch", op)
		}
		if DeclaredErrors(op) == nil {
			t.Errorf("DeclaredErrors(%s) = nil", op)
		}
	}
}

func TestInvokeUnknownOperation(t *testing.T) {
	out, err := Invoke(context.Background(), UnimplementedHandlers{}, "ListUser", []byte(`{}`))
	var e *Error
	if out != nil || !errors.As(err, &e) || e.Code != ErrUnknownOperation {
		t.Fatalf("Invoke(ListUser) = %v, %v; want an UnknownOperationException", out, err)
	}
	if e.Message != "Operation WorkMailService.ListUser is not supported." {
		t.Errorf("message = %q", e.Message)
	}
}

func TestInvokeUnimplemented(t *testing.T) {
	_, err := Invoke(context.Background(), UnimplementedHandlers{}, "ListUsers", []byte(`{"OrganizationId":"`+orgID+`"}`))
	var e *Error
	if !errors.As(err, &e) || e.Code != ErrNotImplemented || e.Message != "WorkMailService.ListUsers is not implemented by workmaild yet" {
		t.Fatalf("err = %v", err)
	}
}

// listUsers records the input it is called with and answers (nil, nil).
type listUsers struct {
	UnimplementedHandlers
	got *ListUsersInput
}

func (h *listUsers) ListUsers(_ context.Context, in *ListUsersInput) (*ListUsersOutput, error) {
	h.got = in
	return nil, nil
}

func TestInvokeCallsHandler(t *testing.T) {
	h := &listUsers{}
	out, err := Invoke(context.Background(), h, "ListUsers", []byte(`{"OrganizationId":"`+orgID+`","MaxResults":5,"Unknown":1}`))
	if err != nil {
		t.Fatal(err)
	}
	if h.got == nil || *h.got.OrganizationId != orgID || *h.got.MaxResults != 5 {
		t.Errorf("handler got %+v", h.got)
	}
	// A handler answering (nil, nil) still yields an output: {} on the wire.
	if o, ok := out.(*ListUsersOutput); !ok || o == nil {
		t.Errorf("output = %#v, want an empty *ListUsersOutput", out)
	}
}

func TestInvokeValidatesBeforeCalling(t *testing.T) {
	h := &listUsers{}
	_, err := Invoke(context.Background(), h, "ListUsers", []byte(`{"OrganizationId":"`+orgID+`","MaxResults":0}`))
	if !errors.Is(err, ErrInvalidParameter) || h.got != nil {
		t.Fatalf("err = %v, handler called: %v", err, h.got != nil)
	}
}

func TestDecode(t *testing.T) {
	deep := strings.Repeat(`{"a":`, 100000) + strings.Repeat("}", 100000)
	tests := []struct {
		name string
		body string
		want string // "" for success, else a substring of the SerializationException message
	}{
		{"empty body means {}", "", ""},
		{"whitespace only", " \r\n\t", ""},
		{"empty object", "{}", ""},
		{"unknown members are ignored", `{"Foo":{"Bar":[1,2]}}`, ""},
		{"null members are absent", `{"MaxResults":null,"OrganizationId":null}`, ""},
		{"null body", "null", "must be a JSON object, not null"},
		{"array body", "[]", "must be a JSON object, not an array"},
		{"string body", `"x"`, "must be a JSON object, not a string"},
		{"number body", `12`, "must be a JSON object, not a number"},
		{"malformed", `{"MaxResults":`, "not valid JSON"},
		{"bare word", `hello`, "not valid JSON"},
		{"trailing garbage", `{} x`, "not valid JSON"},
		{"two objects", `{}{}`, "not valid JSON"},
		{"wrong member type", `{"MaxResults":"10"}`, "Member 'MaxResults' must be an integer from -2147483648 to 2147483647, not a string"},
		{"fraction for an integer", `{"MaxResults":1.5}`, "Member 'MaxResults' must be an integer from -2147483648 to 2147483647, not the number 1.5"},
		{"integer overflow", `{"MaxResults":4294967296}`, "Member 'MaxResults'"},
		{"string for an object", `{"OrganizationId":{}}`, "Member 'OrganizationId' must be a string, not an object"},
		{"invalid UTF-8", "{\"OrganizationId\":\"m-\xff\"}", "not valid UTF-8"},
		{"deeply nested", deep, "not valid JSON"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := decode([]byte(tc.body), new(ListUsersInput))
			checkSerialization(t, err, tc.want)
		})
	}
}

func TestDecodeNestedMemberName(t *testing.T) {
	err := decode([]byte(`{"IdentityCenterConfiguration":{"InstanceArn":7}}`), new(PutIdentityProviderConfigurationInput))
	checkSerialization(t, err, "Member 'IdentityCenterConfiguration.InstanceArn' must be a string, not a number")
	err = decode([]byte(`{"Tags":[{"Key":true}]}`), new(TagResourceInput))
	checkSerialization(t, err, "Member 'Tags.Key' must be a string, not a boolean")
	err = decode([]byte(`{"Tags":{}}`), new(TagResourceInput))
	checkSerialization(t, err, "Member 'Tags' must be an array, not an object")
}

func checkSerialization(t *testing.T, err error, want string) {
	t.Helper()
	if want == "" {
		if err != nil {
			t.Fatalf("decode: %v", err)
		}
		return
	}
	e, ok := err.(*Error)
	if !ok || e.Code != ErrSerialization || !strings.Contains(e.Message, want) {
		t.Fatalf("decode = %v, want a SerializationException containing %q", err, want)
	}
}

// FuzzInvoke feeds arbitrary bodies to a few operations: nothing may panic,
// and every failure must be an *Error (so the server can always answer with
// a well-formed AWS error). The seed corpus is in testdata/fuzz/FuzzInvoke.
func FuzzInvoke(f *testing.F) {
	f.Add([]byte(`{}`))
	f.Add([]byte(`{"OrganizationId":"` + orgID + `","MaxResults":5}`))
	ops := []string{"PutIdentityProviderConfiguration", "ListUsers", "CreateOrganization", "CreateImpersonationRole", "TagResource"}
	f.Fuzz(func(t *testing.T, body []byte) {
		for _, op := range ops {
			out, err := Invoke(context.Background(), UnimplementedHandlers{}, op, body)
			e, ok := err.(*Error)
			if !ok || out != nil {
				t.Fatalf("Invoke(%s, %q) = %v, %v; want nil and an *Error", op, body, out, err)
			}
			switch e.Code {
			case ErrSerialization, ErrInvalidParameter, ErrNotImplemented:
			default:
				t.Fatalf("Invoke(%s, %q): unexpected code %s", op, body, e.Code)
			}
		}
	})
}

func BenchmarkDecodeValidate(b *testing.B) {
	body := []byte(`{"OrganizationId":"` + orgID + `","AuthenticationMode":"IDENTITY_PROVIDER_AND_DIRECTORY",` +
		`"IdentityCenterConfiguration":{"InstanceArn":"` + instanceArn + `","ApplicationArn":"` + appArn + `"},` +
		`"PersonalAccessTokenConfiguration":{"Status":"ACTIVE","LifetimeInDays":30}}`)
	b.ReportAllocs()
	for b.Loop() {
		in := new(PutIdentityProviderConfigurationInput)
		if err := decode(body, in); err != nil {
			b.Fatal(err)
		}
		if err := in.Validate(); err != nil {
			b.Fatal(err)
		}
	}
}

func TestPaginatorFor(t *testing.T) {
	p, ok := PaginatorFor("ListUsers")
	if want := (Paginator{InputToken: "NextToken", OutputToken: "NextToken", LimitKey: "MaxResults", ResultKey: "Users"}); !ok || p != want {
		t.Errorf("PaginatorFor(ListUsers) = %+v, %v; want %+v", p, ok, want)
	}
	if _, ok := PaginatorFor("CreateUser"); ok {
		t.Error("PaginatorFor(CreateUser) found a paginator")
	}
	n := 0
	for _, op := range OperationNames() {
		if _, ok := PaginatorFor(op); ok {
			n++
		}
	}
	if n != 10 {
		t.Errorf("%d operations have a paginator, want 10 (paginators-1.json)", n)
	}
}

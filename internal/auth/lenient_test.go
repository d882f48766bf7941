package auth

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/workmaild/workmaild/internal/model"
)

func TestLenientAuthenticate(t *testing.T) {
	const scope = "/20261126/eu-west-1/workmail/aws4_request, SignedHeaders=host, Signature=00"
	for _, c := range []struct {
		name          string
		authorization []string // values of the header, in order; none means absent
		want          Principal
		wantErr       error // nil, or the model.ErrorCode expected
	}{
		{"account id as key", []string{"AWS4-HMAC-SHA256 Credential=111122223333" + scope}, Principal{AccessKeyID: "111122223333", Account: "111122223333", Region: "eu-west-1"}, nil},
		{"other key", []string{"AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE" + scope}, Principal{AccessKeyID: "AKIDEXAMPLE", Account: "999999999999", Region: "eu-west-1"}, nil},
		{"first of two values, as Header.Get", []string{"AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE" + scope, "Bearer x"}, Principal{AccessKeyID: "AKIDEXAMPLE", Account: "999999999999", Region: "eu-west-1"}, nil},
		{"absent", nil, Principal{}, model.ErrMissingAuthenticationToken},
		{"empty", []string{""}, Principal{}, model.ErrMissingAuthenticationToken},
		{"malformed", []string{"Bearer x", "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE" + scope}, Principal{}, model.ErrIncompleteSignature},
	} {
		t.Run(c.name, func(t *testing.T) {
			r := httptest.NewRequest(http.MethodPost, "/", nil)
			for _, v := range c.authorization {
				r.Header.Add("Authorization", v)
			}
			got, err := Lenient{DefaultAccount: "999999999999"}.Authenticate(r, nil)
			switch {
			case c.wantErr == nil && err != nil:
				t.Fatalf("failed: %v", err)
			case c.wantErr != nil && !errors.Is(err, c.wantErr):
				t.Fatalf("got %v, want a %v", err, c.wantErr)
			case got != c.want:
				t.Fatalf("got %+v, want %+v", got, c.want)
			}
		})
	}
}

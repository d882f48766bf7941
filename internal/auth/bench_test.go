package auth

import (
	"context"
	"testing"
	"time"

	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
)

func benchAuthenticate(b *testing.B, a Authenticator) {
	body := []byte(`{"OrganizationId":"m-0123456789abcdef0123456789abcdef","MaxResults":10}`)
	c := clientRequest(string(body))
	if err := v4.NewSigner().SignHTTP(context.Background(), creds(testCred), c, hashOf(string(body)), "workmail", "us-east-1", testNow); err != nil {
		b.Fatal(err)
	}
	r := serverRequest(c, body)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := a.Authenticate(r, body); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkAuthenticate(b *testing.B) {
	keys, err := NewKeyring([]Credential{testCred})
	if err != nil {
		b.Fatal(err)
	}
	b.Run("lenient", func(b *testing.B) { benchAuthenticate(b, Lenient{}) })
	b.Run("strict", func(b *testing.B) { benchAuthenticate(b, NewStrict(keys, func() time.Time { return testNow })) })
}

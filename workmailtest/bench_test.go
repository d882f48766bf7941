package workmailtest

import (
	"context"
	"net/http"
	"net/http/httptest"
	"os"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/workmail"

	"github.com/workmaild/workmaild/server"
)

// BenchmarkNewServer measures what a test pays for its own server: start,
// first call through the SDK client (a CreateOrganization), stop. The
// baselines show where the time goes: assembling the stack alone, and the
// same first call made in-process (handler called directly, no socket).
func BenchmarkNewServer(b *testing.B) {
	ctx := context.Background()
	create := func(b *testing.B, c *workmail.Client) {
		if _, err := c.CreateOrganization(ctx, &workmail.CreateOrganizationInput{Alias: aws.String("bench")}); err != nil {
			b.Fatal(err)
		}
	}
	b.Run("loopback", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			s, err := start(b, defaultConfig(), "")
			if err != nil {
				b.Fatal(err)
			}
			create(b, s.Client())
			if err := s.close(); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("loopback-persistent", func(b *testing.B) {
		b.ReportAllocs()
		parent := b.TempDir()
		for b.Loop() {
			dir, err := os.MkdirTemp(parent, "")
			if err != nil {
				b.Fatal(err)
			}
			s, err := start(b, defaultConfig(), dir)
			if err != nil {
				b.Fatal(err)
			}
			create(b, s.Client())
			if err := s.close(); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("baseline-in-process", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			h, err := server.New(server.Options{})
			if err != nil {
				b.Fatal(err)
			}
			hc := &http.Client{Transport: inProcess{h}}
			create(b, workmail.NewFromConfig(clientConfig("http://workmaild.test", hc, DefaultAccount, DefaultRegion)))
			if err := h.Close(); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("baseline-assemble-only", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			h, err := server.New(server.Options{})
			if err != nil {
				b.Fatal(err)
			}
			if err := h.Close(); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// inProcess hands each request straight to the handler: no socket, no HTTP
// serialisation. Used only to measure what the loopback listener costs.
type inProcess struct{ h http.Handler }

func (p inProcess) RoundTrip(r *http.Request) (*http.Response, error) {
	rec := httptest.NewRecorder()
	p.h.ServeHTTP(rec, r)
	return rec.Result(), nil
}

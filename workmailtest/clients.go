package workmailtest

import (
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/workmail"

	"github.com/workmaild/workmaild/internal/sdktransport"
)

// secretKey signs every client's requests. workmaild reads the account
// from the access key id and, like a default workmaild, does not verify
// signatures, so any secret works.
const secretKey = "workmailtest-secret"

// Client returns an aws-sdk-go-v2 WorkMail client for the default account
// and region (WithAccount, WithRegion). It reads no environment variable
// and no shared config or credentials file, and it does not retry, so every
// call is exactly one request.
func (s *Server) Client() *workmail.Client { return workmail.NewFromConfig(s.Config()) }

// Config returns the aws.Config of Client, for building other clients
// from it.
func (s *Server) Config() aws.Config { return s.config(s.cfg.account, s.cfg.region) }

// ClientFor returns a client like Client's for another account (a 12-digit
// id) and region; each account and region sees only its own state. It
// fails the test that made the server if account is not an account id.
func (s *Server) ClientFor(account, region string) *workmail.Client {
	s.t.Helper()
	return workmail.NewFromConfig(s.ConfigFor(account, region))
}

// ConfigFor returns the aws.Config of ClientFor(account, region).
func (s *Server) ConfigFor(account, region string) aws.Config {
	s.t.Helper()
	other := s.cfg
	other.account, other.region = account, region
	if err := other.validate(); err != nil {
		s.t.Fatal(err)
	}
	return s.config(account, region)
}

func (s *Server) config(account, region string) aws.Config {
	return clientConfig(s.URL, sdktransport.Client(s.http.Client().Transport), account, region)
}

// clientConfig is built field by field, never from the environment, so
// that a developer's AWS profile, AWS_ENDPOINT_URL or AWS_CA_BUNDLE cannot
// change what a test talks to. The access key id is the account: workmaild
// maps a 12-digit key id to that account.
func clientConfig(url string, hc aws.HTTPClient, account, region string) aws.Config {
	return aws.Config{
		Region:       region,
		Credentials:  credentials.NewStaticCredentialsProvider(account, secretKey, ""),
		BaseEndpoint: aws.String(url),
		HTTPClient:   hc,
		Retryer:      func() aws.Retryer { return aws.NopRetryer{} },
	}
}

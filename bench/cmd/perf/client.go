package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/workmail"
	"github.com/aws/aws-sdk-go-v2/service/workmail/types"

	"github.com/workmaild/workmaild/internal/sdktransport"
)

const (
	account     = "111122223333"
	region      = "us-east-1"
	instanceArn = "arn:aws:sso:::instance/ssoins-1234567890abcdef"
	contentType = "application/x-amz-json-1.1"
	amzDate     = "20261126T120000Z"
	// authorization is well formed but not verified, as the default
	// (lenient) server accepts; the load generators send it as is.
	authorization = "AWS4-HMAC-SHA256 Credential=" + account + "/20261126/" + region + "/workmail/aws4_request, " +
		"SignedHeaders=content-type;host;x-amz-date;x-amz-target, " +
		"Signature=5d672d79c15b13162d9279b0855cfba6789a8edb4c82c400e06b5924a6f2b5d7"
)

// authorizationFor is authorization for another access key (account).
func authorizationFor(accessKey string) string {
	return strings.Replace(authorization, "Credential="+account+"/", "Credential="+accessKey+"/", 1)
}

// sdkClient is the real aws-sdk-go-v2 client, used to set the server up
// through its API exactly as a user would. done closes its idle
// connections.
func sdkClient(url, accessKey string) (c *workmail.Client, done func()) {
	hc := &http.Client{Transport: sdktransport.Transport(&http.Transport{}), Timeout: 30 * time.Second}
	return workmail.New(workmail.Options{
		Region:       region,
		BaseEndpoint: aws.String(url),
		Credentials:  credentials.NewStaticCredentialsProvider(accessKey, "secret", ""),
		HTTPClient:   hc,
	}), hc.CloseIdleConnections
}

// configureOrganization creates an organization and an Identity Center
// application and puts the identity-provider configuration.
func configureOrganization(ctx context.Context, c *workmail.Client, alias string) (org, app string, err error) {
	o, err := c.CreateOrganization(ctx, &workmail.CreateOrganizationInput{Alias: aws.String(alias)})
	if err != nil {
		return "", "", err
	}
	a, err := c.CreateIdentityCenterApplication(ctx, &workmail.CreateIdentityCenterApplicationInput{
		Name: aws.String("WorkMail"), InstanceArn: aws.String(instanceArn),
	})
	if err != nil {
		return "", "", err
	}
	_, err = c.PutIdentityProviderConfiguration(ctx, &workmail.PutIdentityProviderConfigurationInput{
		OrganizationId:     o.OrganizationId,
		AuthenticationMode: types.IdentityProviderAuthenticationModeIdentityProviderOnly,
		IdentityCenterConfiguration: &types.IdentityCenterConfiguration{
			InstanceArn: aws.String(instanceArn), ApplicationArn: a.ApplicationArn,
		},
		PersonalAccessTokenConfiguration: &types.PersonalAccessTokenConfiguration{
			Status: types.PersonalAccessTokenConfigurationStatusActive, LifetimeInDays: aws.Int32(30),
		},
	})
	return aws.ToString(o.OrganizationId), aws.ToString(a.ApplicationArn), err
}

// rawClient sends fixed requests the way wrk does, without the SDK's
// client-side cost, for load generation and timing.
type rawClient struct {
	http *http.Client
	url  string
	auth string // Authorization header
}

func newRawClient(url string, conns int) *rawClient {
	tr := &http.Transport{MaxIdleConns: conns, MaxIdleConnsPerHost: conns}
	return &rawClient{http: &http.Client{Transport: tr, Timeout: 30 * time.Second}, url: url, auth: authorization}
}

// close closes the client's idle connections, so that they do not stay
// open on the server while it is measured.
func (c *rawClient) close() { c.http.CloseIdleConnections() }

// call sends one request and returns the response body; any status but
// 200 is an error.
func (c *rawClient) call(operation, body string) ([]byte, error) {
	return c.post("/", "WorkMailService."+operation, body)
}

// post sends body to path, with X-Amz-Target target unless that is "",
// and returns the response body; any status but 200 is an error.
func (c *rawClient) post(path, target, body string) ([]byte, error) {
	req, err := http.NewRequest(http.MethodPost, c.url+path, bytes.NewReader([]byte(body)))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", contentType)
	if target != "" {
		req.Header.Set("X-Amz-Target", target)
		req.Header.Set("X-Amz-Date", amzDate)
		req.Header.Set("Authorization", c.auth)
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	out, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, err
	}
	if resp.StatusCode != http.StatusOK {
		return out, fmt.Errorf("%s%s: %d %s", path, target, resp.StatusCode, out)
	}
	return out, nil
}

package service

import (
	"context"
	"fmt"
	"io"
	"mime"
	"net/http"
	"strings"
	"time"

	"github.com/workmaild/workmaild/internal/model"
	"github.com/workmaild/workmaild/internal/store"
)

// ewsTestTimeout bounds one EWS test call, connection included. WorkMail
// waits 25 s for an availability Lambda; an EWS login should take far less.
const ewsTestTimeout = 10 * time.Second

// maxFailureReason is the longest FailureReason the model allows.
const maxFailureReason = 256

// ewsLoginRequest is the EWS call a test makes: GetServerTimeZones needs
// an authenticated caller but no mailbox, so any account that may log in
// to the server gets an answer, and it changes nothing there.
const ewsLoginRequest = `<?xml version="1.0" encoding="utf-8"?>
<soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/" xmlns:t="http://schemas.microsoft.com/exchange/services/2006/types" xmlns:m="http://schemas.microsoft.com/exchange/services/2006/messages">
  <soap:Header><t:RequestServerVersion Version="Exchange2010_SP1"/></soap:Header>
  <soap:Body><m:GetServerTimeZones ReturnFullTimeZoneData="false"/></soap:Body>
</soap:Envelope>
`

// newProbeClient is the HTTP client of EWS tests. It follows no redirect,
// so the credentials go to the configured endpoint only.
func newProbeClient() *http.Client {
	return &http.Client{
		Timeout:       ewsTestTimeout,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
}

// TestAvailabilityConfiguration implements
// WorkMailService.TestAvailabilityConfiguration for the stored provider of
// DomainName, or for the provider given. workmaild calls out only when
// the operator allowed it (Config.AvailabilityTestCalls): then an EWS
// provider passes when its endpoint answers an EWS request made with its
// credentials (HTTP 200 and an XML body). A Lambda provider never passes:
// workmaild cannot invoke Lambda functions. A failed test is an answer,
// not an error.
func (s *Service) TestAvailabilityConfiguration(ctx context.Context, in *model.TestAvailabilityConfigurationInput) (*model.TestAvailabilityConfigurationOutput, error) {
	var c *availabilityConfig
	err := s.view(ctx, func(p store.Partition, r store.Reader) error {
		o := orgRef{p, str(in.OrganizationId)}
		if _, err := s.activeOrganization(r, o); err != nil {
			return err
		}
		given := 0
		for _, set := range []bool{in.DomainName != nil, in.EwsProvider != nil, in.LambdaProvider != nil} {
			if set {
				given++
			}
		}
		if given != 1 {
			return model.ErrInvalidParameter.Errorf("Give either DomainName or one provider, EwsProvider or LambdaProvider.")
		}
		if in.DomainName == nil {
			c = &availabilityConfig{}
			availabilityProvider{in.EwsProvider, in.LambdaProvider}.set(c)
			return nil
		}
		var err error
		c, err = findAvailabilityConfig(r, o, *in.DomainName)
		return err
	})
	if err != nil {
		return nil, err
	}
	// The call is made outside any transaction: it may take seconds.
	reason := s.testProvider(ctx, c)
	if reason == "" {
		return &model.TestAvailabilityConfigurationOutput{TestPassed: ptr(true)}, nil
	}
	return &model.TestAvailabilityConfigurationOutput{TestPassed: ptr(false), FailureReason: ptr(truncate(reason, maxFailureReason))}, nil
}

// testProvider returns why the provider fails its test, or "" when it
// passes.
func (s *Service) testProvider(ctx context.Context, c *availabilityConfig) string {
	if c.Provider == string(model.AvailabilityProviderTypeLambda) {
		return "workmaild cannot invoke Lambda functions, so the Lambda provider " + c.LambdaArn + " was not tested."
	}
	if !s.availabilityCalls {
		return "This workmaild makes no outbound calls (start it with --availability-test-calls to allow them), so the EWS provider was not tested."
	}
	ctx, cancel := context.WithTimeout(ctx, ewsTestTimeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.EwsURL, strings.NewReader(ewsLoginRequest))
	if err != nil {
		return "The EWS endpoint " + c.EwsURL + " is not a URL workmaild can call."
	}
	req.Header.Set("Content-Type", "text/xml; charset=utf-8")
	req.SetBasicAuth(c.EwsUser, c.EwsSecret)
	resp, err := s.probe.Do(req)
	if err != nil {
		// The error names the URL, never the credentials (they are in a header).
		return "The EWS endpoint could not be reached: " + err.Error()
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 1<<16)) // lets the connection be reused
	mediaType, _, _ := mime.ParseMediaType(resp.Header.Get("Content-Type"))
	switch {
	case resp.StatusCode == http.StatusUnauthorized || resp.StatusCode == http.StatusForbidden:
		return fmt.Sprintf("The EWS endpoint refused the credentials of %s: HTTP %d.", c.EwsUser, resp.StatusCode)
	case resp.StatusCode != http.StatusOK:
		return fmt.Sprintf("The EWS endpoint answered HTTP %d to an EWS request.", resp.StatusCode)
	case mediaType != "text/xml" && mediaType != "application/xml" && mediaType != "application/soap+xml":
		return fmt.Sprintf("The EWS endpoint answered HTTP 200 with %q, not an EWS (SOAP) response.", mediaType)
	}
	return ""
}

// truncate shortens s to at most n characters (code points).
func truncate(s string, n int) string {
	runes := []rune(s)
	if len(runes) <= n {
		return s
	}
	return string(runes[:n-1]) + "…"
}

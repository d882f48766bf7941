package service

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/workmaild/workmaild/internal/model"
	"github.com/workmaild/workmaild/internal/store"
)

const testLambdaArn = "arn:aws:lambda:us-east-1:111122223333:function:availability"

func ews(endpoint, user, password string) *model.EwsAvailabilityProvider {
	return &model.EwsAvailabilityProvider{EwsEndpoint: &endpoint, EwsUsername: &user, EwsPassword: &password}
}

func lambda(arn string) *model.LambdaAvailabilityProvider {
	return &model.LambdaAvailabilityProvider{LambdaArn: &arn}
}

func (f *fixture) createAvailability(org, domain string, e *model.EwsAvailabilityProvider, l *model.LambdaAvailabilityProvider) error {
	_, err := f.s.CreateAvailabilityConfiguration(f.ctx, &model.CreateAvailabilityConfigurationInput{OrganizationId: &org, DomainName: &domain, EwsProvider: e, LambdaProvider: l})
	return err
}

func (f *fixture) updateAvailability(org, domain string, e *model.EwsAvailabilityProvider, l *model.LambdaAvailabilityProvider) error {
	_, err := f.s.UpdateAvailabilityConfiguration(f.ctx, &model.UpdateAvailabilityConfigurationInput{OrganizationId: &org, DomainName: &domain, EwsProvider: e, LambdaProvider: l})
	return err
}

// availabilities lists the organization's configurations page by page.
func (f *fixture) availabilities(org string, pageSize int32) []model.AvailabilityConfiguration {
	f.t.Helper()
	var all []model.AvailabilityConfiguration
	var next *string
	for {
		out, err := f.s.ListAvailabilityConfigurations(f.ctx, &model.ListAvailabilityConfigurationsInput{OrganizationId: &org, MaxResults: &pageSize, NextToken: next})
		if err != nil {
			f.t.Fatal(err)
		}
		if len(out.AvailabilityConfigurations) > int(pageSize) {
			f.t.Fatalf("a page of %d for MaxResults %d", len(out.AvailabilityConfigurations), pageSize)
		}
		all = append(all, out.AvailabilityConfigurations...)
		if next = out.NextToken; next == nil {
			return all
		}
	}
}

func availabilityLine(c model.AvailabilityConfiguration) string {
	line := *c.DomainName + " " + string(*c.ProviderType)
	if c.EwsProvider != nil {
		line += " " + *c.EwsProvider.EwsEndpoint + " " + *c.EwsProvider.EwsUsername
	}
	if c.LambdaProvider != nil {
		line += " " + *c.LambdaProvider.LambdaArn
	}
	return line
}

func TestAvailabilityConfigurations(t *testing.T) {
	f := newFixture(t)
	org := f.org("avail")
	created := f.clock.Now()
	if err := f.createAvailability(org, "Partner.Example", ews("https://mail.partner.example/EWS/Exchange.asmx", "svc", "s3cret-Passw0rd"), nil); err != nil {
		t.Fatal(err)
	}
	if err := f.createAvailability(org, "lambda.example", nil, lambda(testLambdaArn)); err != nil {
		t.Fatal(err)
	}
	// One configuration a domain, whatever its case; exactly one provider.
	wantCode(t, f.createAvailability(org, "partner.example", nil, lambda(testLambdaArn)), model.ErrNameAvailability)
	wantCode(t, f.createAvailability(org, "none.example", nil, nil), model.ErrInvalidParameter)
	wantCode(t, f.createAvailability(org, "both.example", ews("https://x.example/", "u", "p"), lambda(testLambdaArn)), model.ErrInvalidParameter)
	// The organization's own domains are not external.
	wantCode(t, f.createAvailability(org, "avail.awsapps.com", nil, lambda(testLambdaArn)), model.ErrInvalidParameter)
	if err := f.registerDomain(org, "own.example"); err != nil {
		t.Fatal(err)
	}
	wantCode(t, f.createAvailability(org, "OWN.example", nil, lambda(testLambdaArn)), model.ErrInvalidParameter)

	got := f.availabilities(org, 1)
	var lines []string
	for _, c := range got {
		lines = append(lines, availabilityLine(c))
		if !c.DateCreated.Equal(created) || !c.DateModified.Equal(created) {
			t.Errorf("%s dates %v %v, want %v", *c.DomainName, c.DateCreated, c.DateModified, created)
		}
	}
	want := "lambda.example LAMBDA " + testLambdaArn + "|partner.example EWS https://mail.partner.example/EWS/Exchange.asmx svc"
	if strings.Join(lines, "|") != want {
		t.Errorf("listed %q, want %q", strings.Join(lines, "|"), want)
	}

	// Update replaces the provider, of either kind; DateModified moves.
	f.clock.Advance(time.Minute)
	if err := f.updateAvailability(org, "PARTNER.example", nil, lambda(testLambdaArn)); err != nil {
		t.Fatal(err)
	}
	wantCode(t, f.updateAvailability(org, "unknown.example", nil, lambda(testLambdaArn)), model.ErrResourceNotFound)
	wantCode(t, f.updateAvailability(org, "partner.example", nil, nil), model.ErrInvalidParameter)
	got = f.availabilities(org, 100)
	if line := availabilityLine(got[1]); line != "partner.example LAMBDA "+testLambdaArn || got[1].EwsProvider != nil ||
		!got[1].DateCreated.Equal(created) || !got[1].DateModified.Equal(created.Add(time.Minute)) {
		t.Errorf("after update: %s, %+v", line, got[1])
	}
	var stored []string
	f.view(testPartition, func(r store.Reader) error {
		return availabilityConfigs.each(r, orgRef{testPartition, org}, func(c *availabilityConfig) error {
			stored = append(stored, c.Domain+" "+c.EwsSecret)
			return nil
		})
	})
	if strings.Join(stored, "|") != "lambda.example |partner.example " {
		t.Errorf("stored %q: the EWS password outlived its provider", stored)
	}

	// Delete, twice and of an unknown domain, succeeds.
	for range 2 {
		if _, err := f.s.DeleteAvailabilityConfiguration(f.ctx, &model.DeleteAvailabilityConfigurationInput{OrganizationId: &org, DomainName: ptr("Lambda.Example")}); err != nil {
			t.Fatal(err)
		}
	}
	if got := f.availabilities(org, 100); len(got) != 1 || *got[0].DomainName != "partner.example" {
		t.Errorf("after delete: %+v", got)
	}
}

func TestAvailabilityClientToken(t *testing.T) {
	f := newFixture(t)
	org := f.org("avtoken")
	in := &model.CreateAvailabilityConfigurationInput{OrganizationId: &org, DomainName: ptr("partner.example"), LambdaProvider: lambda(testLambdaArn), ClientToken: ptr("token-1")}
	for range 2 {
		if _, err := f.s.CreateAvailabilityConfiguration(f.ctx, in); err != nil {
			t.Fatal(err)
		}
	}
	other := *in
	other.LambdaProvider = lambda(testLambdaArn + "2")
	_, err := f.s.CreateAvailabilityConfiguration(f.ctx, &other)
	wantCode(t, err, model.ErrInvalidParameter)
}

func (f *fixture) testAvailability(in *model.TestAvailabilityConfigurationInput) (bool, string) {
	f.t.Helper()
	out, err := f.s.TestAvailabilityConfiguration(f.ctx, in)
	if err != nil {
		f.t.Fatal(err)
	}
	if out.TestPassed == nil {
		f.t.Fatal("TestPassed is missing")
	}
	if *out.TestPassed != (out.FailureReason == nil) {
		f.t.Fatalf("TestPassed %v with FailureReason %v", *out.TestPassed, out.FailureReason)
	}
	return *out.TestPassed, str(out.FailureReason)
}

// ewsServer is an EWS endpoint that accepts user/password only, and
// counts the requests it gets.
func ewsServer(t *testing.T, user, password string, calls *atomic.Int32) *httptest.Server {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		calls.Add(1)
		u, p, ok := r.BasicAuth()
		switch {
		case r.Method != http.MethodPost || !strings.Contains(r.Header.Get("Content-Type"), "text/xml"):
			w.WriteHeader(http.StatusBadRequest)
		case !ok || u != user || p != password:
			w.WriteHeader(http.StatusUnauthorized)
		default:
			w.Header().Set("Content-Type", "text/xml; charset=utf-8")
			_, _ = w.Write([]byte(`<?xml version="1.0"?><s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Body/></s:Envelope>`))
		}
	}))
	t.Cleanup(srv.Close)
	return srv
}

func TestTestAvailabilityConfiguration(t *testing.T) {
	f := newFixture(t)
	org := f.org("avtest")
	var calls atomic.Int32
	ep := ewsServer(t, "svc", "Right-Passw0rd", &calls)
	url := ep.URL + "/EWS/Exchange.asmx"
	if err := f.createAvailability(org, "partner.example", ews(url, "svc", "Right-Passw0rd"), nil); err != nil {
		t.Fatal(err)
	}
	if err := f.createAvailability(org, "lambda.example", nil, lambda(testLambdaArn)); err != nil {
		t.Fatal(err)
	}
	test := func(domain *string, e *model.EwsAvailabilityProvider, l *model.LambdaAvailabilityProvider) (bool, string) {
		return f.testAvailability(&model.TestAvailabilityConfigurationInput{OrganizationId: &org, DomainName: domain, EwsProvider: e, LambdaProvider: l})
	}

	// Inputs: exactly one of DomainName and the providers; a known domain.
	for _, in := range []*model.TestAvailabilityConfigurationInput{
		{OrganizationId: &org},
		{OrganizationId: &org, DomainName: ptr("partner.example"), LambdaProvider: lambda(testLambdaArn)},
		{OrganizationId: &org, EwsProvider: ews(url, "svc", "x"), LambdaProvider: lambda(testLambdaArn)},
	} {
		_, err := f.s.TestAvailabilityConfiguration(f.ctx, in)
		wantCode(t, err, model.ErrInvalidParameter)
	}
	_, err := f.s.TestAvailabilityConfiguration(f.ctx, &model.TestAvailabilityConfigurationInput{OrganizationId: &org, DomainName: ptr("unknown.example")})
	wantCode(t, err, model.ErrResourceNotFound)

	// Without the operator's leave, nothing is called.
	passed, reason := test(ptr("partner.example"), nil, nil)
	if passed || !strings.Contains(reason, "--availability-test-calls") || calls.Load() != 0 {
		t.Errorf("without test calls: %v %q, %d calls", passed, reason, calls.Load())
	}
	passed, reason = test(ptr("lambda.example"), nil, nil)
	if passed || !strings.Contains(reason, "cannot invoke Lambda") {
		t.Errorf("lambda: %v %q", passed, reason)
	}

	f.s.availabilityCalls = true
	if passed, reason := test(ptr("Partner.Example"), nil, nil); !passed || calls.Load() != 1 {
		t.Errorf("stored provider: %v %q, %d calls", passed, reason, calls.Load())
	}
	if passed, reason := test(nil, ews(url, "svc", "Wrong-Passw0rd"), nil); passed || reason != "The EWS endpoint refused the credentials of svc: HTTP 401." || calls.Load() != 2 {
		t.Errorf("wrong password: %v %q, %d calls", passed, reason, calls.Load())
	}
	if passed, reason := test(nil, ews(url, "svc", "Right-Passw0rd"), nil); !passed {
		t.Errorf("given provider: %v %q", passed, reason)
	}
	if passed, reason := test(ptr("lambda.example"), nil, nil); passed || !strings.Contains(reason, "cannot invoke Lambda") {
		t.Errorf("lambda with test calls: %v %q", passed, reason)
	}

	// Not EWS: a web page, an error status, nothing listening.
	page := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/broken/" {
			w.WriteHeader(http.StatusInternalServerError)
			return
		}
		w.Header().Set("Content-Type", "text/html")
		_, _ = w.Write([]byte("<html></html>"))
	}))
	defer page.Close()
	if passed, reason := test(nil, ews(page.URL+"/", "svc", "p"), nil); passed || reason != `The EWS endpoint answered HTTP 200 with "text/html", not an EWS (SOAP) response.` {
		t.Errorf("web page: %v %q", passed, reason)
	}
	if passed, reason := test(nil, ews(page.URL+"/broken/", "svc", "p"), nil); passed || reason != "The EWS endpoint answered HTTP 500 to an EWS request." {
		t.Errorf("error status: %v %q", passed, reason)
	}
	closed := httptest.NewServer(http.NotFoundHandler())
	closed.Close()
	passed, reason = test(nil, ews(closed.URL+"/EWS/", "svc", "Right-Passw0rd"), nil)
	if passed || !strings.HasPrefix(reason, "The EWS endpoint could not be reached: ") || strings.Contains(reason, "Right-Passw0rd") || len([]rune(reason)) > maxFailureReason {
		t.Errorf("unreachable: %v %q", passed, reason)
	}
}

func TestAvailabilityPurgedWithOrganization(t *testing.T) {
	f := newFixture(t)
	org := f.org("avpurge")
	in := &model.CreateAvailabilityConfigurationInput{OrganizationId: &org, DomainName: ptr("partner.example"), LambdaProvider: lambda(testLambdaArn), ClientToken: ptr("t")}
	if _, err := f.s.CreateAvailabilityConfiguration(f.ctx, in); err != nil {
		t.Fatal(err)
	}
	if _, err := f.s.DeleteOrganization(f.ctx, &model.DeleteOrganizationInput{OrganizationId: &org, DeleteDirectory: ptr(false)}); err != nil {
		t.Fatal(err)
	}
	f.clock.Advance(DefaultDeletedRetention)
	if err := f.s.Purge(f.ctx); err != nil {
		t.Fatal(err)
	}
	for _, r := range f.records(testPartition, store.Global) {
		if strings.Contains(r, org) || strings.Contains(strings.ToLower(r), "availability") {
			t.Errorf("left of the purged organization: %s", r)
		}
	}
}

func TestTruncate(t *testing.T) {
	if got := truncate("abc", 3); got != "abc" {
		t.Errorf("truncate(abc, 3) = %q", got)
	}
	if got := truncate("abcdé", 4); got != "abc…" {
		t.Errorf("truncate(abcdé, 4) = %q", got)
	}
}

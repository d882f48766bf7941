package main

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"os"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/workmail"
	"github.com/aws/smithy-go"

	"github.com/workmaild/workmaild/internal/pgtest"
	"github.com/workmaild/workmaild/internal/sdktransport"
)

// pg is the throwaway PostgreSQL of this test binary, started by the first
// test that asks for a database.
var pg pgtest.Server

func TestMain(m *testing.M) { os.Exit(pg.Main(m)) }

// TestServePostgresRestartKeepsState runs the binary on PostgreSQL, first
// with WORKMAILD_STORE holding a URL without password and PGPASSWORD, then
// with --store holding key=value pairs: what the first run created, the
// second finds. When the database goes away, requests fail with a 500, and
// no log line ever shows the password.
func TestServePostgresRestartKeepsState(t *testing.T) {
	bin := buildBinary(t)
	dbURL := pg.Database(t)
	db := pgtest.DatabaseName(dbURL)
	ctx := context.Background()

	noPassword, _ := url.Parse(dbURL)
	noPassword.User = url.User(pgtest.User)
	p := start(t, bin, []string{"WORKMAILD_STORE=" + noPassword.String(), "PGPASSWORD=" + pg.Password()}, "serve", "--addr", "127.0.0.1:0")
	org, err := p.client().CreateOrganization(ctx, &workmail.CreateOrganizationInput{Alias: aws.String("pg-survivor")})
	if err != nil {
		t.Fatal(err)
	}
	user, err := p.client().CreateUser(ctx, &workmail.CreateUserInput{OrganizationId: org.OrganizationId, Name: aws.String("alice"), DisplayName: aws.String("Alice")})
	if err != nil {
		t.Fatal(err)
	}
	p.stop(t)
	logs := p.stderr.String()

	kv := fmt.Sprintf("host=%s port=%d user=%s password=%s dbname=%s sslmode=disable", pg.Host(), pg.Port(), pgtest.User, pg.Password(), db)
	p = start(t, bin, nil, "serve", "--addr", "127.0.0.1:0", "--store", kv)
	d, err := p.client().DescribeOrganization(ctx, &workmail.DescribeOrganizationInput{OrganizationId: org.OrganizationId})
	if err != nil || aws.ToString(d.Alias) != "pg-survivor" {
		t.Fatalf("organization lost across restart: %+v, %v", d, err)
	}
	u, err := p.client().DescribeUser(ctx, &workmail.DescribeUserInput{OrganizationId: org.OrganizationId, UserId: user.UserId})
	if err != nil || aws.ToString(u.Name) != "alice" || aws.ToString(u.DisplayName) != "Alice" {
		t.Fatalf("user lost across restart: %+v, %v", u, err)
	}

	if err := pg.Admin(ctx, "DROP DATABASE "+db+" WITH (FORCE)"); err != nil {
		t.Fatal(err)
	}
	once := workmail.New(workmail.Options{
		Region: "us-east-1", BaseEndpoint: aws.String(p.url), RetryMaxAttempts: 1,
		Credentials: credentials.NewStaticCredentialsProvider("123456789012", "secret", ""),
		HTTPClient:  sdktransport.Client(nil),
	})
	_, err = once.ListOrganizations(ctx, &workmail.ListOrganizationsInput{})
	var apiErr smithy.APIError
	var httpErr *awshttp.ResponseError
	if !errors.As(err, &apiErr) || apiErr.ErrorCode() != "InternalFailure" || !errors.As(err, &httpErr) || httpErr.HTTPStatusCode() != 500 {
		t.Fatalf("a request without its database = %v, want InternalFailure (500)", err)
	}
	p.stop(t)
	logs += p.stderr.String()

	if strings.Contains(logs, pg.Password()) {
		t.Errorf("the logs show the password:\n%s", logs)
	}
	if want := "store=postgres://" + pgtest.User + "@"; !strings.Contains(logs, want) {
		t.Errorf("the logs do not name the store (%s):\n%s", want, logs)
	}
	if !strings.Contains(logs, "internal error") {
		t.Errorf("the failed request was not logged:\n%s", logs)
	}
}

func TestParseServeStore(t *testing.T) {
	env := func(string) string { return "" }
	for _, ok := range []string{"postgres://u@h:5432/db?sslmode=disable", "postgresql://h/db", "host=h dbname=db", "dbname=db"} {
		c, err := parseServe([]string{"--store", ok}, env, &strings.Builder{})
		if err != nil || c.store != ok {
			t.Errorf("--store %s: %+v, %v", ok, c, err)
		}
	}
	c, err := parseServe(nil, func(k string) string { return map[string]string{"WORKMAILD_STORE": "postgres://h/db"}[k] }, &strings.Builder{})
	if err != nil || c.store != "postgres://h/db" {
		t.Errorf("WORKMAILD_STORE: %+v, %v", c, err)
	}
	for _, bad := range [][]string{{"--store", "/var/lib/x"}, {"--store", "mysql://h/db"}, {"--store", "postgres://h/db", "--in-memory"}} {
		if _, err := parseServe(bad, env, &strings.Builder{}); err == nil {
			t.Errorf("%v accepted", bad)
		}
	}
}

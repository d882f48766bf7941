package workmailtest_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// userTest is a test as a user of workmaild writes it in their own module.
const userTest = `package usertest

import (
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/workmail"
	"github.com/aws/aws-sdk-go-v2/service/workmail/types"

	"github.com/workmaild/workmaild/workmailtest"
)

func TestIdentityProviderConfiguration(t *testing.T) {
	srv := workmailtest.NewServer(t)
	c, ctx := srv.Client(), t.Context()

	org, err := c.CreateOrganization(ctx, &workmail.CreateOrganizationInput{Alias: aws.String("example-corp")})
	if err != nil {
		t.Fatal(err)
	}
	instance := "arn:aws:sso:::instance/ssoins-1234567890abcdef"
	app, err := c.CreateIdentityCenterApplication(ctx, &workmail.CreateIdentityCenterApplicationInput{
		Name: aws.String("WorkMail"), InstanceArn: aws.String(instance),
	})
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.PutIdentityProviderConfiguration(ctx, &workmail.PutIdentityProviderConfigurationInput{
		OrganizationId:     org.OrganizationId,
		AuthenticationMode: types.IdentityProviderAuthenticationModeIdentityProviderOnly,
		IdentityCenterConfiguration: &types.IdentityCenterConfiguration{
			InstanceArn: aws.String(instance), ApplicationArn: app.ApplicationArn,
		},
		PersonalAccessTokenConfiguration: &types.PersonalAccessTokenConfiguration{
			Status: types.PersonalAccessTokenConfigurationStatusActive, LifetimeInDays: aws.Int32(30),
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	d, err := c.DescribeIdentityProviderConfiguration(ctx, &workmail.DescribeIdentityProviderConfigurationInput{OrganizationId: org.OrganizationId})
	if err != nil {
		t.Fatal(err)
	}
	if d.AuthenticationMode != types.IdentityProviderAuthenticationModeIdentityProviderOnly ||
		aws.ToString(d.IdentityCenterConfiguration.ApplicationArn) != aws.ToString(app.ApplicationArn) ||
		aws.ToInt32(d.PersonalAccessTokenConfiguration.LifetimeInDays) != 30 {
		t.Fatalf("described %+v", d)
	}
}
`

// TestFromAnotherModule builds a separate module that depends on this one
// through a replace directive, as a user's project would, and runs its test
// with go test. It works offline: the module cache already holds every
// dependency, and this module's go.sum vouches for them.
func TestFromAnotherModule(t *testing.T) {
	goBin, err := exec.LookPath("go")
	if err != nil {
		t.Fatalf("the go command is needed to build a user's module: %v", err)
	}
	root, err := filepath.Abs("..")
	if err != nil {
		t.Fatal(err)
	}
	sum, err := os.ReadFile(filepath.Join(root, "go.sum"))
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	goMod := "module example.com/usertest\n\ngo 1.26\n\n" +
		"require github.com/workmaild/workmaild v0.0.0\n\n" +
		"replace github.com/workmaild/workmaild => " + root + "\n"
	for name, content := range map[string][]byte{
		"go.mod":       []byte(goMod),
		"go.sum":       sum,
		"user_test.go": []byte(userTest),
	} {
		if err := os.WriteFile(filepath.Join(dir, name), content, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	cmd := exec.CommandContext(t.Context(), goBin, "test", "-count=1", "-v", "./...")
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "GOFLAGS=-mod=mod", "GOPROXY=off", "GOWORK=off", "GOTOOLCHAIN=local")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("go test in the user's module: %v\n%s", err, out)
	}
	if !strings.Contains(string(out), "--- PASS: TestIdentityProviderConfiguration") {
		t.Fatalf("the user's test did not run:\n%s", out)
	}
}

package workmailtest_test

import (
	"errors"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/workmail"
	"github.com/aws/aws-sdk-go-v2/service/workmail/types"

	"github.com/workmaild/workmaild/workmailtest"
)

// Purge follows the server's clock: a deleted user goes 30 days after it
// was deleted, and its name stays free.
func TestPurgeFollowsTheClock(t *testing.T) {
	clock := workmailtest.NewClock(time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC))
	srv := workmailtest.NewServer(t, workmailtest.WithClock(clock))
	c, ctx := srv.Client(), t.Context()
	org := srv.CreateActiveOrganization("purged")
	u, err := c.CreateUser(ctx, &workmail.CreateUserInput{OrganizationId: &org, Name: aws.String("temp"), DisplayName: aws.String("Temp")})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.DeleteUser(ctx, &workmail.DeleteUserInput{OrganizationId: &org, UserId: u.UserId}); err != nil {
		t.Fatal(err)
	}
	describe := func() error {
		_, err := c.DescribeUser(ctx, &workmail.DescribeUserInput{OrganizationId: &org, UserId: u.UserId})
		return err
	}
	srv.Purge()
	if err := describe(); err != nil {
		t.Fatalf("purged before 30 days: %v", err)
	}
	clock.Advance(30 * 24 * time.Hour)
	srv.Purge()
	var notFound *types.EntityNotFoundException
	if err := describe(); !errors.As(err, &notFound) {
		t.Fatalf("after 30 days: %v", err)
	}
	if _, err := c.CreateUser(ctx, &workmail.CreateUserInput{OrganizationId: &org, Name: aws.String("temp"), DisplayName: aws.String("Temp")}); err != nil {
		t.Fatal(err)
	}
}

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

// A room-booking set-up runs against the in-process server as against
// workmaild: a room with an address and a delegate, torn down, and gone
// 30 days after its deletion with its name and address free again.
func TestPurgeRemovesDeletedResources(t *testing.T) {
	clock := workmailtest.NewClock(time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC))
	srv := workmailtest.NewServer(t, workmailtest.WithClock(clock))
	c, ctx := srv.Client(), t.Context()
	org := srv.CreateActiveOrganization("rooms")
	setUp := func() string {
		t.Helper()
		room, err := c.CreateResource(ctx, &workmail.CreateResourceInput{OrganizationId: &org, Name: aws.String("board-room"), Type: types.ResourceTypeRoom})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := c.RegisterToWorkMail(ctx, &workmail.RegisterToWorkMailInput{OrganizationId: &org, EntityId: room.ResourceId, Email: aws.String("board-room@rooms.awsapps.com")}); err != nil {
			t.Fatal(err)
		}
		return aws.ToString(room.ResourceId)
	}
	room := setUp()
	user, err := c.CreateUser(ctx, &workmail.CreateUserInput{OrganizationId: &org, Name: aws.String("reception"), DisplayName: aws.String("Reception")})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.AssociateDelegateToResource(ctx, &workmail.AssociateDelegateToResourceInput{OrganizationId: &org, ResourceId: &room, EntityId: user.UserId}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.UpdateResource(ctx, &workmail.UpdateResourceInput{OrganizationId: &org, ResourceId: &room, BookingOptions: &types.BookingOptions{AutoDeclineConflictingRequests: true}}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.DeregisterFromWorkMail(ctx, &workmail.DeregisterFromWorkMailInput{OrganizationId: &org, EntityId: &room}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.DeleteResource(ctx, &workmail.DeleteResourceInput{OrganizationId: &org, ResourceId: &room}); err != nil {
		t.Fatal(err)
	}
	describe := func() (*workmail.DescribeResourceOutput, error) {
		return c.DescribeResource(ctx, &workmail.DescribeResourceInput{OrganizationId: &org, ResourceId: &room})
	}
	clock.Advance(30*24*time.Hour - time.Second)
	srv.Purge()
	if d, err := describe(); err != nil || d.State != types.EntityStateDeleted {
		t.Fatalf("purged before 30 days: %+v, %v", d, err)
	}
	clock.Advance(time.Second)
	srv.Purge()
	var notFound *types.EntityNotFoundException
	if _, err := describe(); !errors.As(err, &notFound) {
		t.Fatalf("after 30 days: %v", err)
	}
	list, err := c.ListResources(ctx, &workmail.ListResourcesInput{OrganizationId: &org})
	if err != nil || len(list.Resources) != 0 {
		t.Fatalf("ListResources after 30 days: %+v, %v", list, err)
	}
	if again := setUp(); again == room {
		t.Errorf("the new room has the purged room's id %s", room)
	}
}

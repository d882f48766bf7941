package server_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/workmail"

	"github.com/workmaild/workmaild/internal/model"
	"github.com/workmaild/workmaild/server"
)

func TestActivateOrganization(t *testing.T) {
	clock := &fakeClock{now: time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)}
	ts := startServer(t, server.Options{Now: clock.Now, Lifecycle: server.Lifecycle{CreateDelay: time.Hour, DeleteDelay: time.Hour}})
	c, ctx := ts.defaultClient(), context.Background()
	state := func(id string) (string, *time.Time) {
		t.Helper()
		d, err := c.DescribeOrganization(ctx, &workmail.DescribeOrganizationInput{OrganizationId: &id})
		if err != nil {
			t.Fatal(err)
		}
		return aws.ToString(d.State), d.CompletedDate
	}

	slow, fast := createOrg(t, c, "slow"), createOrg(t, c, "fast")
	if err := ts.srv.ActivateOrganization(ctx, testAccount, testRegion, fast); err != nil {
		t.Fatal(err)
	}
	if st, done := state(fast); st != "Active" || done == nil || !done.Equal(clock.Now()) {
		t.Fatalf("activated organization: %s, completed %v; want Active, completed now", st, done)
	}
	if st, _ := state(slow); st != "Requested" {
		t.Fatalf("another organization moved to %s", st)
	}
	// Activating an Active organization changes nothing.
	clock.Advance(time.Minute)
	if err := ts.srv.ActivateOrganization(ctx, testAccount, testRegion, fast); err != nil {
		t.Fatal(err)
	}
	if _, done := state(fast); !done.Equal(clock.Now().Add(-time.Minute)) {
		t.Fatalf("second activation moved CompletedDate to %v", done)
	}
	// The organization is Active for every operation, not just Describe.
	if _, err := c.DeleteOrganization(ctx, &workmail.DeleteOrganizationInput{OrganizationId: &fast, DeleteDirectory: true}); err != nil {
		t.Fatal(err)
	}
	if err := ts.srv.ActivateOrganization(ctx, testAccount, testRegion, fast); !errors.Is(err, model.ErrOrganizationState) {
		t.Fatalf("activating a Deleting organization: %v, want OrganizationStateException", err)
	}
	if st, _ := state(fast); st != "Deleting" {
		t.Fatalf("refused activation changed the state to %s", st)
	}
}

func TestActivateOrganizationOnlyInItsPartition(t *testing.T) {
	ts := startServer(t, server.Options{Lifecycle: server.Lifecycle{CreateDelay: time.Hour}})
	ctx := context.Background()
	id := createOrg(t, ts.defaultClient(), "mine")
	for _, p := range [][2]string{{otherAccount, testRegion}, {testAccount, "eu-west-1"}} {
		if err := ts.srv.ActivateOrganization(ctx, p[0], p[1], id); !errors.Is(err, model.ErrOrganizationNotFound) {
			t.Errorf("activating from %v: %v, want OrganizationNotFoundException", p, err)
		}
	}
	d, err := ts.defaultClient().DescribeOrganization(ctx, &workmail.DescribeOrganizationInput{OrganizationId: &id})
	if err != nil || aws.ToString(d.State) != "Requested" {
		t.Fatalf("after refused activations: %+v, %v", d, err)
	}
}

package server_test

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/workmail"
	"github.com/aws/aws-sdk-go-v2/service/workmail/types"

	"github.com/workmaild/workmaild/server"
)

// waitGroupState polls DescribeGroup the way Terraform's waiters do, until
// the group is in state (or, for "gone", DELETED or EntityNotFound).
func waitGroupState(t *testing.T, c *workmail.Client, org, id string, state types.EntityState) {
	t.Helper()
	for range 10 {
		out, err := c.DescribeGroup(context.Background(), &workmail.DescribeGroupInput{OrganizationId: &org, GroupId: &id})
		var notFound *types.EntityNotFoundException
		switch {
		case errors.As(err, &notFound) && state == types.EntityStateDeleted:
			return
		case err != nil:
			t.Fatalf("DescribeGroup %s: %v", id, err)
		case out.State == state:
			return
		}
		time.Sleep(10 * time.Millisecond)
	}
	t.Fatalf("group %s never reached %s", id, state)
}

// Terraform's aws_workmail_group: create, register, wait for ENABLED;
// destroy by deregistering, waiting for DISABLED, deleting, waiting for
// gone or DELETED.
func TestGroupTerraformSequence(t *testing.T) {
	clock := &fakeClock{now: time.Date(2026, 11, 26, 12, 0, 0, 0, time.UTC)}
	ts := startServer(t, server.Options{Now: clock.Now})
	c, ctx := ts.defaultClient(), context.Background()
	org := createOrg(t, c, "tf")

	out, err := c.CreateGroup(ctx, &workmail.CreateGroupInput{OrganizationId: &org, Name: aws.String("tf-group"), HiddenFromGlobalAddressList: true})
	if err != nil {
		t.Fatal(err)
	}
	id := aws.ToString(out.GroupId)
	mustMatch(t, uuidPattern, id)
	register(t, c, org, id, "tf-group@tf.awsapps.com")
	waitGroupState(t, c, org, id, types.EntityStateEnabled)
	d := describeGroup(t, c, org, id)
	if aws.ToString(d.GroupId) != id || aws.ToString(d.Name) != "tf-group" || aws.ToString(d.Email) != "tf-group@tf.awsapps.com" ||
		!d.HiddenFromGlobalAddressList || !aws.ToTime(d.EnabledDate).Equal(clock.Now()) || d.DisabledDate != nil {
		t.Fatalf("registered group: %+v", d)
	}
	// Terraform's read finds the group among ListGroups by its id.
	if gs := listGroups(t, c, &workmail.ListGroupsInput{OrganizationId: &org}); len(gs) != 1 || aws.ToString(gs[0].Id) != id {
		t.Fatalf("ListGroups: %+v", gs)
	}

	// Destroy: DeleteGroup of an ENABLED group is refused, as Terraform's
	// retry on EntityStateException expects.
	_, err = c.DeleteGroup(ctx, &workmail.DeleteGroupInput{OrganizationId: &org, GroupId: &id})
	wantAPIError(t, err, "EntityStateException", "deregister")
	clock.Advance(time.Minute)
	if _, err := c.DeregisterFromWorkMail(ctx, &workmail.DeregisterFromWorkMailInput{OrganizationId: &org, EntityId: &id}); err != nil {
		t.Fatal(err)
	}
	waitGroupState(t, c, org, id, types.EntityStateDisabled)
	if d := describeGroup(t, c, org, id); !aws.ToTime(d.DisabledDate).Equal(clock.Now()) {
		t.Fatalf("deregistered group: %+v", d)
	}
	if _, err := c.DeleteGroup(ctx, &workmail.DeleteGroupInput{OrganizationId: &org, GroupId: &id}); err != nil {
		t.Fatal(err)
	}
	waitGroupState(t, c, org, id, types.EntityStateDeleted)
	if d := describeGroup(t, c, org, id); d.State != types.EntityStateDeleted {
		t.Fatalf("deleted group: %+v", d)
	}
	// The name and address are free for the next apply.
	again := createGroup(t, c, org, "tf-group")
	register(t, c, org, again, "tf-group@tf.awsapps.com")

	// After the retention the deleted group is gone, and purged.
	clock.Advance(30 * 24 * time.Hour)
	_, err = c.DescribeGroup(ctx, &workmail.DescribeGroupInput{OrganizationId: &org, GroupId: &id})
	wantAPIError(t, err, "EntityNotFoundException", id)
	if err := ts.srv.Purge(ctx); err != nil {
		t.Fatal(err)
	}
	if d := describeGroup(t, c, org, "tf-group"); aws.ToString(d.GroupId) != again {
		t.Fatalf("after purge: %+v", d)
	}
}

// Each group operation answers every declared error in its situation.
func TestGroupErrors(t *testing.T) {
	ts := startServer(t, server.Options{})
	c, ctx := ts.defaultClient(), context.Background()
	org := createOrg(t, c, "gerr")
	grp := createGroup(t, c, org, "grp")
	user := createUser(t, c, org, "usr", "")
	register(t, c, org, user, "usr@gerr.awsapps.com")
	enabled := createGroup(t, c, org, "enabled")
	register(t, c, org, enabled, "enabled@gerr.awsapps.com")
	deleted := createGroup(t, c, org, "deleted")
	if _, err := c.DeleteGroup(ctx, &workmail.DeleteGroupInput{OrganizationId: &org, GroupId: &deleted}); err != nil {
		t.Fatal(err)
	}
	gone := createUser(t, c, org, "gone", "")
	if _, err := c.DeleteUser(ctx, &workmail.DeleteUserInput{OrganizationId: &org, UserId: &gone}); err != nil {
		t.Fatal(err)
	}

	// CreateGroup
	for _, name := range []string{"GRP", "Usr"} {
		_, err := c.CreateGroup(ctx, &workmail.CreateGroupInput{OrganizationId: &org, Name: aws.String(name)})
		wantAPIError(t, err, "NameAvailabilityException", name)
	}
	_, err := c.CreateGroup(ctx, &workmail.CreateGroupInput{OrganizationId: aws.String(unknownOrg), Name: aws.String("x")})
	wantAPIError(t, err, "OrganizationNotFoundException", unknownOrg)
	_, err = c.CreateGroup(ctx, &workmail.CreateGroupInput{OrganizationId: &org, Name: aws.String("tab\tname")})
	wantAPIError(t, err, "InvalidParameterException", "name")

	// DescribeGroup, UpdateGroup
	_, err = c.DescribeGroup(ctx, &workmail.DescribeGroupInput{OrganizationId: &org, GroupId: aws.String("ghost")})
	wantAPIError(t, err, "EntityNotFoundException", "ghost")
	_, err = c.DescribeGroup(ctx, &workmail.DescribeGroupInput{OrganizationId: &org, GroupId: &user})
	wantAPIError(t, err, "EntityNotFoundException", user) // a user is no group
	_, err = c.UpdateGroup(ctx, &workmail.UpdateGroupInput{OrganizationId: &org, GroupId: aws.String("ghost"), HiddenFromGlobalAddressList: aws.Bool(true)})
	wantAPIError(t, err, "EntityNotFoundException", "ghost")
	_, err = c.UpdateGroup(ctx, &workmail.UpdateGroupInput{OrganizationId: &org, GroupId: &deleted, HiddenFromGlobalAddressList: aws.Bool(true)})
	wantAPIError(t, err, "EntityStateException", "deleted")

	// DeleteGroup: ENABLED is refused; unknown and deleted succeed.
	_, err = c.DeleteGroup(ctx, &workmail.DeleteGroupInput{OrganizationId: &org, GroupId: &enabled})
	wantAPIError(t, err, "EntityStateException", "ENABLED")
	for _, ident := range []string{"ghost", deleted} {
		if _, err := c.DeleteGroup(ctx, &workmail.DeleteGroupInput{OrganizationId: &org, GroupId: aws.String(ident)}); err != nil {
			t.Fatalf("DeleteGroup %s: %v", ident, err)
		}
	}

	// RegisterToWorkMail and DeregisterFromWorkMail of groups
	reg := func(entity, email string) error {
		_, err := c.RegisterToWorkMail(ctx, &workmail.RegisterToWorkMailInput{OrganizationId: &org, EntityId: &entity, Email: &email})
		return err
	}
	wantAPIError(t, reg("ghost", "ghost@gerr.awsapps.com"), "EntityNotFoundException", "ghost")
	wantAPIError(t, reg(grp, "USR@gerr.awsapps.com"), "EmailAddressInUseException", "USR@gerr.awsapps.com")
	wantAPIError(t, reg(grp, "grp@elsewhere.example"), "MailDomainNotFoundException", "grp@elsewhere.example")
	wantAPIError(t, reg(enabled, "other@gerr.awsapps.com"), "EntityAlreadyRegisteredException", "enabled@gerr.awsapps.com")
	wantAPIError(t, reg(deleted, "deleted@gerr.awsapps.com"), "EntityStateException", "deleted")
	if err := reg("enabled", "ENABLED@gerr.awsapps.com"); err != nil {
		t.Fatalf("registering again with the same address: %v", err)
	}
	if d := describeGroup(t, c, org, grp); d.State != types.EntityStateDisabled || d.Email != nil {
		t.Fatalf("failed registrations changed the group: %+v", d)
	}
	dereg := func(entity string) error {
		_, err := c.DeregisterFromWorkMail(ctx, &workmail.DeregisterFromWorkMailInput{OrganizationId: &org, EntityId: &entity})
		return err
	}
	wantAPIError(t, dereg(grp), "EntityStateException", "DISABLED")
	wantAPIError(t, dereg(deleted), "EntityStateException", "DELETED")

	// AssociateMemberToGroup, DisassociateMemberFromGroup
	assoc := func(group, member string) error {
		_, err := c.AssociateMemberToGroup(ctx, &workmail.AssociateMemberToGroupInput{OrganizationId: &org, GroupId: &group, MemberId: &member})
		return err
	}
	disassoc := func(group, member string) error {
		_, err := c.DisassociateMemberFromGroup(ctx, &workmail.DisassociateMemberFromGroupInput{OrganizationId: &org, GroupId: &group, MemberId: &member})
		return err
	}
	for _, op := range []func(string, string) error{assoc, disassoc} {
		wantAPIError(t, op("ghost", user), "EntityNotFoundException", "ghost")
		wantAPIError(t, op(grp, "ghost"), "EntityNotFoundException", "ghost")
		wantAPIError(t, op(deleted, user), "EntityStateException", "deleted")
		wantAPIError(t, op(grp, gone), "EntityStateException", "deleted")
		wantAPIError(t, op(grp, deleted), "EntityStateException", "deleted")
	}
	wantAPIError(t, assoc(grp, grp), "InvalidParameterException", "itself")
	if err := assoc(enabled, grp); err != nil {
		t.Fatal(err)
	}
	wantAPIError(t, assoc(grp, enabled), "InvalidParameterException", "cycle")
	for range 2 { // idempotent both ways
		if err := assoc(grp, "usr@gerr.awsapps.com"); err != nil {
			t.Fatal(err)
		}
	}
	for range 2 {
		if err := disassoc(grp, "usr"); err != nil {
			t.Fatal(err)
		}
	}

	// ListGroupMembers, ListGroupsForEntity
	_, err = c.ListGroupMembers(ctx, &workmail.ListGroupMembersInput{OrganizationId: &org, GroupId: aws.String("ghost")})
	wantAPIError(t, err, "EntityNotFoundException", "ghost")
	_, err = c.ListGroupMembers(ctx, &workmail.ListGroupMembersInput{OrganizationId: &org, GroupId: &deleted})
	wantAPIError(t, err, "EntityStateException", "deleted")
	_, err = c.ListGroupMembers(ctx, &workmail.ListGroupMembersInput{OrganizationId: &org, GroupId: &grp, NextToken: aws.String("garbage")})
	wantAPIError(t, err, "InvalidParameterException", "NextToken")
	_, err = c.ListGroupsForEntity(ctx, &workmail.ListGroupsForEntityInput{OrganizationId: &org, EntityId: aws.String("ghost")})
	wantAPIError(t, err, "EntityNotFoundException", "ghost")
	for _, ident := range []string{deleted, gone} {
		_, err = c.ListGroupsForEntity(ctx, &workmail.ListGroupsForEntityInput{OrganizationId: &org, EntityId: &ident})
		wantAPIError(t, err, "EntityStateException", "deleted")
	}
	_, err = c.ListGroupsForEntity(ctx, &workmail.ListGroupsForEntityInput{OrganizationId: &org, EntityId: &user, NextToken: aws.String("garbage")})
	wantAPIError(t, err, "InvalidParameterException", "NextToken")

	// ListGroups
	_, err = c.ListGroups(ctx, &workmail.ListGroupsInput{OrganizationId: &org, Filters: &types.ListGroupsFilters{NamePrefix: aws.String("g"), State: types.EntityStateEnabled}})
	wantAPIError(t, err, "InvalidParameterException", "one filter")
	_, err = c.ListGroups(ctx, &workmail.ListGroupsInput{OrganizationId: &org, NextToken: aws.String("garbage")})
	wantAPIError(t, err, "InvalidParameterException", "NextToken")

	// DescribeEntity
	_, err = c.DescribeEntity(ctx, &workmail.DescribeEntityInput{OrganizationId: &org, Email: aws.String("nobody@gerr.awsapps.com")})
	wantAPIError(t, err, "EntityNotFoundException", "nobody@gerr.awsapps.com")

	// Every operation of a deleted organization is OrganizationStateException.
	if _, err := c.DeleteOrganization(ctx, &workmail.DeleteOrganizationInput{OrganizationId: &org}); err != nil {
		t.Fatal(err)
	}
	for name, call := range map[string]func() error{
		"CreateGroup": func() error {
			_, err := c.CreateGroup(ctx, &workmail.CreateGroupInput{OrganizationId: &org, Name: aws.String("late")})
			return err
		},
		"DescribeGroup": func() error {
			_, err := c.DescribeGroup(ctx, &workmail.DescribeGroupInput{OrganizationId: &org, GroupId: &grp})
			return err
		},
		"ListGroups": func() error { _, err := c.ListGroups(ctx, &workmail.ListGroupsInput{OrganizationId: &org}); return err },
		"UpdateGroup": func() error {
			_, err := c.UpdateGroup(ctx, &workmail.UpdateGroupInput{OrganizationId: &org, GroupId: &grp})
			return err
		},
		"DeleteGroup": func() error {
			_, err := c.DeleteGroup(ctx, &workmail.DeleteGroupInput{OrganizationId: &org, GroupId: &grp})
			return err
		},
		"AssociateMemberToGroup":      func() error { return assoc(grp, user) },
		"DisassociateMemberFromGroup": func() error { return disassoc(grp, user) },
		"ListGroupMembers": func() error {
			_, err := c.ListGroupMembers(ctx, &workmail.ListGroupMembersInput{OrganizationId: &org, GroupId: &grp})
			return err
		},
		"ListGroupsForEntity": func() error {
			_, err := c.ListGroupsForEntity(ctx, &workmail.ListGroupsForEntityInput{OrganizationId: &org, EntityId: &user})
			return err
		},
		"RegisterToWorkMail":     func() error { return reg(grp, "grp@gerr.awsapps.com") },
		"DeregisterFromWorkMail": func() error { return dereg(enabled) },
		"DescribeEntity": func() error {
			_, err := c.DescribeEntity(ctx, &workmail.DescribeEntityInput{OrganizationId: &org, Email: aws.String("usr@gerr.awsapps.com")})
			return err
		},
	} {
		t.Run(name, func(t *testing.T) { wantAPIError(t, call(), "OrganizationStateException", "Deleted") })
	}
}

// Members are users and groups, shown with their type and state; the
// lists are direct; deleting a member or a group drops its memberships.
func TestGroupMembers(t *testing.T) {
	clock := &fakeClock{now: time.Date(2026, 11, 26, 12, 0, 0, 0, time.UTC)}
	ts := startServer(t, server.Options{Now: clock.Now})
	c, ctx := ts.defaultClient(), context.Background()
	org := createOrg(t, c, "gmem")
	eng, all := createGroup(t, c, org, "eng"), createGroup(t, c, org, "all")
	ann, ben := createUser(t, c, org, "ann", ""), createUser(t, c, org, "ben", "")
	register(t, c, org, ann, "ann@gmem.awsapps.com")
	associate(t, c, org, "eng", "ann@gmem.awsapps.com")
	associate(t, c, org, eng, "ben")
	associate(t, c, org, all, eng)

	members := listMembers(t, c, &workmail.ListGroupMembersInput{OrganizationId: &org, GroupId: &eng})
	slices.SortFunc(members, func(a, b types.Member) int { return strings.Compare(aws.ToString(a.Name), aws.ToString(b.Name)) })
	if len(members) != 2 ||
		aws.ToString(members[0].Id) != ann || aws.ToString(members[0].Name) != "ann" || members[0].Type != types.MemberTypeUser ||
		members[0].State != types.EntityStateEnabled || !aws.ToTime(members[0].EnabledDate).Equal(clock.Now()) ||
		aws.ToString(members[1].Id) != ben || members[1].State != types.EntityStateDisabled || members[1].EnabledDate != nil {
		t.Fatalf("members of eng: %+v", members)
	}
	if m := listMembers(t, c, &workmail.ListGroupMembersInput{OrganizationId: &org, GroupId: &all}); len(m) != 1 ||
		aws.ToString(m[0].Id) != eng || aws.ToString(m[0].Name) != "eng" || m[0].Type != types.MemberTypeGroup || m[0].State != types.EntityStateDisabled {
		t.Fatalf("members of all: %+v", m)
	}
	// Direct memberships only: ann is in eng, not (directly) in all.
	if g := listGroupsFor(t, c, workmail.ListGroupsForEntityInput{OrganizationId: &org, EntityId: aws.String("ann")}); len(g) != 1 ||
		aws.ToString(g[0].GroupId) != eng || aws.ToString(g[0].GroupName) != "eng" {
		t.Fatalf("groups of ann: %+v", g)
	}
	if g := listGroupsFor(t, c, workmail.ListGroupsForEntityInput{OrganizationId: &org, EntityId: &eng}); len(g) != 1 || aws.ToString(g[0].GroupId) != all {
		t.Fatalf("groups of eng: %+v", g)
	}

	// Deleting ben takes him out of eng.
	if _, err := c.DeleteUser(ctx, &workmail.DeleteUserInput{OrganizationId: &org, UserId: &ben}); err != nil {
		t.Fatal(err)
	}
	if m := listMembers(t, c, &workmail.ListGroupMembersInput{OrganizationId: &org, GroupId: &eng}); len(m) != 1 || aws.ToString(m[0].Id) != ann {
		t.Fatalf("members of eng after deleting ben: %+v", m)
	}
	// Deleting eng takes it out of all, and ann out of it.
	if _, err := c.DeleteGroup(ctx, &workmail.DeleteGroupInput{OrganizationId: &org, GroupId: &eng}); err != nil {
		t.Fatal(err)
	}
	if m := listMembers(t, c, &workmail.ListGroupMembersInput{OrganizationId: &org, GroupId: &all}); len(m) != 0 {
		t.Fatalf("members of all after deleting eng: %+v", m)
	}
	if g := listGroupsFor(t, c, workmail.ListGroupsForEntityInput{OrganizationId: &org, EntityId: &ann}); len(g) != 0 {
		t.Fatalf("groups of ann after deleting eng: %+v", g)
	}
}

// DescribeEntity finds users and groups by address, without regard to
// case; a deleted one no longer holds its address.
func TestDescribeEntity(t *testing.T) {
	ts := startServer(t, server.Options{})
	c, ctx := ts.defaultClient(), context.Background()
	org := createOrg(t, c, "dent")
	u, g := createUser(t, c, org, "ann", ""), createGroup(t, c, org, "team")
	register(t, c, org, u, "ann@dent.awsapps.com")
	register(t, c, org, g, "team@dent.awsapps.com")
	for email, want := range map[string][3]string{
		"Ann@Dent.awsapps.com":  {u, "ann", "USER"},
		"team@dent.awsapps.com": {g, "team", "GROUP"},
	} {
		out, err := c.DescribeEntity(ctx, &workmail.DescribeEntityInput{OrganizationId: &org, Email: &email})
		if err != nil {
			t.Fatal(err)
		}
		if got := [3]string{aws.ToString(out.EntityId), aws.ToString(out.Name), string(out.Type)}; got != want {
			t.Errorf("DescribeEntity %s: %v, want %v", email, got, want)
		}
	}
	if _, err := c.DeregisterFromWorkMail(ctx, &workmail.DeregisterFromWorkMailInput{OrganizationId: &org, EntityId: &g}); err != nil {
		t.Fatal(err)
	}
	if out, err := c.DescribeEntity(ctx, &workmail.DescribeEntityInput{OrganizationId: &org, Email: aws.String("team@dent.awsapps.com")}); err != nil || aws.ToString(out.EntityId) != g {
		t.Fatalf("a deregistered group keeps its address: %+v %v", out, err)
	}
	if _, err := c.DeleteGroup(ctx, &workmail.DeleteGroupInput{OrganizationId: &org, GroupId: &g}); err != nil {
		t.Fatal(err)
	}
	_, err := c.DescribeEntity(ctx, &workmail.DescribeEntityInput{OrganizationId: &org, Email: aws.String("team@dent.awsapps.com")})
	wantAPIError(t, err, "EntityNotFoundException", "team@dent.awsapps.com")
}

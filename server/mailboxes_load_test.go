package server_test

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"math/rand/v2"
	"slices"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/workmail"
	"github.com/aws/aws-sdk-go-v2/service/workmail/types"
)

// loadMailboxes is what a load-test client believes one organization's
// mailboxes hold: the quota set on each user and the grants between them.
type loadMailboxes struct {
	users  []string                             // ENABLED users, by id
	quotas map[string]int32                     // absent: the default
	grants map[[2]string][]types.PermissionType // (mailbox, grantee) -> values, in model order
}

const loadMailboxUsers = 3

// mailboxStep does one mailbox write in the client's first live
// organization that has mailboxes, else sets up mailboxes (creates and
// registers users) in organization id. loadOrg.check reads them back.
func (m *loadModel) mailboxStep(ctx context.Context, rng *rand.Rand, id string) error {
	for _, live := range m.liveOrgs() {
		if m.orgs[live].mbx != nil {
			id = live
			break
		}
	}
	o := m.orgs[id]
	if o.mbx == nil {
		mb := &loadMailboxes{quotas: map[string]int32{}, grants: map[[2]string][]types.PermissionType{}}
		for k := range loadMailboxUsers {
			user, err := loadUser(ctx, m.c, id, fmt.Sprintf("mbx-%d", k))
			if err != nil {
				return err
			}
			email := fmt.Sprintf("mbx-%d@%s.awsapps.com", k, o.alias)
			if _, err := m.c.RegisterToWorkMail(ctx, &workmail.RegisterToWorkMailInput{OrganizationId: &id, EntityId: &user, Email: &email}); err != nil {
				return fmt.Errorf("RegisterToWorkMail %s: %w", email, err)
			}
			mb.users = append(mb.users, user)
		}
		o.mbx = mb
		return nil
	}
	mb := o.mbx
	k := rng.IntN(loadMailboxUsers)
	owner, grantee := mb.users[k], mb.users[(k+1+rng.IntN(loadMailboxUsers-1))%loadMailboxUsers]
	switch n := rng.IntN(8); {
	case n < 2:
		quota := 1 + rng.Int32N(51200)
		if _, err := m.c.UpdateMailboxQuota(ctx, &workmail.UpdateMailboxQuotaInput{OrganizationId: &id, UserId: &owner, MailboxQuota: &quota}); err != nil {
			return fmt.Errorf("UpdateMailboxQuota %s: %w", owner, err)
		}
		mb.quotas[owner] = quota
	case n < 6:
		values := []types.PermissionType{}
		for _, v := range types.PermissionType("").Values() {
			if rng.IntN(2) == 0 {
				values = append(values, v)
			}
		}
		if _, err := m.c.PutMailboxPermissions(ctx, &workmail.PutMailboxPermissionsInput{OrganizationId: &id, EntityId: &owner, GranteeId: &grantee, PermissionValues: values}); err != nil {
			return fmt.Errorf("PutMailboxPermissions %s to %s: %w", owner, grantee, err)
		}
		if len(values) == 0 {
			delete(mb.grants, [2]string{owner, grantee})
		} else {
			mb.grants[[2]string{owner, grantee}] = values
		}
	default:
		if _, err := m.c.DeleteMailboxPermissions(ctx, &workmail.DeleteMailboxPermissionsInput{OrganizationId: &id, EntityId: &owner, GranteeId: &grantee}); err != nil {
			return fmt.Errorf("DeleteMailboxPermissions %s from %s: %w", owner, grantee, err)
		}
		delete(mb.grants, [2]string{owner, grantee})
	}
	return nil
}

// loadUser creates a user. A retried CreateUser (it takes no ClientToken)
// whose first attempt succeeded finds its name taken: the user is the one
// that has it.
func loadUser(ctx context.Context, c *workmail.Client, org, name string) (string, error) {
	out, err := c.CreateUser(ctx, &workmail.CreateUserInput{OrganizationId: &org, Name: &name, DisplayName: &name})
	if err == nil {
		return aws.ToString(out.UserId), nil
	}
	if !isNameTaken(err) {
		return "", fmt.Errorf("CreateUser %s: %w", name, err)
	}
	d, derr := c.DescribeUser(ctx, &workmail.DescribeUserInput{OrganizationId: &org, UserId: &name})
	if derr != nil {
		return "", fmt.Errorf("CreateUser %s: %w; DescribeUser: %v", name, err, derr)
	}
	return aws.ToString(d.UserId), nil
}

// check compares every mailbox's quota and permissions with the model.
func (mb *loadMailboxes) check(ctx context.Context, c *workmail.Client, org string) error {
	for _, user := range mb.users {
		d, err := c.GetMailboxDetails(ctx, &workmail.GetMailboxDetailsInput{OrganizationId: &org, UserId: aws.String(user)})
		want, ok := mb.quotas[user]
		if !ok {
			want = 51200
		}
		if err != nil || aws.ToInt32(d.MailboxQuota) != want || d.MailboxSize != 0 {
			return fmt.Errorf("GetMailboxDetails %s: %+v, %v; want quota %d", user, d, err, want)
		}
		got := map[string]string{}
		p := workmail.NewListMailboxPermissionsPaginator(c, &workmail.ListMailboxPermissionsInput{OrganizationId: &org, EntityId: aws.String(user), MaxResults: aws.Int32(2)})
		for p.HasMorePages() {
			page, err := p.NextPage(ctx)
			if err != nil {
				return fmt.Errorf("ListMailboxPermissions %s: %w", user, err)
			}
			for _, perm := range page.Permissions {
				g := aws.ToString(perm.GranteeId)
				if _, dup := got[g]; dup {
					return fmt.Errorf("ListMailboxPermissions %s lists %s twice", user, g)
				}
				got[g] = fmt.Sprint(perm.GranteeType, perm.PermissionValues)
			}
		}
		wantGrants := map[string]string{}
		for k, v := range mb.grants {
			if k[0] == user {
				wantGrants[k[1]] = fmt.Sprint(types.MemberTypeUser, v)
			}
		}
		if !maps.Equal(got, wantGrants) {
			return fmt.Errorf("mailbox %s of %s has permissions %v, want %v", user, org, got, wantGrants)
		}
	}
	return nil
}

// checkMailboxes is loadOrg.check's part for mailboxes.
func (o *loadOrg) checkMailboxes(ctx context.Context, c *workmail.Client, id string) error {
	if o.mbx == nil {
		return nil
	}
	return o.mbx.check(ctx, c, id)
}

// restartMailboxes are the mailbox writes TestRestartKeepsEverything
// makes before a restart and finds after it.
type restartMailboxes struct {
	org, alice, bob string
}

func writeRestartMailboxes(ctx context.Context, c *workmail.Client, org, alias string) (restartMailboxes, error) {
	r := restartMailboxes{org: org}
	for name, u := range map[string]*string{"alice": &r.alice, "bob": &r.bob} {
		id, err := loadUser(ctx, c, org, name)
		if err != nil {
			return r, err
		}
		if _, err := c.RegisterToWorkMail(ctx, &workmail.RegisterToWorkMailInput{OrganizationId: &org, EntityId: &id, Email: aws.String(name + "@" + alias + ".awsapps.com")}); err != nil {
			return r, err
		}
		*u = id
	}
	if _, err := c.UpdateMailboxQuota(ctx, &workmail.UpdateMailboxQuotaInput{OrganizationId: &org, UserId: &r.alice, MailboxQuota: aws.Int32(1234)}); err != nil {
		return r, err
	}
	_, err := c.PutMailboxPermissions(ctx, &workmail.PutMailboxPermissionsInput{OrganizationId: &org, EntityId: &r.alice, GranteeId: &r.bob,
		PermissionValues: []types.PermissionType{types.PermissionTypeSendAs, types.PermissionTypeFullAccess}})
	return r, err
}

func (r restartMailboxes) check(ctx context.Context, c *workmail.Client) error {
	d, err := c.GetMailboxDetails(ctx, &workmail.GetMailboxDetailsInput{OrganizationId: &r.org, UserId: &r.alice})
	if err != nil || aws.ToInt32(d.MailboxQuota) != 1234 {
		return fmt.Errorf("quota across restart: %+v, %v", d, err)
	}
	l, err := c.ListMailboxPermissions(ctx, &workmail.ListMailboxPermissionsInput{OrganizationId: &r.org, EntityId: &r.alice})
	if err != nil || len(l.Permissions) != 1 || aws.ToString(l.Permissions[0].GranteeId) != r.bob ||
		!slices.Equal(l.Permissions[0].PermissionValues, []types.PermissionType{types.PermissionTypeFullAccess, types.PermissionTypeSendAs}) {
		return fmt.Errorf("permissions across restart: %+v, %v", l, err)
	}
	// The grantee side survives too: deleting bob removes the grant.
	if _, err := c.DeleteUser(ctx, &workmail.DeleteUserInput{OrganizationId: &r.org, UserId: &r.bob}); err == nil {
		return errors.New("DeleteUser of an ENABLED user succeeded")
	}
	if _, err := c.DeregisterFromWorkMail(ctx, &workmail.DeregisterFromWorkMailInput{OrganizationId: &r.org, EntityId: &r.bob}); err != nil {
		return err
	}
	if _, err := c.DeleteUser(ctx, &workmail.DeleteUserInput{OrganizationId: &r.org, UserId: &r.bob}); err != nil {
		return err
	}
	l, err = c.ListMailboxPermissions(ctx, &workmail.ListMailboxPermissionsInput{OrganizationId: &r.org, EntityId: &r.alice})
	if err != nil || len(l.Permissions) != 0 {
		return fmt.Errorf("after deleting the grantee: %+v, %v", l, err)
	}
	return nil
}

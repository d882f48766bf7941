package server_test

import (
	"context"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/workmail"
	"github.com/aws/aws-sdk-go-v2/service/workmail/types"

	"github.com/workmaild/workmaild/server"
)

func createResource(t *testing.T, c *workmail.Client, org, name string, typ types.ResourceType) string {
	t.Helper()
	out, err := c.CreateResource(context.Background(), &workmail.CreateResourceInput{OrganizationId: &org, Name: &name, Type: typ})
	if err != nil {
		t.Fatalf("CreateResource %s: %v", name, err)
	}
	return aws.ToString(out.ResourceId)
}

func describeResource(t *testing.T, c *workmail.Client, org, ident string) *workmail.DescribeResourceOutput {
	t.Helper()
	out, err := c.DescribeResource(context.Background(), &workmail.DescribeResourceInput{OrganizationId: &org, ResourceId: &ident})
	if err != nil {
		t.Fatalf("DescribeResource %s: %v", ident, err)
	}
	return out
}

// waitResourceState polls DescribeResource as Terraform does until the
// resource is in state (here at once: workmaild answers immediately).
func waitResourceState(t *testing.T, c *workmail.Client, org, id string, state types.EntityState) {
	t.Helper()
	for range 10 {
		if describeResource(t, c, org, id).State == state {
			return
		}
		time.Sleep(10 * time.Millisecond)
	}
	t.Fatalf("resource %s never became %s", id, state)
}

// deletedOrg is an organization that has been deleted: every operation
// answers OrganizationStateException for it.
func deletedOrg(t *testing.T, c *workmail.Client, alias string) string {
	t.Helper()
	org := createOrg(t, c, alias)
	if _, err := c.DeleteOrganization(context.Background(), &workmail.DeleteOrganizationInput{OrganizationId: &org, DeleteDirectory: true}); err != nil {
		t.Fatal(err)
	}
	return org
}

// The sequence a provisioning tool runs: create, register, wait for
// ENABLED; deregister, wait for DISABLED, delete, wait for DELETED; then,
// after the retention, gone.
func TestResourceLifecycle(t *testing.T) {
	clock := &fakeClock{now: time.Date(2026, 11, 26, 12, 0, 0, 0, time.UTC)}
	ts := startServer(t, server.Options{Now: clock.Now})
	c, ctx := ts.defaultClient(), context.Background()
	org := createOrg(t, c, "rooms")

	out, err := c.CreateResource(ctx, &workmail.CreateResourceInput{OrganizationId: &org, Name: aws.String("board-room"), Type: types.ResourceTypeRoom,
		Description: aws.String("Fourth floor, 12 seats"), HiddenFromGlobalAddressList: true})
	if err != nil {
		t.Fatal(err)
	}
	id := aws.ToString(out.ResourceId)
	mustMatch(t, `^r-[0-9a-f]{32}$`, id)
	d := describeResource(t, c, org, "Board-Room")
	if aws.ToString(d.ResourceId) != id || aws.ToString(d.Name) != "board-room" || d.Type != types.ResourceTypeRoom ||
		aws.ToString(d.Description) != "Fourth floor, 12 seats" || !d.HiddenFromGlobalAddressList ||
		d.State != types.EntityStateDisabled || d.Email != nil || d.EnabledDate != nil || d.DisabledDate != nil ||
		d.BookingOptions == nil || *d.BookingOptions != (types.BookingOptions{AutoAcceptRequests: true, AutoDeclineConflictingRequests: true}) {
		t.Fatalf("new resource described as %+v", d)
	}
	// The wire form of the defaults: every option is sent, false ones too.
	r := ts.raw("DescribeResource", `{"OrganizationId":"`+org+`","ResourceId":"`+id+`"}`, nil)
	if b, ok := r.Body["BookingOptions"].(map[string]any); !ok || len(b) != 3 || b["AutoDeclineRecurringRequests"] != false {
		t.Fatalf("BookingOptions on the wire: %s", r.Raw)
	}

	clock.Advance(time.Minute)
	register(t, c, org, id, "Board-Room@rooms.awsapps.com")
	waitResourceState(t, c, org, id, types.EntityStateEnabled)
	register(t, c, org, "board-room", "board-room@rooms.awsapps.com") // same email: no change
	d = describeResource(t, c, org, "board-room@ROOMS.awsapps.com")
	if aws.ToString(d.Email) != "Board-Room@rooms.awsapps.com" || !aws.ToTime(d.EnabledDate).Equal(clock.Now()) || d.DisabledDate != nil {
		t.Fatalf("registered resource described as %+v", d)
	}
	listed, err := c.ListResources(ctx, &workmail.ListResourcesInput{OrganizationId: &org})
	if err != nil {
		t.Fatal(err)
	}
	if len(listed.Resources) != 1 || aws.ToString(listed.Resources[0].Id) != id || aws.ToString(listed.Resources[0].Email) != "Board-Room@rooms.awsapps.com" ||
		aws.ToString(listed.Resources[0].Name) != "board-room" || listed.Resources[0].Type != types.ResourceTypeRoom ||
		listed.Resources[0].State != types.EntityStateEnabled || aws.ToString(listed.Resources[0].Description) != "Fourth floor, 12 seats" ||
		!aws.ToTime(listed.Resources[0].EnabledDate).Equal(clock.Now()) {
		t.Fatalf("listed as %+v", listed.Resources)
	}

	// UpdateResource replaces what it is given and keeps the rest.
	if _, err := c.UpdateResource(ctx, &workmail.UpdateResourceInput{OrganizationId: &org, ResourceId: &id, Type: types.ResourceTypeEquipment,
		Description: aws.String("Projector"), BookingOptions: &types.BookingOptions{AutoAcceptRequests: true, AutoDeclineRecurringRequests: true}}); err != nil {
		t.Fatal(err)
	}
	d = describeResource(t, c, org, id)
	if d.Type != types.ResourceTypeEquipment || aws.ToString(d.Description) != "Projector" || !d.HiddenFromGlobalAddressList ||
		aws.ToString(d.Name) != "board-room" || *d.BookingOptions != (types.BookingOptions{AutoAcceptRequests: true, AutoDeclineRecurringRequests: true}) {
		t.Fatalf("updated resource described as %+v %+v", d, d.BookingOptions)
	}
	if _, err := c.UpdateResource(ctx, &workmail.UpdateResourceInput{OrganizationId: &org, ResourceId: &id, Name: aws.String("projector"),
		HiddenFromGlobalAddressList: aws.Bool(false), Description: aws.String("")}); err != nil {
		t.Fatal(err)
	}
	d = describeResource(t, c, org, "projector")
	if d.HiddenFromGlobalAddressList || d.Description != nil || aws.ToString(d.ResourceId) != id {
		t.Fatalf("updated resource described as %+v", d)
	}

	clock.Advance(time.Minute)
	if _, err := c.DeregisterFromWorkMail(ctx, &workmail.DeregisterFromWorkMailInput{OrganizationId: &org, EntityId: &id}); err != nil {
		t.Fatal(err)
	}
	waitResourceState(t, c, org, id, types.EntityStateDisabled)
	d = describeResource(t, c, org, id)
	if !aws.ToTime(d.DisabledDate).Equal(clock.Now()) || aws.ToString(d.Email) != "Board-Room@rooms.awsapps.com" {
		t.Fatalf("deregistered resource described as %+v", d)
	}
	if _, err := c.DeleteResource(ctx, &workmail.DeleteResourceInput{OrganizationId: &org, ResourceId: aws.String("projector")}); err != nil {
		t.Fatal(err)
	}
	waitResourceState(t, c, org, id, types.EntityStateDeleted)
	if _, err := c.DeleteResource(ctx, &workmail.DeleteResourceInput{OrganizationId: &org, ResourceId: &id}); err != nil {
		t.Fatalf("deleting again: %v", err)
	}
	// Its name and address are free at once.
	again := createResource(t, c, org, "projector", types.ResourceTypeEquipment)
	register(t, c, org, again, "board-room@rooms.awsapps.com")

	clock.Advance(30 * 24 * time.Hour)
	_, err = c.DescribeResource(ctx, &workmail.DescribeResourceInput{OrganizationId: &org, ResourceId: &id})
	wantAPIError(t, err, "EntityNotFoundException", id)
	if err := ts.srv.Purge(ctx); err != nil {
		t.Fatal(err)
	}
	listed, err = c.ListResources(ctx, &workmail.ListResourcesInput{OrganizationId: &org})
	if err != nil || len(listed.Resources) != 1 || aws.ToString(listed.Resources[0].Id) != again {
		t.Fatalf("after the purge: %+v %v", listed, err)
	}
}

// Delegates: users are associated by id, name or email, listed with their
// type, disassociated, and dropped when deleted; booking options without
// auto-accept need one.
func TestResourceDelegates(t *testing.T) {
	ts := startServer(t, server.Options{})
	c, ctx := ts.defaultClient(), context.Background()
	org := createOrg(t, c, "delegates")
	room := createResource(t, c, org, "room", types.ResourceTypeRoom)
	alice := createUser(t, c, org, "alice", "")
	bob := createUser(t, c, org, "bob", "")
	register(t, c, org, bob, "bob@delegates.awsapps.com")

	manual := &workmail.UpdateResourceInput{OrganizationId: &org, ResourceId: &room, BookingOptions: &types.BookingOptions{AutoDeclineConflictingRequests: true}}
	_, err := c.UpdateResource(ctx, manual)
	wantAPIError(t, err, "InvalidConfigurationException", room, "delegate")

	for _, ident := range []string{alice, "BOB@delegates.awsapps.com", "alice"} {
		if _, err := c.AssociateDelegateToResource(ctx, &workmail.AssociateDelegateToResourceInput{OrganizationId: &org, ResourceId: aws.String("room"), EntityId: &ident}); err != nil {
			t.Fatalf("associate %s: %v", ident, err)
		}
	}
	got := map[string]types.MemberType{}
	out, err := c.ListResourceDelegates(ctx, &workmail.ListResourceDelegatesInput{OrganizationId: &org, ResourceId: &room})
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range out.Delegates {
		got[aws.ToString(d.Id)] = d.Type
	}
	if len(out.Delegates) != 2 || got[alice] != types.MemberTypeUser || got[bob] != types.MemberTypeUser || out.NextToken != nil {
		t.Fatalf("delegates %+v", out.Delegates)
	}
	if _, err := c.UpdateResource(ctx, manual); err != nil {
		t.Fatal(err)
	}
	if b := describeResource(t, c, org, room).BookingOptions; *b != (types.BookingOptions{AutoDeclineConflictingRequests: true}) {
		t.Fatalf("booking options %+v", b)
	}

	if _, err := c.DisassociateDelegateFromResource(ctx, &workmail.DisassociateDelegateFromResourceInput{OrganizationId: &org, ResourceId: &room, EntityId: aws.String("bob")}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.DisassociateDelegateFromResource(ctx, &workmail.DisassociateDelegateFromResourceInput{OrganizationId: &org, ResourceId: &room, EntityId: aws.String("bob")}); err != nil {
		t.Fatalf("not a delegate: %v", err)
	}
	if _, err := c.DeleteUser(ctx, &workmail.DeleteUserInput{OrganizationId: &org, UserId: &alice}); err != nil {
		t.Fatal(err)
	}
	out, err = c.ListResourceDelegates(ctx, &workmail.ListResourceDelegatesInput{OrganizationId: &org, ResourceId: &room})
	if err != nil || len(out.Delegates) != 0 {
		t.Fatalf("delegates after deleting alice: %+v %v", out, err)
	}
	r := ts.raw("ListResourceDelegates", `{"OrganizationId":"`+org+`","ResourceId":"`+room+`"}`, nil)
	if string(r.Raw) != `{"Delegates":[]}` {
		t.Fatalf("no delegates on the wire: %s", r.Raw)
	}
}

// Every error situation the model declares for the resource operations
// and that workmaild can meet.
func TestResourceErrors(t *testing.T) {
	ts := startServer(t, server.Options{})
	c, ctx := ts.defaultClient(), context.Background()
	org := createOrg(t, c, "errs")
	gone := deletedOrg(t, c, "errs-gone")
	interop, err := c.CreateOrganization(ctx, &workmail.CreateOrganizationInput{Alias: aws.String("errs-interop"), EnableInteroperability: true})
	if err != nil {
		t.Fatal(err)
	}
	room := createResource(t, c, org, "room", types.ResourceTypeRoom)
	hall := createResource(t, c, org, "hall", types.ResourceTypeRoom)
	register(t, c, org, hall, "hall@errs.awsapps.com")
	ann := createUser(t, c, org, "ann", "")
	register(t, c, org, ann, "ann@errs.awsapps.com")
	deleted := createResource(t, c, org, "deleted", types.ResourceTypeRoom)
	if _, err := c.DeleteResource(ctx, &workmail.DeleteResourceInput{OrganizationId: &org, ResourceId: &deleted}); err != nil {
		t.Fatal(err)
	}
	exUser := createUser(t, c, org, "ex-user", "")
	if _, err := c.DeleteUser(ctx, &workmail.DeleteUserInput{OrganizationId: &org, UserId: &exUser}); err != nil {
		t.Fatal(err)
	}
	const unknownResource = "r-0000000000000000000000000000dead"

	type call func(org, resource, entity string) error
	calls := map[string]call{
		"CreateResource": func(org, res, _ string) error {
			_, err := c.CreateResource(ctx, &workmail.CreateResourceInput{OrganizationId: &org, Name: &res, Type: types.ResourceTypeRoom})
			return err
		},
		"DescribeResource": func(org, res, _ string) error {
			_, err := c.DescribeResource(ctx, &workmail.DescribeResourceInput{OrganizationId: &org, ResourceId: &res})
			return err
		},
		"UpdateResource": func(org, res, name string) error {
			in := &workmail.UpdateResourceInput{OrganizationId: &org, ResourceId: &res}
			if name != "" {
				in.Name = &name
			}
			_, err := c.UpdateResource(ctx, in)
			return err
		},
		"DeleteResource": func(org, res, _ string) error {
			_, err := c.DeleteResource(ctx, &workmail.DeleteResourceInput{OrganizationId: &org, ResourceId: &res})
			return err
		},
		"ListResources": func(org, _, _ string) error {
			_, err := c.ListResources(ctx, &workmail.ListResourcesInput{OrganizationId: &org})
			return err
		},
		"AssociateDelegateToResource": func(org, res, entity string) error {
			_, err := c.AssociateDelegateToResource(ctx, &workmail.AssociateDelegateToResourceInput{OrganizationId: &org, ResourceId: &res, EntityId: &entity})
			return err
		},
		"DisassociateDelegateFromResource": func(org, res, entity string) error {
			_, err := c.DisassociateDelegateFromResource(ctx, &workmail.DisassociateDelegateFromResourceInput{OrganizationId: &org, ResourceId: &res, EntityId: &entity})
			return err
		},
		"ListResourceDelegates": func(org, res, _ string) error {
			_, err := c.ListResourceDelegates(ctx, &workmail.ListResourceDelegatesInput{OrganizationId: &org, ResourceId: &res})
			return err
		},
		"RegisterToWorkMail": func(org, res, email string) error {
			_, err := c.RegisterToWorkMail(ctx, &workmail.RegisterToWorkMailInput{OrganizationId: &org, EntityId: &res, Email: &email})
			return err
		},
		"DeregisterFromWorkMail": func(org, res, _ string) error {
			_, err := c.DeregisterFromWorkMail(ctx, &workmail.DeregisterFromWorkMailInput{OrganizationId: &org, EntityId: &res})
			return err
		},
	}
	for _, tc := range []struct {
		op, org, resource, entity string
		code                      string
		fragments                 []string
	}{
		// Every operation: an unknown organization, one that is not Active.
		{"CreateResource", unknownOrg, "x", "", "OrganizationNotFoundException", nil},
		{"CreateResource", gone, "x", "", "OrganizationStateException", []string{"Deleted"}},
		{"DescribeResource", unknownOrg, room, "", "OrganizationNotFoundException", nil},
		{"DescribeResource", gone, room, "", "OrganizationStateException", nil},
		{"UpdateResource", unknownOrg, room, "", "OrganizationNotFoundException", nil},
		{"UpdateResource", gone, room, "", "OrganizationStateException", nil},
		{"DeleteResource", unknownOrg, room, "", "OrganizationNotFoundException", nil},
		{"DeleteResource", gone, room, "", "OrganizationStateException", nil},
		{"ListResources", unknownOrg, "", "", "OrganizationNotFoundException", nil},
		{"ListResources", gone, "", "", "OrganizationStateException", nil},
		{"AssociateDelegateToResource", unknownOrg, room, ann, "OrganizationNotFoundException", nil},
		{"AssociateDelegateToResource", gone, room, ann, "OrganizationStateException", nil},
		{"DisassociateDelegateFromResource", unknownOrg, room, ann, "OrganizationNotFoundException", nil},
		{"DisassociateDelegateFromResource", gone, room, ann, "OrganizationStateException", nil},
		{"ListResourceDelegates", unknownOrg, room, "", "OrganizationNotFoundException", nil},
		{"ListResourceDelegates", gone, room, "", "OrganizationStateException", nil},

		{"CreateResource", org, "ROOM", "", "NameAvailabilityException", []string{"ROOM"}},
		{"CreateResource", org, "ann", "", "NameAvailabilityException", nil},
		{"CreateResource", org, "much-too-long-a-name-for-a-room", "", "InvalidParameterException", []string{"length"}},
		{"CreateResource", org, "no spaces", "", "InvalidParameterException", []string{"pattern"}},
		{"CreateResource", aws.ToString(interop.OrganizationId), "room", "", "UnsupportedOperationException", []string{"interoperability"}},

		{"DescribeResource", org, unknownResource, "", "EntityNotFoundException", []string{unknownResource}},
		{"DescribeResource", org, "ann", "", "EntityNotFoundException", nil},
		{"DescribeResource", org, "bad id!", "", "InvalidParameterException", []string{"pattern"}},

		{"UpdateResource", org, unknownResource, "", "EntityNotFoundException", nil},
		{"UpdateResource", org, deleted, "", "EntityStateException", []string{"deleted"}},
		{"UpdateResource", org, room, "HALL", "NameAvailabilityException", nil},
		{"UpdateResource", org, room, "room@example.com", "MailDomainNotFoundException", []string{"example.com"}},
		{"UpdateResource", org, hall, "ann@errs.awsapps.com", "EmailAddressInUseException", []string{"ann@errs.awsapps.com"}},
		{"UpdateResource", org, room, "a room", "InvalidParameterException", []string{"pattern"}},

		{"DeleteResource", org, hall, "", "EntityStateException", []string{"ENABLED"}},
		{"DeleteResource", org, "", "", "InvalidParameterException", nil},

		{"AssociateDelegateToResource", org, unknownResource, ann, "EntityNotFoundException", nil},
		{"AssociateDelegateToResource", org, room, "nobody", "EntityNotFoundException", []string{"nobody"}},
		{"AssociateDelegateToResource", org, deleted, ann, "EntityStateException", nil},
		{"AssociateDelegateToResource", org, room, exUser, "EntityStateException", nil},
		{"AssociateDelegateToResource", org, room, hall, "InvalidParameterException", []string{"resource"}},
		{"DisassociateDelegateFromResource", org, unknownResource, ann, "EntityNotFoundException", nil},
		{"DisassociateDelegateFromResource", org, room, "nobody", "EntityNotFoundException", nil},
		{"DisassociateDelegateFromResource", org, deleted, ann, "EntityStateException", nil},
		{"DisassociateDelegateFromResource", org, room, exUser, "EntityStateException", nil},
		{"DisassociateDelegateFromResource", org, room, "x y", "InvalidParameterException", nil},
		{"ListResourceDelegates", org, unknownResource, "", "EntityNotFoundException", nil},
		{"ListResourceDelegates", org, deleted, "", "EntityStateException", nil},
		{"ListResourceDelegates", org, "", "", "InvalidParameterException", nil},

		{"RegisterToWorkMail", org, room, "room@example.com", "MailDomainNotFoundException", []string{"example.com"}},
		{"RegisterToWorkMail", org, room, "ANN@errs.awsapps.com", "EmailAddressInUseException", nil},
		{"RegisterToWorkMail", org, hall, "other@errs.awsapps.com", "EntityAlreadyRegisteredException", []string{"hall@errs.awsapps.com"}},
		{"RegisterToWorkMail", org, deleted, "deleted@errs.awsapps.com", "EntityStateException", nil},
		{"RegisterToWorkMail", org, unknownResource, "x@errs.awsapps.com", "EntityNotFoundException", nil},
		{"RegisterToWorkMail", org, room, "not-an-address", "InvalidParameterException", nil},
		{"DeregisterFromWorkMail", org, room, "", "EntityStateException", []string{"DISABLED"}},
		{"DeregisterFromWorkMail", org, deleted, "", "EntityStateException", nil},
		{"DeregisterFromWorkMail", org, unknownResource, "", "EntityNotFoundException", nil},
	} {
		t.Run(tc.op+" "+tc.code, func(t *testing.T) {
			err := calls[tc.op](tc.org, tc.resource, tc.entity)
			wantAPIError(t, err, tc.code, tc.fragments...)
		})
	}

	// Nothing the failed requests touched changed.
	d := describeResource(t, c, org, room)
	if d.State != types.EntityStateDisabled || d.Email != nil || aws.ToString(d.Name) != "room" {
		t.Fatalf("failed requests changed the resource: %+v", d)
	}
	out, err := c.ListResourceDelegates(ctx, &workmail.ListResourceDelegatesInput{OrganizationId: &org, ResourceId: &room})
	if err != nil || len(out.Delegates) != 0 {
		t.Fatalf("failed requests left delegates: %+v %v", out, err)
	}
}

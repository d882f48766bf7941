package clients_test

import (
	"context"
	"fmt"
	"regexp"
	"slices"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/workmail"
	"github.com/aws/aws-sdk-go-v2/service/workmail/types"
)

// goResources is the room-booking set-up an administrator scripts: rooms
// and equipment, their addresses, a delegate who answers requests when
// auto-accept is off, the lists, and the tear-down Terraform runs.
func goResources(t *testing.T, c *workmail.Client) {
	ctx := context.Background()
	org := goCreateOrg(t, c, "go-rooms")
	created, err := c.CreateResource(ctx, &workmail.CreateResourceInput{OrganizationId: &org, Name: aws.String("board-room"),
		Type: types.ResourceTypeRoom, Description: aws.String("12 seats")})
	if err != nil {
		t.Fatal(err)
	}
	room := aws.ToString(created.ResourceId)
	if !regexp.MustCompile(`^r-[0-9a-f]{32}$`).MatchString(room) {
		t.Errorf("ResourceId %q", room)
	}
	d, err := c.DescribeResource(ctx, &workmail.DescribeResourceInput{OrganizationId: &org, ResourceId: &room})
	if err != nil {
		t.Fatal(err)
	}
	if got := fmt.Sprint(aws.ToString(d.Name), d.Type, d.State, aws.ToString(d.Description), d.Email, *d.BookingOptions); got !=
		fmt.Sprint("board-room", "ROOM", "DISABLED", "12 seats", (*string)(nil), types.BookingOptions{AutoAcceptRequests: true, AutoDeclineConflictingRequests: true}) {
		t.Errorf("DescribeResource: %s", got)
	}
	var equipment []string
	for i := range 5 {
		out, err := c.CreateResource(ctx, &workmail.CreateResourceInput{OrganizationId: &org, Name: aws.String(fmt.Sprintf("projector-%d", i)), Type: types.ResourceTypeEquipment})
		if err != nil {
			t.Fatal(err)
		}
		equipment = append(equipment, aws.ToString(out.ResourceId))
	}
	if _, err := c.RegisterToWorkMail(ctx, &workmail.RegisterToWorkMailInput{OrganizationId: &org, EntityId: &room, Email: aws.String("board-room@go-rooms.awsapps.com")}); err != nil {
		t.Fatal(err)
	}

	// Turning auto-accept off needs a delegate.
	manual := &workmail.UpdateResourceInput{OrganizationId: &org, ResourceId: &room, BookingOptions: &types.BookingOptions{AutoDeclineConflictingRequests: true}}
	_, err = c.UpdateResource(ctx, manual)
	wantError[*types.InvalidConfigurationException](t, err, "Resource "+room+" must either accept requests automatically or have a delegate to answer them: associate a delegate before turning AutoAcceptRequests off.")
	user, err := c.CreateUser(ctx, &workmail.CreateUserInput{OrganizationId: &org, Name: aws.String("reception"), DisplayName: aws.String("Reception")})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.AssociateDelegateToResource(ctx, &workmail.AssociateDelegateToResourceInput{OrganizationId: &org, ResourceId: &room, EntityId: aws.String("reception")}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.UpdateResource(ctx, manual); err != nil {
		t.Fatal(err)
	}
	delegates, err := c.ListResourceDelegates(ctx, &workmail.ListResourceDelegatesInput{OrganizationId: &org, ResourceId: &room})
	if err != nil || len(delegates.Delegates) != 1 || aws.ToString(delegates.Delegates[0].Id) != aws.ToString(user.UserId) || delegates.Delegates[0].Type != types.MemberTypeUser {
		t.Errorf("ListResourceDelegates: %+v, %v", delegates, err)
	}

	// The paginator, and the filters.
	var listed []string
	p := workmail.NewListResourcesPaginator(c, &workmail.ListResourcesInput{OrganizationId: &org, MaxResults: aws.Int32(2)})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range page.Resources {
			listed = append(listed, aws.ToString(r.Id))
		}
	}
	if want := slices.Sorted(slices.Values(append([]string{room}, equipment...))); !slices.Equal(listed, want) {
		t.Errorf("ListResources paginator: %v, want %v", listed, want)
	}
	for _, f := range []*types.ListResourcesFilters{{NamePrefix: aws.String("Board")}, {PrimaryEmailPrefix: aws.String("board-room@")}, {State: types.EntityStateEnabled}} {
		out, err := c.ListResources(ctx, &workmail.ListResourcesInput{OrganizationId: &org, Filters: f})
		if err != nil || len(out.Resources) != 1 || aws.ToString(out.Resources[0].Id) != room {
			t.Errorf("ListResources %+v: %+v, %v", f, out, err)
		}
	}

	// The delegate goes; the booking options stay as they are.
	if _, err := c.DisassociateDelegateFromResource(ctx, &workmail.DisassociateDelegateFromResourceInput{OrganizationId: &org, ResourceId: &room, EntityId: user.UserId}); err != nil {
		t.Fatal(err)
	}
	delegates, err = c.ListResourceDelegates(ctx, &workmail.ListResourceDelegatesInput{OrganizationId: &org, ResourceId: &room})
	if err != nil || len(delegates.Delegates) != 0 {
		t.Errorf("ListResourceDelegates after DisassociateDelegateFromResource: %+v, %v", delegates, err)
	}

	// Tear-down: an ENABLED resource cannot be deleted.
	_, err = c.DeleteResource(ctx, &workmail.DeleteResourceInput{OrganizationId: &org, ResourceId: &room})
	wantError[*types.EntityStateException](t, err, "Resource "+room+" is ENABLED: deregister it from WorkMail before deleting it.")
	if _, err := c.DeregisterFromWorkMail(ctx, &workmail.DeregisterFromWorkMailInput{OrganizationId: &org, EntityId: &room}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.DeleteResource(ctx, &workmail.DeleteResourceInput{OrganizationId: &org, ResourceId: &room}); err != nil {
		t.Fatal(err)
	}
	d, err = c.DescribeResource(ctx, &workmail.DescribeResourceInput{OrganizationId: &org, ResourceId: &room})
	if err != nil || d.State != types.EntityStateDeleted {
		t.Errorf("after delete: %+v, %v", d, err)
	}
	_, err = c.ListResourceDelegates(ctx, &workmail.ListResourceDelegatesInput{OrganizationId: &org, ResourceId: &room})
	wantError[*types.EntityStateException](t, err, "Resource "+room+" is deleted.")
	_, err = c.DescribeResource(ctx, &workmail.DescribeResourceInput{OrganizationId: &org, ResourceId: aws.String("board-room")})
	wantError[*types.EntityNotFoundException](t, err, "Resource board-room does not exist in organization "+org+".")
}

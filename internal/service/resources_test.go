package service

import (
	"fmt"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/workmaild/workmaild/internal/model"
	"github.com/workmaild/workmaild/internal/store"
)

func (f *fixture) resource(org, name string) string {
	f.t.Helper()
	room := model.ResourceTypeRoom
	out, err := f.s.CreateResource(f.ctx, &model.CreateResourceInput{OrganizationId: &org, Name: &name, Type: &room})
	if err != nil {
		f.t.Fatal(err)
	}
	return *out.ResourceId
}

func (f *fixture) describeResource(org, ident string) *model.DescribeResourceOutput {
	f.t.Helper()
	out, err := f.s.DescribeResource(f.ctx, &model.DescribeResourceInput{OrganizationId: &org, ResourceId: &ident})
	if err != nil {
		f.t.Fatalf("DescribeResource %s: %v", ident, err)
	}
	return out
}

func (f *fixture) deleteResource(org, id string) error {
	_, err := f.s.DeleteResource(f.ctx, &model.DeleteResourceInput{OrganizationId: &org, ResourceId: &id})
	return err
}

func (f *fixture) delegate(org, res, entity string) error {
	_, err := f.s.AssociateDelegateToResource(f.ctx, &model.AssociateDelegateToResourceInput{OrganizationId: &org, ResourceId: &res, EntityId: &entity})
	return err
}

func (f *fixture) undelegate(org, res, entity string) error {
	_, err := f.s.DisassociateDelegateFromResource(f.ctx, &model.DisassociateDelegateFromResourceInput{OrganizationId: &org, ResourceId: &res, EntityId: &entity})
	return err
}

func (f *fixture) delegates(org, res string) []string {
	f.t.Helper()
	var got []string
	var token *string
	for {
		out, err := f.s.ListResourceDelegates(f.ctx, &model.ListResourceDelegatesInput{OrganizationId: &org, ResourceId: &res, NextToken: token, MaxResults: ptr[int32](2)})
		if err != nil {
			f.t.Fatal(err)
		}
		for _, d := range out.Delegates {
			got = append(got, string(*d.Type)+" "+*d.Id)
		}
		if token = out.NextToken; token == nil {
			return got
		}
	}
}

// A resource follows the entity states: created DISABLED with WorkMail's
// default booking options, registered ENABLED, deregistered DISABLED
// keeping its email, deleted, then gone after 30 days.
func TestResourceLifecycle(t *testing.T) {
	f := newFixture(t)
	org := f.org("rooms")
	equipment := model.ResourceTypeEquipment
	out, err := f.s.CreateResource(f.ctx, &model.CreateResourceInput{OrganizationId: &org, Name: ptr("projector"), Type: &equipment,
		Description: ptr("the big one"), HiddenFromGlobalAddressList: ptr(true)})
	if err != nil {
		t.Fatal(err)
	}
	id := *out.ResourceId
	if !regexp.MustCompile(`^r-[0-9a-f]{32}$`).MatchString(id) {
		t.Fatalf("resource id %q", id)
	}
	d := f.describeResource(org, "PROJECTOR")
	if *d.ResourceId != id || *d.Name != "projector" || *d.Type != equipment || *d.Description != "the big one" || !*d.HiddenFromGlobalAddressList ||
		*d.State != model.EntityStateDisabled || d.Email != nil || d.EnabledDate != nil || d.DisabledDate != nil ||
		*d.BookingOptions.AutoAcceptRequests != true || *d.BookingOptions.AutoDeclineRecurringRequests != false || *d.BookingOptions.AutoDeclineConflictingRequests != true {
		t.Fatalf("new resource described as %+v %+v", d, d.BookingOptions)
	}

	// One namespace of names with users.
	room := model.ResourceTypeRoom
	_, err = f.s.CreateResource(f.ctx, &model.CreateResourceInput{OrganizationId: &org, Name: ptr("Projector"), Type: &room})
	wantCode(t, err, model.ErrNameAvailability)
	_, err = f.s.CreateUser(f.ctx, &model.CreateUserInput{OrganizationId: &org, Name: ptr("projector"), DisplayName: ptr("x")})
	wantCode(t, err, model.ErrNameAvailability)
	alice := f.user(org, "alice")
	_, err = f.s.CreateResource(f.ctx, &model.CreateResourceInput{OrganizationId: &org, Name: ptr("ALICE"), Type: &room})
	wantCode(t, err, model.ErrNameAvailability)

	// Registering: the mail domain, the address namespace, then enabled.
	wantCode(t, f.register(org, id, "projector@elsewhere.com"), model.ErrMailDomainNotFound)
	if err := f.register(org, alice, "alice@rooms.awsapps.com"); err != nil {
		t.Fatal(err)
	}
	wantCode(t, f.register(org, id, "Alice@rooms.awsapps.com"), model.ErrEmailAddressInUse)
	f.clock.Advance(1)
	if err := f.register(org, "projector", "Projector@rooms.awsapps.com"); err != nil {
		t.Fatal(err)
	}
	enabledAt := f.clock.Now()
	if err := f.register(org, id, "projector@ROOMS.awsapps.com"); err != nil {
		t.Fatalf("same email again: %v", err)
	}
	wantCode(t, f.register(org, id, "beamer@rooms.awsapps.com"), model.ErrEntityAlreadyRegistered)
	d = f.describeResource(org, "projector@rooms.awsapps.com")
	if *d.State != model.EntityStateEnabled || *d.Email != "Projector@rooms.awsapps.com" || !d.EnabledDate.Time.Equal(enabledAt) || d.DisabledDate != nil {
		t.Fatalf("registered resource described as %+v", d)
	}
	// A user cannot take it either, and DescribeUser does not see it.
	bob := f.user(org, "bob")
	wantCode(t, f.register(org, bob, "projector@rooms.awsapps.com"), model.ErrEmailAddressInUse)
	_, err = f.s.DescribeUser(f.ctx, &model.DescribeUserInput{OrganizationId: &org, UserId: ptr("projector")})
	wantCode(t, err, model.ErrEntityNotFound)
	_, err = f.s.DescribeResource(f.ctx, &model.DescribeResourceInput{OrganizationId: &org, ResourceId: ptr("alice")})
	wantCode(t, err, model.ErrEntityNotFound)

	// Delete needs DISABLED.
	wantCode(t, f.deleteResource(org, id), model.ErrEntityState)
	f.clock.Advance(1)
	if err := f.deregister(org, "projector"); err != nil {
		t.Fatal(err)
	}
	wantCode(t, f.deregister(org, id), model.ErrEntityState)
	d = f.describeResource(org, id)
	if *d.State != model.EntityStateDisabled || *d.Email != "Projector@rooms.awsapps.com" || !d.DisabledDate.Time.Equal(f.clock.Now()) || !d.EnabledDate.Time.Equal(enabledAt) {
		t.Fatalf("deregistered resource described as %+v", d)
	}
	// Registering again, with another address, moves it.
	if err := f.register(org, id, "beamer@rooms.awsapps.com"); err != nil {
		t.Fatal(err)
	}
	if d := f.describeResource(org, "beamer@rooms.awsapps.com"); *d.ResourceId != id || d.DisabledDate != nil {
		t.Fatalf("re-registered resource described as %+v", d)
	}
	if err := f.register(org, bob, "projector@rooms.awsapps.com"); err != nil {
		t.Fatalf("the old address is free: %v", err)
	}
	if err := f.deregister(org, id); err != nil {
		t.Fatal(err)
	}
	if err := f.deleteResource(org, "projector"); err != nil {
		t.Fatal(err)
	}
	for _, again := range []string{id, "projector", "nothing"} {
		if err := f.deleteResource(org, again); err != nil {
			t.Fatalf("delete %s again: %v", again, err)
		}
	}
	// Deleted: by id only, DELETED, not changeable; its name and address are free.
	if d := f.describeResource(org, id); *d.State != model.EntityStateDeleted {
		t.Fatalf("deleted resource described as %+v", d)
	}
	_, err = f.s.DescribeResource(f.ctx, &model.DescribeResourceInput{OrganizationId: &org, ResourceId: ptr("projector")})
	wantCode(t, err, model.ErrEntityNotFound)
	wantCode(t, f.register(org, id, "again@rooms.awsapps.com"), model.ErrEntityState)
	wantCode(t, f.deregister(org, id), model.ErrEntityState)
	_, err = f.s.UpdateResource(f.ctx, &model.UpdateResourceInput{OrganizationId: &org, ResourceId: &id, Description: ptr("x")})
	wantCode(t, err, model.ErrEntityState)
	again := f.resource(org, "projector")
	if err := f.register(org, again, "beamer@rooms.awsapps.com"); err != nil {
		t.Fatalf("the deleted resource's address is free: %v", err)
	}

	f.clock.Advance(DeletedResourceRetention)
	_, err = f.s.DescribeResource(f.ctx, &model.DescribeResourceInput{OrganizationId: &org, ResourceId: &id})
	wantCode(t, err, model.ErrEntityNotFound)
	wantCode(t, f.register(org, id, "x@rooms.awsapps.com"), model.ErrEntityNotFound)
	if err := f.deleteResource(org, id); err != nil {
		t.Fatal(err)
	}
}

// Interoperability mode refuses creating and enabling resources.
func TestResourceInteroperability(t *testing.T) {
	f := newFixture(t)
	out, err := f.s.CreateOrganization(f.ctx, &model.CreateOrganizationInput{Alias: ptr("interop"), EnableInteroperability: ptr(true)})
	if err != nil {
		t.Fatal(err)
	}
	org := *out.OrganizationId
	room := model.ResourceTypeRoom
	_, err = f.s.CreateResource(f.ctx, &model.CreateResourceInput{OrganizationId: &org, Name: ptr("room"), Type: &room})
	wantCode(t, err, model.ErrUnsupportedOperation)
	// A resource that is there (none could be made through the API) cannot be enabled.
	f.update(func(tx store.Tx) error {
		return resources.insert(tx, orgRef{testPartition, org}, &resource{ID: "r-" + strings.Repeat("a", 32), Name: "room", Type: "ROOM", State: resourceDisabled})
	})
	wantCode(t, f.register(org, "room", "room@interop.awsapps.com"), model.ErrUnsupportedOperation)
	// Users are not concerned.
	if err := f.register(org, f.user(org, "ann"), "ann@interop.awsapps.com"); err != nil {
		t.Fatal(err)
	}
}

// UpdateResource replaces what it is given, keeps the rest, and refuses
// booking options nobody would answer.
func TestUpdateResource(t *testing.T) {
	f := newFixture(t)
	org := f.org("upd")
	id := f.resource(org, "room-1")
	f.user(org, "taken")
	update := func(in model.UpdateResourceInput) error {
		in.OrganizationId, in.ResourceId = &org, &id
		_, err := f.s.UpdateResource(f.ctx, &in)
		return err
	}
	equipment := model.ResourceTypeEquipment
	if err := update(model.UpdateResourceInput{Description: ptr("ground floor"), Type: &equipment, HiddenFromGlobalAddressList: ptr(true)}); err != nil {
		t.Fatal(err)
	}
	if err := update(model.UpdateResourceInput{Name: ptr("Room-2")}); err != nil {
		t.Fatal(err)
	}
	d := f.describeResource(org, "room-2")
	if *d.Name != "Room-2" || *d.Description != "ground floor" || *d.Type != equipment || !*d.HiddenFromGlobalAddressList || !*d.BookingOptions.AutoAcceptRequests {
		t.Fatalf("updated resource described as %+v", d)
	}
	_, err := f.s.DescribeResource(f.ctx, &model.DescribeResourceInput{OrganizationId: &org, ResourceId: ptr("room-1")})
	wantCode(t, err, model.ErrEntityNotFound)
	if err := update(model.UpdateResourceInput{Description: ptr(""), HiddenFromGlobalAddressList: ptr(false)}); err != nil {
		t.Fatal(err)
	}
	if d := f.describeResource(org, id); d.Description != nil || *d.HiddenFromGlobalAddressList {
		t.Fatalf("cleared description and hidden flag: %+v", d)
	}
	wantCode(t, update(model.UpdateResourceInput{Name: ptr("TAKEN")}), model.ErrNameAvailability)

	// BookingOptions replace all three; an absent one is false.
	if err := update(model.UpdateResourceInput{BookingOptions: &model.BookingOptions{AutoAcceptRequests: ptr(true), AutoDeclineRecurringRequests: ptr(true)}}); err != nil {
		t.Fatal(err)
	}
	if b := f.describeResource(org, id).BookingOptions; !*b.AutoAcceptRequests || !*b.AutoDeclineRecurringRequests || *b.AutoDeclineConflictingRequests {
		t.Fatalf("booking options %+v", b)
	}
	// No auto-accept without a delegate; with one it is fine.
	wantCode(t, update(model.UpdateResourceInput{BookingOptions: &model.BookingOptions{}, Description: ptr("refused")}), model.ErrInvalidConfiguration)
	if d := f.describeResource(org, id); d.Description != nil || !*d.BookingOptions.AutoAcceptRequests {
		t.Fatalf("a refused update changed the resource: %+v", d)
	}
	ann := f.user(org, "ann")
	if err := f.delegate(org, id, ann); err != nil {
		t.Fatal(err)
	}
	if err := update(model.UpdateResourceInput{BookingOptions: &model.BookingOptions{AutoAcceptRequests: ptr(false)}}); err != nil {
		t.Fatal(err)
	}
	// The last delegate may go; later updates that leave the booking options alone pass.
	if err := f.undelegate(org, id, "ann"); err != nil {
		t.Fatal(err)
	}
	if err := update(model.UpdateResourceInput{Description: ptr("still")}); err != nil {
		t.Fatal(err)
	}
	wantCode(t, update(model.UpdateResourceInput{BookingOptions: &model.BookingOptions{AutoDeclineConflictingRequests: ptr(true)}}), model.ErrInvalidConfiguration)

	// A name with a domain names the address: the domain must be the organization's.
	wantCode(t, update(model.UpdateResourceInput{Name: ptr("room@nowhere.com")}), model.ErrMailDomainNotFound)
	if err := update(model.UpdateResourceInput{Name: ptr("room@upd.awsapps.com")}); err != nil {
		t.Fatal(err)
	}
	if d := f.describeResource(org, id); *d.Name != "room@upd.awsapps.com" || d.Email != nil {
		t.Fatalf("a resource without email renamed: %+v", d)
	}
	if err := f.register(org, id, "room-2@upd.awsapps.com"); err != nil {
		t.Fatal(err)
	}
	other := f.resource(org, "other")
	if err := f.register(org, other, "other@upd.awsapps.com"); err != nil {
		t.Fatal(err)
	}
	wantCode(t, update(model.UpdateResourceInput{Name: ptr("other@upd.awsapps.com")}), model.ErrEmailAddressInUse)
	if err := update(model.UpdateResourceInput{Name: ptr("hall@upd.awsapps.com")}); err != nil {
		t.Fatal(err)
	}
	if d := f.describeResource(org, "hall@upd.awsapps.com"); *d.ResourceId != id || *d.Email != "hall@upd.awsapps.com" {
		t.Fatalf("renamed with a domain: %+v", d)
	}
	if err := f.register(org, f.user(org, "zoe"), "room-2@upd.awsapps.com"); err != nil {
		t.Fatalf("the old address is free: %v", err)
	}

	_, err = f.s.UpdateResource(f.ctx, &model.UpdateResourceInput{OrganizationId: &org, ResourceId: ptr("nobody"), Description: ptr("x")})
	wantCode(t, err, model.ErrEntityNotFound)
}

// Delegates are users (and groups), listed by id in pages, associated
// idempotently, and dropped when either side is deleted.
func TestResourceDelegates(t *testing.T) {
	f := newFixture(t)
	org := f.org("dele")
	room := f.resource(org, "room")
	hall := f.resource(org, "hall")
	var users []string
	for i := range 5 {
		users = append(users, f.user(org, fmt.Sprintf("user-%d", i)))
	}
	if err := f.register(org, users[0], "u0@dele.awsapps.com"); err != nil {
		t.Fatal(err)
	}
	for _, ident := range []string{users[0], "u0@dele.awsapps.com", "USER-1", users[2], users[3], users[4]} {
		if err := f.delegate(org, "room", ident); err != nil {
			t.Fatalf("associate %s: %v", ident, err)
		}
	}
	if err := f.delegate(org, hall, users[0]); err != nil {
		t.Fatal(err)
	}
	sorted := slices.Sorted(slices.Values(users))
	var want []string
	for _, id := range sorted {
		want = append(want, "USER "+id)
	}
	if got := f.delegates(org, room); !slices.Equal(got, want) {
		t.Fatalf("delegates %q, want %q", got, want)
	}
	if err := f.undelegate(org, room, "user-2"); err != nil {
		t.Fatal(err)
	}
	if err := f.undelegate(org, room, "user-2"); err != nil {
		t.Fatalf("not a delegate: %v", err)
	}
	if got := f.delegates(org, room); len(got) != 4 || slices.Contains(got, "USER "+users[2]) {
		t.Fatalf("after disassociating: %q", got)
	}

	// Errors: unknown resource or entity, a resource as delegate, deleted sides.
	wantCode(t, f.delegate(org, "nothing", users[0]), model.ErrEntityNotFound)
	wantCode(t, f.delegate(org, room, "nobody"), model.ErrEntityNotFound)
	wantCode(t, f.undelegate(org, room, "nobody"), model.ErrEntityNotFound)
	wantCode(t, f.delegate(org, room, "hall"), model.ErrInvalidParameter)
	wantCode(t, f.delegate(org, room, room), model.ErrInvalidParameter)
	_, err := f.s.ListResourceDelegates(f.ctx, &model.ListResourceDelegatesInput{OrganizationId: &org, ResourceId: ptr("nothing")})
	wantCode(t, err, model.ErrEntityNotFound)
	_, err = f.s.ListResourceDelegates(f.ctx, &model.ListResourceDelegatesInput{OrganizationId: &org, ResourceId: ptr(users[0])})
	wantCode(t, err, model.ErrEntityNotFound)

	// Deleting a delegate drops its delegations, on every resource.
	if _, err := f.s.DeleteUser(f.ctx, &model.DeleteUserInput{OrganizationId: &org, UserId: &users[4]}); err != nil {
		t.Fatal(err)
	}
	wantCode(t, f.delegate(org, room, users[4]), model.ErrEntityState)
	wantCode(t, f.undelegate(org, room, users[4]), model.ErrEntityState)
	if got := f.delegates(org, room); slices.Contains(got, "USER "+users[4]) || len(got) != 3 {
		t.Fatalf("after deleting a delegate: %q", got)
	}
	if err := f.deregister(org, users[0]); err != nil {
		t.Fatal(err)
	}
	if _, err := f.s.DeleteUser(f.ctx, &model.DeleteUserInput{OrganizationId: &org, UserId: &users[0]}); err != nil {
		t.Fatal(err)
	}
	if got := f.delegates(org, hall); len(got) != 0 {
		t.Fatalf("hall after deleting its only delegate: %q", got)
	}
	// Deleting the resource drops its delegations.
	if err := f.deleteResource(org, room); err != nil {
		t.Fatal(err)
	}
	wantCode(t, f.delegate(org, room, users[1]), model.ErrEntityState)
	_, err = f.s.ListResourceDelegates(f.ctx, &model.ListResourceDelegatesInput{OrganizationId: &org, ResourceId: &room})
	wantCode(t, err, model.ErrEntityState)
	for _, r := range f.records(testPartition) {
		if strings.Contains(r, delegations.coll) {
			t.Errorf("delegation left: %s", r)
		}
	}
}

// ListResources pages through every resource once under each filter, in
// the filter's order, and a token is bound to its filter.
func TestListResources(t *testing.T) {
	f := newFixture(t)
	org := f.org("lists")
	want := map[string][]string{}
	for i := range 40 {
		name := fmt.Sprintf("%s-%02d", []string{"room", "desk"}[i%2], i)
		id := f.resource(org, name)
		want["all"] = append(want["all"], id)
		if i%2 == 0 {
			want["room"] = append(want["room"], id)
		}
		if i%3 == 0 {
			if err := f.register(org, id, fmt.Sprintf("%s-mail@lists.awsapps.com", name)); err != nil {
				t.Fatal(err)
			}
			want["enabled"] = append(want["enabled"], id)
			if i%2 == 0 {
				want["room-mail"] = append(want["room-mail"], id)
			}
		}
		f.user(org, fmt.Sprintf("room-user-%02d", i)) // same names and addresses namespace, not listed
	}
	deleted := want["all"][1]
	if err := f.deleteResource(org, deleted); err != nil {
		t.Fatal(err)
	}
	want["deleted"] = []string{deleted}
	list := func(filters *model.ListResourcesFilters) []string {
		var ids []string
		var token *string
		for n := 0; ; n++ {
			out, err := f.s.ListResources(f.ctx, &model.ListResourcesInput{OrganizationId: &org, Filters: filters, NextToken: token, MaxResults: ptr[int32](3)})
			if err != nil {
				t.Fatal(err)
			}
			if len(out.Resources) > 3 {
				t.Fatalf("page of %d", len(out.Resources))
			}
			for _, r := range out.Resources {
				ids = append(ids, *r.Id)
			}
			if token = out.NextToken; token == nil {
				return ids
			}
		}
	}
	enabled, deletedState := model.EntityStateEnabled, model.EntityStateDeleted
	for name, c := range map[string]struct {
		f    *model.ListResourcesFilters
		want string
	}{
		"none":         {nil, "all"},
		"name":         {&model.ListResourcesFilters{NamePrefix: ptr("ROOM-")}, "room"},
		"email":        {&model.ListResourcesFilters{PrimaryEmailPrefix: ptr("Room")}, "room-mail"},
		"any email":    {&model.ListResourcesFilters{PrimaryEmailPrefix: ptr("")}, "enabled"},
		"state":        {&model.ListResourcesFilters{State: &enabled}, "enabled"},
		"deleted":      {&model.ListResourcesFilters{State: &deletedState}, "deleted"},
		"into the ids": {&model.ListResourcesFilters{NamePrefix: ptr("room-00/r-")}, "none"},
	} {
		got := list(c.f)
		if c.f == nil || c.f.State != nil {
			if !slices.IsSorted(got) {
				t.Errorf("%s: not in id order: %q", name, got)
			}
		}
		slices.Sort(got)
		w := slices.Sorted(slices.Values(want[c.want]))
		if !slices.Equal(got, w) {
			t.Errorf("%s: got %q, want %q", name, got, w)
		}
	}
	// In name order with a name prefix.
	out, err := f.s.ListResources(f.ctx, &model.ListResourcesInput{OrganizationId: &org, Filters: &model.ListResourcesFilters{NamePrefix: ptr("desk-0")}})
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, r := range out.Resources {
		names = append(names, *r.Name)
	}
	if !slices.Equal(names, []string{"desk-01", "desk-03", "desk-05", "desk-07", "desk-09"}) {
		t.Fatalf("by name: %q", names)
	}

	_, err = f.s.ListResources(f.ctx, &model.ListResourcesInput{OrganizationId: &org, Filters: &model.ListResourcesFilters{NamePrefix: ptr("a"), State: &enabled}})
	wantCode(t, err, model.ErrInvalidParameter)
	first, err := f.s.ListResources(f.ctx, &model.ListResourcesInput{OrganizationId: &org, MaxResults: ptr[int32](1)})
	if err != nil || first.NextToken == nil {
		t.Fatal(first, err)
	}
	_, err = f.s.ListResources(f.ctx, &model.ListResourcesInput{OrganizationId: &org, NextToken: first.NextToken, Filters: &model.ListResourcesFilters{NamePrefix: ptr("")}})
	wantCode(t, err, model.ErrInvalidParameter)

	// Past its retention a deleted resource is listed no more.
	f.clock.Advance(DeletedResourceRetention)
	if got := list(&model.ListResourcesFilters{State: &deletedState}); len(got) != 0 {
		t.Fatalf("listed after its retention: %q", got)
	}
	if got := list(nil); slices.Contains(got, deleted) || len(got) != 39 {
		t.Fatalf("listed after its retention: %d", len(got))
	}
}

// Purge removes a deleted resource after 30 days and an organization's
// resources and delegations with it, and nothing else.
func TestPurgeResources(t *testing.T) {
	f := newFixture(t)
	keep := f.org("keep")
	kept := f.resource(keep, "kept")
	ann := f.user(keep, "ann")
	if err := f.delegate(keep, kept, ann); err != nil {
		t.Fatal(err)
	}
	if err := f.register(keep, kept, "kept@keep.awsapps.com"); err != nil {
		t.Fatal(err)
	}
	before := f.records(testPartition, store.Global)

	gone := f.org("gone")
	for _, name := range []string{"a", "b"} {
		id := f.resource(gone, name)
		if err := f.register(gone, id, name+"@gone.awsapps.com"); err != nil {
			t.Fatal(err)
		}
		if err := f.delegate(gone, id, f.user(gone, "user-"+name)); err != nil {
			t.Fatal(err)
		}
	}
	doomed := f.resource(keep, "doomed")
	if err := f.delegate(keep, doomed, ann); err != nil {
		t.Fatal(err)
	}
	if err := f.register(keep, doomed, "doomed@keep.awsapps.com"); err != nil {
		t.Fatal(err)
	}
	if err := f.deregister(keep, doomed); err != nil {
		t.Fatal(err)
	}
	if err := f.deleteResource(keep, doomed); err != nil {
		t.Fatal(err)
	}
	if _, err := f.s.DeleteOrganization(f.ctx, &model.DeleteOrganizationInput{OrganizationId: &gone, DeleteDirectory: ptr(false)}); err != nil {
		t.Fatal(err)
	}
	full := f.records(testPartition, store.Global)
	if err := f.s.Purge(f.ctx); err != nil {
		t.Fatal(err)
	}
	if got := f.records(testPartition, store.Global); !slices.Equal(got, full) {
		t.Fatalf("purged early:\n%q\n%q", full, got)
	}
	f.clock.Advance(DefaultDeletedRetention)
	if err := f.s.Purge(f.ctx); err != nil {
		t.Fatal(err)
	}
	for _, r := range f.records(testPartition, store.Global) {
		if strings.Contains(r, gone) {
			t.Errorf("left of the purged organization: %s", r)
		}
	}
	if !strings.Contains(strings.Join(f.records(testPartition), "\n"), doomed) {
		t.Fatal("the deleted resource went before 30 days")
	}
	f.clock.Advance(DeletedResourceRetention)
	for range 2 {
		if err := f.s.Purge(f.ctx); err != nil {
			t.Fatal(err)
		}
	}
	if got := f.records(testPartition, store.Global); !slices.Equal(got, before) {
		t.Fatalf("after purging, records\n%q\nwant\n%q", got, before)
	}
}

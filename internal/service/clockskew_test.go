package service

import (
	"testing"
	"time"

	"github.com/workmaild/workmaild/internal/model"
	"github.com/workmaild/workmaild/internal/paging"
)

// TestStateAcrossSkewedClocks: two services on one store (two replicas),
// the second's clock a second behind the first's. With the default
// lifecycle (no delays) an organization the first created is Active on the
// second at once, and one the first deleted is Deleted there at once,
// although the stored timestamps are in the second's future.
func TestStateAcrossSkewedClocks(t *testing.T) {
	f := newFixture(t)
	behind := func() time.Time { return f.clock.Now().Add(-time.Second) }
	other := New(Config{Store: f.st, Now: behind, Paging: paging.NewCodec([]byte("0123456789abcdef0123456789abcdef"))})

	out, err := f.s.CreateOrganization(f.ctx, &model.CreateOrganizationInput{Alias: ptr("skewed")})
	if err != nil {
		t.Fatal(err)
	}
	d, err := other.DescribeOrganization(f.ctx, &model.DescribeOrganizationInput{OrganizationId: out.OrganizationId})
	if err != nil || str(d.State) != StateActive {
		t.Fatalf("on the replica behind: %+v, %v; want Active", d, err)
	}
	if _, err := other.CreateUser(f.ctx, &model.CreateUserInput{OrganizationId: out.OrganizationId, Name: ptr("alice"), DisplayName: ptr("Alice")}); err != nil {
		t.Fatalf("CreateUser on the replica behind: %v", err)
	}
	if _, err := f.s.DeleteOrganization(f.ctx, &model.DeleteOrganizationInput{OrganizationId: out.OrganizationId, DeleteDirectory: ptr(true), ForceDelete: ptr(true)}); err != nil {
		t.Fatal(err)
	}
	d, err = other.DescribeOrganization(f.ctx, &model.DescribeOrganizationInput{OrganizationId: out.OrganizationId})
	if err != nil || str(d.State) != StateDeleted {
		t.Fatalf("deleted, on the replica behind: %+v, %v; want Deleted", d, err)
	}
}

// TestActivatedAcrossSkewedClocks: with a create delay, an organization
// activated on one replica is Active on a replica whose clock is behind.
func TestActivatedAcrossSkewedClocks(t *testing.T) {
	f := newFixture(t)
	lc := Lifecycle{CreateDelay: time.Hour}
	f.s = New(Config{Store: f.st, Now: f.clock.Now, Lifecycle: lc, Paging: paging.NewCodec([]byte("0123456789abcdef0123456789abcdef"))})
	behind := func() time.Time { return f.clock.Now().Add(-time.Second) }
	other := New(Config{Store: f.st, Now: behind, Lifecycle: lc, Paging: paging.NewCodec([]byte("0123456789abcdef0123456789abcdef"))})

	out, err := f.s.CreateOrganization(f.ctx, &model.CreateOrganizationInput{Alias: ptr("activated")})
	if err != nil {
		t.Fatal(err)
	}
	d, err := other.DescribeOrganization(f.ctx, &model.DescribeOrganizationInput{OrganizationId: out.OrganizationId})
	if err != nil || str(d.State) != StateRequested {
		t.Fatalf("before activation: %+v, %v; want Requested", d, err)
	}
	if err := f.s.ActivateOrganization(f.ctx, str(out.OrganizationId)); err != nil {
		t.Fatal(err)
	}
	d, err = other.DescribeOrganization(f.ctx, &model.DescribeOrganizationInput{OrganizationId: out.OrganizationId})
	if err != nil || str(d.State) != StateActive {
		t.Fatalf("activated, on the replica behind: %+v, %v; want Active", d, err)
	}
}

package workmailtest_test

import (
	"fmt"
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/workmail"

	"github.com/workmaild/workmaild/workmailtest"
)

// Parallel tests each get their own server. With the same seed every server
// hands out the same organization id for the same alias, so any sharing of
// state between them would show as a NameAvailabilityException or a
// second organization in a list.
func TestParallelServersAreIsolated(t *testing.T) {
	id := createOrg(t, workmailtest.NewServer(t, workmailtest.WithSeed(42)).Client(), "shared")
	for i := range 24 {
		t.Run(fmt.Sprint(i), func(t *testing.T) {
			t.Parallel()
			srv := workmailtest.NewServer(t, workmailtest.WithSeed(42))
			c := srv.Client()
			if got := createOrg(t, c, "shared"); got != id {
				t.Fatalf("id %s, want %s", got, id)
			}
			createOrg(t, c, fmt.Sprintf("own-%d", i))
			list, err := c.ListOrganizations(t.Context(), &workmail.ListOrganizationsInput{})
			if err != nil {
				t.Fatal(err)
			}
			if n := len(list.OrganizationSummaries); n != 2 {
				t.Fatalf("server %d lists %d organizations, want its own 2", i, n)
			}
		})
	}
}

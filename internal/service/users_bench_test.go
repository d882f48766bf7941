package service

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"

	"github.com/workmaild/workmaild/internal/auth"
	"github.com/workmaild/workmaild/internal/model"
	"github.com/workmaild/workmaild/internal/paging"
	"github.com/workmaild/workmaild/internal/store"
	"github.com/workmaild/workmaild/internal/store/boltstore"
	"github.com/workmaild/workmaild/internal/store/memstore"
)

// BenchmarkListUsersPage reads the first and a middle page of 100 users
// from organizations of 1k and 100k users, in both stores: a page must
// cost about the same whatever the organization's size.
//
//	go test ./internal/service -run '^$' -bench ListUsersPage
func BenchmarkListUsersPage(b *testing.B) {
	stores := map[string]func(b *testing.B) store.Store{
		"mem": func(*testing.B) store.Store { return memstore.New() },
		"bolt": func(b *testing.B) store.Store {
			st, err := boltstore.Open(filepath.Join(b.TempDir(), "bench.db"), boltstore.Options{NoSync: true})
			if err != nil {
				b.Fatal(err)
			}
			return st
		},
	}
	for _, kind := range []string{"mem", "bolt"} {
		for _, n := range []int{1_000, 100_000} {
			st := stores[kind](b)
			s := New(Config{Store: st, Paging: paging.NewCodec([]byte("0123456789abcdef"))})
			ctx := auth.NewContext(context.Background(), auth.Principal{Account: "111122223333", Region: "us-east-1"})
			org := seedOrganization(b, s, ctx, n)
			middle := s.pageToken(b, ctx, org, n/200)
			for _, page := range []struct {
				name  string
				token *string
			}{{"first", nil}, {"middle", middle}} {
				b.Run(fmt.Sprintf("%s/%dusers/%s", kind, n, page.name), func(b *testing.B) {
					for b.Loop() {
						out, err := s.ListUsers(ctx, &model.ListUsersInput{OrganizationId: &org, NextToken: page.token})
						if err != nil || len(out.Users) != 100 {
							b.Fatalf("%v, %d users", err, len(out.Users))
						}
					}
				})
			}
			st.Close()
		}
	}
}

// seedOrganization makes an organization of n users, written in batches
// straight to the store (CreateUser one by one would take minutes).
func seedOrganization(b *testing.B, s *Service, ctx context.Context, n int) string {
	out, err := s.CreateOrganization(ctx, &model.CreateOrganizationInput{Alias: ptr(fmt.Sprintf("bench-%d", n))})
	if err != nil {
		b.Fatal(err)
	}
	org := *out.OrganizationId
	for start := 0; start < n; start += 10_000 {
		err := s.update(ctx, func(p store.Partition, tx store.Tx) error {
			for i := start; i < min(n, start+10_000); i++ {
				u := &user{ID: s.ids.UUID(), Name: fmt.Sprintf("user-%06d", i), DisplayName: "User", Role: "USER", State: userDisabled, CreatedAt: s.now()}
				if err := users.insert(tx, orgRef{p, org}, u); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			b.Fatal(err)
		}
	}
	return org
}

// pageToken returns the NextToken that leads to page number `page`.
func (s *Service) pageToken(b *testing.B, ctx context.Context, org string, page int) *string {
	var token *string
	for range page {
		out, err := s.ListUsers(ctx, &model.ListUsersInput{OrganizationId: &org, NextToken: token})
		if err != nil {
			b.Fatal(err)
		}
		token = out.NextToken
	}
	return token
}

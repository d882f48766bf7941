package boltstore_test

import (
	"context"
	"fmt"
	"os"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/workmaild/workmaild/internal/auth"
	"github.com/workmaild/workmaild/internal/model"
	"github.com/workmaild/workmaild/internal/paging"
	"github.com/workmaild/workmaild/internal/service"
	"github.com/workmaild/workmaild/internal/store"
	"github.com/workmaild/workmaild/internal/store/boltstore"
)

// The crash child also writes mailboxes through the service, on the same
// store as the raw writers: one organization per round, one mailbox in it,
// and, one after the other, a new grantee granted SEND_AS on the mailbox
// and the mailbox's quota set to the step's number. It acknowledges each
// write as "ack mbx grant ORG MAILBOX GRANTEE" or "ack mbx quota ORG
// MAILBOX N"; the parent then checks the acknowledged writes through the
// service, and that every grant on disk is whole (record and grantee
// index entry).

func crashService(s store.Store) (*service.Service, context.Context) {
	svc := service.New(service.Config{Store: s, Paging: paging.NewCodec([]byte("crash-test-paging-key-0123456789"))})
	p := crashPartition()
	return svc, auth.NewContext(context.Background(), auth.Principal{Account: p.Account, Region: p.Region})
}

// mailboxCrashWriter runs in the child until it is killed; it returns
// only on failure.
func mailboxCrashWriter(s store.Store, round string, out *sync.Mutex) {
	svc, ctx := crashService(s)
	fail := func(what string, err error) { fmt.Fprintf(os.Stderr, "child mailbox %s: %v\n", what, err) }
	ack := func(line string) bool {
		out.Lock()
		defer out.Unlock()
		_, err := os.Stdout.WriteString("ack mbx " + line + "\n")
		return err == nil
	}
	alias := "crash-mbx-" + round
	o, err := svc.CreateOrganization(ctx, &model.CreateOrganizationInput{Alias: &alias})
	if err != nil {
		fail("CreateOrganization", err)
		return
	}
	org := *o.OrganizationId
	owner, err := crashUser(ctx, svc, org, "owner")
	if err != nil {
		fail("owner", err)
		return
	}
	email := "owner@" + alias + ".awsapps.com"
	if _, err := svc.RegisterToWorkMail(ctx, &model.RegisterToWorkMailInput{OrganizationId: &org, EntityId: &owner, Email: &email}); err != nil {
		fail("RegisterToWorkMail", err)
		return
	}
	for i := 1; ; i++ {
		grantee, err := crashUser(ctx, svc, org, fmt.Sprintf("g%06d", i))
		if err != nil {
			fail("grantee", err)
			return
		}
		_, err = svc.PutMailboxPermissions(ctx, &model.PutMailboxPermissionsInput{OrganizationId: &org, EntityId: &owner, GranteeId: &grantee,
			PermissionValues: []model.PermissionType{model.PermissionTypeSendAs}})
		if err != nil {
			fail("PutMailboxPermissions", err)
			return
		}
		if !ack(fmt.Sprintf("grant %s %s %s", org, owner, grantee)) {
			return
		}
		quota := int32(i)
		if _, err := svc.UpdateMailboxQuota(ctx, &model.UpdateMailboxQuotaInput{OrganizationId: &org, UserId: &owner, MailboxQuota: &quota}); err != nil {
			fail("UpdateMailboxQuota", err)
			return
		}
		if !ack(fmt.Sprintf("quota %s %s %d", org, owner, i)) {
			return
		}
	}
}

func crashUser(ctx context.Context, svc *service.Service, org, name string) (string, error) {
	out, err := svc.CreateUser(ctx, &model.CreateUserInput{OrganizationId: &org, Name: &name, DisplayName: &name})
	if err != nil {
		return "", err
	}
	return *out.UserId, nil
}

// isMailboxAck tells the child's mailbox acknowledgements from the raw
// writers' keys.
func isMailboxAck(key string) bool { return strings.HasPrefix(key, "mbx ") }

// verifyMailboxesAfterCrash reopens the store and checks, through the
// service, that every acknowledged grant is listed on its mailbox and
// that each mailbox's quota is the last acknowledged one or the one
// written after it; and, in the records, that every grant on disk has
// its grantee index entry and every entry its grant. It returns how many
// mailbox writes were acknowledged.
func verifyMailboxesAfterCrash(t *testing.T, path string, acked []string) int {
	t.Helper()
	type mailbox struct{ org, id string }
	grants := map[mailbox][]string{}
	quotas := map[mailbox]int{}
	n := 0
	for _, key := range acked {
		if !isMailboxAck(key) {
			continue
		}
		n++
		f := strings.Fields(key) // mbx grant|quota ORG MAILBOX GRANTEE|N
		if len(f) != 5 {
			t.Fatalf("malformed mailbox acknowledgement %q", key)
		}
		mb := mailbox{f[2], f[3]}
		if f[1] == "grant" {
			grants[mb] = append(grants[mb], f[4])
		} else {
			q, err := strconv.Atoi(f[4])
			if err != nil {
				t.Fatalf("malformed mailbox acknowledgement %q", key)
			}
			quotas[mb] = max(quotas[mb], q)
		}
	}
	s, err := boltstore.Open(path, boltstore.Options{})
	if err != nil {
		t.Fatalf("reopen after kill: %v", err)
	}
	defer mustClose(t, s)
	svc, ctx := crashService(s)
	for mb, want := range grants {
		listed := map[string]bool{}
		var next *string
		for {
			out, err := svc.ListMailboxPermissions(ctx, &model.ListMailboxPermissionsInput{OrganizationId: &mb.org, EntityId: &mb.id, NextToken: next})
			if err != nil {
				t.Fatalf("ListMailboxPermissions %s after kill: %v", mb.id, err)
			}
			for _, p := range out.Permissions {
				listed[*p.GranteeId] = true
			}
			if next = out.NextToken; next == nil {
				break
			}
		}
		for _, g := range want {
			if !listed[g] {
				t.Fatalf("acknowledged grant of %s to %s is lost", mb.id, g)
			}
		}
		// One write at most was in flight: the next grant.
		if len(listed) > len(want)+1 {
			t.Fatalf("mailbox %s lists %d grants, %d acknowledged", mb.id, len(listed), len(want))
		}
	}
	for mb, q := range quotas {
		d, err := svc.GetMailboxDetails(ctx, &model.GetMailboxDetailsInput{OrganizationId: &mb.org, UserId: &mb.id})
		if err != nil || (*d.MailboxQuota != int32(q) && *d.MailboxQuota != int32(q+1)) {
			t.Fatalf("mailbox %s quota after kill: %+v, %v; last acknowledged %d", mb.id, d, err, q)
		}
	}
	// The record layout of grants (internal/service/mailbox_permissions.go):
	// mailbox-permission ORG/MAILBOX/GRANTEE, mailbox-grantee ORG/GRANTEE/MAILBOX/GRANTEE.
	err = s.View(context.Background(), crashPartition(), func(r store.Reader) error {
		err := r.Scan("mailbox-permission", "", "", 0, func(key string, _ []byte) (bool, error) {
			org, rest, _ := strings.Cut(key, "/")
			_, grantee, _ := strings.Cut(rest, "/")
			if _, err := r.Get("mailbox-grantee", org+"/"+grantee+"/"+rest); err != nil {
				return false, fmt.Errorf("grant %s on disk without its grantee entry: %v", key, err)
			}
			return true, nil
		})
		if err != nil {
			return err
		}
		return r.Scan("mailbox-grantee", "", "", 0, func(key string, _ []byte) (bool, error) {
			org, rest, _ := strings.Cut(key, "/")
			_, id, _ := strings.Cut(rest, "/")
			if _, err := r.Get("mailbox-permission", org+"/"+id); err != nil {
				return false, fmt.Errorf("grantee entry %s on disk without its grant: %v", key, err)
			}
			return true, nil
		})
	})
	if err != nil {
		t.Fatal(err)
	}
	return n
}

package storetest

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/workmaild/workmaild/internal/store"
)

func testGetMissing(t *testing.T, s store.Store) {
	wantMissing(t, s, pA(), "users", "u1") // partition does not exist yet
	put(t, s, pA(), "users", "u1", "alice")
	wantMissing(t, s, pA(), "users", "u2")  // collection exists, id does not
	wantMissing(t, s, pA(), "groups", "u1") // collection does not exist
	wantMissing(t, s, pA(), "users", "")    // id that can never be stored
}

func testRoundTrip(t *testing.T, s store.Store) {
	binary := string([]byte{0, 1, 2, 0xff, 0, 'x'})
	put(t, s, pA(), "users", "u1", `{"name":"alice"}`)
	put(t, s, pA(), "users", "u\x00bin", binary)
	wantValue(t, s, pA(), "users", "u1", `{"name":"alice"}`)
	wantValue(t, s, pA(), "users", "u\x00bin", binary)
}

func testEmptyValue(t *testing.T, s store.Store) {
	put(t, s, pA(), "flags", "empty", "")
	v, err := get(t, s, pA(), "flags", "empty")
	if err != nil || v != "" {
		t.Fatalf("Get of empty value = %q, %v; want \"\", nil", v, err)
	}
	if ids := scanIDs(t, s, pA(), "flags", "", ""); len(ids) != 1 || ids[0] != "empty" {
		t.Fatalf("Scan = %q, want [empty]", ids)
	}
}

func testOverwrite(t *testing.T, s store.Store) {
	put(t, s, pA(), "users", "u1", "first, longer value")
	put(t, s, pA(), "users", "u1", "second")
	wantValue(t, s, pA(), "users", "u1", "second")
	if ids := scanIDs(t, s, pA(), "users", "", ""); len(ids) != 1 {
		t.Fatalf("after overwrite Scan = %q, want one id", ids)
	}
}

// testPutCopiesValue reuses the caller's buffer after Put, before the
// transaction commits: the store must have kept its own copy.
func testPutCopiesValue(t *testing.T, s store.Store) {
	err := s.Update(context.Background(), pA(), func(tx store.Tx) error {
		buf := []byte("original")
		if err := tx.Put("c", "k", buf); err != nil {
			return err
		}
		copy(buf, "CLOBBERD")
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	wantValue(t, s, pA(), "c", "k", "original")
}

// testValuesStableWithinTx checks that a slice returned by Get keeps its
// content when the same transaction later overwrites or deletes the record.
func testValuesStableWithinTx(t *testing.T, s store.Store) {
	put(t, s, pA(), "c", "committed", "old-committed")
	err := s.Update(context.Background(), pA(), func(tx store.Tx) error {
		if err := tx.Put("c", "fresh", []byte("old-fresh")); err != nil {
			return err
		}
		v1, err := tx.Get("c", "committed")
		if err != nil {
			return err
		}
		v2, err := tx.Get("c", "fresh")
		if err != nil {
			return err
		}
		if err := tx.Put("c", "committed", []byte("new-committed")); err != nil {
			return err
		}
		if err := tx.Put("c", "fresh", []byte("new-fresh")); err != nil {
			return err
		}
		if err := tx.Delete("c", "committed"); err != nil {
			return err
		}
		if string(v1) != "old-committed" || string(v2) != "old-fresh" {
			t.Errorf("values changed under the reader: %q, %q", v1, v2)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

func testDelete(t *testing.T, s store.Store) {
	put(t, s, pA(), "users", "u1", "alice")
	put(t, s, pA(), "users", "u2", "bob")
	del(t, s, pA(), "users", "u1")
	wantMissing(t, s, pA(), "users", "u1")
	wantValue(t, s, pA(), "users", "u2", "bob")
	if ids := scanIDs(t, s, pA(), "users", "", ""); len(ids) != 1 || ids[0] != "u2" {
		t.Fatalf("Scan after Delete = %q, want [u2]", ids)
	}
}

func testDeleteMissing(t *testing.T, s store.Store) {
	del(t, s, pA(), "users", "nobody") // partition missing
	put(t, s, pA(), "users", "u1", "alice")
	del(t, s, pA(), "users", "nobody") // id missing
	del(t, s, pA(), "groups", "u1")    // collection missing
	del(t, s, pA(), "users", "")       // id that can never exist
	wantValue(t, s, pA(), "users", "u1", "alice")
}

func testInvalidKeys(t *testing.T, s store.Store) {
	ctx := context.Background()
	long := strings.Repeat("x", store.MaxKeyLen+1)
	bad := []struct{ collection, id string }{
		{"", "id"},
		{"c", ""},
		{"c", long},
		{long, "id"},
	}
	for _, k := range bad {
		err := s.Update(ctx, pA(), func(tx store.Tx) error {
			return tx.Put(k.collection, k.id, []byte("v"))
		})
		if !errors.Is(err, store.ErrInvalidKey) {
			t.Errorf("Put(%.10q, %.10q) = %v, want ErrInvalidKey", k.collection, k.id, err)
		}
	}
	// The limit itself is accepted.
	put(t, s, pA(), "c", long[:store.MaxKeyLen], "v")
	wantValue(t, s, pA(), "c", long[:store.MaxKeyLen], "v")

	nul := store.Partition{Account: "1\x002", Region: "us-east-1"}
	if err := s.Update(ctx, nul, func(store.Tx) error { return nil }); !errors.Is(err, store.ErrInvalidKey) {
		t.Errorf("Update on partition with NUL in account = %v, want ErrInvalidKey", err)
	}
	if err := s.View(ctx, nul, func(store.Reader) error { return nil }); !errors.Is(err, store.ErrInvalidKey) {
		t.Errorf("View on partition with NUL in account = %v, want ErrInvalidKey", err)
	}
}

package service

import (
	"context"
	"encoding/json"
	"fmt"
	"testing"

	"github.com/workmaild/workmaild/internal/store"
	"github.com/workmaild/workmaild/internal/store/memstore"
)

var testPartition = store.Partition{Account: "111122223333", Region: "us-east-1"}

func putJSON(t *testing.T, st store.Store, id string, v any) {
	t.Helper()
	raw, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	if err := st.Update(context.Background(), testPartition, func(tx store.Tx) error { return tx.Put("c", id, raw) }); err != nil {
		t.Fatal(err)
	}
}

func cachedGet[T any](t *testing.T, st store.Store, c *decodeCache[T], id string) (T, bool) {
	t.Helper()
	var v T
	var found bool
	err := st.View(context.Background(), testPartition, func(r store.Reader) error {
		var err error
		found, err = c.get(r, "c", id, &v)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return v, found
}

func TestDecodeCacheSeesChangesAndIsolatesCallers(t *testing.T) {
	st := memstore.New()
	c := newDecodeCache(organization.clone)
	if _, found := cachedGet(t, st, c, "m-1"); found {
		t.Fatal("found a record that does not exist")
	}
	putJSON(t, st, "m-1", organization{ID: "m-1", Alias: "first", Domains: []string{"a.example"}})

	o, _ := cachedGet(t, st, c, "m-1")
	o.Domains[0] = "changed by a caller" // must not reach the cache
	o, _ = cachedGet(t, st, c, "m-1")    // a hit now
	if o.Alias != "first" || o.Domains[0] != "a.example" {
		t.Fatalf("cached value changed through a caller: %+v", o)
	}

	putJSON(t, st, "m-1", organization{ID: "m-1", Alias: "second"})
	if o, _ := cachedGet(t, st, c, "m-1"); o.Alias != "second" || o.Domains != nil {
		t.Fatalf("a rewritten record read as %+v", o)
	}
}

func TestDecodeCacheIsBounded(t *testing.T) {
	st := memstore.New()
	c := newDecodeCache[identityProviderConfig](nil)
	for i := range decodeCacheSize + 10 {
		id := fmt.Sprint(i)
		putJSON(t, st, id, identityProviderConfig{InstanceArn: id})
		if v, _ := cachedGet(t, st, c, id); v.InstanceArn != id {
			t.Fatalf("record %s read as %+v", id, v)
		}
		if len(c.m) > decodeCacheSize {
			t.Fatalf("cache holds %d entries, more than %d", len(c.m), decodeCacheSize)
		}
	}
}

func TestDecodeCacheReportsCorruptRecords(t *testing.T) {
	st := memstore.New()
	if err := st.Update(context.Background(), testPartition, func(tx store.Tx) error { return tx.Put("c", "bad", []byte("{")) }); err != nil {
		t.Fatal(err)
	}
	c := newDecodeCache[identityProviderConfig](nil)
	err := st.View(context.Background(), testPartition, func(r store.Reader) error {
		var v identityProviderConfig
		_, err := c.get(r, "c", "bad", &v)
		return err
	})
	if err == nil {
		t.Fatal("a corrupt record decoded without error")
	}
	if len(c.m) != 0 {
		t.Fatal("a corrupt record was cached")
	}
}

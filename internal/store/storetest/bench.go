package storetest

import (
	"context"
	"fmt"
	"sync/atomic"
	"testing"

	"github.com/workmaild/workmaild/internal/store"
)

// BenchOpener returns a fresh, empty, open store for one benchmark.
type BenchOpener func(b *testing.B) store.Store

// Benchmark measures the operations handlers lean on: a point read, the
// same two records read again and again, 100 scattered records read in one
// View, a small write from one goroutine and from many (which shows whether
// concurrent writers share commits), and reading one 100-item page of a
// 100k-record collection.
func Benchmark(b *testing.B, open BenchOpener) {
	b.Run("Get", func(b *testing.B) { benchGet(b, open(b)) })
	b.Run("GetHotPair", func(b *testing.B) { benchGetHotPair(b, open(b)) })
	b.Run("Get100of100k", func(b *testing.B) { benchGetScattered(b, open(b)) })
	b.Run("Put", func(b *testing.B) { benchPut(b, open(b)) })
	b.Run("PutParallel", func(b *testing.B) { benchPutParallel(b, open(b)) })
	b.Run("ScanPage100of100k", func(b *testing.B) { benchScan(b, open(b)) })
}

func closeAfter(b *testing.B, s store.Store) {
	b.Cleanup(func() {
		if err := s.Close(); err != nil {
			b.Errorf("Close: %v", err)
		}
	})
}

// fill stores n records "id-%07d" with 200-byte values, committing in
// chunks so that filling is fast but no single transaction is huge.
func fill(b *testing.B, s store.Store, n int) {
	b.Helper()
	value := make([]byte, 200)
	const chunk = 10000
	for start := 0; start < n; start += chunk {
		err := s.Update(context.Background(), pA(), func(tx store.Tx) error {
			for i := start; i < min(start+chunk, n); i++ {
				if err := tx.Put("c", fmt.Sprintf("id-%07d", i), value); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			b.Fatal(err)
		}
	}
}

func benchGet(b *testing.B, s store.Store) {
	closeAfter(b, s)
	const n = 1000
	fill(b, s, n)
	ctx := context.Background()
	ids := make([]string, n)
	for i := range ids {
		ids[i] = fmt.Sprintf("id-%07d", i)
	}
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		err := s.View(ctx, pA(), func(r store.Reader) error {
			_, err := r.Get("c", ids[i%n])
			return err
		})
		if err != nil {
			b.Fatal(err)
		}
		i++
	}
}

// benchGetHotPair reads two records in one View, as a Describe request
// reads its organization and then the organization's configuration: the
// same few records on every request.
func benchGetHotPair(b *testing.B, s store.Store) {
	closeAfter(b, s)
	value := make([]byte, 200)
	err := s.Update(context.Background(), pA(), func(tx store.Tx) error {
		if err := tx.Put("organizations", "m-0123456789abcdef0123456789abcdef", value); err != nil {
			return err
		}
		return tx.Put("identityproviders", "m-0123456789abcdef0123456789abcdef", value)
	})
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		err := s.View(ctx, pA(), func(r store.Reader) error {
			if _, err := r.Get("organizations", "m-0123456789abcdef0123456789abcdef"); err != nil {
				return err
			}
			_, err := r.Get("identityproviders", "m-0123456789abcdef0123456789abcdef")
			return err
		})
		if err != nil {
			b.Fatal(err)
		}
	}
}

// benchGetScattered reads 100 records from all over a 100k-record
// collection in one View, as a filtered list page reads the record behind
// each index entry: reads that a cache of hot records cannot serve.
func benchGetScattered(b *testing.B, s store.Store) {
	closeAfter(b, s)
	const n, page = 100000, 100
	fill(b, s, n)
	ids := make([]string, n)
	for i := range ids {
		ids[i] = fmt.Sprintf("id-%07d", i)
	}
	ctx := context.Background()
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		err := s.View(ctx, pA(), func(r store.Reader) error {
			for range page {
				if _, err := r.Get("c", ids[(i*7919)%n]); err != nil {
					return err
				}
				i++
			}
			return nil
		})
		if err != nil {
			b.Fatal(err)
		}
	}
}

func benchPut(b *testing.B, s store.Store) {
	closeAfter(b, s)
	ctx := context.Background()
	value := make([]byte, 200)
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		id := fmt.Sprintf("id-%09d", i)
		if err := s.Update(ctx, pA(), func(tx store.Tx) error { return tx.Put("c", id, value) }); err != nil {
			b.Fatal(err)
		}
		i++
	}
}

// benchPutParallel runs 32 writers per CPU, as a busy server would have
// many requests in flight, each doing its own small Update.
func benchPutParallel(b *testing.B, s store.Store) {
	closeAfter(b, s)
	ctx := context.Background()
	var next atomic.Int64
	b.SetParallelism(32)
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		value := make([]byte, 200)
		for pb.Next() {
			id := fmt.Sprintf("id-%09d", next.Add(1))
			if err := s.Update(ctx, pA(), func(tx store.Tx) error { return tx.Put("c", id, value) }); err != nil {
				b.Error(err)
				return
			}
		}
	})
}

func benchScan(b *testing.B, s store.Store) {
	closeAfter(b, s)
	const n, page = 100000, 100
	fill(b, s, n)
	ctx := context.Background()
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		// Pages start all over the collection, as paginated List calls do.
		after := fmt.Sprintf("id-%07d", (i*7919)%(n-page))
		seen := 0
		err := s.View(ctx, pA(), func(r store.Reader) error {
			return r.Scan("c", "id-", after, 0, func(string, []byte) (bool, error) {
				seen++
				return seen < page, nil
			})
		})
		if err != nil || seen != page {
			b.Fatalf("page from %s: %d records, err %v", after, seen, err)
		}
		i++
	}
}

package memstore_test

import (
	"testing"

	"github.com/workmaild/workmaild/internal/store"
	"github.com/workmaild/workmaild/internal/store/memstore"
	"github.com/workmaild/workmaild/internal/store/storetest"
)

func TestContract(t *testing.T) {
	storetest.Run(t, func(*testing.T) store.Store { return memstore.New() }, storetest.Options{CallsOnce: true})
}

// TestExport runs the Exporter tests (store copy).
func TestExport(t *testing.T) {
	storetest.RunExport(t, func(*testing.T) store.Store { return memstore.New() })
}

func BenchmarkStore(b *testing.B) {
	storetest.Benchmark(b, func(*testing.B) store.Store { return memstore.New() })
}

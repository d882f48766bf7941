package boltstore

import (
	"testing"
	"time"
)

func TestLingerFor(t *testing.T) {
	for _, c := range []struct {
		batch  int
		commit time.Duration
		want   time.Duration
	}{
		{0, time.Second, 0},
		{1, time.Second, 0}, // a lone writer never waits
		{2, 4 * time.Millisecond, time.Millisecond},
		{32, 40 * time.Microsecond, 10 * time.Microsecond}, // a fast disk barely waits
		{32, time.Second, maxLinger},
	} {
		if got := lingerFor(c.batch, c.commit); got != c.want {
			t.Errorf("lingerFor(%d, %v) = %v, want %v", c.batch, c.commit, got, c.want)
		}
	}
}

func queued(n int) chan *request {
	reqs := make(chan *request, maxBatch+10)
	for range n {
		reqs <- &request{}
	}
	return reqs
}

func TestGatherTakesWhatIsQueued(t *testing.T) {
	batch, open := gather(queued(5), []*request{{}}, 0, 0)
	if len(batch) != 6 || !open {
		t.Fatalf("got %d requests, open %v; want 6, true", len(batch), open)
	}
	batch, _ = gather(queued(maxBatch+10), []*request{{}}, 0, 0)
	if len(batch) != maxBatch {
		t.Fatalf("got %d requests, want the cap %d", len(batch), maxBatch)
	}
}

func TestGatherWaitsForLateWriters(t *testing.T) {
	reqs := queued(1)
	go func() {
		time.Sleep(5 * time.Millisecond)
		reqs <- &request{}
		reqs <- &request{}
	}()
	start := time.Now()
	// The linger is long, but gather returns once it has the 4 it wants.
	batch, _ := gather(reqs, []*request{{}}, 4, time.Minute)
	if len(batch) != 4 {
		t.Fatalf("got %d requests, want 4", len(batch))
	}
	if took := time.Since(start); took > 30*time.Second {
		t.Fatalf("gather waited %v after it had all it wanted", took)
	}
}

func TestGatherGivesUpAfterLinger(t *testing.T) {
	start := time.Now()
	batch, open := gather(queued(0), []*request{{}}, 32, 10*time.Millisecond)
	if len(batch) != 1 || !open {
		t.Fatalf("got %d requests, open %v; want 1, true", len(batch), open)
	}
	if took := time.Since(start); took < 10*time.Millisecond {
		t.Fatalf("returned after %v, before the linger ended", took)
	}
}

func TestGatherStopsWhenClosed(t *testing.T) {
	reqs := queued(2)
	close(reqs)
	batch, open := gather(reqs, []*request{{}}, 32, time.Minute)
	if len(batch) != 3 || open {
		t.Fatalf("got %d requests, open %v; want 3, false", len(batch), open)
	}
}

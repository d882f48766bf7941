package boltstore

import "time"

// maxLinger caps how long the writer waits to fill a batch.
const maxLinger = 2 * time.Millisecond

// lingerFor is how long the writer may wait for more requests after the
// first of a batch. Clients answered by one commit come back a moment
// later (over HTTP, after decoding and validating); without waiting, the
// first of them is committed nearly alone and the rest queue behind it,
// so batches alternate small and large and each fsync serves about half
// the writers. Waiting a quarter of the last commit's duration, only when
// the last batch showed concurrent writers, brings them back into one
// batch: a lone writer never waits, and a fast disk barely does.
func lingerFor(lastBatch int, lastCommit time.Duration) time.Duration {
	if lastBatch <= 1 {
		return 0
	}
	return min(lastCommit/4, maxLinger)
}

// gather appends to batch whatever is queued on reqs, then waits up to
// linger for more until batch holds want requests (or maxBatch). It
// reports false when reqs is closed.
func gather(reqs <-chan *request, batch []*request, want int, linger time.Duration) ([]*request, bool) {
	want = min(want, maxBatch)
	for len(batch) < maxBatch {
		select {
		case r, ok := <-reqs:
			if !ok {
				return batch, false
			}
			batch = append(batch, r)
			continue
		default:
		}
		break
	}
	if len(batch) >= want || linger <= 0 {
		return batch, true
	}
	timer := time.NewTimer(linger)
	defer timer.Stop()
	for len(batch) < want {
		select {
		case r, ok := <-reqs:
			if !ok {
				return batch, false
			}
			batch = append(batch, r)
		case <-timer.C:
			return batch, true
		}
	}
	return batch, true
}

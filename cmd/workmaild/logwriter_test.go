package main

import (
	"bytes"
	"strings"
	"sync"
	"testing"
	"time"
)

// syncBuffer is a bytes.Buffer safe for the flush timer's goroutine.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

func TestLogWriterFlushesAfterDelay(t *testing.T) {
	out := &syncBuffer{}
	w := newLogWriter(out)
	w.Write([]byte("one\n"))
	w.Write([]byte("two\n"))
	if got := out.String(); got != "" {
		t.Fatalf("written at once: %q; lines should wait for the flush", got)
	}
	deadline := time.Now().Add(20 * logFlushDelay)
	for out.String() != "one\ntwo\n" {
		if time.Now().After(deadline) {
			t.Fatalf("after %v: %q", 20*logFlushDelay, out.String())
		}
		time.Sleep(logFlushDelay / 5)
	}
	// A later line schedules a flush of its own.
	w.Write([]byte("three\n"))
	for !strings.HasSuffix(out.String(), "three\n") {
		if time.Now().After(deadline.Add(20 * logFlushDelay)) {
			t.Fatalf("later line never written: %q", out.String())
		}
		time.Sleep(logFlushDelay / 5)
	}
}

func TestLogWriterFlush(t *testing.T) {
	out := &syncBuffer{}
	w := newLogWriter(out)
	w.Write([]byte("line\n"))
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	if got := out.String(); got != "line\n" {
		t.Fatalf("after Flush: %q", got)
	}
}

func TestLogWriterKeepsLinesWhole(t *testing.T) {
	out := &syncBuffer{}
	w := newLogWriter(out)
	line := strings.Repeat("x", 999) + "\n"
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			for range 200 { // 8*200 lines overflow the buffer many times
				w.Write([]byte(line))
			}
		})
	}
	wg.Wait()
	w.Flush()
	got := out.String()
	if n := strings.Count(got, "\n"); n != 1600 || strings.Count(got, line) != 1600 {
		t.Fatalf("%d lines, %d whole; want 1600 whole lines", n, strings.Count(got, line))
	}
}

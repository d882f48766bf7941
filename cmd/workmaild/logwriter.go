package main

import (
	"bufio"
	"io"
	"sync"
	"time"
)

// logFlushDelay is how long a log line may wait in memory before it is
// written out: short enough that a tail -f looks live, long enough that a
// busy server pays one write per burst instead of one per request.
const logFlushDelay = 50 * time.Millisecond

// logWriter buffers log lines and writes them out logFlushDelay after the
// first unwritten one, or when the buffer fills. Each Write is one whole
// line from a slog handler, so lines are never split or interleaved.
// A process killed by SIGKILL loses at most logFlushDelay of lines.
type logWriter struct {
	mu      sync.Mutex
	buf     *bufio.Writer
	timer   *time.Timer
	pending bool // a flush is scheduled
}

func newLogWriter(w io.Writer) *logWriter {
	return &logWriter{buf: bufio.NewWriterSize(w, 64<<10)}
}

// Write implements io.Writer.
func (l *logWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	n, err := l.buf.Write(p)
	if !l.pending && l.buf.Buffered() > 0 {
		l.pending = true
		if l.timer == nil {
			l.timer = time.AfterFunc(logFlushDelay, func() { _ = l.Flush() })
		} else {
			l.timer.Reset(logFlushDelay)
		}
	}
	return n, err
}

// Flush writes out every buffered line.
func (l *logWriter) Flush() error {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.pending = false
	return l.buf.Flush()
}

package workmailtest_test

import (
	"context"
	"fmt"
	"os"
	"runtime"
	"testing"
)

// inTest runs body with a t, as a test function runs: examples receive no
// *testing.T, and the examples should read like the tests users write. A
// failure prints FAIL, so the example's checked output no longer matches;
// cleanups run when body ends.
func inTest(body func(t testing.TB)) {
	t := &exampleT{}
	ctx, cancel := context.WithCancel(context.Background())
	t.ctx = ctx
	done := make(chan struct{})
	go func() {
		defer close(done)
		body(t)
	}()
	<-done
	cancel()
	for i := len(t.cleanups) - 1; i >= 0; i-- {
		t.cleanups[i]()
	}
}

// exampleT implements the testing.TB methods that workmailtest and the
// examples call; the embedded interface is nil and never used.
type exampleT struct {
	testing.TB
	ctx      context.Context
	cleanups []func()
}

func (t *exampleT) Helper()                   {}
func (t *exampleT) Context() context.Context  { return t.ctx }
func (t *exampleT) Cleanup(f func())          { t.cleanups = append(t.cleanups, f) }
func (t *exampleT) Errorf(f string, a ...any) { fmt.Printf("FAIL: "+f+"\n", a...) }
func (t *exampleT) Fatal(a ...any)            { fmt.Println(append([]any{"FAIL:"}, a...)...); runtime.Goexit() }
func (t *exampleT) Fatalf(f string, a ...any) { t.Errorf(f, a...); runtime.Goexit() }
func (t *exampleT) TempDir() string {
	dir, err := os.MkdirTemp("", "workmailtest-example")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	return dir
}

package awsjson

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/workmaild/workmaild/internal/auth"
)

// blockingLog holds every info record until released.
type blockingLog struct{ release chan struct{} }

func (h blockingLog) Enabled(context.Context, slog.Level) bool { return true }
func (h blockingLog) Handle(context.Context, slog.Record) error {
	<-h.release
	return nil
}
func (h blockingLog) WithAttrs([]slog.Attr) slog.Handler { return h }
func (h blockingLog) WithGroup(string) slog.Handler      { return h }

// The client has the whole response before the access line is written:
// logging is the server's business, not part of the client's wait.
func TestResponseIsSentBeforeTheAccessLine(t *testing.T) {
	release := make(chan struct{})
	h := &Handler{
		Auth:    auth.Lenient{},
		Service: &fakeService{},
		Log:     slog.New(blockingLog{release: release}),
	}
	srv := httptest.NewServer(h)
	defer srv.Close()
	defer close(release) // before Close, which waits for the handler
	req, _ := http.NewRequest(http.MethodPost, srv.URL, strings.NewReader(deleteUser.body))
	req.Header.Set("X-Amz-Target", TargetPrefix+deleteUser.op)
	req.Header.Set("Authorization", "AWS4-HMAC-SHA256 Credential=111122223333/20261126/us-east-1/workmail/aws4_request, SignedHeaders=host, Signature=00")
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	resp, err := http.DefaultClient.Do(req.WithContext(ctx))
	if err != nil {
		t.Fatalf("no response while the access line is being written: %v", err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil || string(body) != `{}` {
		t.Fatalf("body %q, %v", body, err)
	}
}

package awsjson

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"math"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"

	"github.com/workmaild/workmaild/internal/auth"
	"github.com/workmaild/workmaild/internal/model"
)

type anyone struct{}

func (anyone) Authenticate(*http.Request, []byte) (auth.Principal, error) {
	return auth.Principal{Account: "111122223333", Region: "us-east-1"}, nil
}

// serveOutput answers one request whose operation returns out.
func serveOutput(out any) *httptest.ResponseRecorder {
	h := &Handler{
		Auth:   anyone{},
		Invoke: func(context.Context, string, []byte) (any, error) { return out, nil },
		Log:    slog.New(slog.NewTextHandler(io.Discard, nil)),
	}
	r := httptest.NewRequest(http.MethodPost, "/", strings.NewReader("{}"))
	r.Header.Set("X-Amz-Target", TargetPrefix+"ListUsers")
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, r)
	return rec
}

func TestOutputIsWhatJSONMarshalWrites(t *testing.T) {
	name, token := "<b>&\u2028\xff", strings.Repeat("t", 2*outputBufferSize) // past the first buffer
	for _, out := range []any{
		&model.ListUsersOutput{Users: []model.User{{Name: &name}, {}}, NextToken: &token},
		&model.ListUsersOutput{Users: []model.User{}}, // empty, not nil: []
		&model.DeleteUserOutput{},
		map[string]string{"not": "a model output"},
	} {
		want, _ := json.Marshal(out)
		rec := serveOutput(out)
		if rec.Code != http.StatusOK || rec.Body.String() != string(want) {
			t.Errorf("%T: %d %s, want 200 %s", out, rec.Code, rec.Body, want)
		}
		if got := rec.Header().Get("Content-Length"); got != strconv.Itoa(len(want)) {
			t.Errorf("%T: Content-Length %s, want %d", out, got, len(want))
		}
	}
}

func TestOutputThatCannotBeEncodedIsAnInternalFailure(t *testing.T) {
	size := math.NaN()
	rec := serveOutput(&model.GetMailboxDetailsOutput{MailboxSize: &size})
	if rec.Code != http.StatusInternalServerError || !strings.Contains(rec.Body.String(), string(model.ErrInternalFailure)) {
		t.Errorf("got %d %s, want 500 %s", rec.Code, rec.Body, model.ErrInternalFailure)
	}
}

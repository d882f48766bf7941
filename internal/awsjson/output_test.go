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

// outputHandler answers every request with the output in *out.
func outputHandler(out *any) *Handler {
	return &Handler{
		Auth:   anyone{},
		Invoke: func(context.Context, auth.Principal, string, []byte) (any, error) { return *out, nil },
		Log:    slog.New(slog.NewTextHandler(io.Discard, nil)),
	}
}

func serve(h *Handler) *httptest.ResponseRecorder {
	r := httptest.NewRequest(http.MethodPost, "/", strings.NewReader("{}"))
	r.Header.Set("X-Amz-Target", TargetPrefix+"ListUsers")
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, r)
	return rec
}

// TestOutputIsWhatJSONMarshalWrites sends outputs of decreasing size
// through one handler, so that each reuses the buffer of the one before.
func TestOutputIsWhatJSONMarshalWrites(t *testing.T) {
	var out any
	h := outputHandler(&out)
	name, token := "<b>&\u2028\xff", strings.Repeat("t", 1000)
	for _, out = range []any{
		&model.ListUsersOutput{Users: []model.User{{Name: &name}, {}}, NextToken: &token},
		&model.ListUsersOutput{Users: []model.User{}}, // empty, not nil: []
		&model.DeleteUserOutput{},
		map[string]string{"not": "a model output"},
	} {
		want, _ := json.Marshal(out)
		rec := serve(h)
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
	var out any = &model.GetMailboxDetailsOutput{MailboxSize: &size}
	rec := serve(outputHandler(&out))
	if rec.Code != http.StatusInternalServerError || !strings.Contains(rec.Body.String(), string(model.ErrInternalFailure)) {
		t.Errorf("got %d %s, want 500 %s", rec.Code, rec.Body, model.ErrInternalFailure)
	}
}

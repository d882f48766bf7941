package awsjson

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"math"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/workmaild/workmaild/internal/auth"
	"github.com/workmaild/workmaild/internal/ids"
	"github.com/workmaild/workmaild/internal/model"
)

type anyone struct{}

func (anyone) Authenticate(*http.Request, []byte) (auth.Principal, error) {
	return auth.Principal{Account: "111122223333", Region: "us-east-1"}, nil
}

const testOrg = "m-0123456789abcdef0123456789abcdef"

// fakeService answers ListUsers, DeleteUser and GetMailboxDetails with
// out when it is of the operation's output type (else {}), or err, or
// panics with panicWith; every other operation is not implemented.
type fakeService struct {
	model.UnimplementedHandlers
	out       any
	err       error
	panicWith any
	principal auth.Principal // the last call's, from its context
}

func answer[O any](f *fakeService, ctx context.Context) (*O, error) {
	if f.panicWith != nil {
		panic(f.panicWith)
	}
	f.principal, _ = auth.FromContext(ctx)
	out, _ := f.out.(*O)
	return out, f.err
}

func (f *fakeService) ListUsers(ctx context.Context, _ *model.ListUsersInput) (*model.ListUsersOutput, error) {
	return answer[model.ListUsersOutput](f, ctx)
}

func (f *fakeService) DeleteUser(ctx context.Context, _ *model.DeleteUserInput) (*model.DeleteUserOutput, error) {
	return answer[model.DeleteUserOutput](f, ctx)
}

func (f *fakeService) GetMailboxDetails(ctx context.Context, _ *model.GetMailboxDetailsInput) (*model.GetMailboxDetailsOutput, error) {
	return answer[model.GetMailboxDetailsOutput](f, ctx)
}

// call is a valid request for one of fakeService's operations.
type call struct{ op, body string }

var (
	listUsers         = call{"ListUsers", `{"OrganizationId":"` + testOrg + `"}`}
	deleteUser        = call{"DeleteUser", `{"OrganizationId":"` + testOrg + `","UserId":"u"}`}
	getMailboxDetails = call{"GetMailboxDetails", `{"OrganizationId":"` + testOrg + `","UserId":"u"}`}
)

func testHandler(svc model.Handlers, log slog.Handler) *Handler {
	if log == nil {
		log = slog.NewTextHandler(io.Discard, nil)
	}
	return &Handler{Auth: anyone{}, Service: svc, Log: slog.New(log)}
}

func serve(h *Handler, c call) *httptest.ResponseRecorder {
	r := httptest.NewRequest(http.MethodPost, "/", strings.NewReader(c.body))
	r.Header.Set("X-Amz-Target", TargetPrefix+c.op)
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, r)
	return rec
}

func TestOutputIsWhatJSONMarshalWrites(t *testing.T) {
	svc := &fakeService{}
	h := testHandler(svc, nil)
	name, token := "<b>&\u2028\xff", strings.Repeat("t", 1000)
	for _, tc := range []struct {
		call call
		out  any
	}{
		{listUsers, &model.ListUsersOutput{Users: []model.User{{Name: &name}, {}}, NextToken: &token}},
		{listUsers, &model.ListUsersOutput{Users: []model.User{}}}, // empty, not nil: []
		{deleteUser, &model.DeleteUserOutput{}},
	} {
		svc.out = tc.out
		want, _ := json.Marshal(tc.out)
		rec := serve(h, tc.call)
		if rec.Code != http.StatusOK || rec.Body.String() != string(want) {
			t.Errorf("%T: %d %s, want 200 %s", tc.out, rec.Code, rec.Body, want)
		}
		if got := rec.Header().Get("Content-Length"); got != strconv.Itoa(len(want)) {
			t.Errorf("%T: Content-Length %s, want %d", tc.out, got, len(want))
		}
		if got := rec.Header().Get("Content-Type"); got != ContentType {
			t.Errorf("%T: Content-Type %s, want %s", tc.out, got, ContentType)
		}
	}
	// A handler that returns no output says {}.
	svc.out = nil
	if rec := serve(h, deleteUser); rec.Code != http.StatusOK || rec.Body.String() != "{}" {
		t.Errorf("nil output: %d %s, want 200 {}", rec.Code, rec.Body)
	}
}

func TestOperationRunsWithThePrincipal(t *testing.T) {
	svc := &fakeService{}
	if rec := serve(testHandler(svc, nil), deleteUser); rec.Code != http.StatusOK {
		t.Fatalf("%d %s", rec.Code, rec.Body)
	}
	if svc.principal != (auth.Principal{Account: "111122223333", Region: "us-east-1"}) {
		t.Fatalf("the operation's context has principal %+v", svc.principal)
	}
}

func TestOutputThatCannotBeEncodedIsAnInternalFailure(t *testing.T) {
	size := math.NaN()
	svc := &fakeService{out: &model.GetMailboxDetailsOutput{MailboxSize: &size}}
	rec := serve(testHandler(svc, nil), getMailboxDetails)
	if rec.Code != http.StatusInternalServerError || !strings.Contains(rec.Body.String(), string(model.ErrInternalFailure)) {
		t.Errorf("got %d %s, want 500 %s", rec.Code, rec.Body, model.ErrInternalFailure)
	}
}

// records keeps the records a handler logs.
type records struct {
	mu   sync.Mutex
	recs []slog.Record
}

func (r *records) Enabled(context.Context, slog.Level) bool { return true }
func (r *records) Handle(_ context.Context, rec slog.Record) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.recs = append(r.recs, rec)
	return nil
}
func (r *records) WithAttrs([]slog.Attr) slog.Handler { return r }
func (r *records) WithGroup(string) slog.Handler      { return r }

// errors returns the messages logged at error level.
func (r *records) errors() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	var msgs []string
	for _, rec := range r.recs {
		if rec.Level >= slog.LevelError {
			msgs = append(msgs, rec.Message)
		}
	}
	return msgs
}

// A panicking operation is answered 500 InternalFailure, with the request
// id and nothing of the panic, and logged; the server goes on serving.
func TestPanicIsAnInternalFailure(t *testing.T) {
	log := &records{}
	svc := &fakeService{panicWith: "secret detail"}
	h := testHandler(svc, log)
	rec := serve(h, deleteUser)
	if rec.Code != http.StatusInternalServerError || rec.Header().Get("X-Amzn-Errortype") != string(model.ErrInternalFailure) {
		t.Fatalf("got %d %v %s, want 500 %s", rec.Code, rec.Header(), rec.Body, model.ErrInternalFailure)
	}
	body := rec.Body.String()
	if strings.Contains(body, "secret detail") || !strings.Contains(body, rec.Header().Get("X-Amzn-Requestid")) {
		t.Errorf("body %s: want the request id and not the panic", body)
	}
	if got := log.errors(); len(got) != 1 || got[0] != "panic serving request" {
		t.Errorf("logged errors %q", got)
	}
	svc.panicWith = nil
	if rec := serve(h, deleteUser); rec.Code != http.StatusOK {
		t.Fatalf("after a panic: %d %s", rec.Code, rec.Body)
	}
}

// An error code the operation's model does not declare is sent as it is,
// but logged as a workmaild bug; a declared one and a protocol error are
// not.
func TestUndeclaredErrorIsLogged(t *testing.T) {
	for _, tc := range []struct {
		err    error
		logged bool
	}{
		{model.ErrMailDomainNotFound.Errorf("x"), true}, // not one of DeleteUser's
		{model.ErrEntityState.Errorf("x"), false},
		{model.ErrInvalidParameter.Errorf("x"), false},
	} {
		log := &records{}
		rec := serve(testHandler(&fakeService{err: tc.err}, log), deleteUser)
		apiErr := tc.err.(*model.Error)
		if rec.Code != apiErr.Code.HTTPStatus() || rec.Header().Get("X-Amzn-Errortype") != string(apiErr.Code) {
			t.Errorf("%s: answered %d %s", apiErr.Code, rec.Code, rec.Body)
		}
		want := []string(nil)
		if tc.logged {
			want = []string{"operation returned an error its model does not declare"}
		}
		if got := log.errors(); strings.Join(got, "|") != strings.Join(want, "|") {
			t.Errorf("%s: logged errors %q, want %q", apiErr.Code, got, want)
		}
	}
}

// Request ids are UUIDs from RequestIDs: the same source gives the same ids.
func TestRequestIDsComeFromRequestIDs(t *testing.T) {
	requestIDs := func(seed byte) []string {
		h := testHandler(&fakeService{}, nil)
		h.RequestIDs = ids.New(rand.NewChaCha8([32]byte{seed}))
		var out []string
		for range 3 {
			out = append(out, serve(h, deleteUser).Header().Get("X-Amzn-Requestid"))
		}
		return out
	}
	a, b, c := requestIDs(1), requestIDs(1), requestIDs(2)
	if strings.Join(a, ",") != strings.Join(b, ",") || strings.Join(a, ",") == strings.Join(c, ",") || a[0] == a[1] {
		t.Fatalf("seed 1: %v and %v; seed 2: %v", a, b, c)
	}
	for _, id := range append(a, serve(testHandler(&fakeService{}, nil), deleteUser).Header().Get("X-Amzn-Requestid")) {
		if len(id) != 36 || id[14] != '4' || strings.Count(id, "-") != 4 {
			t.Errorf("request id %q is not a version 4 UUID", id)
		}
	}
}

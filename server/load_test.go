package server_test

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/workmail"
	"github.com/aws/aws-sdk-go-v2/service/workmail/types"

	"github.com/workmaild/workmaild/internal/sdktransport"
	"github.com/workmaild/workmaild/server"
)

const (
	loadClients = 64
	loadSteps   = 30
	// contestedAliases are created by every client at once: exactly one
	// CreateOrganization per alias may win.
	contestedAliases = 4
)

// TestLoadMixedOperations runs 64 concurrent SDK clients against one
// server on the persistent store, each doing a random mix of creates,
// puts, deletes, describes and lists, and checks that the server answered
// no request with a 5xx and that its final state is exactly what the
// acknowledged operations add up to.
func TestLoadMixedOperations(t *testing.T) {
	srv, err := server.New(server.Options{DataDir: t.TempDir(), Logger: slog.New(failOnError{t: t})})
	if err != nil {
		t.Fatal(err)
	}
	var served, serverErrors atomic.Int64
	hs := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rec := &statusRecorder{ResponseWriter: w}
		srv.ServeHTTP(rec, r)
		served.Add(1)
		if rec.status >= 500 {
			serverErrors.Add(1)
		}
	}))
	t.Cleanup(func() {
		hs.Close()
		srv.Close()
	})

	models := make([]*loadModel, loadClients)
	var wg sync.WaitGroup
	for i := range loadClients {
		models[i] = &loadModel{client: i, c: loadClient(hs.URL), orgs: map[string]*loadOrg{}}
		wg.Go(func() {
			m := models[i]
			rng := rand.New(rand.NewPCG(uint64(i), 7))
			if err := m.contest(context.Background()); err != nil {
				t.Errorf("client %d: %v", i, err)
				return
			}
			for step := range loadSteps {
				if err := m.step(context.Background(), rng, step); err != nil {
					t.Errorf("client %d step %d: %v", i, step, err)
					return
				}
			}
		})
	}
	wg.Wait()
	if n := serverErrors.Load(); n > 0 {
		t.Errorf("%d of %d requests answered with a 5xx", n, served.Load())
	}
	if t.Failed() {
		t.FailNow()
	}
	checkFinalState(t, loadClient(hs.URL), models)
	t.Logf("%d requests, 0 server errors", served.Load())
}

// loadClient is an SDK client that makes exactly one request per call, so
// that every failure the load meets shows. Its transport avoids the SDK's
// own connection race (see internal/sdktransport).
func loadClient(url string) *workmail.Client {
	return workmail.New(workmail.Options{
		Region:           testRegion,
		BaseEndpoint:     aws.String(url),
		Credentials:      credentials.NewStaticCredentialsProvider(testAccount, "secret-key", ""),
		HTTPClient:       sdktransport.Client(nil),
		RetryMaxAttempts: 1,
	})
}

// statusRecorder remembers the status a handler wrote.
type statusRecorder struct {
	http.ResponseWriter
	status int
}

func (r *statusRecorder) WriteHeader(status int) {
	r.status = status
	r.ResponseWriter.WriteHeader(status)
}

// checkFinalState compares the server with the sum of every client's
// model: the organizations listed, each one's description and its
// identity-provider configuration.
func checkFinalState(t *testing.T, c *workmail.Client, models []*loadModel) {
	t.Helper()
	ctx := context.Background()
	want := map[string]*loadOrg{}
	for _, m := range models {
		for id, o := range m.orgs {
			if _, dup := want[id]; dup {
				t.Fatalf("organization %s acknowledged to two clients", id)
			}
			want[id] = o
		}
	}
	winners := map[string]int{}
	for _, o := range want {
		if o.contested {
			winners[o.alias]++
		}
	}
	for k := range contestedAliases {
		if alias := fmt.Sprintf("contested-%d", k); winners[alias] != 1 {
			t.Errorf("%s was created %d times, want once", alias, winners[alias])
		}
	}
	listed, err := listAll(ctx, c)
	if err != nil {
		t.Fatal(err)
	}
	for id, o := range want {
		if !o.deleted && listed[id] != o.alias {
			t.Errorf("organization %s (%s) is not listed", id, o.alias)
		}
		if err := o.check(ctx, c, id); err != nil {
			t.Error(err)
		}
	}
	for id, alias := range listed {
		if o := want[id]; o == nil || o.deleted {
			t.Errorf("listed organization %s (%s) is not in the model", id, alias)
		}
	}
}

// listAll pages through ListOrganizations and fails on a duplicate.
func listAll(ctx context.Context, c *workmail.Client) (map[string]string, error) {
	out := map[string]string{}
	p := workmail.NewListOrganizationsPaginator(c, &workmail.ListOrganizationsInput{})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return nil, err
		}
		for _, o := range page.OrganizationSummaries {
			id := aws.ToString(o.OrganizationId)
			if _, dup := out[id]; dup {
				return nil, fmt.Errorf("ListOrganizations returned %s twice", id)
			}
			out[id] = aws.ToString(o.Alias)
		}
	}
	return out, nil
}

// isNameTaken reports whether err is the answer to a contested alias.
func isNameTaken(err error) bool {
	var taken *types.NameAvailabilityException
	return errors.As(err, &taken)
}

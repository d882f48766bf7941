package main

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"path/filepath"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/ratelimit"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/workmail"
	"github.com/aws/aws-sdk-go-v2/service/workmail/types"
	bolt "go.etcd.io/bbolt"

	"github.com/workmaild/workmaild/internal/sdktransport"
)

const (
	crashWriters = 16
	crashRounds  = 5
	// putsPerOrg is how many configurations each writer puts on each
	// organization it creates, so a kill can land between puts.
	putsPerOrg = 3
	// settingsPerOrg is how many retention policies, and how many tags,
	// each writer then puts on the organization.
	settingsPerOrg = 2
	crashAccount   = "123456789012"
	crashInst      = "arn:aws:sso:::instance/ssoins-1234567890abcdef"
	crashRegion    = "us-east-1"
)

// TestKillDuringConcurrentWrites runs the real binary on one data
// directory, five rounds in a row: 16 writers create organizations and put
// identity-provider configurations, retention policies and tags on them
// through the AWS SDK, the server is killed with SIGKILL mid-stream,
// restarted on the same directory (no repair step exists), and must still
// hold every acknowledged write.
func TestKillDuringConcurrentWrites(t *testing.T) {
	bin := buildBinary(t)
	dir := t.TempDir()
	book := newLedger()
	for round := range crashRounds {
		p := start(t, bin, nil, "serve", "--addr", "127.0.0.1:0", "--data-dir", dir, "--log-level", "error")
		began := time.Now()
		checkAfterRestart(t, p, book, round)
		verified := time.Now()
		// Kill at a different point each round, after these many new acks.
		killAfter := book.ackCount() + 150 + 37*round
		pending := book.unacknowledged()
		runAndKill(t, p, book, round, killAfter)
		checkFile(t, filepath.Join(dir, "workmaild.db"), round)
		t.Logf("round %d: verify %v, writes until the kill %v, %d writes in flight at the kill, %d acknowledged so far",
			round, verified.Sub(began).Round(time.Millisecond), time.Since(verified).Round(time.Millisecond),
			book.unacknowledged()-pending, book.ackCount())
	}
	p := start(t, bin, nil, "serve", "--addr", "127.0.0.1:0", "--data-dir", dir, "--log-level", "error")
	checkAfterRestart(t, p, book, crashRounds)
	p.stop(t)
	t.Logf("%d acknowledged writes survived %d kills", book.ackCount(), crashRounds)
}

func checkAfterRestart(t *testing.T, p *process, book *ledger, round int) {
	t.Helper()
	resp, err := http.Get(p.url + "/_workmaild/health")
	if err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("round %d: not healthy after restart: %v %v", round, resp, err)
	}
	resp.Body.Close()
	errs := book.verify(context.Background(), crashClient(p.url))
	for _, err := range errs[:min(len(errs), 20)] {
		t.Errorf("round %d: %v", round, err)
	}
	if len(errs) > 0 {
		t.FailNow()
	}
}

// checkFile runs bbolt's own consistency check on the file exactly as the
// kill left it, before any process opens it again.
func checkFile(t *testing.T, path string, round int) {
	t.Helper()
	db, err := bolt.Open(path, 0o600, &bolt.Options{ReadOnly: true, Timeout: time.Second})
	if err != nil {
		t.Fatalf("round %d: opening the killed server's file: %v", round, err)
	}
	defer db.Close()
	err = db.View(func(tx *bolt.Tx) error {
		var errs []error
		for err := range tx.Check() { // drained: the checker runs until it closes the channel
			errs = append(errs, err)
		}
		return errors.Join(errs...)
	})
	if err != nil {
		t.Fatalf("round %d: the file is inconsistent after the kill: %v", round, err)
	}
}

// crashClient retries a failed call twice, quickly. aws-sdk-go-v2 now and
// then closes a connection while it still reads a response that came back
// before it finished writing the request (aws/aws-sdk-go-v2#2737), and
// retries that by default. A retry cannot blur the ledger: CreateOrganization
// carries the same ClientToken on every attempt, a put is a full replace and
// a tag put again is the same tag.
func crashClient(url string) *workmail.Client {
	return workmail.New(workmail.Options{
		Region:       crashRegion,
		BaseEndpoint: aws.String(url),
		Credentials:  credentials.NewStaticCredentialsProvider(crashAccount, "secret", ""),
		HTTPClient:   sdktransport.Client(nil),
		Retryer: retry.NewStandard(func(o *retry.StandardOptions) {
			o.MaxAttempts = 3
			o.MaxBackoff = 50 * time.Millisecond
			o.RateLimiter = ratelimit.None
		}),
	})
}

// runAndKill starts the writers, SIGKILLs the server once the ledger holds
// killAfter acknowledgements, and returns when every writer has stopped.
func runAndKill(t *testing.T, p *process, book *ledger, round, killAfter int) {
	t.Helper()
	ctx := context.Background()
	c := crashClient(p.url)
	app, err := c.CreateIdentityCenterApplication(ctx, &workmail.CreateIdentityCenterApplicationInput{
		Name: aws.String("WorkMail"), InstanceArn: aws.String(crashInst),
	})
	if err != nil {
		t.Fatalf("round %d: %v", round, err)
	}
	var killed atomic.Bool
	trigger := make(chan struct{})
	var once sync.Once
	acked := func() {
		if book.ackCount() >= killAfter {
			once.Do(func() { close(trigger) })
		}
	}
	errc := make(chan error, crashWriters)
	var wg sync.WaitGroup
	for w := range crashWriters {
		wg.Go(func() {
			err := write(ctx, c, book, writerID{round, w}, aws.ToString(app.ApplicationArn), acked)
			if !killed.Load() {
				errc <- fmt.Errorf("writer %d failed before the kill: %w", w, err)
			}
		})
	}
	select {
	case <-trigger:
	case err := <-errc:
		t.Fatalf("round %d: %v", round, err)
	case <-time.After(20 * time.Second):
		t.Fatalf("round %d: only %d of %d acknowledgements after 20s", round, book.ackCount(), killAfter)
	}
	killed.Store(true)
	if err := p.cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	err = p.cmd.Wait()
	if ws, ok := p.cmd.ProcessState.Sys().(syscall.WaitStatus); !ok || !ws.Signaled() || ws.Signal() != syscall.SIGKILL {
		t.Fatalf("round %d: server ended by %v, not by our SIGKILL", round, err)
	}
	wg.Wait()
	close(errc)
	for err := range errc { // failures between the trigger and the kill
		t.Fatalf("round %d: %v", round, err)
	}
}

type writerID struct{ round, writer int }

// write creates organizations and puts configurations, retention policies
// and tags on them until a call fails (normally because the server was
// killed), recording each write in the ledger before it is sent and again
// once acknowledged.
func write(ctx context.Context, c *workmail.Client, book *ledger, id writerID, app string, acked func()) error {
	for i := 0; ; i++ {
		alias := fmt.Sprintf("r%d-w%d-%d", id.round, id.writer, i)
		book.attemptCreate(alias)
		out, err := c.CreateOrganization(ctx, &workmail.CreateOrganizationInput{Alias: aws.String(alias)})
		if err != nil {
			return err
		}
		org := aws.ToString(out.OrganizationId)
		book.ackCreate(org, alias)
		acked()
		for n := range putsPerOrg {
			p := crashPut(n)
			ack := book.attemptPut(org, p)
			if _, err := c.PutIdentityProviderConfiguration(ctx, p.input(org, app)); err != nil {
				return err
			}
			ack()
			acked()
		}
		if err := writeSettings(ctx, c, book, org, acked); err != nil {
			return err
		}
	}
}

// writeSettings puts settingsPerOrg retention policies (each replacing the
// last) and as many tags on the organization, each recorded in the ledger
// before it is sent and once acknowledged, as write does its puts.
func writeSettings(ctx context.Context, c *workmail.Client, book *ledger, org string, acked func()) error {
	arn := "arn:aws:workmail:" + crashRegion + ":" + crashAccount + ":organization/" + org
	for n := range settingsPerOrg {
		pol := settingAttempt{policy: true, name: fmt.Sprintf("policy-%d", n), value: int32(10 + n)}
		ack := book.attemptSetting(org, pol)
		_, err := c.PutRetentionPolicy(ctx, &workmail.PutRetentionPolicyInput{
			OrganizationId: aws.String(org), Name: aws.String(pol.name),
			FolderConfigurations: []types.FolderConfiguration{
				{Name: types.FolderNameDeletedItems, Action: types.RetentionActionDelete, Period: aws.Int32(pol.value)},
			},
		})
		if err != nil {
			return err
		}
		ack()
		acked()
		tag := settingAttempt{name: fmt.Sprintf("key-%d", n), value: int32(100 + n)}
		ack = book.attemptSetting(org, tag)
		_, err = c.TagResource(ctx, &workmail.TagResourceInput{
			ResourceARN: aws.String(arn),
			Tags:        []types.Tag{{Key: aws.String(tag.name), Value: aws.String(fmt.Sprint(tag.value))}},
		})
		if err != nil {
			return err
		}
		ack()
		acked()
	}
	return nil
}

// crashPut is the n-th configuration a writer puts on an organization;
// each differs from the others in all three values.
func crashPut(n int) putAttempt {
	p := putAttempt{
		mode:     types.IdentityProviderAuthenticationModeIdentityProviderOnly,
		status:   types.PersonalAccessTokenConfigurationStatusActive,
		lifetime: int32(30 + n),
	}
	if n%2 == 1 {
		p.mode = types.IdentityProviderAuthenticationModeIdentityProviderAndDirectory
		p.status = types.PersonalAccessTokenConfigurationStatusInactive
	}
	return p
}

func (p putAttempt) input(org, app string) *workmail.PutIdentityProviderConfigurationInput {
	return &workmail.PutIdentityProviderConfigurationInput{
		OrganizationId:     aws.String(org),
		AuthenticationMode: p.mode,
		IdentityCenterConfiguration: &types.IdentityCenterConfiguration{
			InstanceArn: aws.String(crashInst), ApplicationArn: aws.String(app),
		},
		PersonalAccessTokenConfiguration: &types.PersonalAccessTokenConfiguration{
			Status: p.status, LifetimeInDays: aws.Int32(p.lifetime),
		},
	}
}

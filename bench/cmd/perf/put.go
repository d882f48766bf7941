package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/workmail"
)

// putWorker is one client putting its own organization's configuration
// with a new LifetimeInDays each time.
type putWorker struct {
	account  string
	org, app string
	acked    atomic.Int32 // last LifetimeInDays the server acknowledged
	inFlight atomic.Int32 // the one sent and not yet answered, or 0
}

// putAccount is the account of worker i of a run over accounts accounts:
// the harness's usual one when there is one.
func putAccount(i, accounts int) string {
	if accounts == 1 {
		return account
	}
	return fmt.Sprintf("44440000%04d", i%accounts)
}

// measurePut drives durable PutIdentityProviderConfiguration from
// c.connections clients on each server in turn, first with every
// organization in one account, then with each in an account of its own,
// then kills the server with SIGKILL while they are still writing and
// checks, after a restart, that every organization holds its last
// acknowledged configuration (or the one in flight). One account is one
// store partition: PostgreSQL serializes writes per partition, the
// embedded store all its writes.
func measurePut(ctx context.Context, c config, bins binaries) ([]row, error) {
	spreads := []int{1, c.connections}
	rates := make([][]float64, len(spreads))
	var kept []string
	var dir string
	for _, s := range bins.servers {
		survived, total := 0, 0
		for k, accounts := range spreads {
			rate, ok, d, err := putRun(ctx, c, s, accounts)
			if err != nil {
				return nil, fmt.Errorf("%s: %w", s.name, err)
			}
			rates[k] = append(rates[k], rate)
			survived, total, dir = survived+ok, total+c.connections, d
		}
		kept = append(kept, fmt.Sprintf("%d/%d orgs", survived, total))
	}
	fsyncs, err := fsyncRate(dir, time.Second)
	if err != nil {
		return nil, err
	}
	rows := []row{
		{figure: fmt.Sprintf("durable Put throughput, %d clients", c.connections), values: each(rates[0], perSecond),
			baseline: perSecond(fsyncs) + " fsyncs", ratios: ratios(rates[0], fsyncs), target: "≥ 2000/s"},
		{figure: fmt.Sprintf("durable Put throughput, %d clients in %d accounts", c.connections, c.connections), values: each(rates[1], perSecond),
			baseline: perSecond(fsyncs) + " fsyncs", ratios: ratios(rates[1], fsyncs)},
	}
	if bins.onPostgres() {
		rows = append(rows,
			vsEmbedded("durable Put, PostgreSQL ÷ embedded, one account", bins, rates[0]),
			vsEmbedded(fmt.Sprintf("durable Put, PostgreSQL ÷ embedded, %d accounts", c.connections), bins, rates[1]))
	}
	return append(rows, row{figure: "acknowledged Puts kept after SIGKILL", values: kept, target: "all"}), nil
}

// putRun is one server's durable Put run, its organizations spread over
// accounts accounts: its rate, how many organizations kept their last
// acknowledged Put, and its directory.
func putRun(ctx context.Context, c config, s server, accounts int) (float64, int, string, error) {
	p, dir, err := startWorkmaild(c, s, "put")
	if err != nil {
		return 0, 0, "", err
	}
	defer p.kill()
	workers := make([]*putWorker, c.connections)
	clients := map[string]*rawClient{}
	for i := range workers {
		acct := putAccount(i, accounts)
		sdk, closeSDK := sdkClient(p.url, acct)
		org, app, err := configureOrganization(ctx, sdk, "put-"+strconv.Itoa(i))
		closeSDK()
		if err != nil {
			return 0, 0, "", err
		}
		workers[i] = &putWorker{account: acct, org: org, app: app}
		if clients[acct] == nil {
			clients[acct] = newRawClient(p.url, c.connections)
			clients[acct].auth = authorizationFor(acct)
		}
	}

	var done atomic.Int64
	stop := make(chan struct{})
	var wg sync.WaitGroup
	start := time.Now()
	for _, w := range workers {
		client := clients[w.account]
		wg.Go(func() {
			for days := int32(1); ; days = days%3650 + 1 {
				select {
				case <-stop:
					return
				default:
				}
				w.inFlight.Store(days)
				if _, err := client.call("PutIdentityProviderConfiguration", putBody(w.org, w.app, days)); err != nil {
					return // the kill below ends every worker this way
				}
				w.acked.Store(days)
				w.inFlight.Store(0)
				done.Add(1)
			}
		})
	}
	time.Sleep(c.duration)
	n, took := done.Load(), time.Since(start)
	p.kill() // a crash in the middle of the writes
	close(stop)
	wg.Wait()

	survived, err := checkPuts(ctx, s.bin, p.args, filepath.Join(dir, "restart.log"), workers)
	return float64(n) / took.Seconds(), survived, dir, err
}

func putBody(org, app string, days int32) string {
	return `{"OrganizationId":"` + org + `","AuthenticationMode":"IDENTITY_PROVIDER_ONLY",` +
		`"IdentityCenterConfiguration":{"InstanceArn":"` + instanceArn + `","ApplicationArn":"` + app + `"},` +
		`"PersonalAccessTokenConfiguration":{"Status":"ACTIVE","LifetimeInDays":` + strconv.Itoa(int(days)) + `}}`
}

// checkPuts restarts the server (one replica) and counts the organizations whose
// configuration is the last acknowledged one or the one in flight.
func checkPuts(ctx context.Context, bin string, args []string, logFile string, workers []*putWorker) (int, error) {
	p, err := startProcess(bin, args, logFile)
	if err != nil {
		return 0, err
	}
	defer p.kill()
	ok := 0
	for _, w := range workers {
		sdk, done := sdkClient(p.url, w.account)
		d, err := sdk.DescribeIdentityProviderConfiguration(ctx, &workmail.DescribeIdentityProviderConfigurationInput{OrganizationId: aws.String(w.org)})
		done()
		if err != nil {
			return 0, err
		}
		got := aws.ToInt32(d.PersonalAccessTokenConfiguration.LifetimeInDays)
		acked, inFlight := w.acked.Load(), w.inFlight.Load()
		if acked == 0 { // nothing acknowledged: the set-up's 30 or the first Put
			acked = 30
		}
		if got == acked || (inFlight != 0 && got == inFlight) {
			ok++
		} else {
			fmt.Fprintf(os.Stderr, "  %s: LifetimeInDays %d after the crash; last acknowledged %d\n", w.org, got, acked)
		}
	}
	return ok, nil
}

// fsyncRate is how many small write+fsync pairs one writer completes per
// second in dir: the disk's own limit on commits that are not grouped.
func fsyncRate(dir string, d time.Duration) (float64, error) {
	f, err := os.CreateTemp(dir, "fsync-")
	if err != nil {
		return 0, err
	}
	defer os.Remove(f.Name())
	defer f.Close()
	page := make([]byte, 4096)
	n, start := 0, time.Now()
	for time.Since(start) < d {
		if _, err := f.WriteAt(page, int64(n%256)*4096); err != nil {
			return 0, err
		}
		if err := f.Sync(); err != nil {
			return 0, err
		}
		n++
	}
	return float64(n) / time.Since(start).Seconds(), nil
}

package main

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/workmail"
)

// pgCrashRounds is how many times the writing replica is killed.
const pgCrashRounds = 3

// TestKillReplicaDuringWrites runs two replica binaries on one PostgreSQL
// database. Writers send through the first (organizations and
// identity-provider configurations, as TestKillDuringConcurrentWrites
// does), which is killed with SIGKILL mid-stream; the second, which kept
// running, must then hold every acknowledged write and still take writes
// of the same account and region (the killed replica's sessions, and the
// locks they held, are gone). The first is restarted and the round runs
// again.
func TestKillReplicaDuringWrites(t *testing.T) {
	bin := buildBinary(t)
	db := pg.Database(t)
	args := []string{"serve", "--addr", "127.0.0.1:0", "--store", db, "--log-level", "error"}
	survivor := start(t, bin, nil, args...)
	book := newLedger()
	ctx := context.Background()
	for round := range pgCrashRounds {
		p := start(t, bin, nil, args...)
		checkAfterRestart(t, p, book, round)
		began := time.Now()
		killAfter := book.ackCount() + 100 + 37*round
		pending := book.unacknowledged()
		runAndKill(t, p, book, round, killAfter)
		checkAfterRestart(t, survivor, book, round)
		if _, err := crashClient(survivor.url).CreateIdentityCenterApplication(ctx, &workmail.CreateIdentityCenterApplicationInput{
			Name: aws.String(fmt.Sprintf("after-kill-%d", round)), InstanceArn: aws.String(crashInst),
		}); err != nil {
			t.Fatalf("round %d: a write on the surviving replica after the kill: %v", round, err)
		}
		t.Logf("round %d: writes until the kill and check %v, %d writes in flight at the kill, %d acknowledged so far",
			round, time.Since(began).Round(time.Millisecond), book.unacknowledged()-pending, book.ackCount())
	}
	survivor.stop(t)
	t.Logf("%d acknowledged writes survived %d kills of a replica", book.ackCount(), pgCrashRounds)
}

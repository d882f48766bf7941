package pgtest

import (
	"context"
	"os"
	"testing"

	"github.com/jackc/pgx/v5"
)

var pg Server

func TestMain(m *testing.M) { os.Exit(pg.Main(m)) }

// The tests' server gives each test its own database and runs without
// fsync.
func TestDatabase(t *testing.T) {
	a, b := pg.Database(t), pg.Database(t)
	if DatabaseName(a) == DatabaseName(b) || DatabaseName(a) == "" {
		t.Errorf("databases %q and %q", DatabaseName(a), DatabaseName(b))
	}
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, a)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	for setting, want := range map[string]string{"fsync": "off", "synchronous_commit": "on", "shared_buffers": "32MB", "max_connections": "200"} {
		var got string
		if err := conn.QueryRow(ctx, "SHOW "+setting).Scan(&got); err != nil {
			t.Fatal(err)
		}
		if got != want {
			t.Errorf("%s = %s, want %s", setting, got, want)
		}
	}
	if pg.Port() == 0 || pg.Password() == "" || pg.Host() != "127.0.0.1" {
		t.Errorf("host %s port %d password %q", pg.Host(), pg.Port(), pg.Password())
	}
}

func TestHaltBeforeStart(t *testing.T) {
	var s Server
	if s.Halt() == nil || s.Resume() == nil {
		t.Error("Halt or Resume of a server that never started succeeded")
	}
	if err := s.Stop(); err != nil {
		t.Error(err)
	}
}

package pgcluster

import (
	"context"
	"fmt"
	"os"
	"testing"

	"github.com/jackc/pgx/v5"
)

// show is a setting of the server behind url.
func show(t *testing.T, url, setting string) string {
	t.Helper()
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	var v string
	if err := conn.QueryRow(ctx, "SHOW "+setting).Scan(&v); err != nil {
		t.Fatal(err)
	}
	return v
}

func TestDurableAndNot(t *testing.T) {
	for _, tc := range []struct {
		opts                 Options
		fsync, shared, conns string
	}{
		{Options{Durable: true}, "on", "128MB", "200"},
		{Options{SharedBuffers: "32MB", MaxConnections: 50}, "off", "32MB", "50"},
	} {
		c, err := Start(tc.opts)
		if err != nil {
			t.Fatal(err)
		}
		url := c.URL("postgres")
		for setting, want := range map[string]string{
			"fsync": tc.fsync, "full_page_writes": tc.fsync, "synchronous_commit": "on",
			"shared_buffers": tc.shared, "max_connections": tc.conns,
		} {
			if got := show(t, url, setting); got != want {
				t.Errorf("%+v: %s = %s, want %s", tc.opts, setting, got, want)
			}
		}
		if err := c.Admin(context.Background(), "CREATE DATABASE bench"); err != nil {
			t.Fatal(err)
		}
		show(t, c.URL("bench"), "fsync")
		pid, err := c.ServerPID()
		if err != nil {
			t.Fatal(err)
		}
		if _, err := os.Stat(fmt.Sprintf("/proc/%d", pid)); err != nil {
			t.Errorf("server process %d: %v", pid, err)
		}
		dir := c.dir
		if err := c.Stop(); err != nil {
			t.Fatal(err)
		}
		if _, err := os.Stat(dir); !os.IsNotExist(err) {
			t.Errorf("the cluster's directory is left after Stop: %v", err)
		}
	}
}

func TestHaltResume(t *testing.T) {
	c, err := Start(Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Stop()
	ctx := context.Background()
	if err := c.Admin(ctx, "CREATE DATABASE kept"); err != nil {
		t.Fatal(err)
	}
	if err := c.Halt(); err != nil {
		t.Fatal(err)
	}
	if err := c.Admin(ctx, "SELECT 1"); err == nil {
		t.Error("the halted server answered")
	}
	if err := c.Resume(); err != nil {
		t.Fatal(err)
	}
	if got := show(t, c.URL("kept"), "fsync"); got != "off" {
		t.Errorf("fsync = %s after Resume", got)
	}
}

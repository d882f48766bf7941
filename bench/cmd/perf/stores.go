package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/workmaild/workmaild/internal/pgcluster"
)

// The stores a binary can be measured on (-stores).
const (
	storeEmbedded = "embedded" // --data-dir: the default
	storePG1      = "pg1"      // --store: one replica on a PostgreSQL database
	storePG2      = "pg2"      // two replicas on one database, behind a balancer
)

var storeNames = []string{storeEmbedded, storePG1, storePG2}

// replicas is how many workmaild processes serve a store.
func replicas(store string) int {
	if store == storePG2 {
		return 2
	}
	return 1
}

func isPostgres(store string) bool { return store != storeEmbedded }

// postgres is the PostgreSQL cluster of a run, shared by every side
// measured on it, each on a database of its own.
type postgres struct {
	cl  *pgcluster.Cluster
	dbs atomic.Int64
}

// startPostgres starts a durable cluster: fsync and full-page writes on,
// as a production server runs, with PostgreSQL's default shared buffers.
func startPostgres() (*postgres, error) {
	cl, err := pgcluster.Start(pgcluster.Options{Durable: true})
	if err != nil {
		return nil, fmt.Errorf("starting PostgreSQL: %w", err)
	}
	return &postgres{cl: cl}, nil
}

// database creates an empty database named after step and returns its URL.
func (pg *postgres) database(step string) (string, error) {
	name := fmt.Sprintf("%s_%d", step, pg.dbs.Add(1))
	if err := pg.cl.Admin(context.Background(), "CREATE DATABASE "+name); err != nil {
		return "", fmt.Errorf("creating database %s: %w", name, err)
	}
	return pg.cl.URL(name), nil
}

// cpuTime is the CPU time the whole server has used: its main process,
// every session's and background process, and those that have ended.
func (pg *postgres) cpuTime() (time.Duration, error) {
	pid, err := pg.cl.ServerPID()
	if err != nil {
		return 0, err
	}
	own, err := procCPU(pid, true)
	if err != nil {
		return 0, err
	}
	entries, err := os.ReadDir("/proc")
	if err != nil {
		return 0, err
	}
	for _, e := range entries {
		child, err := strconv.Atoi(e.Name())
		if err != nil || child == pid {
			continue
		}
		if parent, err := procParent(child); err != nil || parent != pid {
			continue // not the server's, or gone
		}
		if t, err := procCPU(child, false); err == nil {
			own += t
		}
	}
	return own, nil
}

// stop stops the cluster and removes its files.
func (pg *postgres) stop() error { return pg.cl.Stop() }

// procStat is the fields of /proc/PID/stat after the command name (which
// is in parentheses and may hold spaces): fields[0] is the state.
func procStat(pid int) ([]string, error) {
	stat, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return nil, err
	}
	i := strings.LastIndexByte(string(stat), ')')
	fields := strings.Fields(string(stat[i+1:]))
	if len(fields) < 15 {
		return nil, errors.New("short /proc stat")
	}
	return fields, nil
}

func procParent(pid int) (int, error) {
	f, err := procStat(pid)
	if err != nil {
		return 0, err
	}
	return strconv.Atoi(f[1])
}

// procCPU is the user plus system CPU time of a process, and with
// children that of its children that have ended and been waited for.
func procCPU(pid int, children bool) (time.Duration, error) {
	f, err := procStat(pid)
	if err != nil {
		return 0, err
	}
	fields := []int{11, 12} // utime, stime
	if children {
		fields = append(fields, 13, 14) // cutime, cstime
	}
	var ticks int64
	for _, i := range fields {
		n, err := strconv.ParseInt(f[i], 10, 64)
		if err != nil {
			return 0, err
		}
		ticks += n
	}
	return time.Duration(ticks) * clockTick, nil
}

// instance is one measured workmaild: a process on a fresh data
// directory, or one or two on a fresh PostgreSQL database, the two behind
// a balancer.
type instance struct {
	procs []*process
	lb    *balancer // in front of two replicas, or nil
	args  []string  // the serve command line of each replica, for restarts
	url   string    // of the only replica or of the balancer
	pg    *postgres // the database's server, or nil
}

// startWorkmaild makes a fresh directory named after step under the work
// directory and starts s there: on a persistent store in it, or on a new
// PostgreSQL database, logging to workmaild.log (workmaild-2.log for the
// second replica). It returns the instance and the directory.
func startWorkmaild(c config, s server, step string, extra ...string) (*instance, string, error) {
	dir, err := os.MkdirTemp(c.workDir, step+"-")
	if err != nil {
		return nil, "", err
	}
	args, err := freshStore(c, s, step, dir)
	if err != nil {
		return nil, "", err
	}
	args = append(args, extra...)
	in := &instance{args: args}
	if isPostgres(s.store) {
		in.pg = c.pg
	}
	for i := range replicas(s.store) {
		log := "workmaild.log"
		if i > 0 {
			log = fmt.Sprintf("workmaild-%d.log", i+1)
		}
		p, err := startProcess(s.bin, args, filepath.Join(dir, log))
		if err != nil {
			in.kill()
			return nil, "", err
		}
		in.procs = append(in.procs, p)
	}
	in.url = in.procs[0].url
	if len(in.procs) > 1 {
		var addrs []string
		for _, p := range in.procs {
			addrs = append(addrs, strings.TrimPrefix(p.url, "http://"))
		}
		if in.lb, err = newBalancer(addrs); err != nil {
			in.kill()
			return nil, "", err
		}
		in.url = in.lb.url()
	}
	return in, dir, nil
}

// freshStore makes an empty store for s and returns the serve command line
// on it: a data directory in dir, or a new database.
func freshStore(c config, s server, step, dir string) ([]string, error) {
	if !isPostgres(s.store) {
		return serveArgs(filepath.Join(dir, "data")), nil
	}
	url, err := c.pg.database(step)
	if err != nil {
		return nil, err
	}
	return pgServeArgs(url), nil
}

// pgServeArgs is the command line of workmaild on a free loopback port
// with its default flags and the PostgreSQL database at url.
func pgServeArgs(url string) []string {
	return []string{"serve", "--addr", "127.0.0.1:0", "--store", url}
}

// kill ends every replica at once (SIGKILL), and the balancer.
func (in *instance) kill() {
	if in.lb != nil {
		in.lb.close()
	}
	for _, p := range in.procs {
		p.kill()
	}
}

// stop ends every replica gracefully, and the balancer.
func (in *instance) stop() error {
	if in.lb != nil {
		in.lb.close()
	}
	var errs []error
	for _, p := range in.procs {
		errs = append(errs, p.stop())
	}
	return errors.Join(errs...)
}

// cpuTime is the CPU time of every replica.
func (in *instance) cpuTime() (time.Duration, error) {
	var sum time.Duration
	for _, p := range in.procs {
		t, err := p.cpuTime()
		if err != nil {
			return 0, err
		}
		sum += t
	}
	return sum, nil
}

// rssBytes is the resident memory of every replica.
func (in *instance) rssBytes() (int64, error) {
	var sum int64
	for _, p := range in.procs {
		n, err := p.rssBytes()
		if err != nil {
			return 0, err
		}
		sum += n
	}
	return sum, nil
}

// selfCPU is the CPU time of this process: while wrk runs, that of the
// balancer.
func selfCPU() (time.Duration, error) { return procCPU(os.Getpid(), false) }

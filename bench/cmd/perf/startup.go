package main

import (
	"os"
	"path/filepath"
	"time"
)

// startup is what starting the server costs.
type startup struct {
	skipped     bool          // two replicas: one replica's start-up is the pg1 column's
	listening   time.Duration // exec to the "listening on" line (median)
	firstAnswer time.Duration // exec to the first 200 answer (median)
	idleRSS     int64         // resident memory once started and idle
}

// eachStartup formats one figure of every server, "" for those skipped.
func eachStartup(sts []startup, f func(startup) string) []string {
	return each(sts, func(s startup) string {
		if s.skipped {
			return ""
		}
		return f(s)
	})
}

// measureStartup starts each binary `times` times, alternating between
// them, with the serve command line in stored (on a store already
// filled), or on a fresh empty data directory or database each time when
// stored is nil, and times each start up to the first answered WorkMail
// request. Servers of two replicas are skipped.
func measureStartup(c config, bins binaries, stored [][]string, times int) ([]startup, error) {
	n := len(bins.servers)
	listening, first := make([][]time.Duration, n), make([][]time.Duration, n)
	out := make([]startup, n)
	for i := range times {
		for k, s := range bins.servers {
			if replicas(s.store) > 1 {
				out[k].skipped = true
				continue
			}
			var args []string
			if stored != nil {
				args = stored[k]
			} else {
				dir, err := os.MkdirTemp(c.workDir, "empty-")
				if err != nil {
					return nil, err
				}
				if args, err = freshStore(c, s, "empty", dir); err != nil {
					return nil, err
				}
			}
			p, err := startProcess(s.bin, args, filepath.Join(c.workDir, "startup.log"))
			if err != nil {
				return nil, err
			}
			if _, err := newRawClient(p.url, 1).call("ListOrganizations", "{}"); err != nil {
				p.kill()
				return nil, err
			}
			first[k] = append(first[k], time.Since(p.started))
			listening[k] = append(listening[k], p.listening)
			if i == times-1 {
				time.Sleep(time.Second) // let start-up garbage be collected
				out[k].idleRSS, err = p.rssBytes()
				if err != nil {
					p.kill()
					return nil, err
				}
			}
			if err := p.stop(); err != nil {
				return nil, err
			}
		}
	}
	for k := range out {
		if !out[k].skipped {
			out[k].listening, out[k].firstAnswer = median(listening[k]), median(first[k])
		}
	}
	return out, nil
}

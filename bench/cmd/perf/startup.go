package main

import (
	"os"
	"path/filepath"
	"time"
)

// startup is what starting the server costs.
type startup struct {
	listening   time.Duration // exec to the "listening on" line (median)
	firstAnswer time.Duration // exec to the first 200 answer (median)
	idleRSS     int64         // resident memory once started and idle
}

// measureStartup starts each binary `times` times, alternating between
// them, on its data directory in dataDirs, or on a fresh empty directory
// each time when dataDirs is nil, and times each start up to the first
// answered WorkMail request.
func measureStartup(c config, bins binaries, dataDirs []string, times int) ([]startup, error) {
	n := len(bins.servers)
	listening, first := make([][]time.Duration, n), make([][]time.Duration, n)
	out := make([]startup, n)
	for i := range times {
		for k, s := range bins.servers {
			var dir string
			if dataDirs != nil {
				dir = dataDirs[k]
			} else {
				var err error
				if dir, err = os.MkdirTemp(c.workDir, "empty-"); err != nil {
					return nil, err
				}
			}
			p, err := startProcess(s.bin, serveArgs(dir), filepath.Join(c.workDir, "startup.log"))
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
		out[k].listening, out[k].firstAnswer = median(listening[k]), median(first[k])
	}
	return out, nil
}

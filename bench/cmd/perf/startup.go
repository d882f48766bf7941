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

// measureStartup starts workmaild `times` times on dataDir, or on a fresh
// empty directory each time when dataDir is "", and times each start up to
// the first answered WorkMail request.
func measureStartup(c config, bins binaries, dataDir string, times int) (startup, error) {
	var listening, first []time.Duration
	var s startup
	for i := range times {
		dir := dataDir
		if dir == "" {
			var err error
			if dir, err = os.MkdirTemp(c.workDir, "empty-"); err != nil {
				return s, err
			}
		}
		p, err := startProcess(bins.workmaild, serveArgs(dir), filepath.Join(c.workDir, "startup.log"))
		if err != nil {
			return s, err
		}
		if _, err := newRawClient(p.url, 1).call("ListOrganizations", "{}"); err != nil {
			p.kill()
			return s, err
		}
		first = append(first, time.Since(p.started))
		listening = append(listening, p.listening)
		if i == times-1 {
			time.Sleep(time.Second) // let start-up garbage be collected
			s.idleRSS, err = p.rssBytes()
			if err != nil {
				p.kill()
				return s, err
			}
		}
		if err := p.stop(); err != nil {
			return s, err
		}
	}
	s.listening, s.firstAnswer = median(listening), median(first)
	return s, nil
}

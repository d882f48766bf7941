package main

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// process is a running server binary: workmaild or the baseline.
type process struct {
	cmd       *exec.Cmd
	url       string        // http://host:port
	started   time.Time     // just before exec
	listening time.Duration // exec to the "listening on" line
}

// startWorkmaild makes a fresh directory named after step under the work
// directory and starts workmaild serving a persistent store in it, logging
// to workmaild.log there. It returns the process and the directory.
func startWorkmaild(c config, bin, step string) (*process, string, error) {
	dir, err := os.MkdirTemp(c.workDir, step+"-")
	if err != nil {
		return nil, "", err
	}
	p, err := startProcess(bin, serveArgs(filepath.Join(dir, "data")), filepath.Join(dir, "workmaild.log"))
	return p, dir, err
}

// serveArgs is the command line of workmaild on a free loopback port with
// its default flags and a persistent store in dataDir. It passes only
// flags every version has, so that the harness measures older binaries
// alike.
func serveArgs(dataDir string) []string {
	return []string{"serve", "--addr", "127.0.0.1:0", "--data-dir", dataDir}
}

// startProcess runs bin and waits for the line "<anything> listening on
// http://ADDR" on its standard output. Standard error goes to logFile.
func startProcess(bin string, args []string, logFile string) (*process, error) {
	cmd := exec.Command(bin, args...)
	// workmaild reads a flag's default from WORKMAILD_<FLAG>: none may
	// leak in from the harness's environment.
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "WORKMAILD_") {
			cmd.Env = append(cmd.Env, kv)
		}
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	logs, err := os.OpenFile(logFile, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		return nil, err
	}
	defer logs.Close() // the child keeps its own descriptor
	cmd.Stderr = logs
	p := &process{cmd: cmd, started: time.Now()}
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	line, err := bufio.NewReader(stdout).ReadString('\n')
	if err != nil {
		p.kill()
		return nil, fmt.Errorf("%s printed no listening line: %w", bin, err)
	}
	p.listening = time.Since(p.started)
	_, url, ok := strings.Cut(strings.TrimSpace(line), " listening on ")
	if !ok {
		p.kill()
		return nil, fmt.Errorf("%s: unexpected first line %q", bin, line)
	}
	p.url = url
	go func() { _, _ = io.Copy(io.Discard, stdout) }()
	return p, nil
}

// stop ends the process gracefully (SIGTERM) and waits for it.
func (p *process) stop() error {
	if err := p.cmd.Process.Signal(os.Interrupt); err != nil {
		return err
	}
	err := p.cmd.Wait()
	var exit *exec.ExitError
	if errors.As(err, &exit) {
		return fmt.Errorf("%s exited: %w", p.cmd.Path, err)
	}
	return err
}

// kill ends the process at once (SIGKILL), as a crash would.
func (p *process) kill() {
	_ = p.cmd.Process.Kill()
	_ = p.cmd.Wait()
}

// rssBytes is the process's resident set size.
func (p *process) rssBytes() (int64, error) {
	status, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", p.cmd.Process.Pid))
	if err != nil {
		return 0, err
	}
	for line := range strings.SplitSeq(string(status), "\n") {
		if rest, ok := strings.CutPrefix(line, "VmRSS:"); ok {
			kb, err := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 10, 64)
			return kb << 10, err
		}
	}
	return 0, errors.New("no VmRSS in /proc status")
}

// clockTick is Linux's USER_HZ, the unit of /proc/PID/stat times.
const clockTick = 10 * time.Millisecond

// cpuTime is the user plus system CPU time the process has used.
func (p *process) cpuTime() (time.Duration, error) {
	stat, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", p.cmd.Process.Pid))
	if err != nil {
		return 0, err
	}
	// Fields after the command name, which is in parentheses and may hold spaces.
	i := strings.LastIndexByte(string(stat), ')')
	fields := strings.Fields(string(stat[i+1:]))
	if len(fields) < 13 {
		return 0, errors.New("short /proc stat")
	}
	utime, err1 := strconv.ParseInt(fields[11], 10, 64)
	stime, err2 := strconv.ParseInt(fields[12], 10, 64)
	if err := errors.Join(err1, err2); err != nil {
		return 0, err
	}
	return time.Duration(utime+stime) * clockTick, nil
}

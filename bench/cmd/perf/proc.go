package main

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
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
func (p *process) cpuTime() (time.Duration, error) { return procCPU(p.cmd.Process.Pid, false) }

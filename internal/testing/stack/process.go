package stack

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"time"
)

// StartError says which service failed to start and why, with what the
// service itself logged.
type StartError struct {
	Service string   // the service's name, which is also its log's name
	Command []string // the command line, if it is a process
	LogFile string   // its log file, if any
	LogTail string   // the last lines of LogFile
	Err     error
}

func (e *StartError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "starting %s: %v", e.Service, e.Err)
	if len(e.Command) > 0 {
		fmt.Fprintf(&b, "\n  command: %s", strings.Join(e.Command, " "))
	}
	if e.LogFile != "" {
		fmt.Fprintf(&b, "\n  last lines of %s:\n", e.LogFile)
		for _, l := range strings.Split(strings.TrimRight(e.LogTail, "\n"), "\n") {
			b.WriteString("    " + l + "\n")
		}
	}
	return strings.TrimRight(b.String(), "\n")
}

func (e *StartError) Unwrap() error { return e.Err }

// proc is one process the stack started, in a process group of its own.
type proc struct {
	name    string
	cmd     *exec.Cmd
	log     string
	stopSig syscall.Signal
	done    chan struct{} // closed once the process is reaped
}

// start runs bin with args in the stack's dir, output to logs/<name>.log.
// The process leads a new process group, which Stop signals as a whole, and
// gets stopSig if the thread that started it dies, so nothing outlives a
// crashed test. Services whose graceful stop is only a wait (Trillian) use
// SIGKILL.
func (s *Stack) start(name string, stopSig syscall.Signal, env []string, bin string, args ...string) (*proc, error) {
	path, err := lookTool(s.Config.ToolsDir, bin)
	if err != nil {
		return nil, &StartError{Service: name, Err: err}
	}
	logPath := filepath.Join(s.Dir, "logs", name+".log")
	logf, err := os.Create(logPath)
	if err != nil {
		return nil, &StartError{Service: name, Err: err}
	}
	defer logf.Close() // the child has its own copy
	cmd := exec.Command(path, args...)
	cmd.Dir = s.Dir
	if env != nil {
		cmd.Env = append(os.Environ(), env...)
	}
	cmd.Stdout, cmd.Stderr = logf, logf
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: stopSig}
	if err := cmd.Start(); err != nil {
		return nil, &StartError{Service: name, Command: cmd.Args, Err: err}
	}
	p := &proc{name: name, cmd: cmd, log: logPath, stopSig: stopSig, done: make(chan struct{})}
	go func() {
		cmd.Wait()
		close(p.done)
	}()
	s.procs = append(s.procs, p)
	return p, nil
}

func (p *proc) exited() bool {
	select {
	case <-p.done:
		return true
	default:
		return false
	}
}

// fail wraps err with the process's command line and the tail of its log.
func (p *proc) fail(err error) error {
	return &StartError{Service: p.name, Command: p.cmd.Args, LogFile: p.log, LogTail: tail(p.log, 30), Err: err}
}

// signal sends sig to the process group, only while its leader has not been
// reaped: until then the group id cannot have been reused.
func (p *proc) signal(sig syscall.Signal) {
	if !p.exited() {
		syscall.Kill(-p.cmd.Process.Pid, sig)
	}
}

// stopAll sends each process its stop signal, gives them all up to grace
// to exit (mariadbd's clean shutdown in particular), then SIGKILLs what is
// left. It returns once every process has been reaped.
func stopAll(procs []*proc, grace time.Duration) {
	for i := len(procs) - 1; i >= 0; i-- {
		procs[i].signal(procs[i].stopSig)
	}
	timer := time.NewTimer(grace)
	defer timer.Stop()
	expired := false
	for _, p := range procs {
		if !expired {
			select {
			case <-p.done:
				continue
			case <-timer.C:
				expired = true
			}
		}
		p.signal(syscall.SIGKILL)
		<-p.done
	}
}

// tail returns the last n lines of a file, or why it could not be read.
func tail(path string, n int) string {
	b, err := os.ReadFile(path)
	if err != nil {
		return fmt.Sprintf("(%v)", err)
	}
	lines := bytes.Split(bytes.TrimRight(b, "\n"), []byte("\n"))
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return string(bytes.Join(lines, []byte("\n")))
}

// waitUntil polls ready every 50ms until it succeeds. It gives up, with the
// process's log, when p exits or after the ready timeout; p may be nil for
// a service that runs in process.
func (s *Stack) waitUntil(ctx context.Context, name string, p *proc, ready func(context.Context) error) error {
	ctx, cancel := context.WithTimeout(ctx, s.Config.readyTimeout())
	defer cancel()
	fail := func(err error) error {
		if p != nil {
			return p.fail(err)
		}
		return &StartError{Service: name, Err: err}
	}
	tick := time.NewTicker(50 * time.Millisecond)
	defer tick.Stop()
	for {
		err := ready(ctx)
		if err == nil {
			s.Config.logf("%s ready at +%s", name, time.Since(s.started).Round(10*time.Millisecond))
			return nil
		}
		if p != nil && p.exited() {
			return fail(fmt.Errorf("exited during start-up (%v)", p.cmd.ProcessState))
		}
		select {
		case <-ctx.Done():
			return fail(fmt.Errorf("not ready after %v: %w", s.Config.readyTimeout(), err))
		case <-tick.C:
		}
	}
}

// waitHTTP waits until url answers 200.
func (s *Stack) waitHTTP(ctx context.Context, name string, p *proc, url string) error {
	return s.waitUntil(ctx, name, p, func(ctx context.Context) error {
		_, err := get(ctx, url)
		return err
	})
}

var httpClient = &http.Client{Timeout: 2 * time.Second}

// get fetches url and returns the body of a 200 answer.
func get(ctx context.Context, url string) ([]byte, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return nil, err
	}
	resp, err := httpClient.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	var body bytes.Buffer
	if _, err := body.ReadFrom(resp.Body); err != nil {
		return nil, fmt.Errorf("reading %s: %w", url, err)
	}
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("GET %s: HTTP %d", url, resp.StatusCode)
	}
	return body.Bytes(), nil
}

// run runs a short-lived helper (createtree, the mariadb client) to the
// end, with its output in logs/<name>.log, and returns its stdout.
func (s *Stack) run(ctx context.Context, name string, stdin []byte, bin string, args ...string) ([]byte, error) {
	path, err := lookTool(s.Config.ToolsDir, bin)
	if err != nil {
		return nil, &StartError{Service: name, Err: err}
	}
	ctx, cancel := context.WithTimeout(ctx, s.Config.readyTimeout())
	defer cancel()
	logPath := filepath.Join(s.Dir, "logs", name+".log")
	logf, err := os.OpenFile(logPath, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return nil, &StartError{Service: name, Err: err}
	}
	defer logf.Close()
	cmd := exec.CommandContext(ctx, path, args...)
	cmd.Dir = s.Dir
	cmd.Stdin = bytes.NewReader(stdin)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, logf
	if err := cmd.Run(); err != nil {
		if errors.Is(ctx.Err(), context.DeadlineExceeded) {
			err = fmt.Errorf("%w after %v", err, s.Config.readyTimeout())
		}
		return nil, &StartError{Service: name, Command: cmd.Args, LogFile: logPath, LogTail: tail(logPath, 30), Err: err}
	}
	return out.Bytes(), nil
}

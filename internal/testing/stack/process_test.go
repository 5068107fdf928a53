package stack

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// scriptStack returns a Stack whose tools dir holds the given shell scripts.
func scriptStack(t *testing.T, scripts map[string]string) *Stack {
	t.Helper()
	tools := t.TempDir()
	must(t, os.MkdirAll(filepath.Join(tools, "bin"), 0o755))
	for name, body := range scripts {
		must(t, os.WriteFile(filepath.Join(tools, "bin", name), []byte("#!/bin/sh\n"+body), 0o755))
	}
	s := &Stack{Config: Config{ToolsDir: tools, ReadyTimeout: 5 * time.Second}, Dir: t.TempDir(), started: time.Now()}
	must(t, os.MkdirAll(filepath.Join(s.Dir, "logs"), 0o755))
	t.Cleanup(func() { stopAll(s.procs, time.Second) })
	return s
}

// TestStopAll_processGroup starts a service that ignores SIGTERM and has a
// child of its own: Stop must end both, by process group, after the grace
// period.
func TestStopAll_processGroup(t *testing.T) {
	t.Parallel()
	s := scriptStack(t, map[string]string{"stubborn": "trap '' TERM\nsleep 60 &\necho $! > child.pid\nwait\n"})
	p, err := s.start("stubborn", syscall.SIGTERM, nil, "stubborn")
	must(t, err)
	pidFile := filepath.Join(s.Dir, "child.pid")
	var child int
	for deadline := time.Now().Add(5 * time.Second); child == 0 && time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
		b, _ := os.ReadFile(pidFile)
		child, _ = strconv.Atoi(strings.TrimSpace(string(b)))
	}
	if child == 0 {
		t.Fatal("the service never started its child")
	}
	start := time.Now()
	stopAll(s.procs, 200*time.Millisecond)
	if !p.exited() {
		t.Fatal("stopAll returned with the service still running")
	}
	if d := time.Since(start); d < 200*time.Millisecond || d > 3*time.Second {
		t.Errorf("stopAll took %v; want the grace period, then SIGKILL", d)
	}
	if alive(child) {
		t.Errorf("the service's child %d outlived Stop", child)
	}
}

// TestWaitHTTP_serviceExits checks what a failed start reports: the
// service, its command line and the end of its log.
func TestWaitHTTP_serviceExits(t *testing.T) {
	t.Parallel()
	s := scriptStack(t, map[string]string{"crashy": "echo 'FATAL: port 2112 is taken' >&2\nexit 3\n"})
	p, err := s.start("crashy", syscall.SIGTERM, nil, "crashy", "--port", "1")
	must(t, err)
	err = s.waitHTTP(context.Background(), "crashy", p, "http://127.0.0.1:1/")
	var se *StartError
	if !errors.As(err, &se) {
		t.Fatalf("waitHTTP() = %v, want a *StartError", err)
	}
	msg := err.Error()
	for _, want := range []string{"starting crashy: exited during start-up", "crashy --port 1", "FATAL: port 2112 is taken", "logs/crashy.log"} {
		if !strings.Contains(msg, want) {
			t.Errorf("error lacks %q:\n%s", want, msg)
		}
	}
}

// TestWaitHTTP_timeout checks that a service that never answers fails after
// the ready timeout, and says so.
func TestWaitHTTP_timeout(t *testing.T) {
	t.Parallel()
	s := scriptStack(t, map[string]string{"silent": "echo listening nowhere\nexec sleep 60\n"})
	s.Config.ReadyTimeout = 300 * time.Millisecond
	p, err := s.start("silent", syscall.SIGTERM, nil, "silent")
	must(t, err)
	err = s.waitHTTP(context.Background(), "silent", p, "http://127.0.0.1:1/")
	if err == nil || !strings.Contains(err.Error(), "not ready after 300ms") || !strings.Contains(err.Error(), "listening nowhere") {
		t.Errorf("waitHTTP() = %v", err)
	}
}

// alive reports whether pid is a process that has not exited, after up to
// a second for a signal to take effect; a zombie waiting for init to reap
// it counts as exited.
func alive(pid int) bool {
	for deadline := time.Now().Add(time.Second); time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
		if !running(pid) {
			return false
		}
	}
	return true
}

func running(pid int) bool {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return false
	}
	fields := strings.Fields(string(b[strings.LastIndexByte(string(b), ')')+1:]))
	return len(fields) > 0 && fields[0] != "Z"
}

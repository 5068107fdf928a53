package stack

import (
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"os/signal"
	"syscall"

	"golang.org/x/sys/unix"
)

// netnsMarker is set in the environment of the re-run, so that a namespace
// that still shows other interfaces is an error, not an endless loop.
const netnsMarker = "PROVENANT_STACK_NETNS"

// Isolate makes sure this process runs in a private network namespace, one
// with nothing but loopback: the services' fixed ports and their metrics
// listeners on all interfaces then stay inside it, and nothing can reach
// the internet.
//
// If the process already runs in one, Isolate brings loopback up and
// returns reexeced false: go on. Otherwise it runs this executable again,
// with the same arguments, environment and standard streams, in a new
// network namespace (and, when not root, a user namespace mapping the user
// to root), waits for it and returns its exit code with reexeced true: the
// caller exits with that code and does nothing else. SIGINT and SIGTERM are
// passed on, and the re-run gets SIGTERM if this process dies.
func Isolate() (code int, reexeced bool, err error) {
	private, err := inPrivateNetwork()
	if err != nil {
		return 0, false, err
	}
	if private {
		return 0, false, loopbackUp()
	}
	if os.Getenv(netnsMarker) != "" {
		return 0, false, errors.New("entering a private network namespace: the new namespace still has other interfaces than lo")
	}
	exe, err := os.Executable()
	if err != nil {
		return 0, false, fmt.Errorf("entering a private network namespace: %w", err)
	}
	cmd := exec.Command(exe, os.Args[1:]...)
	cmd.Args[0] = os.Args[0]
	cmd.Stdin, cmd.Stdout, cmd.Stderr = os.Stdin, os.Stdout, os.Stderr
	cmd.Env = append(os.Environ(), netnsMarker+"=1")
	cmd.SysProcAttr = namespaceAttr()
	// Handled, not ignored: an ignored signal would stay ignored in the
	// re-run.
	sigc := make(chan os.Signal, 2)
	signal.Notify(sigc, syscall.SIGINT, syscall.SIGTERM)
	defer signal.Stop(sigc)
	if err := cmd.Start(); err != nil {
		return 0, false, fmt.Errorf("entering a private network namespace (this needs root, or unprivileged user namespaces): %w", err)
	}
	done := make(chan struct{})
	go func() {
		for {
			select {
			case sig := <-sigc:
				cmd.Process.Signal(sig)
			case <-done:
				return
			}
		}
	}()
	cmd.Wait()
	close(done)
	return exitCode(cmd.ProcessState), true, nil
}

// namespaceAttr asks for a new network namespace; a user who is not root
// also gets a user namespace in which they are root, as `unshare -rn` does.
func namespaceAttr() *syscall.SysProcAttr {
	attr := &syscall.SysProcAttr{Cloneflags: syscall.CLONE_NEWNET, Pdeathsig: syscall.SIGTERM}
	if uid, gid := os.Getuid(), os.Getgid(); uid != 0 {
		attr.Cloneflags |= syscall.CLONE_NEWUSER
		attr.UidMappings = []syscall.SysProcIDMap{{ContainerID: 0, HostID: uid, Size: 1}}
		attr.GidMappings = []syscall.SysProcIDMap{{ContainerID: 0, HostID: gid, Size: 1}}
		attr.GidMappingsEnableSetgroups = false
	}
	return attr
}

// exitCode is a process's exit status as a shell reports it: 128+n when
// signal n ended it.
func exitCode(ps *os.ProcessState) int {
	if ws, ok := ps.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
		return 128 + int(ws.Signal())
	}
	return ps.ExitCode()
}

// inPrivateNetwork reports whether lo is the only network interface.
func inPrivateNetwork() (bool, error) {
	ifs, err := net.Interfaces()
	if err != nil {
		return false, fmt.Errorf("listing network interfaces: %w", err)
	}
	return len(ifs) == 1 && ifs[0].Name == "lo", nil
}

// loopbackUp sets lo up, as `ip link set lo up` does: a new network
// namespace starts with it down.
func loopbackUp() error {
	fd, err := unix.Socket(unix.AF_INET, unix.SOCK_DGRAM|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		return fmt.Errorf("bringing loopback up: %w", err)
	}
	defer unix.Close(fd)
	ifr, err := unix.NewIfreq("lo")
	if err != nil {
		return fmt.Errorf("bringing loopback up: %w", err)
	}
	if err := unix.IoctlIfreq(fd, unix.SIOCGIFFLAGS, ifr); err != nil {
		return fmt.Errorf("bringing loopback up: reading its flags: %w", err)
	}
	if ifr.Uint16()&unix.IFF_UP != 0 {
		return nil
	}
	ifr.SetUint16(ifr.Uint16() | unix.IFF_UP)
	if err := unix.IoctlIfreq(fd, unix.SIOCSIFFLAGS, ifr); err != nil {
		return fmt.Errorf("bringing loopback up: %w", err)
	}
	return nil
}

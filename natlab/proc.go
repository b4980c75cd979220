//go:build linux

package natlab

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"runtime"
	"syscall"
	"time"
)

// Proc is a process the lab started inside one of its namespaces. Close
// stops it, and it dies with the lab's process if that crashes.
type Proc struct {
	Name string    // what it is, for logs
	Cmd  *exec.Cmd // the running command
	done chan struct{}
	err  error
}

// stopGrace is how long a process has to exit after SIGTERM before SIGKILL.
const stopGrace = 5 * time.Second

// Start runs name with args inside namespace ns, its output appended to
// logPath (or discarded when ""). The lab stops it on Close.
func (l *Lab) Start(ns, logPath, name string, args ...string) (*Proc, error) {
	cmd := exec.Command("ip", append([]string{"netns", "exec", ns, name}, args...)...)
	// The process gets SIGKILL if the lab's process dies (Pdeathsig). The
	// kernel ties that to the thread that forked it, so the fork happens on
	// a thread locked for the child's whole life: a pool thread could be
	// taken over and ended by Do's goroutines, killing the child with it.
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	if logPath != "" {
		f, err := os.OpenFile(logPath, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
		if err != nil {
			return nil, fmt.Errorf("log for %s: %w", name, err)
		}
		defer f.Close()
		cmd.Stdout, cmd.Stderr = f, f
	}
	p := &Proc{Name: name + "@" + ns, Cmd: cmd, done: make(chan struct{})}
	started := make(chan error, 1)
	go func() {
		runtime.LockOSThread() // never unlocked: the thread ends after the child did
		if err := cmd.Start(); err != nil {
			started <- err
			return
		}
		started <- nil
		p.err = cmd.Wait()
		close(p.done)
	}()
	if err := <-started; err != nil {
		return nil, fmt.Errorf("start %s in %s: %w", name, ns, err)
	}
	l.mu.Lock()
	l.procs = append(l.procs, p)
	l.mu.Unlock()
	return p, nil
}

// Done is closed when the process has exited.
func (p *Proc) Done() <-chan struct{} { return p.done }

// Err is how the process ended; valid once Done is closed.
func (p *Proc) Err() error { return p.err }

// Stop sends SIGTERM, then SIGKILL after a grace period, and waits for the
// process to exit. It is safe to call more than once.
func (p *Proc) Stop() {
	select {
	case <-p.done:
		return
	default:
	}
	if err := p.Cmd.Process.Signal(syscall.SIGTERM); err != nil && !errors.Is(err, os.ErrProcessDone) {
		_ = p.Cmd.Process.Kill()
	}
	select {
	case <-p.done:
	case <-time.After(stopGrace):
		_ = p.Cmd.Process.Kill()
		<-p.done
	}
}

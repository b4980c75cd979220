//go:build linux

package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
)

// daemon is one `tincan daemon` in its namespace, restarted in place after
// a kill, and the CLI that drives it.
type daemon struct {
	name string
	net  nodeNet
	bin  string
	log  string // its output, appended across restarts
	args []string

	mu        sync.Mutex
	pid       int // the current process, 0 until started
	done      chan struct{}
	killed    bool  // the current process was ended on purpose
	peakKB    int64 // the highest VmHWM seen over every process
	starts    int
	unplanned []string // exits nobody asked for

	card   string
	inSend atomic.Bool // a `tincan send` from this daemon is running
}

func newDaemon(bin string, n nodeNet, name, logPath, logLevel string) *daemon {
	return &daemon{name: name, net: n, bin: bin, log: logPath, args: []string{
		"daemon", "--keystore", "file", "--home", n.home, "--name", name,
		"--listen", fmt.Sprintf("%s:%d", n.ip, daemonPort),
		"--no-overlay", "--no-lan", "--no-portmap", "--use-relays", "never",
		"--log-level", logLevel,
	}}
}

// start runs the daemon in its namespace. Like natlab's processes, it dies
// with the soak (Pdeathsig), forked from a thread locked for its whole life.
func (d *daemon) start() error {
	f, err := os.OpenFile(d.log, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		return fmt.Errorf("log of %s: %w", d.name, err)
	}
	defer f.Close()
	fmt.Fprintf(f, "--- soak: start %s at %s\n", d.name, time.Now().Format(time.RFC3339Nano))
	cmd := exec.Command("ip", append([]string{"netns", "exec", d.net.ns, d.bin}, d.args...)...)
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	cmd.Stdout, cmd.Stderr = f, f
	done := make(chan struct{})
	d.mu.Lock()
	d.done, d.killed, d.pid = done, false, 0
	d.mu.Unlock()
	started := make(chan error, 1)
	go func() {
		runtime.LockOSThread() // never unlocked: the thread ends after the child did
		if err := cmd.Start(); err != nil {
			started <- err
			return
		}
		started <- nil
		err := cmd.Wait()
		d.mu.Lock()
		if !d.killed {
			d.unplanned = append(d.unplanned, fmt.Sprintf("%s exited by itself (%v)", d.name, err))
		}
		d.mu.Unlock()
		close(done)
	}()
	if err := <-started; err != nil {
		d.mu.Lock()
		d.done = nil
		d.mu.Unlock()
		return fmt.Errorf("start %s: %w", d.name, err)
	}
	d.mu.Lock()
	d.starts++
	d.pid = cmd.Process.Pid
	d.mu.Unlock()
	return nil
}

// kill ends the daemon with SIGKILL and waits for it to be gone.
func (d *daemon) kill() {
	d.signal(syscall.SIGKILL, 0)
}

// stop asks the daemon to exit (SIGTERM) and kills it after grace; it
// reports whether it exited within grace.
func (d *daemon) stop(grace time.Duration) bool {
	return d.signal(syscall.SIGTERM, grace)
}

func (d *daemon) signal(sig syscall.Signal, grace time.Duration) bool {
	d.sampleRSS()
	d.mu.Lock()
	pid, done := d.pid, d.done
	d.killed = true
	d.mu.Unlock()
	if pid == 0 || done == nil {
		return true
	}
	select {
	case <-done:
		return true
	default:
	}
	_ = syscall.Kill(pid, sig)
	if grace > 0 {
		select {
		case <-done:
			return true
		case <-time.After(grace):
			_ = syscall.Kill(pid, syscall.SIGKILL)
		}
	}
	<-done
	return grace == 0
}

// running reports whether the daemon's process is alive.
func (d *daemon) running() bool {
	d.mu.Lock()
	done := d.done
	d.mu.Unlock()
	if done == nil {
		return false
	}
	select {
	case <-done:
		return false
	default:
		return true
	}
}

// sampleRSS records the process's VmHWM (peak resident set) if higher.
func (d *daemon) sampleRSS() {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.pid == 0 {
		return
	}
	if kb := vmHWM(d.pid); kb > d.peakKB {
		d.peakKB = kb
	}
}

// vmHWM reads a process's peak resident set in KiB (0 if gone).
func vmHWM(pid int) int64 {
	f, err := os.Open(filepath.Join("/proc", strconv.Itoa(pid), "status"))
	if err != nil {
		return 0
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), "VmHWM:"); ok {
			n, _ := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 10, 64)
			return n
		}
	}
	return 0
}

// cliResult is one CLI run: its exit code and what it printed.
type cliResult struct {
	code   int // -1: it did not finish in time (killed)
	stdout []byte
	stderr string
}

// cli runs `tincan ARGS` against the daemon's home with a deadline.
func (d *daemon) cli(timeout time.Duration, args ...string) cliResult {
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	full := append([]string{"--home", d.net.home, "--keystore", "file"}, args...)
	cmd := exec.CommandContext(ctx, d.bin, full...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	r := cliResult{stdout: stdout.Bytes(), stderr: strings.TrimSpace(stderr.String())}
	var ee *exec.ExitError
	switch {
	case ctx.Err() != nil:
		r.code = -1
	case errors.As(err, &ee):
		r.code = ee.ExitCode()
	case err != nil:
		r.code, r.stderr = -1, err.Error()
	}
	return r
}

// cliJSON runs a --json command and decodes its answer into out.
func (d *daemon) cliJSON(out any, args ...string) error {
	r := d.cli(20*time.Second, append(args, "--json")...)
	if r.code != 0 {
		return fmt.Errorf("%s: tincan %s: exit %d: %s", d.name, strings.Join(args, " "), r.code, r.stderr)
	}
	if err := json.Unmarshal(r.stdout, out); err != nil {
		return fmt.Errorf("%s: tincan %s: %w", d.name, strings.Join(args, " "), err)
	}
	return nil
}

// waitReady waits until the daemon answers on its control socket and reads its card.
func (d *daemon) waitReady(timeout time.Duration) error {
	deadline := time.Now().Add(timeout)
	var last error
	for time.Now().Before(deadline) {
		if !d.running() {
			return fmt.Errorf("%s exited while starting; its log ends: %s", d.name, d.logTail(600))
		}
		var id struct {
			Card string `json:"card"`
		}
		if last = d.cliJSON(&id, "id"); last == nil && id.Card != "" {
			d.card = id.Card
			return nil
		}
		time.Sleep(200 * time.Millisecond)
	}
	return fmt.Errorf("%s did not answer within %v: %v; its log ends: %s", d.name, timeout, last, d.logTail(600))
}

// logTail is the last n bytes of the daemon's log, on one line.
func (d *daemon) logTail(n int64) string {
	f, err := os.Open(d.log)
	if err != nil {
		return err.Error()
	}
	defer f.Close()
	if fi, err := f.Stat(); err == nil && fi.Size() > n {
		_, _ = f.Seek(fi.Size()-n, io.SeekStart)
	}
	b, _ := io.ReadAll(f)
	return strings.Join(strings.Fields(string(b)), " ")
}

// peak is the highest VmHWM seen, in KiB.
func (d *daemon) peak() int64 {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.peakKB
}

// exitsUnasked lists the exits nobody asked for.
func (d *daemon) exitsUnasked() []string {
	d.mu.Lock()
	defer d.mu.Unlock()
	return append([]string(nil), d.unplanned...)
}

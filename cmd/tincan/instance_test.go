//go:build !nogui

package main

import (
	"context"
	"os"
	"os/exec"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// windowShown reports whether the process pid shows (maps) a window
// titled title on the X display, as xdotool sees it.
func windowShown(t *testing.T, pid int, title string) bool {
	t.Helper()
	out, err := exec.Command("xdotool", "search", "--all", "--onlyvisible", "--pid", strconv.Itoa(pid),
		"--name", "^"+regexp.QuoteMeta(title)+"$").Output()
	if _, ok := err.(*exec.ExitError); err != nil && !ok {
		t.Fatalf("run xdotool (apt install xdotool): %v", err)
	}
	return err == nil && strings.TrimSpace(string(out)) != ""
}

// startAgain runs the desktop app a second time on home and waits for it to
// exit.
func startAgain(t *testing.T, home, bus string, extra ...string) result {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, append([]string{"--home", home, "--keystore", "file", "--listen", "127.0.0.1:0",
		"--no-overlay", "--no-lan", "--no-portmap"}, extra...)...)
	cmd.Env = append(os.Environ(), "DBUS_SESSION_BUS_ADDRESS="+bus, "XDG_CONFIG_HOME="+t.TempDir())
	var errBuf logBuffer
	cmd.Stderr = &errBuf
	err := cmd.Run()
	r := result{stderr: errBuf.String()}
	if ee, ok := err.(*exec.ExitError); ok {
		r.code = ee.ExitCode()
	} else if err != nil {
		t.Fatalf("start tincan again: %v", err)
	}
	if ctx.Err() != nil {
		t.Fatalf("the second start did not exit within 60 s; its log:\n%s", r.stderr)
	}
	return r
}

// TestSecondStartShowsTheRunningWindow: the app started at login (--hidden,
// with a tray host) shows no window; starting tincan again on the same
// home makes the running app show its window, and the second start exits
// 0 while the first runs on.
func TestSecondStartShowsTheRunningWindow(t *testing.T) {
	home := newHome(t)
	bus := privateBus(t)
	startWatcher(t, bus)
	g := startGUI(t, home, bus, "--hidden")
	g.waitUp(t)
	g.waitLog(t, "started hidden in the tray")
	pid := g.cmd.Process.Pid
	if windowShown(t, pid, "tincan") {
		t.Fatalf("started with --hidden and a tray, the app should show no window; its log:\n%s", g.log)
	}

	second := startAgain(t, home, bus)
	if second.code != 0 {
		t.Fatalf("a second start on the same home should exit 0, it exited %d; its log:\n%s", second.code, second.stderr)
	}
	if !strings.Contains(second.stderr, "already running for this home") {
		t.Fatalf("the second start should say tincan is already running; its log:\n%s", second.stderr)
	}
	waitFor(t, "the first app's window to show", func() bool { return windowShown(t, pid, "tincan") })
	g.waitLog(t, "showing the window: tincan was started again")
	select {
	case <-g.done:
		t.Fatalf("the first app should keep running, it exited (%v); its log:\n%s", g.err, g.log)
	default:
	}
	if r := tincan(t, "--home", home, "status"); r.code != 0 {
		t.Fatalf("the first app's node should still answer, 'tincan status' exited %d: %s", r.code, r.stderr)
	}

	// Shown already, it is raised again, as often as asked.
	if again := startAgain(t, home, bus); again.code != 0 {
		t.Fatalf("a third start should exit 0 too, it exited %d; its log:\n%s", again.code, again.stderr)
	}
	g.terminate(t)
}

// TestHiddenWithoutTrayShowsTheWindow: --hidden where no tray host exists
// shows the window anyway and says why, since a process with neither a
// window nor a tray icon could not be found again.
func TestHiddenWithoutTrayShowsTheWindow(t *testing.T) {
	home := newHome(t)
	g := startGUI(t, home, privateBus(t), "--hidden")
	g.waitUp(t)
	g.waitLog(t, "there is no system tray to start hidden in")
	waitFor(t, "the window to show", func() bool { return windowShown(t, g.cmd.Process.Pid, "tincan") })
	g.terminate(t)
}

// TestAppStartOnADaemonsHomeSaysSo: the app started on a home a headless
// daemon serves cannot show the daemon's window: it says so plainly, in a
// window and on stderr, and leaves the daemon running.
func TestAppStartOnADaemonsHomeSaysSo(t *testing.T) {
	home := newHome(t)
	startDaemon(t, home, "--no-overlay", "--no-lan", "--no-portmap")
	g := startGUI(t, home, privateBus(t))
	const say = "tincan is already running as a background daemon for this home"
	g.waitLog(t, say)
	pid := g.cmd.Process.Pid
	waitFor(t, "the app to show why it cannot start", func() bool { return windowShown(t, pid, "tincan cannot start") })
	if err := g.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	select {
	case <-g.done:
	case <-time.After(30 * time.Second):
		t.Fatalf("the app did not exit within 30 s of SIGTERM; its log:\n%s", g.log)
	}
	if ee, ok := g.err.(*exec.ExitError); !ok || ee.ExitCode() != 1 {
		t.Fatalf("the app that could not start should exit 1, it ended with %v; its log:\n%s", g.err, g.log)
	}
	if last := lastLine(g.log.String()); !strings.HasPrefix(last, "tincan: "+say) {
		t.Fatalf("the app's last word should be %q, it is %q", say, last)
	}
	if r := tincan(t, "--home", home, "status"); r.code != 0 {
		t.Fatalf("the daemon should still answer, 'tincan status' exited %d: %s", r.code, r.stderr)
	}
}

func lastLine(s string) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	return lines[len(lines)-1]
}

//go:build !nogui

package main

import (
	"bufio"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/godbus/dbus/v5"
	"github.com/godbus/dbus/v5/prop"
	_ "modernc.org/sqlite"
)

// These tests run the real desktop app (the built binary) on the X display
// in DISPLAY (Xvfb in `make test`, through scripts/with-session.sh), each
// with its own D-Bus session bus, and quit it with SIGTERM, as a logout does.

// privateBus starts a D-Bus session bus of the test's own and returns its
// address.
func privateBus(t *testing.T) string {
	t.Helper()
	cmd := exec.Command("dbus-daemon", "--session", "--nofork", "--print-address=1")
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatalf("start dbus-daemon: %v", err)
	}
	t.Cleanup(func() {
		cmd.Process.Kill()
		cmd.Wait()
	})
	line, err := bufio.NewReader(out).ReadString('\n')
	if err != nil {
		t.Fatalf("dbus-daemon printed no address: %v", err)
	}
	return strings.TrimSpace(line)
}

// fakeWatcher plays the desktop's StatusNotifierWatcher with a tray host
// registered (what KDE or GNOME's AppIndicator extension provide), and
// records the tray icons that register with it.
type fakeWatcher struct {
	items chan string
}

// RegisterStatusNotifierItem is how an app puts its icon in the tray.
func (w *fakeWatcher) RegisterStatusNotifierItem(sender dbus.Sender, item string) *dbus.Error {
	select {
	case w.items <- string(sender) + " " + item:
	default:
	}
	return nil
}

// RegisterStatusNotifierHost is how a tray host announces itself.
func (w *fakeWatcher) RegisterStatusNotifierHost(string) *dbus.Error { return nil }

// startWatcher claims org.kde.StatusNotifierWatcher on the bus at addr.
func startWatcher(t *testing.T, addr string) *fakeWatcher {
	t.Helper()
	conn, err := dbus.Connect(addr)
	if err != nil {
		t.Fatalf("connect to the test bus: %v", err)
	}
	t.Cleanup(func() { conn.Close() })
	const name, path = "org.kde.StatusNotifierWatcher", "/StatusNotifierWatcher"
	w := &fakeWatcher{items: make(chan string, 8)}
	if err := conn.Export(w, path, name); err != nil {
		t.Fatal(err)
	}
	if _, err := prop.Export(conn, path, prop.Map{name: {
		"IsStatusNotifierHostRegistered": {Value: true},
		"ProtocolVersion":                {Value: int32(0)},
		"RegisteredStatusNotifierItems":  {Value: []string{}},
	}}); err != nil {
		t.Fatal(err)
	}
	reply, err := conn.RequestName(name, dbus.NameFlagDoNotQueue)
	if err != nil || reply != dbus.RequestNameReplyPrimaryOwner {
		t.Fatalf("claim %s: reply %v, %v", name, reply, err)
	}
	return w
}

// logBuffer collects a process's stderr and lets a test wait for a line.
type logBuffer struct {
	mu   sync.Mutex
	text strings.Builder
}

func (b *logBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.text.Write(p)
}

func (b *logBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.text.String()
}

// guiApp is the desktop app running in a child process.
type guiApp struct {
	home string
	cmd  *exec.Cmd
	log  *logBuffer
	done chan struct{} // closed when the process has exited
	err  error         // Wait's result, set before done closes
}

// newHome makes a home with an identity (file keystore) and a database, by
// running the daemon once.
func newHome(t *testing.T) string {
	t.Helper()
	home := filepath.Join(t.TempDir(), "ana")
	d := spawnDaemon(t, home, "--name", "Ana", "--no-overlay", "--no-lan", "--no-portmap")
	waitFor(t, "the daemon to create Ana's identity", func() bool { return tincan(t, "--home", home, "id").code == 0 })
	d.stop(t)
	return home
}

// startGUI starts the desktop app on home with bus as its session bus ("":
// none), on loopback only, with extra flags.
func startGUI(t *testing.T, home, bus string, extra ...string) *guiApp {
	t.Helper()
	if os.Getenv("DISPLAY") == "" {
		t.Fatal("the desktop app needs an X display: run the tests through scripts/with-session.sh (as `make unit` does)")
	}
	g := &guiApp{home: home, log: &logBuffer{}, done: make(chan struct{})}
	g.cmd = exec.Command(bin, append([]string{"--home", home, "--keystore", "file", "--listen", "127.0.0.1:0",
		"--no-overlay", "--no-lan", "--no-portmap", "--log-level", "debug"}, extra...)...)
	g.cmd.Env = append(os.Environ(), "DBUS_SESSION_BUS_ADDRESS="+bus, "LANG=en_US.UTF-8",
		"XDG_CONFIG_HOME="+t.TempDir()) // Fyne's preferences, apart from other runs'
	g.cmd.Stdout, g.cmd.Stderr = io.Discard, g.log
	if err := g.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() {
		g.err = g.cmd.Wait()
		close(g.done)
	}()
	t.Cleanup(func() {
		select {
		case <-g.done:
		default:
			g.cmd.Process.Kill()
			<-g.done
		}
	})
	return g
}

// waitLog waits until the app's log contains s.
func (g *guiApp) waitLog(t *testing.T, s string) {
	t.Helper()
	waitFor(t, fmt.Sprintf("the app to log %q", s), func() bool {
		select {
		case <-g.done:
			t.Fatalf("the app exited (%v) before logging %q; its log:\n%s", g.err, s, g.log)
		default:
		}
		return strings.Contains(g.log.String(), s)
	})
}

// waitUp waits until the app's node answers the CLI.
func (g *guiApp) waitUp(t *testing.T) {
	t.Helper()
	waitFor(t, "the app's node to answer 'tincan status'", func() bool {
		select {
		case <-g.done:
			t.Fatalf("the app exited (%v) before its node answered; its log:\n%s", g.err, g.log)
		default:
		}
		return tincan(t, "--home", g.home, "status").code == 0
	})
}

// terminate sends SIGTERM and checks that the app quits cleanly: exit
// status 0 within the deadline, no panic in its log, and its node closed
// (the log says so, and SQLite merged and removed the WAL file).
func (g *guiApp) terminate(t *testing.T) {
	t.Helper()
	if err := g.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatalf("send SIGTERM: %v", err)
	}
	g.checkQuit(t)
}

func (g *guiApp) checkQuit(t *testing.T) {
	t.Helper()
	select {
	case <-g.done:
	case <-time.After(30 * time.Second):
		g.cmd.Process.Signal(syscall.SIGQUIT) // the Go runtime prints every goroutine's stack
		select {
		case <-g.done:
		case <-time.After(5 * time.Second):
		}
		t.Fatalf("the app did not exit within 30 s of SIGTERM; its log, with its goroutines:\n%s", g.log)
	}
	log := g.log.String()
	if g.err != nil {
		t.Fatalf("the app should exit with status 0 after SIGTERM, it ended with %v; its log:\n%s", g.err, log)
	}
	for _, bad := range []string{"panic", "goroutine ", "SIGSEGV"} {
		if strings.Contains(log, bad) {
			t.Fatalf("the app's log should be clean on quit, it contains %q:\n%s", bad, log)
		}
	}
	if !strings.Contains(log, `msg="node closed"`) {
		t.Fatalf("the app should close its node before it exits; its log:\n%s", log)
	}
	if _, err := os.Stat(filepath.Join(g.home, "tincan.db-wal")); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("closing the node should merge and remove the SQLite WAL, but tincan.db-wal is there (%v); log:\n%s", err, log)
	}
	t.Logf("the app quit cleanly; its log:\n%s", log)
}

func TestGUIQuitsCleanlyOnSIGTERM(t *testing.T) {
	for _, tc := range []struct {
		name    string
		bus     bool // a session bus
		watcher bool // a StatusNotifierWatcher with a host on it
	}{
		{"no session bus", false, false},
		{"a session bus with no tray host (stock GNOME)", true, false},
		{"a tray host", true, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			home := newHome(t)
			bus := ""
			var w *fakeWatcher
			if tc.bus {
				bus = privateBus(t)
			}
			if tc.watcher {
				w = startWatcher(t, bus)
			}
			g := startGUI(t, home, bus)
			g.waitUp(t)
			noTray := strings.Contains(g.log.String(), "running without a system tray")
			if tc.watcher {
				select {
				case item := <-w.items:
					t.Logf("tray icon registered: %s", item)
				case <-time.After(30 * time.Second):
					t.Fatalf("with a tray host the app should register its tray icon; its log:\n%s", g.log)
				}
				if noTray {
					t.Fatalf("with a tray host the app should use the tray; its log:\n%s", g.log)
				}
			} else if !noTray {
				t.Fatalf("without a tray host the app should say it runs without a tray; its log:\n%s", g.log)
			}
			g.terminate(t)
		})
	}
}

func TestGUIQuitsCleanlyOnSIGTERMWhileTheNodeOpens(t *testing.T) {
	home := newHome(t)
	// Hold the database's write lock, so the node's Open waits in its
	// migration check (busy_timeout, 5 s) until the test lets go.
	db, err := sql.Open("sqlite", filepath.Join(home, "tincan.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	ctx := context.Background()
	lock, err := db.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := lock.ExecContext(ctx, "BEGIN IMMEDIATE"); err != nil {
		t.Fatalf("lock the database: %v", err)
	}
	unlock := func() {
		if lock == nil {
			return
		}
		lock.ExecContext(ctx, "ROLLBACK")
		lock.Close()
		db.Close()
		lock = nil
	}
	defer unlock()

	g := startGUI(t, home, privateBus(t))
	g.waitLog(t, "opening the node")
	// The control socket is bound just before the node opens its store.
	waitFor(t, "the node to bind its control socket", func() bool {
		_, err := os.Stat(filepath.Join(home, "control.sock"))
		return err == nil
	})
	if err := g.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	g.waitLog(t, "msg=quitting")
	if strings.Contains(g.log.String(), "node started") {
		t.Fatalf("the node should still be opening when SIGTERM arrives; its log:\n%s", g.log)
	}
	unlock()
	g.checkQuit(t)
	log := g.log.String()
	if q, s := strings.Index(log, "msg=quitting"), strings.Index(log, `msg="node started"`); s >= 0 && s < q {
		t.Fatalf("the node should have opened after SIGTERM; its log:\n%s", log)
	}
}

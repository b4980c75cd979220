package ui

import (
	"fmt"
	"net"
	"path/filepath"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"

	"tincan/core/node"
)

// trayApp is the test app with the desktop tray calls recorded: the one
// OS edge a headless test cannot reach.
type trayApp struct {
	fyne.App
	menu *fyne.Menu
	icon fyne.Resource
}

func (a *trayApp) SetSystemTrayMenu(m *fyne.Menu)    { a.menu = m }
func (a *trayApp) SetSystemTrayIcon(r fyne.Resource) { a.icon = r }
func (a *trayApp) SetSystemTrayWindow(_ fyne.Window) {}

// fakeBus listens on a Unix socket and returns a D-Bus address for it.
func fakeBus(t *testing.T) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "bus")
	l, err := net.Listen("unix", path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Close() })
	return "unix:path=" + path + ",guid=0123456789abcdef"
}

func TestTrayMenu(t *testing.T) {
	test.NewTempApp(t)
	p := newPump(t)
	a := &trayApp{App: fyne.CurrentApp()}
	b := newMemBackend("Me")
	b.addContact(node.ContactView{Name: "Ana", Online: true, Path: "direct"})
	b.addContact(node.ContactView{Name: "Bo"})
	tr := newTray(a, a, nil)
	if a.menu == nil {
		t.Fatal("newTray should set the tray menu at once (before the app runs)")
	}
	if a.icon == nil || a.icon.Name() != "icon.png" {
		t.Fatalf("tray icon = %v, want the PNG app icon", a.icon)
	}
	m := Run(a, b, Options{Tray: tr})
	t.Cleanup(m.Stop)
	if !m.HasTray() {
		t.Fatal("with a tray in the options the window should use it")
	}
	p.until(t, "the status item counts online contacts", func() bool {
		return a.menu.Items[2].Label == "1 contact online"
	})
	labels := []string{}
	for _, it := range a.menu.Items {
		labels = append(labels, it.Label)
	}
	if got := fmt.Sprint(labels); got != "[Show tincan  1 contact online  Quit]" {
		t.Fatalf("menu = %s", got)
	}
	if !a.menu.Items[2].Disabled || !a.menu.Items[4].IsQuit {
		t.Fatal("the status item should be disabled and the last item should quit")
	}
	b.presence("Bo", true, "direct", "192.0.2.1:7777")
	p.until(t, "the status item follows presence", func() bool {
		return a.menu.Items[2].Label == "2 contacts online"
	})

	m.hide()
	if m.visible {
		t.Fatal("hide should mark the window hidden")
	}
	a.menu.Items[0].Action()
	if !m.visible {
		t.Fatal("Show tincan should bring the window back")
	}
}

func TestNoTrayWithoutSessionBus(t *testing.T) {
	for _, addr := range []string{"", "unix:path=" + filepath.Join(t.TempDir(), "nobody-listens")} {
		t.Setenv("DBUS_SESSION_BUS_ADDRESS", addr)
		test.NewTempApp(t)
		newPump(t)
		a := &trayApp{App: fyne.CurrentApp()}
		if tr := NewTray(a, nil); tr != nil || a.menu != nil {
			t.Fatalf("bus %q: no tray should be set up", addr)
		}
		m := Run(a, newMemBackend("Me"), Options{})
		if m.HasTray() || a.menu != nil {
			t.Fatalf("bus %q: a window given no tray should not set one up", addr)
		}
		m.Stop()
	}
	a := &trayApp{App: fyne.CurrentApp()}
	m := Run(a, newMemBackend("Me"), Options{Tray: newTray(a, a, nil), NoTray: true})
	defer m.Stop()
	if m.HasTray() {
		t.Fatal("NoTray should keep tincan out of the tray")
	}
}

func TestSessionBusReachable(t *testing.T) {
	addr := fakeBus(t)
	if !sessionBusReachable(addr) {
		t.Fatalf("%s should be reachable", addr)
	}
	if !sessionBusReachable("unix:path=/nonexistent/bus;" + addr) {
		t.Fatal("a later endpoint in the list should be tried")
	}
	l, err := net.Listen("unix", "@tincan-test-"+t.Name())
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	if !sessionBusReachable("unix:abstract=tincan-test-" + t.Name()) {
		t.Fatal("an abstract socket should be reachable")
	}
	tl, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer tl.Close()
	host, port, _ := net.SplitHostPort(tl.Addr().String())
	if !sessionBusReachable("tcp:host=" + host + ",port=" + port) {
		t.Fatal("a tcp bus should be reachable")
	}
	for _, bad := range []string{"", "garbage", "unix:tmpdir=/tmp", "unix:path=/nonexistent/bus"} {
		if sessionBusReachable(bad) {
			t.Fatalf("%q should not be reachable", bad)
		}
	}
}

func TestParseBusAddress(t *testing.T) {
	got := parseBusAddress("unix:path=/run/user/1000/bus;unix:abstract=/tmp/dbus-x,guid=1;tcp:host=::1,port=5;unix:path=/a%20b")
	want := []busEndpoint{{"unix", "/run/user/1000/bus"}, {"unix", "@/tmp/dbus-x"}, {"tcp", "[::1]:5"}, {"unix", "/a b"}}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("got %v, want %v", got, want)
	}
}

func FuzzParseBusAddress(f *testing.F) {
	for _, s := range []string{"unix:path=/run/user/1000/bus", "unix:abstract=/tmp/dbus-AbC,guid=42",
		"tcp:host=localhost,port=1234;unix:path=/x", "unix:path=%2", ";;:,=,"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		eps := parseBusAddress(s)
		if len(s) > maxBusAddress && eps != nil {
			t.Fatal("oversized address accepted")
		}
		for _, e := range eps {
			if e.addr == "" || (e.network != "unix" && e.network != "tcp") {
				t.Fatalf("bad endpoint %+v from %q", e, s)
			}
		}
	})
}

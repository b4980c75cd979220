//go:build linux

package ui

import (
	"bufio"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"github.com/godbus/dbus/v5"

	"tincan/core/node"
)

// privateBus starts a dbus-daemon of its own for the test and returns its
// address; the daemon is killed when the test ends.
func privateBus(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	conf := filepath.Join(dir, "bus.conf")
	err := os.WriteFile(conf, []byte(`<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>session</type>
  <listen>unix:path=`+filepath.Join(dir, "bus")+`</listen>
  <auth>EXTERNAL</auth>
  <policy context="default">
    <allow send_destination="*" eavesdrop="true"/>
    <allow eavesdrop="true"/>
    <allow own="*"/>
  </policy>
</busconfig>
`), 0o600)
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command("dbus-daemon", "--config-file="+conf, "--nofork", "--print-address")
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatalf("the test needs dbus-daemon to start a private bus: %v", err)
	}
	t.Cleanup(func() {
		cmd.Process.Kill()
		cmd.Wait()
	})
	addr, err := bufio.NewReader(out).ReadString('\n')
	if err != nil {
		t.Fatalf("dbus-daemon printed no address: %v", err)
	}
	return strings.TrimSpace(addr)
}

// fakeNote is one Notify call the fake server took.
type fakeNote struct {
	id            uint32
	app, icon     string
	summary, body string
	actions       []string
	hints         map[string]dbus.Variant
	timeout       int32
	replaces      uint32
}

// fakeNotifyServer owns org.freedesktop.Notifications on a private bus,
// records what it is asked and emits the signals a real server would.
type fakeNotifyServer struct {
	conn       *dbus.Conn
	caps       []string
	failNotify bool

	mu     sync.Mutex
	notes  []fakeNote
	closed []uint32
}

// fakeNotifyObject is what the fake server exports on the bus.
type fakeNotifyObject struct{ s *fakeNotifyServer }

func (o fakeNotifyObject) GetCapabilities() ([]string, *dbus.Error) { return o.s.caps, nil }

func (o fakeNotifyObject) GetServerInformation() (string, string, string, string, *dbus.Error) {
	return "fake", "tincan tests", "1", "1.2", nil
}

func (o fakeNotifyObject) Notify(app string, replaces uint32, icon, summary, body string, actions []string,
	hints map[string]dbus.Variant, timeout int32) (uint32, *dbus.Error) {
	if o.s.failNotify {
		return 0, dbus.MakeFailedError(fmt.Errorf("the fake server refuses"))
	}
	o.s.mu.Lock()
	defer o.s.mu.Unlock()
	id := uint32(len(o.s.notes) + 1)
	o.s.notes = append(o.s.notes, fakeNote{id: id, app: app, icon: icon, summary: summary, body: body,
		actions: actions, hints: hints, timeout: timeout, replaces: replaces})
	return id, nil
}

func (o fakeNotifyObject) CloseNotification(id uint32) *dbus.Error {
	o.s.mu.Lock()
	o.s.closed = append(o.s.closed, id)
	o.s.mu.Unlock()
	o.s.conn.Emit(notifyPath, notifyIface+".NotificationClosed", id, uint32(3))
	return nil
}

// startNotifyServer claims the notification service on the bus at addr.
func startNotifyServer(t *testing.T, addr string, caps ...string) *fakeNotifyServer {
	t.Helper()
	conn, err := dbus.Connect(addr)
	if err != nil {
		t.Fatalf("connect the fake notification server: %v", err)
	}
	t.Cleanup(func() { conn.Close() })
	s := &fakeNotifyServer{conn: conn, caps: caps}
	if err := conn.Export(fakeNotifyObject{s}, notifyPath, notifyIface); err != nil {
		t.Fatal(err)
	}
	reply, err := conn.RequestName(notifyName, dbus.NameFlagDoNotQueue)
	if err != nil || reply != dbus.RequestNameReplyPrimaryOwner {
		t.Fatalf("the fake server could not own %s: %v (reply %v)", notifyName, err, reply)
	}
	return s
}

func (s *fakeNotifyServer) shown() []fakeNote {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.notes)
}

func (s *fakeNotifyServer) wasClosed(id uint32) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Contains(s.closed, id)
}

// press is the user pressing the button key on notification id.
func (s *fakeNotifyServer) press(t *testing.T, id uint32, key string) {
	t.Helper()
	if err := s.conn.Emit(notifyPath, notifyIface+".ActionInvoked", id, key); err != nil {
		t.Fatal(err)
	}
}

// openOnBus opens the window with the session bus at addr.
func openOnBus(t *testing.T, addr string) (*Main, *pump, *memBackend, *dbusCallNotifier) {
	t.Helper()
	t.Setenv("DBUS_SESSION_BUS_ADDRESS", addr)
	m, p, b := openWithCall(t)
	n, ok := m.calls.notify.(*dbusCallNotifier)
	if !ok {
		t.Fatalf("with a session bus the call notifier is a %T, want the D-Bus one", m.calls.notify)
	}
	return m, p, b, n
}

// ringHidden rings a call from name while the window is hidden in the tray
// and returns the notification the server was asked to show.
func ringHidden(t *testing.T, m *Main, p *pump, b *memBackend, srv *fakeNotifyServer, id, name string) fakeNote {
	t.Helper()
	m.hide()
	before := len(srv.shown())
	test.AssertNotificationSent(t, nil, func() {
		b.callEvent(ringing(id, name))
		p.until(t, "the server is asked to show the call", func() bool { return len(srv.shown()) > before })
	})
	if m.visible {
		t.Fatal("with buttons on the notification the window should stay in the tray")
	}
	return srv.shown()[before]
}

func TestCallNotificationAcceptAnswers(t *testing.T) {
	addr := privateBus(t)
	m, p, b, n := openOnBus(t, addr)
	// The server arrives after tincan, as when a desktop shell starts late.
	srv := startNotifyServer(t, addr, "actions", "body")
	p.until(t, "the notifier sees a server with buttons", n.ready.Load)

	note := ringHidden(t, m, p, b, srv, "c7", "Ben")
	if note.summary != "Ben is calling" || note.body != "Incoming call" {
		t.Errorf("the notification reads %q / %q, want the caller's name", note.summary, note.body)
	}
	if want := []string{"accept", "Accept", "decline", "Decline"}; !slices.Equal(note.actions, want) {
		t.Errorf("the notification carries actions %q, want %q", note.actions, want)
	}
	if u, ok := note.hints["urgency"].Value().(byte); !ok || u != 2 {
		t.Errorf("the urgency hint is %v, want critical (2)", note.hints["urgency"])
	}
	if c, _ := note.hints["category"].Value().(string); c != "call.incoming" {
		t.Errorf("the category hint is %q, want call.incoming", c)
	}
	if note.timeout != 45000 || note.app != "tincan" || note.icon != "tincan" || note.replaces != 0 {
		t.Errorf("the notification asks timeout %d ms, app %q, icon %q, replaces %d", note.timeout, note.app,
			note.icon, note.replaces)
	}
	var img notifyImage
	if err := note.hints["image-data"].Store(&img); err != nil || img.Width != 64 || len(img.Data) != 64*64*4 {
		t.Errorf("the image-data hint holds a %dx%d image of %d bytes (%v), want the 64x64 app icon",
			img.Width, img.Height, len(img.Data), err)
	}

	srv.press(t, note.id, "accept")
	p.until(t, "the node is asked to answer Ben", func() bool { return slices.Contains(b.callLog(), "answer Ben") })
	p.until(t, "the window comes forward on Ben's chat", func() bool { return m.visible && m.selected == "Ben" })
	p.until(t, "the answered call's notification is closed", func() bool { return srv.wasClosed(note.id) })
	if got := b.callLog(); len(got) != 1 {
		t.Errorf("the node was asked %q, want one answer", got)
	}
}

func TestCallNotificationDeclineDeclines(t *testing.T) {
	addr := privateBus(t)
	srv := startNotifyServer(t, addr, "actions", "body", "body-markup")
	m, p, b, n := openOnBus(t, addr)
	p.until(t, "the notifier sees a server with buttons", n.ready.Load)

	note := ringHidden(t, m, p, b, srv, "c7", "Ben")
	srv.press(t, note.id, "decline")
	test.AssertNotificationSent(t, nil, func() {
		p.until(t, "the node is asked to decline Ben", func() bool {
			return slices.Equal(b.callLog(), []string{"decline Ben"})
		})
		p.until(t, "the panel says the call was declined", func() bool { return panelSays(m) == "Ben / Call declined" })
	})
	p.until(t, "the declined call's notification is closed", func() bool { return srv.wasClosed(note.id) })
	if m.visible {
		t.Error("declining from the notification should leave the window in the tray")
	}
	// A second press (a server that sends it twice) asks nothing more.
	srv.press(t, note.id, "decline")
	srv.press(t, note.id, "accept")
	p.settle()
	if got := b.callLog(); len(got) != 1 {
		t.Errorf("after repeated presses the node was asked %q", got)
	}
}

func TestCallNotificationClosesWhenTheCallStopsRinging(t *testing.T) {
	addr := privateBus(t)
	srv := startNotifyServer(t, addr, "actions")
	m, p, b, n := openOnBus(t, addr)
	p.until(t, "the notifier sees a server with buttons", n.ready.Load)

	// The caller gives up.
	note := ringHidden(t, m, p, b, srv, "c7", "Ben")
	cancelled := ringing("c7", "Ben")
	cancelled.State, cancelled.Reason = callEnded, "cancelled"
	b.callEvent(cancelled)
	p.until(t, "the cancelled call's notification is closed", func() bool { return srv.wasClosed(note.id) })

	// Answered in the window instead.
	note = ringHidden(t, m, p, b, srv, "c8", "Ana")
	m.show()
	test.Tap(m.call.accept)
	p.until(t, "the call answered in the window closes its notification", func() bool { return srv.wasClosed(note.id) })
	if got := b.callLog(); !slices.Equal(got, []string{"answer Ana"}) {
		t.Errorf("the node was asked %q", got)
	}

	// Missed; then it goes quiet without an end; then tincan quits while a call rings.
	note = ringHidden(t, m, p, b, srv, "c9", "Ben")
	missed := ringing("c9", "Ben")
	missed.State, missed.Reason = callEnded, "missed"
	b.callEvent(missed)
	p.until(t, "the missed call's notification is closed", func() bool { return srv.wasClosed(note.id) })
	note = ringHidden(t, m, p, b, srv, "c10", "Ana")
	b.callEvent(node.CallView{State: callIdle})
	p.until(t, "the notification goes once no call rings", func() bool { return srv.wasClosed(note.id) })
	note = ringHidden(t, m, p, b, srv, "c11", "Ben")
	m.Stop()
	if !srv.wasClosed(note.id) {
		t.Error("quitting while a call rings should close its notification")
	}
	if got := len(srv.shown()); got != 5 {
		t.Errorf("the server was asked to show %d notifications, want one per ring (5)", got)
	}
}

func TestCallNotificationFallsBackWithoutActions(t *testing.T) {
	addr := privateBus(t)
	srv := startNotifyServer(t, addr, "body", "body-markup")
	m, p, b, n := openOnBus(t, addr)
	p.until(t, "the notifier asks the server what it shows", func() bool { return n.probes.Load() > 0 })
	if n.ready.Load() {
		t.Fatal("a server without actions should not be used for call buttons")
	}
	m.hide()
	test.AssertNotificationSent(t, fyne.NewNotification("Ben is calling", "Answer or decline in tincan."), func() {
		b.callEvent(ringing("c7", "Ben"))
		p.until(t, "the prompt shows", func() bool { return m.call.mode == panelPrompt })
	})
	if !m.visible {
		t.Error("without buttons on the notification the window should come forward")
	}
	if got := srv.shown(); len(got) != 0 {
		t.Errorf("the server without actions was asked to show %d notification(s)", len(got))
	}
}

func TestCallNotificationFallsBackWhenTheServerFails(t *testing.T) {
	addr := privateBus(t)
	srv := startNotifyServer(t, addr, "actions")
	srv.failNotify = true
	m, p, b, n := openOnBus(t, addr)
	p.until(t, "the notifier sees a server with buttons", n.ready.Load)
	m.hide()
	test.AssertNotificationSent(t, fyne.NewNotification("Ben is calling", "Answer or decline in tincan."), func() {
		b.callEvent(ringing("c7", "Ben"))
		p.until(t, "the window comes forward", func() bool { return m.visible })
	})
}

func TestCallNotificationFallsBackWhenTheServerLeaves(t *testing.T) {
	addr := privateBus(t)
	srv := startNotifyServer(t, addr, "actions")
	m, p, b, n := openOnBus(t, addr)
	p.until(t, "the notifier sees a server with buttons", n.ready.Load)
	ringHidden(t, m, p, b, srv, "c7", "Ben")
	test.AssertNotificationSent(t, fyne.NewNotification("Ben is calling", "Answer or decline in tincan."), func() {
		srv.conn.Close()
		p.until(t, "the window comes forward", func() bool { return m.visible })
	})
	if n.ready.Load() {
		t.Error("with the server gone the notifier should not count on buttons")
	}
}

func TestCallNotifierWithoutABus(t *testing.T) {
	for _, addr := range []string{"", "unix:path=" + filepath.Join(t.TempDir(), "nobody-listens")} {
		t.Setenv("DBUS_SESSION_BUS_ADDRESS", addr)
		m, p, b := openWithCall(t)
		m.hide()
		test.AssertNotificationSent(t, fyne.NewNotification("Ana is calling", "Answer or decline in tincan."), func() {
			b.callEvent(ringing("c7", "Ana"))
			p.until(t, "the window comes forward", func() bool { return m.visible })
		})
		m.Stop()
	}
}

package ui

import (
	"image/color"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/theme"

	"tincan/core/node"
)

// variant forces the default theme's light or dark colours.
type variant struct {
	fyne.Theme
	v fyne.ThemeVariant
}

func (t variant) Color(n fyne.ThemeColorName, _ fyne.ThemeVariant) color.Color {
	return t.Theme.Color(n, t.v)
}

// TestScreenshotMainWindow renders a realistic main window to
// build/main-light.png and build/main-dark.png for a person to look at, and
// checks the layout a user would notice: bubbles on the right side for mine,
// left for theirs, inside the chat pane.
func TestScreenshotMainWindow(t *testing.T) {
	for _, tc := range []struct {
		name string
		v    fyne.ThemeVariant
	}{{"main-light", theme.VariantLight}, {"main-dark", theme.VariantDark}} {
		t.Run(tc.name, func(t *testing.T) {
			b := newMemBackend("Sam")
			b.addContact(node.ContactView{Name: "Ana Lima", Online: true, Path: "direct", Remote: "203.0.113.9:41000"})
			b.addContact(node.ContactView{Name: "Bo", Addr: "198.51.100.4:7777"})
			b.addContact(node.ContactView{Name: "Chris", Online: true, Path: "direct", Remote: "192.0.2.77:7777", Unread: 2})
			b.history("Ana Lima", "in", "Hi Sam! Did the string telephone arrive?", stateReceived)
			b.history("Ana Lima", "out", "It did 🎉", stateDelivered)
			b.history("Ana Lima", "out", "I have tied it between the two cans and it works across the garden. "+
				"No server in between, just us.", stateDelivered)
			b.history("Ana Lima", "in", "Perfect.\nTalk tonight?", stateReceived)
			b.history("Ana Lima", "in", "Map: https://example.org/maps/place/garden-between-the-two-houses-with-the-big-oak-tree?zoom=19", stateReceived)
			b.history("Ana Lima", "out", "Sure, at 8", stateSent)
			b.history("Ana Lima", "out", "I'll bring the cocoa", stateQueued)

			m, p := open(t, b)
			fyne.CurrentApp().Settings().SetTheme(variant{theme.DefaultTheme(), tc.v})
			m.now = func() time.Time { return time.Date(2025, 3, 14, 18, 0, 0, 0, time.Local) }
			m.selectContact("Ana Lima")
			p.until(t, "history shows", func() bool { return len(bubbles(m)) == 7 })
			m.chat.entry.SetText("")
			m.w.Resize(fyne.NewSize(920, 620))
			p.settle()
			capture(t, m.w, tc.name)

			chatLeft := m.chat.rows.Size().Width
			for _, b := range shown[*bubble](m.w) {
				x, w := b.bg.Position().X, b.bg.Size().Width
				if b.out && x+w/2 < chatLeft/2 || !b.out && x+w/2 > chatLeft/2 {
					t.Errorf("bubble %q is on the wrong side (x %v, width %v of %v)", b.msg.Text, x, w, chatLeft)
				}
				if x < 0 || x+w > chatLeft {
					t.Errorf("bubble %q overflows the chat (x %v, width %v of %v)", b.msg.Text, x, w, chatLeft)
				}
				if b.text.MinSize().Height > b.text.Size().Height+0.5 {
					t.Errorf("bubble %q text is cut: needs %v, has %v", b.msg.Text, b.text.MinSize().Height, b.text.Size().Height)
				}
			}
		})
	}
}

// TestScreenshotSmallWindow checks that a small window still shows whole
// bubbles, and saves build/main-small.png.
func TestScreenshotSmallWindow(t *testing.T) {
	b := newMemBackend("Sam")
	b.addContact(node.ContactView{Name: "Ana Lima with a rather long name", Online: true, Path: "direct", Remote: "203.0.113.9:41000"})
	for i := 0; i < 12; i++ {
		b.history("Ana Lima with a rather long name", []string{"in", "out"}[i%2],
			"Message number "+string(rune('A'+i))+": the quick brown fox jumps over the lazy dog.", stateDelivered)
	}
	m, p := open(t, b)
	fyne.CurrentApp().Settings().SetTheme(variant{theme.DefaultTheme(), theme.VariantLight})
	m.selectContact("Ana Lima with a rather long name")
	p.until(t, "history shows", func() bool { return len(bubbles(m)) == 12 })
	m.w.Resize(fyne.NewSize(640, 420))
	p.settle()
	if got := m.chat.scroll.Offset.Y + m.chat.scroll.Size().Height; got < m.chat.rows.MinSize().Height-1 {
		t.Errorf("the chat should be scrolled to the newest message (seen to %v of %v)", got, m.chat.rows.MinSize().Height)
	}
	for _, b := range shown[*bubble](m.w) {
		if b.text.MinSize().Height > b.text.Size().Height+0.5 {
			t.Errorf("bubble %q text is cut", b.msg.Text)
		}
	}
	capture(t, m.w, "main-small")
}

func TestScreenshotEmptyAndDialogs(t *testing.T) {
	b := newMemBackend("Sam")
	m, p := open(t, b)
	fyne.CurrentApp().Settings().SetTheme(variant{theme.DefaultTheme(), theme.VariantLight})
	p.settle()
	capture(t, m.w, "empty")
	test.Tap(findButton(t, m.w, "Add contact"))
	test.Type(m.addDialog.card, "tincan:1:AEBAGBAFAYDQxCIKBMGA")
	test.Tap(m.addDialog.add)
	p.until(t, "the error shows", func() bool { return m.addDialog.problem.Visible() })
	capture(t, m.w, "addcontact")
}

// TestScreenshotRelayAndNetwork saves build/paths.png (a contact on each kind
// of path), build/relayask.png (the relay question) and build/network.png
// (the network settings while relaying for others) and build/network-caps.png
// (a relay cap that is not a number).
func TestScreenshotRelayAndNetwork(t *testing.T) {
	b := newMemBackend("Sam")
	b.addContact(node.ContactView{Name: "Ana Lima", Path: "none", Addr: "198.51.100.4:7777"})
	b.addContact(node.ContactView{Name: "Bo", Online: true, Path: "direct", Remote: "192.0.2.77:7777"})
	b.addContact(node.ContactView{Name: "Chris", Online: true, Path: "punched-tcp", Remote: "203.0.113.40:51234"})
	b.addContact(node.ContactView{Name: "Dee", Online: true, Path: "punched-udp", Remote: "203.0.113.41:40000"})
	b.addContact(node.ContactView{Name: "Eli", Online: true, Path: "mapped", Remote: "198.51.100.9:7777"})
	b.addContact(node.ContactView{Name: "Fran", Online: true, Path: "relay", Relay: "198.18.1.5:7448", Remote: "198.18.1.5:7448"})
	b.addContact(node.ContactView{Name: "Gus", Path: "none"})
	b.history("Ana Lima", "in", "See you on the other side of the firewall!", stateReceived)
	b.nat = &node.NATStatus{Type: "symmetric", External: "203.0.113.7:41000", Mapped: []string{"tcp 7777", "udp 7777"}}
	b.relay = node.RelayStatus{Use: node.RelaysAsk, Serve: true, Active: 2, Sessions: 9, BytesRelayed: 14_230_000,
		MaxSessions: 16, RateKiB: 256}

	m, p := open(t, b)
	fyne.CurrentApp().Settings().SetTheme(variant{theme.DefaultTheme(), theme.VariantLight})
	m.now = func() time.Time { return time.Date(2025, 3, 14, 18, 0, 0, 0, time.Local) }
	m.selectContact("Ana Lima")
	p.until(t, "history shows", func() bool { return len(bubbles(m)) == 1 })
	m.w.Resize(fyne.NewSize(920, 620))
	b.askRelay("Gus")
	b.askRelay("Ana Lima")
	p.until(t, "the relay questions show", func() bool { return len(m.relayAsks) == 2 })
	test.Tap(m.relayAsks["Gus"].later)
	test.Tap(m.relayAsks["Ana Lima"].later)
	p.settle()
	capture(t, m.w, "paths")
	// The header's relay button shows, inside the window, beside Remove.
	pos := fyne.CurrentApp().Driver().AbsolutePositionForObject(m.chat.relay)
	if !m.chat.relay.Visible() || pos.X+m.chat.relay.Size().Width > m.w.Canvas().Size().Width ||
		m.chat.relay.Size().Width < m.chat.relay.MinSize().Width {
		t.Errorf("the header's relay button is at x %v, %v wide (needs %v) in a %v window",
			pos.X, m.chat.relay.Size().Width, m.chat.relay.MinSize().Width, m.w.Canvas().Size().Width)
	}

	test.Tap(m.chat.relay)
	p.settle()
	capture(t, m.w, "relayask")
	test.Tap(m.relayAsks["Ana Lima"].later)

	d := openNetworkDialog(t, m, p)
	p.settle()
	capture(t, m.w, "network")
	if d.problem.Visible() {
		t.Errorf("the network dialog shows a problem: %q", d.problem.Text)
	}
	fits := func(what string) {
		t.Helper()
		for _, o := range []fyne.CanvasObject{d.caps.apply, d.caps.problem, findButton(t, m.w, "Close")} {
			if !o.Visible() {
				continue
			}
			if o != fyne.CanvasObject(findButton(t, m.w, "Close")) {
				d.sheet.reveal(o) // inside the dialog's scrolling body: scroll to it
			}
			pos := fyne.CurrentApp().Driver().AbsolutePositionForObject(o)
			if end := pos.Add(o.Size()); end.X > m.w.Canvas().Size().Width || end.Y > m.w.Canvas().Size().Height {
				t.Errorf("%s: the network dialog does not fit the window (%T reaches %v of %v)", what, o, end, m.w.Canvas().Size())
			}
		}
	}
	fits("serving")

	// A cap that is not a number shows beside the caps: build/network-caps.png.
	retype(d.caps.sessions, "lots")
	test.Tap(d.caps.apply)
	p.settle()
	capture(t, m.w, "network-caps")
	if !d.caps.problem.Visible() {
		t.Error("a cap that is not a number shows no error")
	}
	fits("caps error")
	top := fyne.CurrentApp().Driver().AbsolutePositionForObject(d.scroll).Y
	at := fyne.CurrentApp().Driver().AbsolutePositionForObject(d.caps.problem).Y
	if at < top || at+d.caps.problem.Size().Height > top+d.scroll.Size().Height {
		t.Errorf("the caps error (y %v to %v) is scrolled out of sight (y %v to %v)",
			at, at+d.caps.problem.Size().Height, top, top+d.scroll.Size().Height)
	}
}

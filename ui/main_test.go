package ui

import (
	"errors"
	"slices"
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"tincan/core/node"
)

func TestEmptyStateInvitesToAddAContact(t *testing.T) {
	m, _ := open(t, newMemBackend("Ana"))
	if m.chat.root.Visible() || !m.nobody.Visible() {
		t.Fatal("with no contacts the chat pane should give way to the empty state")
	}
	if got := m.hint.Text(); got != "Add a contact to start chatting" {
		t.Fatalf("hint = %q", got)
	}
	if !m.contacts.empty.Visible() {
		t.Fatal("the contact list should explain it is empty")
	}
	if m.w.Title() != "tincan" {
		t.Fatalf("title = %q", m.w.Title())
	}
	if m.HasTray() {
		t.Fatal("the test app has no tray, so none should be reported")
	}
}

func TestAddContactThroughDialog(t *testing.T) {
	b := newMemBackend("Me")
	m, p := open(t, b)
	test.Tap(findButton(t, m.w, "Add contact"))
	d := m.addDialog
	if d == nil {
		t.Fatal("Add contact did not open the dialog")
	}

	// A mistyped card: the node's error shows inside the dialog, which stays open.
	test.Type(d.card, "tincan:1:AEBAGBAFAYDQxCIKBMGA")
	test.Type(d.name, "Ana")
	test.Type(d.addr, "198.51.100.4:7777")
	test.Tap(d.add)
	p.until(t, "the checksum error shows", func() bool { return d.problem.Visible() })
	if !strings.Contains(d.problem.Text, "checksum does not match") {
		t.Fatalf("error shown = %q", d.problem.Text)
	}
	if m.addDialog != d || len(m.w.Canvas().Overlays().List()) == 0 {
		t.Fatal("the dialog closed on an error")
	}
	if d.add.Disabled() {
		t.Fatal("Add should be enabled again after an error")
	}

	// A bad address is caught before the node is asked.
	d.card.SetText("tincan:1:AEBAGBAFAYDQQCIKBMGA")
	d.addr.SetText("198.51.100.4")
	test.Tap(d.add)
	if !strings.Contains(d.problem.Text, "host:port") {
		t.Fatalf("address error shown = %q", d.problem.Text)
	}

	// Pasted with a line break in the middle: still one card. Enter in the
	// card box submits, and Tab leaves it.
	d.card.SetText("tincan:1:AEBAGBAF\nAYDQQCIKBMGA\n")
	d.addr.SetText("198.51.100.4:7777")
	if d.card.AcceptsTab() {
		t.Fatal("Tab should move out of the card box")
	}
	d.card.TypedKey(&fyne.KeyEvent{Name: fyne.KeyReturn})
	p.until(t, "the dialog closes", func() bool { return m.addDialog == nil })
	p.until(t, "Ana is listed and open", func() bool {
		return m.selected == "Ana" && reachShown(m, "Ana") == "offline · 198.51.100.4:7777"
	})
	if !m.chat.root.Visible() || m.chat.title.Text != "Ana" {
		t.Fatal("the new contact's chat should open")
	}
	if m.chat.hello.Visible() != true {
		t.Fatal("an empty chat should say there are no messages yet")
	}

	// Adding the same name again is refused, in the dialog.
	test.Tap(findButton(t, m.w, "Add contact"))
	d = m.addDialog
	test.Type(d.card, "tincan:1:AEBAGBAFAYDQQCIKBMGB")
	test.Type(d.name, "Ana")
	test.Tap(d.add)
	p.until(t, "the duplicate error shows", func() bool { return d.problem.Visible() })
	if !strings.Contains(d.problem.Text, "already have a contact named") {
		t.Fatalf("error shown = %q", d.problem.Text)
	}
	test.Tap(d.cancel)
	if m.addDialog != nil {
		t.Fatal("Cancel should close the dialog")
	}
}

func TestSendShowsQueuedThenDelivered(t *testing.T) {
	b := newMemBackend("Me")
	b.addContact(node.ContactView{Name: "Ana", Online: true, Path: "direct", Remote: "192.0.2.8:7777"})
	m, p := open(t, b)
	m.selectContact("Ana")
	p.settle()

	test.Type(m.chat.entry, "hello")
	m.chat.entry.KeyDown(&fyne.KeyEvent{Name: "LeftShift"})
	m.chat.entry.TypedKey(&fyne.KeyEvent{Name: fyne.KeyReturn})
	m.chat.entry.KeyUp(&fyne.KeyEvent{Name: "LeftShift"})
	test.Type(m.chat.entry, "there")
	if got := m.chat.entry.Text; got != "hello\nthere" {
		t.Fatalf("Shift+Enter should add a line, entry = %q", got)
	}
	if len(bubbles(m)) != 0 {
		t.Fatal("Shift+Enter must not send")
	}

	m.chat.entry.TypedKey(&fyne.KeyEvent{Name: fyne.KeyReturn})
	if m.chat.entry.Text != "" {
		t.Fatalf("the entry should clear on send, it holds %q", m.chat.entry.Text)
	}
	p.until(t, "the bubble appears", func() bool { return len(bubbles(m)) == 1 })
	bs := bubbles(m)
	if bs[0][0] != "hello\nthere" || !strings.HasSuffix(bs[0][1], "🕓 queued") {
		t.Fatalf("bubble = %q", bs[0])
	}
	bub := shown[*bubble](m.w)[0]
	if !bub.out || bub.bg.Position().X < m.chat.rows.Size().Width/2 {
		t.Fatalf("an outgoing bubble should sit on the right, x = %v of %v",
			bub.bg.Position().X, m.chat.rows.Size().Width)
	}

	id := bub.msg.ID
	b.setState("Ana", id, stateSent)
	p.until(t, "the bubble says sent", func() bool { return strings.HasSuffix(bubbles(m)[0][1], "✓ sent") })
	b.setState("Ana", id, stateDelivered)
	p.until(t, "the bubble says delivered", func() bool {
		return strings.HasSuffix(bubbles(m)[0][1], "✓✓ delivered")
	})

	// The Send button sends too, and a failed send gives the text back.
	b.mu.Lock()
	b.sendErr = errors.New("message too long")
	b.mu.Unlock()
	m.chat.entry.SetText("second")
	test.Tap(m.chat.send)
	p.until(t, "the error is shown", func() bool { return overlayShows(m.w, "This message is too long") })
	if m.chat.entry.Text != "second" {
		t.Fatalf("a failed send should restore the text, entry = %q", m.chat.entry.Text)
	}
	if len(bubbles(m)) != 1 {
		t.Fatal("a failed send must not show a bubble")
	}
}

func TestIncomingMessageBadgeAndNotification(t *testing.T) {
	b := newMemBackend("Me")
	b.addContact(node.ContactView{Name: "Ana", Online: true, Path: "direct"})
	b.addContact(node.ContactView{Name: "Bo"})
	b.history("Ana", "in", "earlier", stateReceived)
	m, p := open(t, b)
	m.selectContact("Ana")
	p.until(t, "Ana's history shows", func() bool { return len(bubbles(m)) == 1 })
	if bubbles(m)[0][0] != "earlier" || shown[*bubble](m.w)[0].out {
		t.Fatalf("history = %q", bubbles(m))
	}

	// Bo is not open: his message raises his badge and a notification.
	test.AssertNotificationSent(t, fyne.NewNotification("Bo", "are you there?"), func() {
		b.receive("Bo", "are you there?")
		p.until(t, "Bo's badge shows 1", func() bool { return badge(m, "Bo") == "1" })
	})
	if len(bubbles(m)) != 1 {
		t.Fatal("Bo's message must not show in Ana's chat")
	}
	// A second message from Bo replaces the first notification: grouped.
	test.AssertNotificationSent(t, fyne.NewNotification("Bo", "2 new messages"), func() {
		b.receive("Bo", "hello?")
		p.until(t, "Bo's badge shows 2", func() bool { return badge(m, "Bo") == "2" })
	})

	// Ana is open and the window is in front: her message shows, is marked
	// read, and nothing pops up.
	test.AssertNotificationSent(t, nil, func() {
		b.receive("Ana", "hi!")
		p.until(t, "Ana's message shows", func() bool { return len(bubbles(m)) == 2 })
		p.until(t, "Ana's message is marked read", func() bool {
			return slices.Contains(b.markedNames(), "Ana")
		})
		p.settle()
	})
	if badge(m, "Ana") != "" {
		t.Fatalf("Ana's badge = %q, want none", badge(m, "Ana"))
	}

	// Hidden to the tray, even the open chat notifies; long text is cut.
	m.hide()
	long := strings.Repeat("word ", 60)
	test.AssertNotificationSent(t, fyne.NewNotification("Ana", preview(long, notifyChars)), func() {
		b.receive("Ana", long)
		p.until(t, "Ana's badge shows 1", func() bool { return badge(m, "Ana") == "1" })
	})
	if n := len([]rune(preview(long, notifyChars))); n != notifyChars {
		t.Fatalf("preview is %d characters", n)
	}
	m.show()
	p.until(t, "showing the window reads the open chat", func() bool { return badge(m, "Ana") == "" })

	// Opening Bo's chat clears his badge.
	m.selectContact("Bo")
	p.until(t, "Bo's badge clears", func() bool { return badge(m, "Bo") == "" })
	p.until(t, "Bo's history shows", func() bool { return len(bubbles(m)) == 2 })
}

func TestPresenceUpdatesListAndHeader(t *testing.T) {
	b := newMemBackend("Me")
	b.addContact(node.ContactView{Name: "Ana", Path: "none", Addr: "198.51.100.4:7777"})
	m, p := open(t, b)
	m.selectContact("Ana")
	if got := reachShown(m, "Ana"); got != "offline · 198.51.100.4:7777" {
		t.Fatalf("reach = %q", got)
	}
	b.presence("Ana", true, "direct", "203.0.113.9:41000")
	p.until(t, "Ana shows as reached directly", func() bool {
		return reachShown(m, "Ana") == "direct · 203.0.113.9:41000"
	})
	if m.chat.status.Text() != "direct · 203.0.113.9:41000" {
		t.Fatalf("header = %q", m.chat.status.Text())
	}
}

func TestRemoveContact(t *testing.T) {
	b := newMemBackend("Me")
	b.addContact(node.ContactView{Name: "Ana"})
	b.addContact(node.ContactView{Name: "Bo"})
	m, p := open(t, b)
	m.selectContact("Ana")
	test.Tap(m.chat.remove)
	confirm := findButton(t, m.w, "Yes")
	test.Tap(confirm)
	p.until(t, "Ana is gone", func() bool { return len(m.contacts.items) == 1 })
	if m.selected != "" || m.chat.root.Visible() {
		t.Fatal("removing the open contact should close its chat")
	}
	if m.hint.Text() != "Select a contact to start chatting" || m.howTo.Visible() {
		t.Fatalf("hint = %q", m.hint.Text())
	}
	fyne.CurrentApp().Settings().SetTheme(variant{theme.DefaultTheme(), theme.VariantLight})
	p.settle()
	capture(t, m.w, "select")
}

func TestMyCardShowsCardAndQRCode(t *testing.T) {
	b := newMemBackend("Ana")
	m, p := open(t, b)
	test.Tap(findButton(t, m.w, "My card"))
	p.until(t, "the card dialog opens", func() bool { return m.cardDialog != nil })
	d := m.cardDialog
	if d.text.Text != goodCard || !d.text.Selectable {
		t.Fatalf("card line = %q (selectable %v)", d.text.Text, d.text.Selectable)
	}
	if d.info.qr == nil || d.info.qr.Bounds().Dx() != qrPixels {
		t.Fatal("no QR code was drawn")
	}
	test.Tap(d.copy)
	if got := fyne.CurrentApp().Clipboard().Content(); got != goodCard {
		t.Fatalf("clipboard = %q", got)
	}
	if d.copy.Text != "Copied" {
		t.Fatalf("copy button says %q", d.copy.Text)
	}
	capture(t, m.w, "mycard")
}

func TestStopEndsEventLoop(t *testing.T) {
	b := newMemBackend("Me")
	m, _ := open(t, b)
	m.Stop()
	b.mu.Lock()
	subs := len(b.subs)
	b.mu.Unlock()
	if subs != 0 {
		t.Fatalf("%d subscriptions left after Stop", subs)
	}
	m.Stop() // twice is fine
	m.w.Close()
}

// findButton returns the visible button labelled text.
func findButton(t *testing.T, w fyne.Window, text string) *widget.Button {
	t.Helper()
	for _, b := range shown[*widget.Button](w) {
		if b.Text == text {
			return b
		}
	}
	t.Fatalf("no %q button shown", text)
	return nil
}

func TestOpenChatWaitsForContacts(t *testing.T) {
	test.NewTempApp(t)
	p := newPump(t)
	b := newMemBackend("Me")
	b.addContact(node.ContactView{Name: "Ana"})
	b.addContact(node.ContactView{Name: "Bo"})
	m := Run(fyne.CurrentApp(), b, Options{})
	t.Cleanup(m.Stop)
	m.OpenChat("Bo") // before the list has arrived
	p.until(t, "Bo's chat opens", func() bool { return m.selected == "Bo" && m.chat.root.Visible() })
	m.OpenChat("Ana")
	if m.selected != "Ana" || m.chat.title.Text != "Ana" {
		t.Fatalf("selected %q", m.selected)
	}
}

func TestDraftsSurviveSwitchingChats(t *testing.T) {
	b := newMemBackend("Me")
	b.addContact(node.ContactView{Name: "Ana"})
	b.addContact(node.ContactView{Name: "Bo"})
	m, p := open(t, b)
	m.selectContact("Ana")
	test.Type(m.chat.entry, "half a thought")
	m.selectContact("Bo")
	if m.chat.entry.Text != "" {
		t.Fatalf("Bo's chat shows Ana's draft %q", m.chat.entry.Text)
	}
	m.selectContact("Ana")
	if m.chat.entry.Text != "half a thought" {
		t.Fatalf("Ana's draft = %q", m.chat.entry.Text)
	}
	p.settle()
}

// overlayShows reports whether a dialog over w shows text containing s.
func overlayShows(w fyne.Window, s string) bool {
	found := false
	for _, o := range w.Canvas().Overlays().List() {
		walk(o, func(o fyne.CanvasObject) {
			if l, ok := o.(interface{ String() string }); ok && strings.Contains(l.String(), s) {
				found = true
			}
		})
	}
	return found
}

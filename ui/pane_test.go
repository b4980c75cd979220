package ui

import (
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/theme"

	"tincan/core/node"
)

// checkPanes fails unless a wide window shows the list, the handle and the
// conversation side by side, the handle a full-height line with a grip,
// and a narrow one shows the open conversation alone with a Back button.
func checkPanes(t *testing.T, m *Main, what string, narrow bool) {
	t.Helper()
	p := m.panes
	if narrow {
		if m.contacts.root.Visible() || p.handle.Visible() || !p.chat.Visible() || !m.backBox.Visible() {
			t.Errorf("%s: a narrow window with a conversation open should show it alone with Back "+
				"(list %v, handle %v, conversation %v, Back %v)", what,
				m.contacts.root.Visible(), p.handle.Visible(), p.chat.Visible(), m.backBox.Visible())
		}
		if w := p.chat.Size().Width; w < p.root.Size().Width-0.5 {
			t.Errorf("%s: the conversation is %v wide in a %v body", what, w, p.root.Size().Width)
		}
		return
	}
	if !m.contacts.root.Visible() || !p.handle.Visible() || !p.chat.Visible() || m.backBox.Visible() {
		t.Errorf("%s: a wide window should show the list, the handle and the conversation, and no Back "+
			"(list %v, handle %v, conversation %v, Back %v)", what,
			m.contacts.root.Visible(), p.handle.Visible(), p.chat.Visible(), m.backBox.Visible())
	}
	lw, hx, cx := p.list.Size().Width, p.handle.Position().X, p.chat.Position().X
	if lw < listMin-0.5 || hx < lw-0.5 || cx < hx+p.handle.Size().Width-0.5 {
		t.Errorf("%s: the list (%v wide), the handle (at %v) and the conversation (at %v) should sit side by side",
			what, lw, hx, cx)
	}
	checkHandleLooksLikeADivider(t, p.handle, what)
}

// checkHandleLooksLikeADivider fails unless the handle draws a line the
// whole height of the panes in the separator colour, and a grip with dots
// in its middle, none of it in the text colour (which looked like a text
// cursor).
func checkHandleLooksLikeADivider(t *testing.T, h *paneHandle, what string) {
	t.Helper()
	r := test.WidgetRenderer(h).(*handleRenderer)
	if r.line.Size().Height < h.Size().Height-0.5 || r.line.Size().Width > 2.5 {
		t.Errorf("%s: the handle's line is %v in a %v handle; it should be thin and run its whole height",
			what, r.line.Size(), h.Size())
	}
	if r.grip.Size().Height < gripLength-0.5 || r.grip.Position().Y < h.Size().Height/4 {
		t.Errorf("%s: the grip is %v at %v; it should sit in the middle of the handle", what, r.grip.Size(), r.grip.Position())
	}
	fg := theme.Color(theme.ColorNameForeground)
	if r.line.FillColor == fg || r.grip.FillColor == fg {
		t.Errorf("%s: the handle is drawn in the text colour, like a text cursor", what)
	}
	if !h.hovered && r.line.FillColor != theme.Color(theme.ColorNameSeparator) {
		t.Errorf("%s: the handle's line should be drawn in the separator colour", what)
	}
	if h.Cursor() != desktop.HResizeCursor {
		t.Errorf("%s: the pointer over the handle should be the resize pointer", what)
	}
}

// checkNames fails unless want contact rows show, each name drawn whole.
func checkNames(t *testing.T, m *Main, what string, want int) {
	t.Helper()
	rows := shown[*contactRow](m.w)
	if len(rows) != want {
		t.Errorf("%s: %d contact rows show, want %d", what, len(rows), want)
	}
	for _, r := range rows {
		need := fyne.MeasureText(r.name.Text, theme.TextSize(), r.name.TextStyle).Width + 2*theme.InnerPadding()
		if r.name.Size().Width < need-0.5 {
			t.Errorf("%s: the name %q has %v pixels and needs %v: it is cut short", what, r.name.Text, r.name.Size().Width, need)
		}
	}
}

// The handle drags the list wider and narrower, within the list's and the
// conversation's least widths, keeps its width when the window grows, and
// the next window starts with the width the user chose.
func TestPaneHandleDragsTheListWidth(t *testing.T) {
	b := newMemBackend("Sam")
	b.addContact(node.ContactView{Name: "Ana Lima"})
	m, p := open(t, b)
	m.w.Resize(fyne.NewSize(920, 620))
	p.settle()
	ps := m.panes
	start := ps.list.Size().Width
	if start != listDefault {
		t.Fatalf("the list should start %v wide, it is %v", listDefault, start)
	}
	checkPanes(t, m, "920x620", false)

	at := fyne.CurrentApp().Driver().AbsolutePositionForObject(ps.handle).Add(fyne.NewPos(ps.handle.Size().Width/2, 200))
	test.Drag(m.w.Canvas(), at, 80, 0)
	p.settle()
	if got := ps.list.Size().Width; got != start+80 {
		t.Fatalf("dragging the handle 80 to the right should make the list %v wide, it is %v", start+80, got)
	}
	if got := ps.chat.Position().X; got != start+80+ps.handle.Size().Width {
		t.Errorf("the conversation should start right of the handle (%v), it starts at %v",
			start+80+ps.handle.Size().Width, got)
	}

	test.Drag(m.w.Canvas(), fyne.NewPos(start+80+ps.handle.Size().Width/2, 200), -1000, 0)
	p.settle()
	if got := ps.list.Size().Width; got != listMin {
		t.Errorf("dragged far left, the list should keep %v, it is %v", listMin, got)
	}
	test.Drag(m.w.Canvas(), fyne.NewPos(listMin+ps.handle.Size().Width/2, 200), 2000, 0)
	p.settle()
	if got := ps.chat.Size().Width; got < chatMin-0.5 {
		t.Errorf("dragged far right, the conversation should keep %v, it has %v", chatMin, got)
	}

	test.Drag(m.w.Canvas(), fyne.NewPos(ps.handle.Position().X+ps.handle.Size().Width/2, 200),
		360-ps.list.Size().Width, 0)
	p.settle()
	m.w.Resize(fyne.NewSize(1280, 800))
	p.settle()
	if got := ps.list.Size().Width; got != 360 {
		t.Errorf("a wider window should keep the list's 360, it is %v", got)
	}

	again := Run(fyne.CurrentApp(), b, Options{})
	t.Cleanup(again.Stop)
	again.w.Resize(fyne.NewSize(920, 620))
	p.settle()
	if got := again.panes.list.Size().Width; got != 360 {
		t.Errorf("the next window should start with the list 360 wide, as dragged; it is %v", got)
	}
}

// The handle lights up under the pointer and dims when it leaves.
func TestPaneHandleLightsUnderThePointer(t *testing.T) {
	m, p := open(t, newMemBackend("Sam"))
	m.w.Resize(fyne.NewSize(920, 620))
	p.settle()
	h := m.panes.handle
	r := test.WidgetRenderer(h).(*handleRenderer)
	h.MouseIn(&desktop.MouseEvent{})
	if r.line.FillColor != theme.Color(theme.ColorNamePrimary) || r.line.Size().Width < 1.5 {
		t.Error("under the pointer the handle's line should widen in the primary colour")
	}
	h.MouseOut()
	if r.line.FillColor != theme.Color(theme.ColorNameSeparator) {
		t.Error("once the pointer leaves, the handle's line should go back to the separator colour")
	}
}

// A narrow window shows the list alone; opening a conversation covers it,
// Back comes back to it; widening shows both. With nobody to list it shows
// how to add a contact.
func TestNarrowWindowShowsOnePaneAtATime(t *testing.T) {
	b := newMemBackend("Sam")
	b.addContact(node.ContactView{Name: "Ana Lima with a rather long name"})
	b.addContact(node.ContactView{Name: "Bo"})
	b.history("Bo", "in", "Hello there", stateReceived)
	m, p := open(t, b)
	m.w.Resize(fyne.NewSize(480, 360))
	p.settle()
	if !m.contacts.root.Visible() || m.panes.chat.Visible() || m.panes.handle.Visible() {
		t.Fatal("a narrow window with no conversation open should show the contact list alone")
	}
	if w, all := m.contacts.root.Size().Width, m.panes.root.Size().Width; w < all-0.5 || all < 470 {
		t.Errorf("the narrow window's list should have the whole width (%v), it has %v", all, w)
	}
	checkNames(t, m, "narrow list", 2)

	for i, c := range m.contacts.items {
		if c.Name == "Bo" {
			m.contacts.list.Select(i)
		}
	}
	p.until(t, "Bo's conversation shows", func() bool { return len(bubbles(m)) == 1 })
	p.settle()
	checkPanes(t, m, "narrow, Bo open", true)
	checkLayout(t, m.w, "narrow, Bo open")

	test.Tap(m.backBtn)
	p.settle()
	if m.selected != "" || !m.contacts.root.Visible() || m.panes.chat.Visible() {
		t.Fatalf("Back should close the conversation and show the list (open %q, list %v)",
			m.selected, m.contacts.root.Visible())
	}
	if m.contacts.selected != "" {
		t.Errorf("back on the list, no contact should stay selected (%q is)", m.contacts.selected)
	}

	m.selectContact("Bo")
	p.settle()
	m.w.Resize(fyne.NewSize(800, 600))
	p.settle()
	checkPanes(t, m, "widened, Bo open", false)
	m.w.Resize(fyne.NewSize(480, 360))
	p.settle()
	checkPanes(t, m, "narrowed again, Bo open", true)

	empty, p2 := open(t, newMemBackend("Sam"))
	empty.w.Resize(fyne.NewSize(480, 360))
	p2.settle()
	if !empty.panes.chat.Visible() || !empty.hintAdd.Visible() || empty.contacts.root.Visible() {
		t.Error("a narrow window with no contacts should show how to add one, not an empty list")
	}
}

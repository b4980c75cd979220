package ui

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"tincan/core/autostart"
	"tincan/core/backup"
	"tincan/core/identity"
	"tincan/core/node"
)

// shotSizes are the window sizes every view and dialog must hold in.
var shotSizes = []fyne.Size{{Width: 480, Height: 360}, {Width: 800, Height: 600}, {Width: 1280, Height: 800}}

// rect is an object's place on the canvas.
type rect struct{ x0, y0, x1, y1 float32 }

func (r rect) meet(o rect) rect {
	return rect{max(r.x0, o.x0), max(r.y0, o.y0), min(r.x1, o.x1), min(r.y1, o.y1)}
}
func (r rect) empty() bool { return r.x1-r.x0 < 1 || r.y1-r.y0 < 1 }
func (r rect) inside(o rect) bool {
	return r.x0 >= o.x0-0.5 && r.y0 >= o.y0-0.5 && r.x1 <= o.x1+0.5 && r.y1 <= o.y1+0.5
}

// placed is a button or a piece of text as drawn: where, clipped to the
// scrolls it is in, and whether a scroll holds it (so it can be scrolled to).
type placed struct {
	what     string
	at, clip rect
	scrolled bool
}

// layoutOf lists the visible buttons and texts under o, which sits at pos.
func layoutOf(o fyne.CanvasObject, pos fyne.Position, clip rect, scrolled bool, buttons, texts *[]placed) {
	if o == nil || !o.Visible() {
		return
	}
	p := pos.Add(o.Position())
	r := rect{p.X, p.Y, p.X + o.Size().Width, p.Y + o.Size().Height}
	describe := func(s string) placed {
		return placed{what: fmt.Sprintf("%T %q", o, s), at: r, clip: r.meet(clip), scrolled: scrolled}
	}
	switch x := o.(type) {
	case *widget.Button:
		*buttons = append(*buttons, describe(x.Text))
		return
	case *widget.Label:
		if x.Text != "" {
			*texts = append(*texts, describe(x.Text))
		}
		return
	case *quietText:
		if x.Text() != "" {
			*texts = append(*texts, describe(x.Text()))
		}
		return
	case *widget.RichText:
		if s := x.String(); s != "" {
			*texts = append(*texts, describe(s))
		}
		return
	case *widget.Entry, *keyEntry, *keyCardEntry, *composeEntry, *widget.Check, *widget.RadioGroup,
		*widget.Select, *widget.Hyperlink:
		return
	case *container.Scroll:
		layoutOf(x.Content, p, r.meet(clip), true, buttons, texts)
		return
	case *widget.PopUp:
		layoutOf(x.Content, p, clip, scrolled, buttons, texts)
		return
	case *fyne.Container:
		for _, c := range x.Objects {
			layoutOf(c, p, clip, scrolled, buttons, texts)
		}
		return
	case fyne.Widget:
		for _, c := range test.WidgetRenderer(x).Objects() {
			layoutOf(c, p, clip, scrolled, buttons, texts)
		}
	}
}

// checkLayout fails the test if, on w's top layer (the dialog on top, or
// the window), a button is drawn over text, or a button sits outside the
// window where no scroll can bring it.
func checkLayout(t *testing.T, w fyne.Window, what string) {
	t.Helper()
	c := w.Canvas()
	size := c.Size()
	win := rect{0, 0, size.Width, size.Height}
	top := c.Content()
	if o := c.Overlays().Top(); o != nil {
		top = o
		if ms := o.MinSize(); ms.Width > size.Width+0.5 || ms.Height > size.Height+0.5 {
			t.Errorf("%s: the dialog needs %v, more than the %v window (it would widen the window or overlap)", what, ms, size)
		}
	} else if ms := top.MinSize(); ms.Width > size.Width+0.5 || ms.Height > size.Height+0.5 {
		t.Errorf("%s: the window's content needs %v, more than %v", what, ms, size)
	}
	var buttons, texts []placed
	layoutOf(top, fyne.NewPos(0, 0).Subtract(top.Position()), win, false, &buttons, &texts)
	if len(buttons) == 0 {
		t.Errorf("%s: no button shows", what)
	}
	for _, b := range buttons {
		if !b.scrolled && !b.at.inside(win) {
			t.Errorf("%s: %s is drawn at %v, outside the %v window", what, b.what, b.at, size)
		}
		for _, x := range texts {
			if ov := b.clip.meet(x.clip); !ov.empty() {
				t.Errorf("%s: %s is drawn over %s (%v)", what, b.what, x.what, ov)
			}
		}
	}
}

// sizeBackend is a user with contacts (one revoked) and a conversation.
func sizeBackend() *memBackend {
	b := newMemBackend("Samantha Wintergreen-Okonkwo")
	b.addContact(node.ContactView{Name: "Ana Lima", Online: true, Path: "direct", Remote: "203.0.113.9:41000",
		Fingerprint: strings.Repeat("3fa9c0d1", 8), Addr: "203.0.113.9:7777"})
	b.addContact(node.ContactView{Name: "Bo", Path: "none", Fingerprint: strings.Repeat("b0b0", 16)})
	b.addContact(node.ContactView{Name: "Carl", Revoked: true, Path: "none", Fingerprint: strings.Repeat("c4r1", 16)})
	b.history("Ana Lima", "in", "Hi Sam! Did the string telephone arrive?", stateReceived)
	b.history("Ana Lima", "out", "It did, and it works across the garden. No server in between, just us.", stateDelivered)
	b.history("Ana Lima", "in", "Perfect. Talk tonight?", stateReceived)
	b.nat = &node.NATStatus{Type: "port-restricted", External: "203.0.113.7:41000", Mapped: []string{"tcp 7777"}}
	b.relay = node.RelayStatus{Use: node.RelaysAsk, Serve: true, Active: 1, Sessions: 3, BytesRelayed: 1_230_000,
		MaxSessions: 16, RateKiB: 256}
	return b
}

// TestScreenshotSizes opens the main window and every dialog at 480x360,
// 800x600 and 1280x800, saves each as build/size-WxH-NAME.png, and checks
// that each fits the window with no button over text; Escape closes each
// dialog. The window shows both panes with a handle between them, or in
// the small window one at a time (build/size-480x360-list.png is the
// list), and every contact's name is drawn whole. The settings show the
// real start-at-login switch (an XDG entry under a temporary config
// folder) and the real backup.
func TestScreenshotSizes(t *testing.T) {
	for _, size := range shotSizes {
		t.Run(fmt.Sprintf("%vx%v", size.Width, size.Height), func(t *testing.T) {
			b := sizeBackend()
			m, p := openWith(t, &editBackend{memBackend: b}, realOptions(t))
			fyne.CurrentApp().Settings().SetTheme(variant{theme.DefaultTheme(), theme.VariantLight})
			m.now = func() time.Time { return time.Date(2025, 3, 14, 18, 0, 0, 0, time.Local) }
			m.w.Resize(size)
			m.selectContact("Ana Lima")
			p.until(t, "history shows", func() bool { return len(bubbles(m)) == 3 })
			p.settle()
			name := func(s string) string { return fmt.Sprintf("size-%vx%v-%s", size.Width, size.Height, s) }
			capture(t, m.w, name("main"))
			checkLayout(t, m.w, name("main"))
			checkHeader(t, m, name("main"))
			checkPanes(t, m, name("main"), size.Width < narrowBelow)
			if size.Width < narrowBelow {
				test.Tap(m.backBtn)
				p.settle()
				capture(t, m.w, name("list"))
				checkLayout(t, m.w, name("list"))
				if !m.contacts.root.Visible() || m.panes.chat.Visible() {
					t.Errorf("%s: Back should show the contact list in place of the conversation", name("list"))
				}
				checkNames(t, m, name("list"), 3)
				m.selectContact("Ana Lima")
				p.settle()
			} else {
				checkNames(t, m, name("main"), 3)
			}

			dialogs := []struct {
				name string
				open func()
				done func() bool
			}{
				{"mycard", m.showMyCard, func() bool { return m.cardDialog != nil }},
				{"rotate", m.showRotate, func() bool { return m.rotateDialog != nil }},
				{"addcontact", m.showAddContact, func() bool { return m.addDialog != nil }},
				{"network", m.showNetwork, func() bool { return m.netDialog != nil && m.netDialog.policy.Selected != "" }},
				{"settings", m.showSettings, func() bool { return m.settings != nil && !m.settings.login.Disabled() }},
				{"details", func() { m.showDetails("Ana Lima") }, func() bool { return m.details != nil }},
				{"switcher", m.showSwitcher, func() bool { return m.switcher != nil }},
				{"rotated", func() {
					m.showRotated(node.RotateResult{Card: goodCard, Kept: []string{"Ana Lima", "Bo"}, Revoked: []string{"Carl"}})
				}, func() bool { return m.rotated != nil }},
			}
			for _, d := range dialogs {
				d.open()
				p.until(t, d.name+" opens", d.done)
				p.settle()
				capture(t, m.w, name(d.name))
				checkLayout(t, m.w, name(d.name))
				if d.name == "mycard" {
					checkCardReach(t, m, name(d.name))
				}
				if d.name == "settings" {
					checkRealSettings(t, m, name(d.name))
				}
				pressKey(m.w, fyne.KeyEscape)
				p.settle()
				if m.w.Canvas().Overlays().Top() != nil {
					t.Errorf("%s: Escape did not close the dialog", name(d.name))
					for m.w.Canvas().Overlays().Top() != nil {
						m.w.Canvas().Overlays().Top().Hide()
						m.w.Canvas().Overlays().Remove(m.w.Canvas().Overlays().Top())
					}
				}
			}
		})
	}
}

// checkHeader fails if the user's name is hidden under the header's buttons.
func checkHeader(t *testing.T, m *Main, what string) {
	t.Helper()
	d := fyne.CurrentApp().Driver()
	me := d.AbsolutePositionForObject(m.me)
	meEnd := me.X + m.me.Size().Width
	if m.me.Size().Width < 40 {
		t.Errorf("%s: the user's name has %v pixels", what, m.me.Size().Width)
	}
	for _, box := range []*fyne.Container{m.bar.wide, m.bar.narrow} {
		if !box.Visible() {
			continue
		}
		if at := d.AbsolutePositionForObject(box).X; at < meEnd-0.5 {
			t.Errorf("%s: the header's buttons start at x %v, over the user's name (to x %v)", what, at, meEnd)
		}
	}
}

// pressKey types key as the window would: to the focused widget, else
// to the canvas.
func pressKey(w fyne.Window, key fyne.KeyName) {
	ev := &fyne.KeyEvent{Name: key}
	if f := w.Canvas().Focused(); f != nil {
		f.TypedKey(ev)
		return
	}
	if h := w.Canvas().OnTypedKey(); h != nil {
		h(ev)
	}
}

// pressShortcut types s as the window would: to the focused widget if it
// takes shortcuts, else to the canvas.
func pressShortcut(w fyne.Window, s fyne.Shortcut) {
	if f, ok := w.Canvas().Focused().(fyne.Shortcutable); ok {
		f.TypedShortcut(s)
		return
	}
	if c, ok := w.Canvas().(fyne.Shortcutable); ok {
		c.TypedShortcut(s)
	}
}

// checkCardReach fails unless "Rotate my card…" shows in the window and
// the fingerprint is in the card dialog's scrolling body.
func checkCardReach(t *testing.T, m *Main, what string) {
	t.Helper()
	rot := findButton(t, m.w, "Rotate my card…")
	at := fyne.CurrentApp().Driver().AbsolutePositionForObject(rot)
	size := m.w.Canvas().Size()
	if at.X < 0 || at.Y < 0 || at.X+rot.Size().Width > size.Width || at.Y+rot.Size().Height > size.Height {
		t.Errorf("%s: Rotate my card… is at %v, outside the %v window", what, at, size)
	}
	found := false
	walk(m.cardDialog.sheet.body, func(o fyne.CanvasObject) {
		if q, ok := o.(*quietText); ok && strings.HasPrefix(q.Text(), "Fingerprint") {
			found = true
		}
	})
	if !found {
		t.Errorf("%s: the fingerprint is not in the card dialog's scrolling body", what)
	}
}

// openWith runs the main window over b with opts, as open does with none.
func openWith(t *testing.T, b Backend, opts Options) (*Main, *pump) {
	t.Helper()
	test.NewTempApp(t)
	p := newPump(t)
	m := Run(fyne.CurrentApp(), b, opts)
	t.Cleanup(m.Stop)
	p.until(t, "the contact list loads", func() bool { return m.loaded })
	return m, p
}

// realOptions are what cmd/tincan gives the window on Linux: the XDG
// start-at-login entry (under a temporary config folder) and backups of a
// home (a temporary one, with a file keystore).
func realOptions(t *testing.T) Options {
	t.Helper()
	t.Setenv("XDG_CONFIG_HOME", t.TempDir())
	return Options{
		Autostart: autostart.Switch{Exe: "/usr/bin/tincan", Args: []string{"--hidden"}},
		Backup:    realBackup(t),
	}
}

// realBackup backs up and restores a temporary home with a file keystore,
// through core/backup as cmd/tincan does.
func realBackup(t *testing.T) BackupFuncs {
	t.Helper()
	home := t.TempDir()
	ks := identity.NewFileKeystore(filepath.Join(home, "keys"))
	return BackupFuncs{
		Export: func(ctx context.Context, file string, pass []byte, progress func(done, total int64)) error {
			return backup.Export(ctx, home, ks, file, pass, backup.DefaultParams, progress)
		},
		Import: func(ctx context.Context, file string, pass []byte, progress func(done, total int64)) error {
			return backup.Import(ctx, file, pass, home, ks, progress)
		},
	}
}

// checkRealSettings fails unless the settings dialog offers the start-at-login
// switch (read, enabled, no problem shown) and "Back up…".
func checkRealSettings(t *testing.T, m *Main, what string) {
	t.Helper()
	d := m.settings
	if d.login.Disabled() || d.problem.Visible() {
		t.Errorf("%s: the start-at-login switch should be usable with no problem shown (disabled %v, problem %q)",
			what, d.login.Disabled(), d.problem.Text)
	}
	found := false
	for _, b := range shown[*widget.Button](m.w) {
		found = found || b.Text == "Back up…"
	}
	if !found {
		t.Errorf("%s: the settings offer no \"Back up…\"", what)
	}
}

package ui

import (
	"sync"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"tincan/core/node"
)

// tooltips records what the tray's tooltip was set to.
type tooltips struct {
	mu  sync.Mutex
	got []string
}

func (r *tooltips) set(s string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.got = append(r.got, s)
}

func (r *tooltips) last() string {
	r.mu.Lock()
	defer r.mu.Unlock()
	if len(r.got) == 0 {
		return ""
	}
	return r.got[len(r.got)-1]
}

func TestTrayShowsTheUnreadCount(t *testing.T) {
	test.NewTempApp(t)
	p := newPump(t)
	a := &trayApp{App: fyne.CurrentApp()}
	b := newMemBackend("Me")
	b.addContact(node.ContactView{Name: "Ana", Unread: 2})
	b.addContact(node.ContactView{Name: "Bo"})
	tr := newTray(a, a, nil)
	tips := &tooltips{}
	tr.tooltip = tips.set
	m := Run(a, b, Options{Tray: tr})
	t.Cleanup(m.Stop)
	p.until(t, "the Show item counts the unread messages", func() bool {
		return a.menu.Items[0].Label == "Show tincan (2 unread)"
	})
	if got := tips.last(); got != "tincan: 2 unread messages" {
		t.Fatalf("the tray tooltip should count the unread messages, it is %q", got)
	}
	b.receive("Bo", "hello")
	p.until(t, "the count follows a new message", func() bool {
		return a.menu.Items[0].Label == "Show tincan (3 unread)"
	})
	if got := tips.last(); got != "tincan: 3 unread messages" {
		t.Fatalf("the tray tooltip should follow the new message, it is %q", got)
	}
	if a.menu.Items[4].Label != "Quit" || !a.menu.Items[4].IsQuit {
		t.Fatal("the tray menu should end with Quit")
	}
}

func TestUnreadWords(t *testing.T) {
	for _, tc := range []struct {
		n         int
		show, tip string
	}{
		{0, "Show tincan", "tincan"},
		{1, "Show tincan (1 unread)", "tincan: 1 unread message"},
		{120, "Show tincan (120 unread)", "tincan: 120 unread messages"},
	} {
		if got := showLabel(tc.n); got != tc.show {
			t.Errorf("with %d unread the Show item should read %q, got %q", tc.n, tc.show, got)
		}
		if got := trayTooltip(tc.n); got != tc.tip {
			t.Errorf("with %d unread the tooltip should read %q, got %q", tc.n, tc.tip, got)
		}
	}
	if n := unreadCount([]node.ContactView{{Unread: 2}, {Unread: 0}, {Unread: 5}}); n != 7 {
		t.Errorf("2, 0 and 5 unread should total 7, got %d", n)
	}
}

func TestHiddenStartStaysInTheTray(t *testing.T) {
	test.NewTempApp(t)
	p := newPump(t)
	a := &trayApp{App: fyne.CurrentApp()}
	tr := newTray(a, a, nil)
	tr.tooltip = func(string) {}
	m := Run(a, newMemBackend("Me"), Options{Tray: tr, Hidden: true})
	t.Cleanup(m.Stop)
	p.until(t, "the contact list loads", func() bool { return m.loaded })
	if m.visible {
		t.Fatal("started hidden with a tray, the window should not be marked visible")
	}
	a.menu.Items[0].Action()
	if !m.visible {
		t.Fatal("the tray's Show should bring the hidden window up")
	}
}

func TestHiddenStartWithoutTrayShowsTheWindow(t *testing.T) {
	test.NewTempApp(t)
	p := newPump(t)
	m := Run(fyne.CurrentApp(), newMemBackend("Me"), Options{Hidden: true})
	t.Cleanup(m.Stop)
	p.until(t, "the contact list loads", func() bool { return m.loaded })
	if !m.visible || m.HasTray() {
		t.Fatal("with no tray, a hidden start should show the window anyway")
	}
}

func TestClosingWithoutTrayAsks(t *testing.T) {
	for _, tc := range []struct {
		button  string
		visible bool // the window afterwards
		quits   bool
	}{
		{"Cancel", true, false},
		{"Keep running", false, false},
		{"Quit", true, true},
	} {
		t.Run(tc.button, func(t *testing.T) {
			m, p := open(t, newMemBackend("Me"))
			m.askClose()
			if m.closeAsk == nil {
				t.Fatal("closing the window with no tray should ask what to do")
			}
			m.askClose() // a second close while the question is open
			if n := len(m.w.Canvas().Overlays().List()); n != 1 {
				t.Fatalf("a second close should not ask twice, %d dialogs are open", n)
			}
			if !hasText(m.w, "Quit tincan, or keep it running in the background?") {
				t.Fatal("the question should ask whether to quit or keep running")
			}
			if tc.quits {
				capture(t, m.w, "close-ask")
			}
			test.Tap(findButton(t, m.w, tc.button))
			p.settle()
			if m.closeAsk != nil {
				t.Fatalf("%s should close the question", tc.button)
			}
			if m.visible != tc.visible {
				t.Fatalf("after %s the window should be visible: %v, it is %v", tc.button, tc.visible, m.visible)
			}
			if stopped := m.work.ctx.Err() != nil; stopped != tc.quits {
				t.Fatalf("after %s the window's work should be stopped: %v, it is %v", tc.button, tc.quits, stopped)
			}
		})
	}
}

// hasText reports whether a label or quiet text in w or its dialogs starts
// with s.
func hasText(w fyne.Window, s string) bool {
	for _, l := range shown[*widget.Label](w) {
		if len(l.Text) >= len(s) && l.Text[:len(s)] == s {
			return true
		}
	}
	return false
}

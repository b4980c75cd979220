package ui

import (
	"slices"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"

	"tincan/core/node"
)

func TestEscapeClosesEachDialog(t *testing.T) {
	b := &editBackend{memBackend: sizeBackend()}
	m, p := open(t, b)
	m.selectContact("Ana Lima")
	p.settle()
	for _, d := range []struct {
		name   string
		open   func()
		isOpen func() bool
	}{
		{"add contact", m.showAddContact, func() bool { return m.addDialog != nil }},
		{"my card", m.showMyCard, func() bool { return m.cardDialog != nil && m.w.Canvas().Overlays().Top() != nil }},
		{"settings", m.showSettings, func() bool { return m.settings != nil }},
		{"network", m.showNetwork, func() bool { return m.netDialog != nil }},
		{"details", func() { m.showDetails("Ana Lima") }, func() bool { return m.details != nil }},
		{"quick switcher", m.showSwitcher, func() bool { return m.switcher != nil }},
	} {
		d.open()
		p.until(t, "the "+d.name+" dialog opens", d.isOpen)
		pressKey(m.w, fyne.KeyEscape)
		p.settle()
		if top := m.w.Canvas().Overlays().Top(); top != nil {
			t.Errorf("Escape left the %s dialog open (focus on %T)", d.name, m.w.Canvas().Focused())
			top.Hide()
			m.w.Canvas().Overlays().Remove(top)
		}
	}
	if m.addDialog != nil || m.settings != nil || m.netDialog != nil || m.details != nil || m.switcher != nil {
		t.Error("a dialog closed by Escape did not run its clean-up (its field is still set)")
	}
}

func TestEscapeWithTheCardBoxFocusedCloses(t *testing.T) {
	m, p := open(t, newMemBackend("Me"))
	pressShortcut(m.w, keyAddContact)
	p.until(t, "Ctrl+N opens Add contact", func() bool { return m.addDialog != nil })
	if m.w.Canvas().Focused() != m.addDialog.card {
		t.Fatalf("the card box should have the focus, %T has", m.w.Canvas().Focused())
	}
	test.Type(m.addDialog.card, "tincan:1:")
	pressKey(m.w, fyne.KeyEscape)
	p.settle()
	if m.addDialog != nil {
		t.Error("Escape in the card box should close Add contact")
	}
}

func TestQuickSwitcherOpensTheMatch(t *testing.T) {
	b := newMemBackend("Me")
	for _, n := range []string{"Ana", "Bo", "Bob Smith", "Rob"} {
		b.addContact(node.ContactView{Name: n})
	}
	m, p := open(t, b)
	pressShortcut(m.w, keySwitch)
	p.until(t, "Ctrl+K opens the switcher", func() bool { return m.switcher != nil })
	s := m.switcher
	if m.w.Canvas().Focused() != s.filter {
		t.Fatalf("the switcher's box should have the focus, %T has", m.w.Canvas().Focused())
	}
	test.Type(s.filter, "ob")
	if !slices.Equal(s.names, []string{"Bob Smith", "Rob"}) {
		t.Errorf("typing %q lists %v, want Bob Smith and Rob", "ob", s.names)
	}
	test.Type(s.filter, "x")
	if len(s.names) != 0 || !s.none.Visible() {
		t.Errorf("no name has %q, yet the switcher lists %v", "obx", s.names)
	}
	s.filter.SetText("b")
	// Names starting with what was typed come first.
	if !slices.Equal(s.names, []string{"Bo", "Bob Smith", "Rob"}) {
		t.Errorf("typing %q lists %v, want Bo and Bob Smith before Rob", "b", s.names)
	}
	s.filter.TypedKey(&fyne.KeyEvent{Name: fyne.KeyReturn})
	p.settle()
	if m.selected != "Bo" || m.switcher != nil {
		t.Errorf("Enter should open Bo's chat and close the switcher; open chat %q, switcher open %v", m.selected, m.switcher != nil)
	}
}

func TestWindowShortcutsPassThroughDialogEntries(t *testing.T) {
	m, p := open(t, newMemBackend("Me"))
	pressShortcut(m.w, keySwitch)
	p.until(t, "the switcher opens", func() bool { return m.switcher != nil })
	// Ctrl+N typed in the switcher's box reaches the window.
	pressShortcut(m.w, keyAddContact)
	p.until(t, "Ctrl+N in a dialog's box opens Add contact", func() bool { return m.addDialog != nil })
	// Ctrl+A stays with the entry.
	test.Type(m.addDialog.name, "Ana")
	m.w.Canvas().Focus(m.addDialog.name)
	pressShortcut(m.w, &fyne.ShortcutSelectAll{})
	if m.addDialog.name.SelectedText() != "Ana" {
		t.Errorf("Ctrl+A in a box should select its text, selected %q", m.addDialog.name.SelectedText())
	}
}

func TestMatchNames(t *testing.T) {
	names := []string{"carl", "Ana", "anne", "Joanna"}
	if got := matchNames(names, " AN "); !slices.Equal(got, []string{"Ana", "anne", "Joanna"}) {
		t.Errorf("matchNames(%q) = %v, want Ana, anne, then Joanna", "AN", got)
	}
	if got := matchNames(names, ""); len(got) != 4 || got[0] != "Ana" {
		t.Errorf("an empty query should list everyone alphabetically, got %v", got)
	}
}

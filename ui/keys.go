package ui

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/widget"
)

// The window's keyboard shortcuts (Ctrl, or Cmd on macOS). Ctrl+F (search)
// is registered by wireChat.
var (
	keyAddContact = &desktop.CustomShortcut{KeyName: fyne.KeyN, Modifier: fyne.KeyModifierShortcutDefault}
	keySwitch     = &desktop.CustomShortcut{KeyName: fyne.KeyK, Modifier: fyne.KeyModifierShortcutDefault}
)

// windowKeys are the letters the window's shortcuts use with Ctrl: an
// entry with the focus passes these on (passToWindow) instead of keeping
// them.
var windowKeys = map[fyne.KeyName]bool{fyne.KeyF: true, fyne.KeyK: true, fyne.KeyN: true}

// registerKeys sets the window's shortcuts and makes Escape close the
// dialog on top.
func (m *Main) registerKeys() {
	c := m.w.Canvas()
	c.AddShortcut(keyAddContact, func(fyne.Shortcut) { m.showAddContact() })
	c.AddShortcut(keySwitch, func(fyne.Shortcut) { m.showSwitcher() })
	prev := c.OnTypedKey()
	c.SetOnTypedKey(func(k *fyne.KeyEvent) {
		if k.Name == fyne.KeyEscape && closeTopDialog(c) {
			return
		}
		if prev != nil {
			prev(k)
		}
	})
}

// dismissWords are the labels of the buttons that close a dialog without
// doing anything, in the order Escape prefers them.
var dismissWords = []string{"Cancel", "Close", "Not now", "Later", "No", "OK", "Dismiss"}

// closeTopDialog presses the topmost dialog's Cancel or Close button (the
// way its own code closes it, so its clean-up runs). It reports whether
// there was one.
func closeTopDialog(c fyne.Canvas) bool {
	top := c.Overlays().Top()
	if top == nil {
		return false
	}
	var buttons []*widget.Button
	walkShown(top, func(o fyne.CanvasObject) {
		if b, ok := o.(*widget.Button); ok && !b.Disabled() {
			buttons = append(buttons, b)
		}
	})
	for _, w := range dismissWords {
		for _, b := range buttons {
			if b.Text == w && b.OnTapped != nil {
				b.OnTapped()
				return true
			}
		}
	}
	return false
}

// walkShown visits o and every visible object inside it that is reached
// through containers, scrolls and pop-ups (not widgets' own parts).
func walkShown(o fyne.CanvasObject, visit func(fyne.CanvasObject)) {
	if o == nil || !o.Visible() {
		return
	}
	visit(o)
	switch x := o.(type) {
	case *fyne.Container:
		for _, c := range x.Objects {
			walkShown(c, visit)
		}
	case *container.Scroll:
		walkShown(x.Content, visit)
	case *widget.PopUp:
		walkShown(x.Content, visit)
	}
}

// passToWindow hands s to the window of o when it is one of the window's
// shortcuts, so an entry with the focus does not swallow it. It reports
// whether it did.
func passToWindow(o fyne.CanvasObject, s fyne.Shortcut) bool {
	cs, ok := s.(*desktop.CustomShortcut)
	if !ok || cs.Modifier != fyne.KeyModifierShortcutDefault || !windowKeys[cs.KeyName] {
		return false
	}
	app := fyne.CurrentApp()
	if app == nil {
		return false
	}
	c := app.Driver().CanvasForObject(o)
	sc, ok := c.(fyne.Shortcutable)
	if !ok {
		return false
	}
	sc.TypedShortcut(s)
	return true
}

// keyEntry is a one-line entry for dialogs: Escape closes the dialog it
// is in, and the window's shortcuts pass through it.
type keyEntry struct {
	widget.Entry
}

func newKeyEntry() *keyEntry {
	e := &keyEntry{}
	e.ExtendBaseWidget(e)
	return e
}

// TypedKey closes the dialog on Escape and leaves every other key to the entry.
func (e *keyEntry) TypedKey(k *fyne.KeyEvent) {
	if k.Name == fyne.KeyEscape {
		if c := fyne.CurrentApp().Driver().CanvasForObject(e); c != nil && closeTopDialog(c) {
			return
		}
	}
	e.Entry.TypedKey(k)
}

// TypedShortcut passes the window's shortcuts on and keeps the rest.
func (e *keyEntry) TypedShortcut(s fyne.Shortcut) {
	if !passToWindow(e, s) {
		e.Entry.TypedShortcut(s)
	}
}

// keyCardEntry is the add-contact card box (a cardEntry) with Escape and
// the window's shortcuts as in keyEntry.
type keyCardEntry struct {
	cardEntry
}

func newKeyCardEntry(onSubmit func()) *keyCardEntry {
	e := &keyCardEntry{}
	e.onSubmit = onSubmit
	e.MultiLine = true
	e.Wrapping = fyne.TextWrapBreak
	e.ExtendBaseWidget(e)
	return e
}

// TypedKey closes the dialog on Escape and leaves every other key to the card box.
func (e *keyCardEntry) TypedKey(k *fyne.KeyEvent) {
	if k.Name == fyne.KeyEscape {
		if c := fyne.CurrentApp().Driver().CanvasForObject(e); c != nil && closeTopDialog(c) {
			return
		}
	}
	e.cardEntry.TypedKey(k)
}

// TypedShortcut passes the window's shortcuts on and keeps the rest.
func (e *keyCardEntry) TypedShortcut(s fyne.Shortcut) {
	if !passToWindow(e, s) {
		e.cardEntry.TypedShortcut(s)
	}
}

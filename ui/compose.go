package ui

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/widget"
)

// composeEntry is the multi-line message box: Enter sends, Shift+Enter starts
// a new line.
type composeEntry struct {
	widget.Entry
	shift  bool
	onSend func()
}

func newComposeEntry(onSend func()) *composeEntry {
	e := &composeEntry{onSend: onSend}
	e.MultiLine = true
	e.Wrapping = fyne.TextWrapWord
	e.SetPlaceHolder("Write a message…")
	e.ExtendBaseWidget(e)
	e.SetMinRowsVisible(2)
	return e
}

// KeyDown tracks Shift so TypedKey can tell Enter from Shift+Enter.
func (e *composeEntry) KeyDown(k *fyne.KeyEvent) {
	if k.Name == desktop.KeyShiftLeft || k.Name == desktop.KeyShiftRight {
		e.shift = true
	}
	e.Entry.KeyDown(k)
}

// KeyUp tracks Shift so TypedKey can tell Enter from Shift+Enter.
func (e *composeEntry) KeyUp(k *fyne.KeyEvent) {
	if k.Name == desktop.KeyShiftLeft || k.Name == desktop.KeyShiftRight {
		e.shift = false
	}
	e.Entry.KeyUp(k)
}

// TypedKey sends on Enter and leaves every other key to the entry.
func (e *composeEntry) TypedKey(k *fyne.KeyEvent) {
	if (k.Name == fyne.KeyReturn || k.Name == fyne.KeyEnter) && !e.shift && !e.Disabled() {
		if e.onSend != nil {
			e.onSend()
		}
		return
	}
	e.Entry.TypedKey(k)
}

// cardEntry is the add-contact card box: it wraps a long pasted card over
// several lines, but Tab moves on and Enter submits, as in a one-line field.
type cardEntry struct {
	widget.Entry
	onSubmit func()
}

func newCardEntry(onSubmit func()) *cardEntry {
	e := &cardEntry{onSubmit: onSubmit}
	e.MultiLine = true
	e.Wrapping = fyne.TextWrapBreak
	e.ExtendBaseWidget(e)
	return e
}

// AcceptsTab is false so Tab moves to the next field.
func (e *cardEntry) AcceptsTab() bool { return false }

// TypedKey submits on Enter and leaves every other key to the entry.
func (e *cardEntry) TypedKey(k *fyne.KeyEvent) {
	if k.Name == fyne.KeyReturn || k.Name == fyne.KeyEnter {
		if e.onSubmit != nil {
			e.onSubmit()
		}
		return
	}
	e.Entry.TypedKey(k)
}

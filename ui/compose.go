package ui

import (
	"fmt"
	"unicode/utf8"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

// maxMessageBytes is the node's limit on one message's text (UTF-8 bytes:
// characters for plain text); a test keeps it equal to the store's.
const maxMessageBytes = 16 << 10

// countFrom is the share of the limit from which the box counts.
const countFrom = 0.9

// composeEntry is the multi-line message box: Enter sends, Shift+Enter starts
// a new line. Under it, a counter appears as the text nears the limit, and
// says so in words when the text is over it (then nothing is sent).
type composeEntry struct {
	widget.Entry
	shift   bool
	onSend  func()
	counter *widget.Label
}

func newComposeEntry(onSend func()) *composeEntry {
	e := &composeEntry{}
	e.onSend = func() {
		if e.tooLong() {
			e.count() // the words are already under the box
			return
		}
		if onSend != nil {
			onSend()
		}
	}
	e.MultiLine = true
	e.Wrapping = fyne.TextWrapWord
	e.SetPlaceHolder("Write a message…")
	e.counter = widget.NewLabel("")
	e.counter.SizeName = theme.SizeNameCaptionText
	e.counter.Alignment = fyne.TextAlignTrailing
	e.counter.Wrapping = fyne.TextWrapWord
	e.counter.Hide()
	e.OnChanged = func(string) { e.count() }
	e.ExtendBaseWidget(e)
	e.SetMinRowsVisible(2)
	return e
}

// tooLong reports whether the text is over the limit.
func (e *composeEntry) tooLong() bool { return len(e.Text) > maxMessageBytes }

// count shows the counter from countFrom of the limit, and the words when
// the text is over it.
func (e *composeEntry) count() {
	n := len(e.Text)
	switch {
	case n > maxMessageBytes:
		e.counter.Importance = widget.DangerImportance
		e.counter.SetText(tooLongWords(e.Text))
		e.counter.Show()
	case float64(n) >= countFrom*maxMessageBytes:
		e.counter.Importance = widget.MediumImportance
		e.counter.SetText(thousands(n) + " / " + thousands(maxMessageBytes))
		e.counter.Show()
	default:
		e.counter.Hide()
	}
}

// tooLongWords says a message is over the limit, in characters.
func tooLongWords(text string) string {
	chars, size := utf8.RuneCountInString(text), len(text)
	if chars == size {
		return fmt.Sprintf("This message is too long (%s characters; the limit is %s)",
			thousands(chars), thousands(maxMessageBytes))
	}
	return fmt.Sprintf("This message is too long (%s characters, as long as %s plain ones; the limit is %s)",
		thousands(chars), thousands(size), thousands(maxMessageBytes))
}

// thousands writes n with commas: 18,000.
func thousands(n int) string {
	s := fmt.Sprint(n)
	for i := len(s) - 3; i > 0 && s[i-1] != '-'; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
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
		e.onSend()
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

// TypedShortcut lets the window's shortcuts (Ctrl+F, Ctrl+K, Ctrl+N) through.
func (e *composeEntry) TypedShortcut(s fyne.Shortcut) {
	if !passToWindow(e, s) {
		e.Entry.TypedShortcut(s)
	}
}

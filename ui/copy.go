package ui

import (
	"log/slog"
	"reflect"
	"sync"
	"unsafe"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/widget"
)

// Why Copy used to wipe the clipboard: a selectable widget.Label offers its
// own right-click menu whose Copy puts the label's *selected* text on the
// clipboard, and with nothing selected that is "". textHit lies over a
// bubble's text and takes the right click itself: Copy copies the
// selection if there is one, else the whole message. Every other mouse
// event goes on to the label's selection, so selecting text still works
// (drags reach it directly: textHit is not Draggable).
type textHit struct {
	widget.BaseWidget
	b *bubble
}

var (
	_ desktop.Mouseable      = (*textHit)(nil)
	_ fyne.DoubleTappable    = (*textHit)(nil)
	_ fyne.SecondaryTappable = (*textHit)(nil)
	_ desktop.Cursorable     = (*textHit)(nil)
)

func newTextHit(b *bubble) *textHit {
	h := &textHit{b: b}
	h.ExtendBaseWidget(h)
	return h
}

// copyWords is the right-click menu's copy item.
const copyWords = "Copy"

// TappedSecondary shows the message's menu: Copy, and Open for its links.
func (h *textHit) TappedSecondary(ev *fyne.PointEvent) {
	c := fyne.CurrentApp().Driver().CanvasForObject(h)
	if c == nil {
		return
	}
	widget.ShowPopUpMenuAtPosition(h.b.menu(), c, ev.AbsolutePosition)
}

// menu is the bubble's right-click menu.
func (b *bubble) menu() *fyne.Menu {
	items := []*fyne.MenuItem{fyne.NewMenuItem(copyWords, b.copyText)}
	for _, u := range b.links.urls {
		items = append(items, fyne.NewMenuItem(linkLabel(u)+"…", func() {
			if b.onLink != nil {
				b.onLink(u)
			}
		}))
	}
	return fyne.NewMenu("", items...)
}

// copyText puts the selected text on the clipboard, or the whole message
// when nothing is selected.
func (b *bubble) copyText() {
	text := b.text.SelectedText()
	if text == "" {
		text = b.msg.Text
	}
	fyne.CurrentApp().Clipboard().SetContent(text)
}

// Cursor is the text cursor, as over the label.
func (h *textHit) Cursor() desktop.Cursor { return desktop.TextCursor }

// MouseDown goes on to the label's selection.
func (h *textHit) MouseDown(ev *desktop.MouseEvent) {
	if s, ok := labelSelection(h.b.text).(desktop.Mouseable); ok {
		s.MouseDown(ev)
	}
}

// MouseUp goes on to the label's selection.
func (h *textHit) MouseUp(ev *desktop.MouseEvent) {
	if s, ok := labelSelection(h.b.text).(desktop.Mouseable); ok {
		s.MouseUp(ev)
	}
}

// DoubleTapped goes on to the label's selection (a double click selects a
// word).
func (h *textHit) DoubleTapped(ev *fyne.PointEvent) {
	if s, ok := labelSelection(h.b.text).(fyne.DoubleTappable); ok {
		s.DoubleTapped(ev)
	}
}

func (h *textHit) CreateRenderer() fyne.WidgetRenderer {
	return widget.NewSimpleRenderer(&fyne.Container{})
}

var warnSelection sync.Once

// labelSelection returns the object inside a selectable label that takes
// the mouse for text selection (Fyne keeps it in an unexported field), or
// nil if this Fyne version has none where expected; selection by drag
// still works then.
func labelSelection(l *widget.Label) any {
	f := reflect.ValueOf(l).Elem().FieldByName("selection")
	if !f.IsValid() || f.Kind() != reflect.Pointer {
		warnSelection.Do(func() { slog.Warn("fyne's label has no selection field: double-click selection is off") })
		return nil
	}
	v := reflect.NewAt(f.Type(), unsafe.Pointer(f.UnsafeAddr())).Elem()
	if v.IsNil() {
		return nil
	}
	return v.Interface()
}

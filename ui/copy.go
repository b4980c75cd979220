package ui

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/widget"
)

// Why Copy used to wipe the clipboard: a selectable widget.Label offers its
// own right-click menu whose Copy puts the label's *selected* text on the
// clipboard, and with nothing selected that is "". A bubble's text
// (bubbletext.go) shows the bubble's own menu instead: Copy copies the
// selection if there is one, else the whole message.

// copyWords is the right-click menu's copy item.
const copyWords = "Copy"

// showMenu shows the message's menu where the user right-clicked.
func (b *bubble) showMenu(ev *fyne.PointEvent) {
	c := fyne.CurrentApp().Driver().CanvasForObject(b.text)
	if c == nil {
		return
	}
	widget.ShowPopUpMenuAtPosition(b.menu(), c, ev.AbsolutePosition)
}

// menu is the bubble's right-click menu: Copy, and Open for its links.
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

package ui

import (
	"fyne.io/fyne/v2"
)

// widthFirst lays out the timeline's scroll after measuring the rows for
// the width the scroll will get, so the scroll sizes its content right in
// one pass. A chat read to the newest message stays there when the window
// is resized; one read further up stays on the same message.
type widthFirst struct{ t *timeline }

func (l widthFirst) MinSize(objects []fyne.CanvasObject) fyne.Size {
	var s fyne.Size
	for _, o := range objects {
		s = s.Max(o.MinSize())
	}
	return s
}

func (l widthFirst) Layout(objects []fyne.CanvasObject, size fyne.Size) {
	t := l.t
	pinned := t.pinned
	if size.Width > 0 && size.Width != t.width {
		t.scroll.Resize(size) // the view's height for the anchor
		t.setWidth(size.Width)
	}
	for _, o := range objects {
		o.Move(fyne.NewPos(0, 0))
		o.Resize(size)
	}
	if pinned {
		t.setOffset(t.total)
		t.place()
		t.scroll.Refresh()
	}
}

package ui

import "fyne.io/fyne/v2"

// compactHeight is the window height below which the call panel keeps its
// device pickers behind a button, so the conversation keeps some room.
const compactHeight = 520

// windowLayout stacks the main window: the toolbar, the call panel (when a
// call is on) and the contacts and chat below, which take the rest. It
// tells the call panel whether the window is short.
type windowLayout struct{ call *callPanel }

func (l windowLayout) MinSize(objects []fyne.CanvasObject) fyne.Size {
	var s fyne.Size
	for _, o := range objects {
		if o.Visible() {
			m := o.MinSize()
			s = fyne.NewSize(max(s.Width, m.Width), s.Height+m.Height)
		}
	}
	return s
}

func (l windowLayout) Layout(objects []fyne.CanvasObject, size fyne.Size) {
	l.call.setCompact(size.Height < compactHeight)
	y := float32(0)
	for i, o := range objects {
		if !o.Visible() {
			continue
		}
		h := o.MinSize().Height
		if i == len(objects)-1 {
			h = max(size.Height-y, 0)
		}
		o.Move(fyne.NewPos(0, y))
		o.Resize(fyne.NewSize(size.Width, h))
		y += h
	}
}

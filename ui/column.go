package ui

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
)

// sizedForWidth is an object whose height depends on the width it gets.
type sizedForWidth interface {
	heightFor(width float32) float32
}

// column stacks chat bubbles top to bottom. It asks each one its height for
// the column's width, so wrapped text is laid out in a single pass.
type column struct {
	width float32 // the width the column was last given, or is about to get
}

func heightOf(o fyne.CanvasObject, width float32) float32 {
	if s, ok := o.(sizedForWidth); ok && width > 0 {
		return s.heightFor(width)
	}
	return o.MinSize().Height
}

// MinSize is the height of all rows at the column's width.
func (c *column) MinSize(objects []fyne.CanvasObject) fyne.Size {
	gap := theme.Padding()
	h := gap
	for _, o := range objects {
		if o.Visible() {
			h += heightOf(o, c.width) + gap
		}
	}
	return fyne.NewSize(0, h)
}

// Layout places the rows at full width, each as tall as it needs.
func (c *column) Layout(objects []fyne.CanvasObject, size fyne.Size) {
	c.width = size.Width
	gap := theme.Padding()
	y := gap
	for _, o := range objects {
		if !o.Visible() {
			continue
		}
		h := heightOf(o, size.Width)
		o.Move(fyne.NewPos(0, y))
		o.Resize(fyne.NewSize(size.Width, h))
		y += h + gap
	}
}

// widthFirst lays out a scroll around a column after telling the column the
// width it will get, so the scroll sizes its content right. A chat read to
// the newest message stays there when the window is resized.
type widthFirst struct {
	col    *column
	scroll *container.Scroll
}

func (l widthFirst) MinSize(objects []fyne.CanvasObject) fyne.Size {
	var s fyne.Size
	for _, o := range objects {
		s = s.Max(o.MinSize())
	}
	return s
}

func (l widthFirst) Layout(objects []fyne.CanvasObject, size fyne.Size) {
	s := l.scroll
	atBottom := s.Offset.Y+s.Size().Height >= s.Content.Size().Height-1
	l.col.width = size.Width
	for _, o := range objects {
		o.Move(fyne.NewPos(0, 0))
		o.Resize(size)
	}
	if atBottom {
		s.ScrollToBottom()
	}
}

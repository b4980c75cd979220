package ui

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

// sheet is a dialog whose body scrolls inside it and whose buttons stay at
// its bottom, so it holds in any window from 480x360 up (the smallest
// the views are tested at): it asks for its
// preferred width and its body's full height, and the window's overlay
// clamps both to the window; what does not fit scrolls.
type sheet struct {
	dlg     *dialog.CustomDialog
	scroll  *container.Scroll
	body    fyne.CanvasObject
	content *fyne.Container
	width   float32
}

// newSheet builds (but does not show) a sheet titled title around body,
// with buttons leading on the left and buttons trailing on the right.
func newSheet(parent fyne.Window, title string, width float32, body fyne.CanvasObject,
	leading []fyne.CanvasObject, trailing ...fyne.CanvasObject) *sheet {
	s := &sheet{body: body, width: width}
	s.scroll = container.NewVScroll(body)
	row := append(append(append([]fyne.CanvasObject{}, leading...), layout.NewSpacer()), trailing...)
	s.content = container.NewBorder(nil, container.NewHBox(row...), nil, nil, s.scroll)
	s.dlg = dialog.NewCustomWithoutButtons(title, s.content, parent)
	return s
}

// show opens the sheet at its preferred size.
func (s *sheet) show() {
	s.fit()
	s.dlg.Show()
	s.fit() // wrapped text knows its height once laid out at a width
}

// fit asks for the preferred width and the body's full height; the window
// gives no more than it has.
func (s *sheet) fit() {
	s.content.Refresh()
	chrome := s.dlg.MinSize().Height - s.scroll.MinSize().Height
	s.dlg.Resize(fyne.NewSize(s.width, chrome+s.body.MinSize().Height))
}

// hide closes the sheet.
func (s *sheet) hide() { s.dlg.Hide() }

// reveal scrolls the sheet so o (inside its body) shows.
func (s *sheet) reveal(o fyne.CanvasObject) {
	d := fyne.CurrentApp().Driver()
	top := d.AbsolutePositionForObject(s.scroll).Y
	at := d.AbsolutePositionForObject(o).Y - top + s.scroll.Offset.Y
	if at < s.scroll.Offset.Y || at+o.Size().Height > s.scroll.Offset.Y+s.scroll.Size().Height {
		s.scroll.Offset.Y = max(0, at+o.Size().Height-s.scroll.Size().Height)
		s.scroll.Refresh()
	}
}

// wrapped is a label that wraps at word boundaries.
func wrapped(s string) *widget.Label {
	l := widget.NewLabel(s)
	l.Wrapping = fyne.TextWrapWord
	return l
}

// hintText is a quiet caption that wraps.
func hintText(s string) *quietText {
	q := newQuietText(s, theme.SizeNameCaptionText, fyne.TextAlignLeading)
	q.Truncation = fyne.TextTruncateOff
	q.Wrapping = fyne.TextWrapWord
	return q
}

// problemLabel is the hidden red line a dialog shows an error in.
func problemLabel() *widget.Label {
	p := wrapped("")
	p.Importance = widget.DangerImportance
	p.Hide()
	return p
}

package ui

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

// quietText is secondary text (how a contact is reached, hints): readable,
// but quieter than the text around it. Leading-aligned text is cut with an
// ellipsis when it does not fit; centred text keeps its full width.
type quietText struct {
	*widget.RichText
	seg *widget.TextSegment
}

func newQuietText(text string, size fyne.ThemeSizeName, align fyne.TextAlign) *quietText {
	seg := &widget.TextSegment{Text: text, Style: widget.RichTextStyle{
		Alignment: align,
		ColorName: theme.ColorNamePlaceHolder,
		SizeName:  size,
		Inline:    true,
	}}
	rt := widget.NewRichText(seg)
	if align == fyne.TextAlignLeading {
		rt.Truncation = fyne.TextTruncateEllipsis
	}
	return &quietText{RichText: rt, seg: seg}
}

// Text returns the text shown.
func (q *quietText) Text() string { return q.seg.Text }

// SetText changes the text shown.
func (q *quietText) SetText(s string) {
	if s == q.seg.Text {
		return
	}
	q.seg.Text = s
	q.Refresh()
}

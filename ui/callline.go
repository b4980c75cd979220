package ui

import (
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/theme"
)

// A call's line in the conversation ("Missed call", "Call, 3:12") is not a
// chat bubble but a quiet system line: centred, with a phone icon, the
// words and the time in a faint pill. These are the bubble's methods for it.

// setSystem turns the bubble into a system line, or back.
func (b *bubble) setSystem(on bool) {
	if on == b.system {
		return
	}
	b.system = on
	b.cacheWidth = 0
	if on {
		b.text.Wrapping = fyne.TextWrapOff
		b.text.Truncation = fyne.TextTruncateEllipsis
		b.icon.Show()
		return
	}
	b.text.Wrapping = fyne.TextWrapWord
	b.text.Truncation = fyne.TextTruncateOff
	b.icon.Hide()
}

// systemIcon is the icon of a call's line: red for a missed call.
func systemIcon(text string) fyne.Resource {
	if strings.HasPrefix(text, "Missed") {
		return theme.NewErrorThemedResource(phoneIcon)
	}
	return phoneIcon
}

// systemParts are the widths of a system line's parts for a chat width:
// the whole pill and the text in it.
func (b *bubble) systemParts(width float32) (pill, text float32) {
	pad := theme.Padding()
	inner := theme.InnerPadding()
	icon := theme.IconInlineSize()
	metaW := fyne.MeasureText(b.meta.Text, b.meta.TextSize, b.meta.TextStyle).Width
	text = fyne.MeasureText(b.msg.Text, theme.TextSize(), b.text.TextStyle).Width + 2*inner + 1
	rest := 4*pad + icon + metaW
	if limit := width - 4*pad - rest; text > limit {
		text = max(limit, 2*inner)
	}
	return rest + text, text
}

// systemGeometry is where the pill goes: centred, one line high.
func (b *bubble) systemGeometry(width float32) geometry {
	pill, _ := b.systemParts(width)
	h := b.text.MinSize().Height
	return geometry{x: (width - pill) / 2, width: pill, textHeight: h, height: h}
}

// layoutSystem places the pill, icon, text and time for g, in a chat width
// wide.
func (b *bubble) layoutSystem(g geometry, width float32) {
	pad := theme.Padding()
	icon := theme.IconInlineSize()
	_, textW := b.systemParts(width)
	b.bg.Move(fyne.NewPos(g.x, 0))
	b.bg.Resize(fyne.NewSize(g.width, g.height))
	b.icon.Move(fyne.NewPos(g.x+2*pad, (g.height-icon)/2))
	b.icon.Resize(fyne.NewSquareSize(icon))
	b.text.Move(fyne.NewPos(g.x+2*pad+icon, 0))
	b.text.Resize(fyne.NewSize(textW, g.height))
	ms := b.meta.MinSize()
	b.meta.Move(fyne.NewPos(g.x+2*pad+icon+textW, (g.height-ms.Height)/2))
	b.meta.Resize(ms)
}

// refreshSystem takes the theme's colours: a faint pill, and a time quiet
// but readable on it (WCAG AA).
func (b *bubble) refreshSystem() {
	bg := theme.Color(theme.ColorNameBackground)
	fg := theme.Color(theme.ColorNameForeground)
	b.bg.FillColor = mix(bg, fg, 0.06)
	b.meta.Color = readable(theme.Color(theme.ColorNamePlaceHolder), fg, b.bg.FillColor)
	b.icon.SetResource(systemIcon(b.msg.Text))
	b.bg.Refresh()
	b.meta.Refresh()
	b.text.Refresh()
}

package ui

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

// barAction is one of the window bar's buttons.
type barAction struct {
	label string
	icon  fyne.Resource
	tap   func()
}

// windowBar is the top of the main window: the logo, the app's name, the
// user's name and the actions. Where the labelled buttons would squeeze the
// user's name, the actions show as icons only, and the app's name goes.
type windowBar struct {
	logo    fyne.CanvasObject
	appName *widget.Label
	me      *quietText
	wide    *fyne.Container // labelled buttons
	narrow  *fyne.Container // icon-only buttons
	root    *fyne.Container
}

// meRoom is the least width the user's name keeps before the bar narrows.
const meRoom = 140

func newWindowBar(icon fyne.Resource, me *quietText, actions []barAction) *windowBar {
	logo := canvas.NewImageFromResource(icon)
	logo.FillMode = canvas.ImageFillContain
	logo.SetMinSize(fyne.NewSquareSize(28))
	b := &windowBar{logo: logo, me: me,
		appName: widget.NewLabelWithStyle("tincan", fyne.TextAlignLeading, fyne.TextStyle{Bold: true}),
		wide:    container.NewHBox(), narrow: container.NewHBox()}
	me.Truncation = fyne.TextTruncateEllipsis
	for _, a := range actions {
		b.wide.Add(widget.NewButtonWithIcon(a.label, a.icon, a.tap))
		short := widget.NewButtonWithIcon("", a.icon, a.tap)
		short.Importance = widget.LowImportance
		b.narrow.Add(short)
	}
	b.root = container.New(b, b.logo, b.appName, b.me, b.wide, b.narrow)
	return b
}

// Layout puts the logo, names and buttons in a row, choosing the labelled
// buttons when they leave the user's name room.
func (b *windowBar) Layout(_ []fyne.CanvasObject, size fyne.Size) {
	pad := theme.Padding()
	logo := b.logo.MinSize()
	app := b.appName.MinSize()
	meMin := min(b.me.MinSize().Width, meRoom)
	wideW := b.wide.MinSize().Width
	useWide := logo.Width+app.Width+meMin+wideW+4*pad <= size.Width
	showApp := useWide || logo.Width+app.Width+meMin+b.narrow.MinSize().Width+4*pad <= size.Width
	buttons, other := b.wide, b.narrow
	if !useWide {
		buttons, other = b.narrow, b.wide
	}
	other.Hide()
	buttons.Show()
	place := func(o fyne.CanvasObject, x, w float32) {
		h := min(o.MinSize().Height, size.Height)
		o.Move(fyne.NewPos(x, (size.Height-h)/2))
		o.Resize(fyne.NewSize(w, h))
	}
	x := float32(0)
	place(b.logo, x, logo.Width)
	x += logo.Width + pad
	if showApp {
		b.appName.Show()
		place(b.appName, x, app.Width)
		x += app.Width + pad
	} else {
		b.appName.Hide()
	}
	bw := buttons.MinSize().Width
	place(buttons, size.Width-bw, bw)
	place(b.me, x, max(0, size.Width-bw-pad-x))
}

// MinSize is the logo, the icon-only buttons and a little of the name.
func (b *windowBar) MinSize(_ []fyne.CanvasObject) fyne.Size {
	pad := theme.Padding()
	h := max(b.logo.MinSize().Height, b.appName.MinSize().Height, b.wide.MinSize().Height, b.me.MinSize().Height)
	w := b.logo.MinSize().Width + b.narrow.MinSize().Width + 3*pad + min(b.me.MinSize().Width, 60)
	return fyne.NewSize(w, h)
}

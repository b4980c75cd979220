package ui

import (
	"image/color"
	"strconv"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"tincan/core/node"
)

// contactList is the left pane: one row per contact with an online dot, the
// name, how the contact is reached and a badge with the unread count.
type contactList struct {
	items    []node.ContactView
	selected string
	onSelect func(name string)

	list  *widget.List
	empty fyne.CanvasObject
	root  *fyne.Container
}

func newContactList(onSelect func(string)) *contactList {
	cl := &contactList{onSelect: onSelect}
	cl.list = widget.NewList(
		func() int { return len(cl.items) },
		func() fyne.CanvasObject { return newContactRow() },
		func(id widget.ListItemID, o fyne.CanvasObject) {
			if id >= 0 && id < len(cl.items) {
				o.(*contactRow).set(cl.items[id])
			}
		},
	)
	cl.list.OnSelected = func(id widget.ListItemID) {
		if id < 0 || id >= len(cl.items) {
			return
		}
		name := cl.items[id].Name
		if name != cl.selected {
			cl.selected = name
			cl.onSelect(name)
		}
	}
	hint := widget.NewLabel("No contacts yet")
	hint.Alignment = fyne.TextAlignCenter
	cl.empty = container.NewVBox(layout.NewSpacer(), hint, layout.NewSpacer())
	cl.root = container.NewStack(cl.list, cl.empty)
	cl.set(nil)
	return cl
}

// set replaces the contacts shown, keeping the selection by name.
func (cl *contactList) set(cs []node.ContactView) {
	cl.items = cs
	if len(cs) == 0 {
		cl.list.Hide()
		cl.empty.Show()
	} else {
		cl.empty.Hide()
		cl.list.Show()
	}
	cl.list.Refresh()
	cl.syncSelection()
}

// find returns the contact called name.
func (cl *contactList) find(name string) (node.ContactView, bool) {
	for _, c := range cl.items {
		if c.Name == name {
			return c, true
		}
	}
	return node.ContactView{}, false
}

// presence takes a contact's reachability (online, path, addresses, relay
// and the user's relay answer) from c
// and returns the contact as now shown, or false if it is not in the list.
func (cl *contactList) presence(c node.ContactView) (node.ContactView, bool) {
	for i := range cl.items {
		if cl.items[i].Name == c.Name {
			it := &cl.items[i]
			it.Online, it.Path, it.Addr, it.Remote = c.Online, c.Path, c.Addr, c.Remote
			it.Relay, it.RelayConsent = c.Relay, c.RelayConsent
			cl.list.RefreshItem(i)
			return *it, true
		}
	}
	return node.ContactView{}, false
}

// selectName selects the contact called name ("" selects nobody).
func (cl *contactList) selectName(name string) {
	cl.selected = name
	cl.syncSelection()
}

func (cl *contactList) syncSelection() {
	for i, c := range cl.items {
		if c.Name == cl.selected {
			cl.list.Select(i)
			return
		}
	}
	cl.list.UnselectAll()
}

// setDot shows presence: a filled green dot online, a hollow ring offline.
func setDot(dot *canvas.Circle, online bool) {
	if online {
		dot.FillColor = theme.Color(theme.ColorNameSuccess)
		dot.StrokeWidth = 0
	} else {
		dot.FillColor = color.Transparent
		dot.StrokeColor = theme.Color(theme.ColorNamePlaceHolder)
		dot.StrokeWidth = 1.5
	}
	dot.Refresh()
}

// contactRow is one row of the contact list.
type contactRow struct {
	widget.BaseWidget
	dot   *canvas.Circle
	name  *widget.Label
	sub   *quietText
	count *canvas.Text
	pill  *canvas.Rectangle
	badge *fyne.Container
}

func newContactRow() *contactRow {
	r := &contactRow{}
	r.dot = canvas.NewCircle(color.Transparent)
	r.name = widget.NewLabelWithStyle("", fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	r.name.Truncation = fyne.TextTruncateEllipsis
	r.sub = newQuietText("", theme.SizeNameCaptionText, fyne.TextAlignLeading)
	r.count = canvas.NewText("", color.White)
	r.count.TextStyle = fyne.TextStyle{Bold: true}
	r.count.TextSize = theme.CaptionTextSize()
	r.pill = canvas.NewRectangle(color.Transparent)
	r.pill.CornerRadius = 9
	r.badge = container.NewStack(r.pill, container.New(layout.NewCustomPaddedLayout(2, 2, 7, 7), r.count))
	r.ExtendBaseWidget(r)
	return r
}

func (r *contactRow) set(c node.ContactView) {
	r.name.SetText(c.Name)
	r.sub.SetText(reach(c))
	setDot(r.dot, c.Online)
	r.pill.FillColor = theme.Color(theme.ColorNamePrimary)
	r.count.Color = theme.Color(theme.ColorNameForegroundOnPrimary)
	r.pill.Refresh()
	if c.Unread > 0 {
		n := strconv.Itoa(c.Unread)
		if c.Unread > 99 {
			n = "99+"
		}
		r.count.Text = n
		r.count.Refresh()
		r.badge.Show()
	} else {
		r.count.Text = ""
		r.badge.Hide()
	}
	r.Refresh()
}

func (r *contactRow) CreateRenderer() fyne.WidgetRenderer {
	dot := container.NewCenter(container.NewGridWrap(fyne.NewSquareSize(10), r.dot))
	lines := container.New(layout.NewCustomPaddedVBoxLayout(-theme.Padding()*2), r.name, r.sub)
	return widget.NewSimpleRenderer(container.NewBorder(nil, nil, dot, container.NewCenter(r.badge), lines))
}

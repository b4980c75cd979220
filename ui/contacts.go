package ui

import (
	"image/color"
	"slices"
	"strconv"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"tincan/core/node"
)

// contactList is the left pane: one row per contact with an online dot, the
// name, the last message and its time, and a badge with the unread count,
// the most recently active first. How a contact is reached is in the chat's
// header (and each row keeps it, for a details view).
type contactList struct {
	items    []node.ContactView
	last     map[string]node.MessageView // each contact's newest message
	selected string
	onSelect func(name string)
	onSet    func() // the list was replaced (unread counts may have changed)
	now      func() time.Time

	list  *widget.List
	empty fyne.CanvasObject
	root  *fyne.Container
}

func newContactList(onSelect func(string)) *contactList {
	cl := &contactList{onSelect: onSelect, last: map[string]node.MessageView{}, now: time.Now}
	cl.list = widget.NewList(
		func() int { return len(cl.items) },
		func() fyne.CanvasObject { return newContactRow() },
		func(id widget.ListItemID, o fyne.CanvasObject) {
			if id >= 0 && id < len(cl.items) {
				c := cl.items[id]
				o.(*contactRow).set(c, cl.last[c.Name], cl.now())
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
	cl.sort()
	if len(cs) == 0 {
		cl.list.Hide()
		cl.empty.Show()
	} else {
		cl.empty.Hide()
		cl.list.Show()
	}
	cl.list.Refresh()
	cl.syncSelection()
	if cl.onSet != nil {
		cl.onSet()
	}
}

// setLast takes each contact's newest message and sorts again.
func (cl *contactList) setLast(last map[string]node.MessageView) {
	cl.last = last
	cl.resort()
}

// noteMessage takes a message that arrived or was sent as its contact's
// newest, moving the contact up.
func (cl *contactList) noteMessage(m node.MessageView) {
	if old, ok := cl.last[m.Contact]; ok && old.ID != m.ID && msgTime(m).Before(msgTime(old)) {
		return
	}
	cl.last[m.Contact] = m
	cl.resort()
}

// resort orders the rows again, keeping the selection.
func (cl *contactList) resort() {
	cl.sort()
	cl.list.Refresh()
	cl.syncSelection()
}

// sort puts the most recently active contact first: by its last message,
// or when it was added if it has none; then by name.
func (cl *contactList) sort() {
	activity := func(c node.ContactView) time.Time {
		if m, ok := cl.last[c.Name]; ok {
			return msgTime(m)
		}
		return c.AddedAt
	}
	slices.SortStableFunc(cl.items, func(a, b node.ContactView) int {
		if c := activity(b).Compare(activity(a)); c != 0 {
			return c
		}
		return strings.Compare(a.Name, b.Name)
	})
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
	sub   *quietText   // how the contact is reached: kept for a details view, not drawn
	last  *previewText // the last message (its emoji drawn at text size), or why there is none
	when  *quietText   // the last message's time
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
	r.last = newPreviewText()
	r.when = newQuietText("", theme.SizeNameCaptionText, fyne.TextAlignTrailing)
	r.count = canvas.NewText("", color.White)
	r.count.TextStyle = fyne.TextStyle{Bold: true}
	r.count.TextSize = theme.CaptionTextSize()
	r.pill = canvas.NewRectangle(color.Transparent)
	r.pill.CornerRadius = 9
	r.badge = container.NewStack(r.pill, container.New(layout.NewCustomPaddedLayout(2, 2, 7, 7), r.count))
	r.ExtendBaseWidget(r)
	return r
}

func (r *contactRow) set(c node.ContactView, last node.MessageView, now time.Time) {
	r.name.SetText(c.Name)
	r.sub.SetText(reach(c))
	switch {
	case c.Revoked:
		r.last.SetText("revoked")
		r.when.SetText(shortWhen(msgTime(last), now))
	case last.ID != "":
		text := preview(last.Text, 80)
		if !incoming(last) && last.Kind != kindCall {
			text = "You: " + text
		}
		r.last.SetText(text)
		r.when.SetText(shortWhen(msgTime(last), now))
	default:
		r.last.SetText("No messages yet")
		r.when.SetText("")
	}
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
	top := container.NewBorder(nil, nil, nil, r.when, r.name)
	lines := container.New(layout.NewCustomPaddedVBoxLayout(-theme.Padding()*2), top, r.last)
	return widget.NewSimpleRenderer(container.NewBorder(nil, nil, dot, container.NewCenter(r.badge), lines))
}

// shortWhen is a last message's time in the contact list: the time today,
// "Yesterday", the weekday within a week, else the date.
func shortWhen(t, now time.Time) string {
	if t.IsZero() {
		return ""
	}
	t, now = t.Local(), now.Local()
	switch {
	case sameDay(t, now):
		return t.Format("15:04")
	case sameDay(t, now.AddDate(0, 0, -1)):
		return "Yesterday"
	case t.Before(now) && now.Sub(t) < 6*24*time.Hour:
		return t.Format("Mon")
	case t.Year() == now.Year():
		return t.Format("Jan 2")
	}
	return t.Format("Jan 2, 2006")
}

package ui

import (
	"image/color"
	"strconv"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"tincan/core/node"
)

// dayWords names a day for the separator above its messages: "Today",
// "Yesterday", the weekday within a week, else the date.
func dayWords(d, now time.Time) string {
	d, now = d.Local(), now.Local()
	switch {
	case sameDay(d, now):
		return "Today"
	case sameDay(d, now.AddDate(0, 0, -1)):
		return "Yesterday"
	case d.Before(now) && now.Sub(d) < 6*24*time.Hour:
		return d.Format("Monday")
	case d.Year() == now.Year():
		return d.Format("Monday, January 2")
	}
	return d.Format("January 2, 2006")
}

// dayHeight is the height of a day separator and of the unread divider.
func dayHeight() float32 {
	return fyne.MeasureText("Ag", theme.CaptionTextSize(), fyne.TextStyle{Bold: true}).Height + 2*theme.Padding()
}

// daySeparator is a day's name centred in a faint pill between messages.
type daySeparator struct {
	widget.BaseWidget
	text *canvas.Text
	pill *canvas.Rectangle
}

func newDaySeparator() *daySeparator {
	d := &daySeparator{text: canvas.NewText("", color.Black), pill: canvas.NewRectangle(color.Transparent)}
	d.text.TextSize = theme.CaptionTextSize()
	d.text.TextStyle = fyne.TextStyle{Bold: true}
	d.ExtendBaseWidget(d)
	return d
}

func (d *daySeparator) set(words string) {
	if d.text.Text != words {
		d.text.Text = words
		d.Refresh()
	}
}

func (d *daySeparator) CreateRenderer() fyne.WidgetRenderer {
	return &sepRenderer{d: d}
}

type sepRenderer struct{ d *daySeparator }

func (r *sepRenderer) Layout(size fyne.Size) {
	ts := r.d.text.MinSize()
	pad := theme.Padding()
	w := ts.Width + 4*pad
	r.d.pill.Move(fyne.NewPos((size.Width-w)/2, 0))
	r.d.pill.Resize(fyne.NewSize(w, size.Height))
	r.d.text.Move(fyne.NewPos((size.Width-ts.Width)/2, (size.Height-ts.Height)/2))
	r.d.text.Resize(ts)
}
func (r *sepRenderer) MinSize() fyne.Size { return fyne.NewSize(0, dayHeight()) }
func (r *sepRenderer) Refresh() {
	bg := theme.Color(theme.ColorNameBackground)
	fg := theme.Color(theme.ColorNameForeground)
	r.d.pill.FillColor = mix(bg, fg, 0.06)
	r.d.pill.CornerRadius = dayHeight() / 2
	r.d.text.Color = readable(theme.Color(theme.ColorNamePlaceHolder), fg, r.d.pill.FillColor)
	r.d.pill.Refresh()
	r.d.text.Refresh()
	r.Layout(r.d.Size())
}
func (r *sepRenderer) Objects() []fyne.CanvasObject { return []fyne.CanvasObject{r.d.pill, r.d.text} }
func (r *sepRenderer) Destroy()                     {}

// unreadDivider is the line above the first unread message.
type unreadDivider struct {
	widget.BaseWidget
	text        *canvas.Text
	left, right *canvas.Rectangle
}

// unreadWords is what the unread divider says.
const unreadWords = "Unread messages"

func newUnreadDivider() *unreadDivider {
	u := &unreadDivider{text: canvas.NewText(unreadWords, color.Black),
		left: canvas.NewRectangle(color.Black), right: canvas.NewRectangle(color.Black)}
	u.text.TextSize = theme.CaptionTextSize()
	u.text.TextStyle = fyne.TextStyle{Bold: true}
	u.ExtendBaseWidget(u)
	return u
}

func (u *unreadDivider) CreateRenderer() fyne.WidgetRenderer {
	objs := []fyne.CanvasObject{u.left, u.right, u.text}
	return &dividerRenderer{u: u, objs: objs}
}

type dividerRenderer struct {
	u    *unreadDivider
	objs []fyne.CanvasObject
}

func (r *dividerRenderer) Layout(size fyne.Size) {
	ts := r.u.text.MinSize()
	pad := 2 * theme.Padding()
	x := (size.Width - ts.Width) / 2
	y := size.Height / 2
	r.u.text.Move(fyne.NewPos(x, (size.Height-ts.Height)/2))
	r.u.text.Resize(ts)
	r.u.left.Move(fyne.NewPos(pad, y))
	r.u.left.Resize(fyne.NewSize(max(0, x-2*pad), 1))
	r.u.right.Move(fyne.NewPos(x+ts.Width+pad, y))
	r.u.right.Resize(fyne.NewSize(max(0, size.Width-x-ts.Width-2*pad), 1))
}
func (r *dividerRenderer) MinSize() fyne.Size { return fyne.NewSize(0, dayHeight()) }
func (r *dividerRenderer) Refresh() {
	bg := theme.Color(theme.ColorNameBackground)
	c := readable(theme.Color(theme.ColorNamePrimary), theme.Color(theme.ColorNameForeground), bg)
	r.u.text.Color = c
	r.u.left.FillColor, r.u.right.FillColor = c, c
	for _, o := range r.objs {
		o.Refresh()
	}
	r.Layout(r.u.Size())
}
func (r *dividerRenderer) Objects() []fyne.CanvasObject { return r.objs }
func (r *dividerRenderer) Destroy()                     {}

// newMessagesWords is the button that appears when a message arrives while
// the user reads further up.
const newMessagesWords = "New messages ↓"

// newNewMessagesButton is that button, floating at the bottom of the chat.
func newNewMessagesButton(tapped func()) (*widget.Button, fyne.CanvasObject) {
	b := widget.NewButton(newMessagesWords, tapped)
	b.Importance = widget.HighImportance
	b.Hide()
	return b, container.NewVBox(layout.NewSpacer(), container.NewCenter(b), widget.NewLabel(""))
}

// UnreadTotal counts the unread messages of every contact, for the window
// title and the tray.
func UnreadTotal(cs []node.ContactView) int {
	n := 0
	for _, c := range cs {
		n += c.Unread
	}
	return n
}

// UnreadTotal is the number of unread messages in all conversations as the
// contact list shows it now. Call it on the UI goroutine (the tray does
// after each contact list update).
func (m *Main) UnreadTotal() int { return UnreadTotal(m.contacts.items) }

// windowTitle is the main window's title with n unread messages.
func windowTitle(n int) string {
	if n <= 0 {
		return "tincan"
	}
	return "tincan (" + strconv.Itoa(n) + " unread)"
}

// showUnreadTitle puts the unread total in the window title.
func (m *Main) showUnreadTitle() {
	if t := windowTitle(m.UnreadTotal()); m.w.Title() != t {
		m.w.SetTitle(t)
	}
}

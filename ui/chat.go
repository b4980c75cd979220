package ui

import (
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"tincan/core/node"
)

// chatView is the right pane: the selected contact's name and reachability,
// the message bubbles, and the box to write a new message.
type chatView struct {
	contact node.ContactView
	now     func() time.Time
	drafts  map[string]string // unsent text of the chats not shown

	title   *widget.Label
	dot     *canvas.Circle
	status  *quietText
	remove  *widget.Button
	relay   *widget.Button  // answers the relay question, when there is one
	actions *fyne.Container // the header's buttons
	lead    *fyne.Container // the header's left end (Back, in a narrow window)
	header  *fyne.Container // name, reachability and buttons
	callHdr *callHeader     // the Call button, or the call with this contact

	tl     *timeline
	rows   *fyne.Container   // the timeline's rows in view
	scroll *container.Scroll // scrolls the timeline
	hello  *quietText
	newBtn *widget.Button // "New messages ↓", while the user reads further up

	unreadAtOpen int // the contact's unread count when the chat opened
	historyLimit int // how many messages the first load asks for
	gen          int // counts opened chats, to drop pages of an earlier one
	loadingOlder bool
	loadingNewer bool
	// page loads a page of history before or after the message with ID
	// anchor, off the UI goroutine, and hands it to done on the UI
	// goroutine; latest loads the newest page. Main sets them (wireChat).
	page   func(name string, older bool, anchor string, done func([]node.MessageView, error))
	latest func(name string, done func([]node.MessageView, error))
	search *searchView // the search dialog while it is open

	entry *composeEntry
	send  *widget.Button
	root  fyne.CanvasObject
}

func newChatView(onSend, onRemove, onRelay func(), now func() time.Time) *chatView {
	v := &chatView{now: now, drafts: map[string]string{}, historyLimit: 200}
	v.title = widget.NewLabelWithStyle("", fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	v.title.SizeName = theme.SizeNameSubHeadingText
	v.title.Truncation = fyne.TextTruncateEllipsis
	v.dot = canvas.NewCircle(theme.Color(theme.ColorNameDisabled))
	v.status = newQuietText("", theme.SizeNameCaptionText, fyne.TextAlignLeading)
	v.remove = widget.NewButtonWithIcon("Remove", theme.DeleteIcon(), onRemove)
	v.remove.Importance = widget.LowImportance
	v.relay = widget.NewButtonWithIcon("", theme.QuestionIcon(), onRelay)
	v.relay.Hide()
	dot := container.NewCenter(container.NewGridWrap(fyne.NewSquareSize(10), v.dot))
	titles := container.New(layout.NewCustomPaddedVBoxLayout(-theme.Padding()*2.5), v.title,
		container.NewBorder(nil, nil, dot, nil, v.status))
	v.actions = container.NewHBox(v.relay, v.remove)
	v.lead = container.NewHBox()
	v.header = container.NewBorder(nil, nil, v.lead, container.NewCenter(v.actions), titles)

	v.tl = newTimeline(now)
	v.tl.onScroll = v.viewMoved
	v.rows, v.scroll = v.tl.box, v.tl.scroll
	v.hello = newQuietText("No messages yet. Say hello!", theme.SizeNameText, fyne.TextAlignCenter)
	var newArea fyne.CanvasObject
	v.newBtn, newArea = newNewMessagesButton(v.toNewest)
	messages := container.NewStack(v.tl.root, container.NewCenter(v.hello), newArea)

	v.entry = newComposeEntry(onSend)
	v.send = widget.NewButtonWithIcon("Send", theme.MailSendIcon(), func() { v.entry.onSend() })
	v.send.Importance = widget.HighImportance
	compose := container.NewBorder(nil, v.entry.counter, nil, container.NewVBox(layout.NewSpacer(), v.send), v.entry)

	v.root = container.NewBorder(
		container.NewVBox(container.NewPadded(v.header), widget.NewSeparator()),
		container.NewVBox(widget.NewSeparator(), container.NewPadded(compose)),
		nil, nil, messages)
	return v
}

// show sets the contact whose chat this is; when the contact changes it
// clears the messages and swaps the unsent text for the new chat's.
func (v *chatView) show(c node.ContactView) {
	if c.Name != v.contact.Name {
		v.clear()
		v.unreadAtOpen = c.Unread
		if v.contact.Name != "" && v.entry.Text != "" {
			v.drafts[v.contact.Name] = v.entry.Text
		}
		v.entry.SetText(v.drafts[c.Name])
		delete(v.drafts, c.Name)
	}
	v.contact = c
	v.title.SetText(c.Name)
	v.status.SetText(reach(c))
	if c.Revoked {
		v.entry.Disable()
		v.send.Disable()
	} else {
		v.entry.Enable()
		v.send.Enable()
	}
	setDot(v.dot, c.Online)
	v.showCall()
	v.showRelay(c)
}

// showRelay offers to answer the relay question while the node waits for
// one, and to allow a relay after saying no while the contact is offline.
func (v *chatView) showRelay(c node.ContactView) {
	defer v.header.Refresh() // lay the buttons out again: one may have come or gone
	switch {
	case c.Revoked || c.Online:
		v.relay.Hide()
	case c.RelayConsent == node.ConsentAsked:
		v.relay.SetText("Use a relay?")
		v.relay.SetIcon(theme.QuestionIcon())
		v.relay.Importance = widget.HighImportance
		v.relay.Refresh()
		v.relay.Show()
	case c.RelayConsent == node.ConsentDenied:
		v.relay.SetText("Allow a relay…")
		v.relay.SetIcon(theme.MailForwardIcon())
		v.relay.Importance = widget.LowImportance
		v.relay.Refresh()
		v.relay.Show()
	default:
		v.relay.Hide()
	}
}

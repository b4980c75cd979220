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
	header  *fyne.Container // name, reachability and buttons
	callHdr *callHeader     // the Call button, or the call with this contact

	col    *column
	rows   *fyne.Container
	scroll *container.Scroll
	hello  *quietText
	byID   map[string]*bubble

	entry *composeEntry
	send  *widget.Button
	root  fyne.CanvasObject
}

func newChatView(onSend, onRemove, onRelay func(), now func() time.Time) *chatView {
	v := &chatView{now: now, byID: map[string]*bubble{}, drafts: map[string]string{}}
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
	v.header = container.NewBorder(nil, nil, nil, container.NewCenter(v.actions), titles)

	v.col = &column{}
	v.rows = container.New(v.col)
	v.scroll = container.NewVScroll(v.rows)
	v.hello = newQuietText("No messages yet. Say hello!", theme.SizeNameText, fyne.TextAlignCenter)
	messages := container.NewStack(container.New(widthFirst{v.col, v.scroll}, v.scroll), container.NewCenter(v.hello))

	v.entry = newComposeEntry(onSend)
	v.send = widget.NewButtonWithIcon("Send", theme.MailSendIcon(), onSend)
	v.send.Importance = widget.HighImportance
	compose := container.NewBorder(nil, nil, nil, container.NewVBox(layout.NewSpacer(), v.send), v.entry)

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

func (v *chatView) clear() {
	v.byID = map[string]*bubble{}
	v.rows.Objects = nil
	v.rows.Refresh()
	v.hello.Show()
	v.scroll.Refresh()
}

// setHistory shows msgs (oldest first), keeping any message that arrived
// while the history loaded, and the furthest state each message reached.
func (v *chatView) setHistory(msgs []node.MessageView) {
	old := v.byID
	oldRows := v.rows.Objects
	v.byID = map[string]*bubble{}
	v.rows.Objects = nil
	for _, m := range msgs {
		if b, ok := old[m.ID]; ok && stateRank(b.msg.State) > stateRank(m.State) {
			m.State = b.msg.State
		}
		v.appendBubble(m)
	}
	for _, o := range oldRows {
		if b := o.(*bubble); v.byID[b.msg.ID] == nil {
			v.appendBubble(b.msg)
		}
	}
	v.changed(true)
}

// upsert adds m, or updates the bubble with m's ID; it never moves a
// message's state backwards.
func (v *chatView) upsert(m node.MessageView) {
	if b, ok := v.byID[m.ID]; ok {
		if stateRank(m.State) < stateRank(b.msg.State) {
			m.State = b.msg.State
		}
		b.set(m)
		v.changed(false)
		return
	}
	v.appendBubble(m)
	v.changed(true)
}

func (v *chatView) appendBubble(m node.MessageView) {
	b := newBubble(m, v.now)
	v.byID[m.ID] = b
	v.rows.Objects = append(v.rows.Objects, b)
}

func (v *chatView) changed(toBottom bool) {
	if len(v.rows.Objects) > 0 {
		v.hello.Hide()
	} else {
		v.hello.Show()
	}
	v.rows.Refresh()
	v.scroll.Refresh()
	if toBottom {
		v.scroll.ScrollToBottom()
	}
}

package ui

import (
	"strconv"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"

	"tincan/core/node"
)

// Paging: how many messages one page asks for, and how many the chat keeps
// at most (pages far from the view are dropped, so memory stays flat
// whatever the conversation's length).
const (
	pageSize  = 100
	windowMax = 6 * pageSize
)

// groupGap is how far apart two messages from one side may be and still
// share one time.
const groupGap = 5 * time.Minute

// rowKind says what one row of the timeline is.
type rowKind int

const (
	rowMessage rowKind = iota
	rowDay             // a day separator: "Today", "Yesterday", a date
	rowUnread          // the divider above the first unread message
)

// tlRow is one row of the timeline: a message (msgs[msg]) with the meta line
// its bubble shows, or a separator.
type tlRow struct {
	kind rowKind
	msg  int
	meta string
	day  time.Time
	key  string // what the row is, to keep its widget while it stays in view
}

// timeline is the message column: the window of loaded messages (oldest
// first), the rows drawn from them (day separators, the unread divider,
// grouped times) and the widgets of the rows in view only. It is the scroll's
// content layout. Its fields are used on the UI goroutine only.
type timeline struct {
	now func() time.Time

	msgs           []node.MessageView
	byID           map[string]int
	atStart, atEnd bool   // the window holds the conversation's first / newest message
	firstUnread    string // ID of the message under the unread divider; "" none

	rows    []tlRow
	heights []float32
	tops    []float32
	total   float32
	width   float32            // the width heights were measured for
	pinned  bool               // the view follows the bottom (the newest message)
	hcache  map[string]float32 // row height by key+meta, at width

	box     *fyne.Container
	scroll  *container.Scroll
	root    *fyne.Container              // the scroll, told its width before it lays out
	shown   map[string]fyne.CanvasObject // the widgets in view, by row key
	free    []*bubble                    // bubbles scrolled away, reused for rows coming into view
	scratch *bubble                      // measures bubble heights

	onLink   func(url string) // a link in a bubble was tapped
	onScroll func()           // the view moved (by the user or a layout)
}

func newTimeline(now func() time.Time) *timeline {
	t := &timeline{now: now, byID: map[string]int{}, shown: map[string]fyne.CanvasObject{},
		hcache: map[string]float32{}, atStart: true, atEnd: true, pinned: true}
	t.box = container.New(t)
	t.scroll = container.NewVScroll(t.box)
	t.scroll.OnScrolled = func(fyne.Position) { t.viewMoved() }
	t.root = container.New(widthFirst{t}, t.scroll)
	return t
}

// set replaces the window with msgs (oldest first).
func (t *timeline) set(msgs []node.MessageView, atStart, atEnd bool) {
	t.msgs = msgs
	t.atStart, t.atEnd = atStart, atEnd
	t.rebuild()
}

// reindex recomputes byID after msgs changed.
func (t *timeline) reindex() {
	t.byID = make(map[string]int, len(t.msgs))
	for i, m := range t.msgs {
		t.byID[m.ID] = i
	}
}

// rebuild derives the rows from the messages and measures them.
func (t *timeline) rebuild() {
	t.reindex()
	t.rows = t.rows[:0]
	now := t.now()
	for i, m := range t.msgs {
		at := msgTime(m)
		if i == 0 || !sameDay(at.Local(), msgTime(t.msgs[i-1]).Local()) {
			d := at.Local()
			t.rows = append(t.rows, tlRow{kind: rowDay, day: d, key: "day:" + d.Format("2006-01-02")})
		}
		if m.ID == t.firstUnread {
			t.rows = append(t.rows, tlRow{kind: rowUnread, key: "unread"})
		}
		showTime := i == len(t.msgs)-1 || !continues(m, t.msgs[i+1])
		t.rows = append(t.rows, tlRow{kind: rowMessage, msg: i, meta: metaFor(m, showTime, now), key: "m:" + m.ID})
	}
	t.measure()
}

// continues reports whether next is grouped with m under one time: same
// side, both chat messages, the same day, within groupGap.
func continues(m, next node.MessageView) bool {
	if incoming(m) != incoming(next) || m.Kind == kindCall || next.Kind == kindCall {
		return false
	}
	a, b := msgTime(m), msgTime(next)
	return sameDay(a.Local(), b.Local()) && b.Sub(a) < groupGap && b.Sub(a) > -groupGap
}

// msgTime is when a message was written or arrived.
func msgTime(m node.MessageView) time.Time {
	if m.At.IsZero() {
		return m.SentAt
	}
	return m.At
}

// metaFor is a bubble's small line: the time for the last message of a
// group, and for ours the delivery state unless the group's last shows it.
func metaFor(m node.MessageView, showTime bool, now time.Time) string {
	t := ""
	if showTime || m.Kind == kindCall {
		t = msgTime(m).Local().Format("15:04")
	}
	if !incoming(m) && m.Kind != kindCall && (showTime || m.State != stateDelivered) {
		if t != "" {
			t += "   "
		}
		t += stateLabel(m.State)
	}
	return t
}

// measure works out each row's height at the current width.
func (t *timeline) measure() {
	if t.width <= 0 {
		t.width = 480
	}
	t.heights = t.heights[:0]
	t.tops = t.tops[:0]
	gap := theme.Padding()
	y := gap
	for _, r := range t.rows {
		h := t.rowHeight(r)
		t.tops = append(t.tops, y)
		t.heights = append(t.heights, h)
		y += h + gap
	}
	t.total = y
}

func (t *timeline) rowHeight(r tlRow) float32 {
	switch r.kind {
	case rowDay:
		return dayHeight()
	case rowUnread:
		return dayHeight()
	}
	m := t.msgs[r.msg]
	key := r.key + "\x00" + r.meta + "\x00" + strconv.Itoa(len(m.Text)) // a message's text does not change
	if h, ok := t.hcache[key]; ok {
		return h
	}
	if t.scratch == nil {
		t.scratch = newBubble(m, t.now)
	}
	t.scratch.show(m, r.meta)
	h := t.scratch.heightFor(t.width)
	if len(t.hcache) > 4*windowMax {
		clear(t.hcache) // heights of pages long dropped
	}
	t.hcache[key] = h
	return h
}

// MinSize is the height of every row of the window at the column's width.
func (t *timeline) MinSize([]fyne.CanvasObject) fyne.Size {
	return fyne.NewSize(0, t.total)
}

// Layout measures the rows again if the width changed, and places the rows
// in view.
func (t *timeline) Layout(_ []fyne.CanvasObject, size fyne.Size) {
	if size.Width > 0 && size.Width != t.width {
		t.setWidth(size.Width)
	}
	t.place()
}

// setWidth measures for a new width, keeping the view on the same message.
func (t *timeline) setWidth(w float32) {
	atBottom := t.pinned
	key, delta := t.anchor()
	t.width = w
	clear(t.hcache)
	t.measure()
	if atBottom {
		t.scroll.Offset.Y = max(0, t.total-t.scroll.Size().Height)
	} else {
		t.restore(key, delta)
	}
}

// anchor is the first message (or the unread divider) in view and how far
// below the view's top it starts, to put the view back on it after rows
// change. A day separator is no anchor: a page of older messages from the
// same day puts that day's separator above them, far from where it was.
func (t *timeline) anchor() (key string, delta float32) {
	off := t.scroll.Offset.Y
	for i, r := range t.rows {
		if t.tops[i]+t.heights[i] > off && r.kind != rowDay {
			return r.key, t.tops[i] - off
		}
	}
	return "", 0
}

// restore scrolls so the row key starts delta below the view's top.
func (t *timeline) restore(key string, delta float32) {
	for i, r := range t.rows {
		if r.key == key {
			t.setOffset(t.tops[i] - delta)
			return
		}
	}
}

// setOffset moves the view, within the content.
func (t *timeline) setOffset(y float32) {
	limit := max(0, t.total-t.scroll.Size().Height)
	t.scroll.Offset.Y = min(max(0, y), limit)
	t.pinned = t.atBottom()
}

// atBottom reports whether the view shows the end of the window.
func (t *timeline) atBottom() bool {
	return t.scroll.Offset.Y+t.scroll.Size().Height >= t.total-2
}

// place puts widgets on the rows in view (and a view above and below) and
// lets go of the others.
func (t *timeline) place() {
	view := t.scroll.Size().Height
	if view <= 0 {
		view = 600
	}
	lo, hi := t.scroll.Offset.Y-view, t.scroll.Offset.Y+2*view
	objs := make([]fyne.CanvasObject, 0, 32)
	keep := make(map[string]fyne.CanvasObject, len(t.shown))
	for i, r := range t.rows {
		top, h := t.tops[i], t.heights[i]
		if top+h < lo {
			continue
		}
		if top > hi {
			break
		}
		o := t.widget(r)
		o.Move(fyne.NewPos(0, top))
		o.Resize(fyne.NewSize(t.width, h))
		keep[r.key] = o
		objs = append(objs, o)
	}
	for key, o := range t.shown { // rows scrolled away: their bubbles serve the next ones
		if b, ok := o.(*bubble); ok && keep[key] == nil && len(t.free) < maxFreeBubbles {
			t.free = append(t.free, b)
		}
	}
	t.shown = keep
	t.box.Objects = objs
}

// maxFreeBubbles bounds the bubbles kept for reuse: about two screens.
const maxFreeBubbles = 64

// widget returns the row's widget, reusing the one in view.
func (t *timeline) widget(r tlRow) fyne.CanvasObject {
	o := t.shown[r.key]
	switch r.kind {
	case rowDay:
		if o == nil {
			o = newDaySeparator()
		}
		o.(*daySeparator).set(dayWords(r.day, t.now()))
	case rowUnread:
		if o == nil {
			o = newUnreadDivider()
		}
	default:
		m := t.msgs[r.msg]
		b, _ := o.(*bubble)
		if b == nil && len(t.free) > 0 {
			// Reuse a bubble scrolled away rather than build one: Fyne keeps
			// each widget's renderer and text for a minute after it goes,
			// so new widgets per page grow memory with every page scrolled.
			b, t.free = t.free[len(t.free)-1], t.free[:len(t.free)-1]
		}
		if b == nil {
			b = newBubble(m, t.now)
			b.onLink = t.link
		}
		b.show(m, r.meta)
		o = b
	}
	return o
}

func (t *timeline) link(url string) {
	if t.onLink != nil {
		t.onLink(url)
	}
}

// viewMoved places the rows now in view and tells the chat.
func (t *timeline) viewMoved() {
	t.pinned = t.atBottom()
	t.place()
	t.box.Refresh()
	if t.onScroll != nil {
		t.onScroll()
	}
}

// refresh lays the window out again after its rows changed.
func (t *timeline) refresh() {
	// Size the content first: the scroll clamps its offset to the content's
	// size before it lays the content out again.
	off := t.scroll.Offset.Y
	view := t.scroll.Size()
	t.box.Resize(fyne.NewSize(max(view.Width, t.width), max(view.Height, t.total)))
	t.scroll.Offset.Y = off
	t.place()
	t.box.Refresh()
	t.scroll.Refresh()
}

// bubbleFor returns the bubble in view showing the message id, or nil.
func (t *timeline) bubbleFor(id string) *bubble {
	b, _ := t.shown["m:"+id].(*bubble)
	return b
}

// rowTop returns the top of the row with key, and whether there is one.
func (t *timeline) rowTop(key string) (float32, bool) {
	for i, r := range t.rows {
		if r.key == key {
			return t.tops[i], true
		}
	}
	return 0, false
}

package ui

import (
	"log/slog"

	"tincan/core/node"
)

// The chat's window of history: the first page when a chat opens, older
// pages as the user scrolls up, newer ones as they scroll back down, the
// unread divider, and new messages that keep the view where it is.

func (v *chatView) clear() {
	v.gen++
	v.loadingOlder, v.loadingNewer = false, false
	v.tl.firstUnread = ""
	v.tl.set(nil, true, true)
	v.tl.scroll.Offset.Y = 0
	v.newBtn.Hide()
	v.changed()
}

// setHistory shows msgs, the newest messages of the chat (oldest first),
// keeping any message that arrived while they loaded and the furthest state
// each message reached. With unread messages it lands on the first of them,
// under a divider; otherwise at the bottom. When more messages are unread
// than msgs holds, it first loads older pages (off the UI goroutine) until
// the first unread one is in.
func (v *chatView) setHistory(msgs []node.MessageView) {
	atStart := len(msgs) < v.historyLimit
	need := v.unreadAtOpen - incomingCount(msgs)
	if need > 0 && !atStart && len(msgs) > 0 && v.page != nil {
		v.loadingOlder, v.loadingNewer = true, true // no paging from the view meanwhile
		v.loadUnread(msgs, need, true)
		return
	}
	v.showHistory(msgs, atStart, true, firstUnread(msgs, v.unreadAtOpen))
}

// loadUnread loads the page above have (oldest first; atEnd: it ends with
// the newest message) while need unread messages are still above it, then
// shows the window around the first unread message.
func (v *chatView) loadUnread(have []node.MessageView, need int, atEnd bool) {
	gen, name := v.gen, v.contact.Name
	v.page(name, true, have[0].ID, func(page []node.MessageView, err error) {
		if gen != v.gen {
			return
		}
		if err != nil {
			slog.Error("load history page", "contact", name, "err", err)
			v.showHistory(have, false, atEnd, "")
			return
		}
		atStart := len(page) < pageSize
		k := incomingCount(page)
		have = append(append(make([]node.MessageView, 0, len(page)+len(have)), page...), have...)
		if len(have) > windowMax { // keep the oldest: the first unread is further up
			have, atEnd = have[:windowMax], false
		}
		if k >= need || atStart || len(page) == 0 {
			v.showHistory(have, atStart, atEnd, firstUnread(page, need))
			return
		}
		v.loadUnread(have, need-k, atEnd)
	})
}

// incomingCount counts the incoming messages of msgs.
func incomingCount(msgs []node.MessageView) int {
	n := 0
	for _, m := range msgs {
		if incoming(m) {
			n++
		}
	}
	return n
}

// showHistory shows msgs (oldest first) with the divider above the
// message unread ("" none), keeping the furthest state each message
// reached and, when msgs ends with the newest message, any message that
// arrived while they loaded.
func (v *chatView) showHistory(msgs []node.MessageView, atStart, atEnd bool, unread string) {
	v.loadingOlder, v.loadingNewer = false, false
	old := map[string]node.MessageView{}
	for _, m := range v.tl.msgs {
		old[m.ID] = m
	}
	seen := map[string]bool{}
	out := make([]node.MessageView, 0, len(msgs)+len(old))
	for _, m := range msgs {
		if o, ok := old[m.ID]; ok && stateRank(o.State) > stateRank(m.State) {
			m.State = o.State
		}
		seen[m.ID] = true
		out = append(out, m)
	}
	for _, m := range v.tl.msgs {
		if !seen[m.ID] && atEnd {
			out = append(out, m)
		}
	}
	v.tl.firstUnread = unread
	v.tl.set(out, atStart, atEnd)
	v.changed()
	if top, ok := v.tl.rowTop("unread"); ok {
		v.tl.setOffset(top - dayHeight())
	} else {
		v.tl.setOffset(v.tl.total)
	}
	v.tl.refresh()
	v.viewMoved()
}

// firstUnread is the ID of the first of the last n incoming messages of
// msgs (the unread ones: reading marks all read), or "".
func firstUnread(msgs []node.MessageView, n int) string {
	id := ""
	for i := len(msgs) - 1; i >= 0 && n > 0; i-- {
		if incoming(msgs[i]) {
			id = msgs[i].ID
			n--
		}
	}
	return id
}

// showAround shows msgs (oldest first) with the message id at the top of
// the view: a search hit, with the pages around it.
func (v *chatView) showAround(msgs []node.MessageView, id string, atStart, atEnd bool) {
	v.gen++
	v.loadingOlder, v.loadingNewer = false, false
	v.tl.firstUnread = ""
	v.tl.set(msgs, atStart, atEnd)
	v.changed()
	if top, ok := v.tl.rowTop("m:" + id); ok {
		v.tl.setOffset(top - dayHeight())
	}
	v.tl.refresh()
	v.viewMoved()
}

// upsert adds m, or updates the message with m's ID; it never moves a
// message's state backwards. A new message keeps the view where it is
// unless the user was at the bottom or wrote it; otherwise the "New
// messages" button appears.
func (v *chatView) upsert(m node.MessageView) {
	if i, ok := v.tl.byID[m.ID]; ok {
		if stateRank(m.State) < stateRank(v.tl.msgs[i].State) {
			m.State = v.tl.msgs[i].State
		}
		v.tl.msgs[i] = m
		key, delta := v.tl.anchor()
		bottom := v.tl.pinned
		v.tl.rebuild()
		if bottom {
			v.tl.setOffset(v.tl.total)
		} else {
			v.tl.restore(key, delta)
		}
		v.tl.refresh()
		return
	}
	mine := !incoming(m)
	if !v.tl.atEnd {
		// The window is further up the conversation: the message is
		// fetched with the newest page when the user goes there.
		if mine {
			v.toNewest()
		} else {
			v.newBtn.Show()
		}
		return
	}
	bottom := v.tl.pinned
	key, delta := v.tl.anchor()
	v.tl.msgs = append(v.tl.msgs, m)
	if bottom || mine {
		v.trimFront()
	}
	v.tl.rebuild()
	v.changed()
	if bottom || mine {
		v.tl.setOffset(v.tl.total)
		v.newBtn.Hide()
	} else {
		v.tl.restore(key, delta)
		v.newBtn.Show()
	}
	v.tl.refresh()
}

// trimFront drops the oldest pages while the window holds too many.
func (v *chatView) trimFront() {
	if n := len(v.tl.msgs) - windowMax; n > 0 {
		n = (n + pageSize - 1) / pageSize * pageSize
		n = min(n, len(v.tl.msgs))
		v.tl.msgs = append([]node.MessageView(nil), v.tl.msgs[n:]...)
		v.tl.atStart = false
	}
}

// changed shows the "no messages" hint when there are none.
func (v *chatView) changed() {
	if len(v.tl.msgs) > 0 {
		v.hello.Hide()
	} else {
		v.hello.Show()
	}
}

// toNewest goes to the newest message: at once if the window holds it,
// else by loading the newest page.
func (v *chatView) toNewest() {
	v.newBtn.Hide()
	if v.tl.atEnd {
		v.tl.setOffset(v.tl.total)
		v.tl.refresh()
		return
	}
	if v.latest == nil {
		return
	}
	gen, name := v.gen, v.contact.Name
	v.latest(name, func(msgs []node.MessageView, err error) {
		if err != nil || gen != v.gen {
			return
		}
		v.gen++
		v.loadingOlder, v.loadingNewer = false, false
		v.tl.set(msgs, len(msgs) < pageSize, true)
		v.changed()
		v.tl.setOffset(v.tl.total)
		v.tl.refresh()
	})
}

// viewMoved loads a page when the view comes within a screen of either end
// of the window, and hides the button at the bottom.
func (v *chatView) viewMoved() {
	if v.tl.atEnd && v.tl.atBottom() {
		v.newBtn.Hide()
	}
	if v.page == nil || len(v.tl.msgs) == 0 {
		return
	}
	off, view := v.tl.scroll.Offset.Y, v.tl.scroll.Size().Height
	if !v.tl.atStart && !v.loadingOlder && off < view {
		v.loadPage(true)
	}
	if !v.tl.atEnd && !v.loadingNewer && off+2*view > v.tl.total {
		v.loadPage(false)
	}
}

// loadPage asks for the page above (older) or below the window.
func (v *chatView) loadPage(older bool) {
	gen, name := v.gen, v.contact.Name
	anchor := v.tl.msgs[len(v.tl.msgs)-1].ID
	if older {
		anchor = v.tl.msgs[0].ID
		v.loadingOlder = true
	} else {
		v.loadingNewer = true
	}
	v.page(name, older, anchor, func(msgs []node.MessageView, err error) {
		if gen != v.gen {
			return
		}
		if older {
			v.loadingOlder = false
		} else {
			v.loadingNewer = false
		}
		if err != nil {
			slog.Error("load history page", "contact", name, "err", err)
			return
		}
		v.addPage(msgs, older)
	})
}

// addPage puts a page above or below the window, keeping the view on the
// same message and dropping pages at the far end past windowMax.
func (v *chatView) addPage(msgs []node.MessageView, older bool) {
	key, delta := v.tl.anchor()
	have := v.tl.byID
	var fresh []node.MessageView
	for _, m := range msgs {
		if _, dup := have[m.ID]; !dup {
			fresh = append(fresh, m)
		}
	}
	if older {
		v.tl.atStart = len(msgs) < pageSize
		v.tl.msgs = append(fresh, v.tl.msgs...)
		if n := len(v.tl.msgs) - windowMax; n > 0 {
			v.tl.msgs = v.tl.msgs[:len(v.tl.msgs)-n]
			v.tl.atEnd = false
		}
	} else {
		v.tl.atEnd = len(msgs) < pageSize
		v.tl.msgs = append(v.tl.msgs, fresh...)
		v.trimFront()
	}
	v.tl.rebuild()
	v.tl.restore(key, delta)
	v.tl.refresh()
	v.viewMoved()
}

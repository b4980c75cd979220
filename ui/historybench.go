package ui

// ScrollChatUp is for measurements (tincan-bench-ui): it scrolls the open
// chat to the top of what it has loaded, as a user dragging the scroll bar
// up would, which asks for the page above. It reports how many messages
// the chat holds, how many rows it has built, and whether the
// conversation's first message is loaded and in view. Call it on the UI
// goroutine.
func (m *Main) ScrollChatUp() (held, built int, top bool) {
	return m.scrollChatTo(func(float32, float32) float32 { return 0 })
}

// ScrollChatScreenUp is for measurements too: it scrolls the open chat up
// by one screen, as a user paging up would, so every message comes into
// view on the way. It reports what ScrollChatUp does. Call it on the UI
// goroutine.
func (m *Main) ScrollChatScreenUp() (held, built int, top bool) {
	return m.scrollChatTo(func(off, view float32) float32 { return off - view })
}

func (m *Main) scrollChatTo(to func(off, view float32) float32) (held, built int, top bool) {
	m.wireChat() // in case newMain has not
	tl := m.chat.tl
	tl.setOffset(to(tl.scroll.Offset.Y, tl.scroll.Size().Height))
	tl.refresh()
	tl.viewMoved()
	return len(tl.msgs), len(tl.box.Objects), tl.atStart && len(tl.msgs) > 0 && tl.scroll.Offset.Y == 0
}
